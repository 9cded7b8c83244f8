import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDialects } from '../../test/support/databases.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';
import { governed } from '../security/audit/index.js';
import { CheckpointTimer } from './checkpoint-timer.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(testDialects())('checkpoint timer on %s', (dialect) => {
  let t: TestInstallation;
  beforeEach(async () => {
    t = await createTestInstallation(dialect, 'fs');
  });
  afterEach(async () => t?.dispose());

  it('signs a head within the 1 s default interval of a write, and nothing while the ledger is idle', async () => {
    expect(t.app.config.audit.signIntervalMs).toBe(1000);
    const errors: Error[] = [];
    const timer = new CheckpointTimer(t.app, { intervalMs: t.app.config.audit.signIntervalMs, onError: (e) => errors.push(e) });
    timer.start();
    try {
      await governed({ db: t.app.db, ledger: t.app.ledger }, TEST_ACTOR, 'test:Write', 'thing/1', async () => ({ result: 1 }));
      const written = await t.app.ledger.head();
      const deadline = Date.now() + 5000;
      while (((await t.app.auditTrust.newestHead())?.treeSize ?? 0) < written.seq && Date.now() < deadline) await sleep(100);
      const signedAt = Date.now();
      const head = await t.app.auditTrust.newestHead();
      expect(head?.treeSize).toBe(written.seq);
      expect(head?.chainHead).toBe(written.hash);
      // The window is the interval plus one signing; generous on a loaded machine.
      expect(signedAt - Date.parse((await t.app.ledger.entryAt(written.seq))!.time)).toBeLessThan(2500);
      const heads = (await t.app.auditTrust.historyHeads()).length;
      await sleep(2200);
      expect((await t.app.auditTrust.historyHeads()).length).toBe(heads);
      expect(errors).toEqual([]);
    } finally {
      await timer.stop();
    }
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../../test/support/test-app.js';
import { testDialects } from '../../../test/support/databases.js';
import { GroupCommitWriter, recordOutcome } from './index.js';

describe.each(testDialects())('group commit of lone audit entries on %s', (dialect) => {
  let t: TestInstallation;
  beforeEach(async () => {
    t = await createTestInstallation(dialect, 'fs');
  });
  afterEach(async () => t?.dispose());

  const committed = async (id: string) => (await t.app.db.kysely.selectFrom('audit_events').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;

  it('commits concurrent entries in shared batches, in order, each caller resolved only after its own commit', async () => {
    const writer = new GroupCommitWriter(t.app.db, t.app.ledger);
    const before = (await t.app.ledger.head()).seq;
    const seenCommitted: boolean[] = [];
    const entries = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const entry = await writer.write(TEST_ACTOR, { action: 'test:Read', resource: `attest:default:thing/t${i}`, outcome: 'allowed' });
        seenCommitted.push(await committed(entry.id));
        return entry;
      }),
    );
    expect(seenCommitted.every(Boolean)).toBe(true);
    expect(writer.stats.entries).toBe(40);
    expect(writer.stats.batches).toBeLessThan(40);
    expect(writer.stats.largestBatch).toBeGreaterThan(1);
    // Arrival order is chain order.
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => before + 1 + i));
    expect((await t.app.verifyAudit()).ok).toBe(true);
  });

  it('fails every waiter of a failed batch and keeps none of its entries; the next batch is unaffected', async () => {
    const writer = new GroupCommitWriter(t.app.db, t.app.ledger);
    const first = writer.write(TEST_ACTOR, { action: 'test:First', resource: 'attest:default:thing/first', outcome: 'allowed' });
    // These three arrive while the first commits, so they form one batch; the middle one cannot be stored.
    const batch = [
      writer.write(TEST_ACTOR, { action: 'test:Batch', resource: 'attest:default:thing/a', outcome: 'allowed' }),
      writer.write(TEST_ACTOR, { action: 'test:Batch', resource: 'attest:default:thing/b', outcome: 'allowed', details: { unstorable: 1n } }),
      writer.write(TEST_ACTOR, { action: 'test:Batch', resource: 'attest:default:thing/c', outcome: 'allowed' }),
    ];
    await first;
    const settled = await Promise.allSettled(batch);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await t.app.ledger.list({ action: 'test:Batch' })).toEqual([]);
    await writer.write(TEST_ACTOR, { action: 'test:After', resource: 'attest:default:thing/after', outcome: 'allowed' });
    await writer.idle();
    expect((await t.app.ledger.list({ action: 'test:After' })).length).toBe(1);
    expect((await t.app.verifyAudit()).ok).toBe(true);
  });

  it('is what recordOutcome uses in an opened installation, and close waits for pending entries', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => recordOutcome({ db: t.app.db, ledger: t.app.ledger }, TEST_ACTOR, 'test:Denied', `attest:default:thing/d${i}`, 'denied')));
    expect(new Set(results.map((e) => e.seq)).size).toBe(10);
    for (const e of results) expect(await committed(e.id)).toBe(true);
    expect((await t.app.verifyAudit()).ok).toBe(true);
  });
});

/**
 * Group commit's one-statement batch ({@link AuditLedger.appendMany}) when another writer appended
 * in between: the batch's first slot is taken, the statement stores nothing (primary key), and the
 * batch is chained again to the newest entry; the ledger stays one verified chain. SQLite and PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDialects } from '../../../test/support/databases.js';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../../test/support/test-app.js';
import { AuditLedger } from './index.js';

describe.each(testDialects())('appendMany on %s', (dialect) => {
  let t: TestInstallation;
  beforeEach(async () => {
    t = await createTestInstallation(dialect, 'fs');
  });
  afterEach(async () => t?.dispose());

  it('re-chains a batch whose slots another writer took, storing each batch whole or not at all', async () => {
    const macKey = await t.app.provider.auditMacKey();
    const mine = new AuditLedger(t.app.db, { macKey });
    const other = new AuditLedger(t.app.db, { macKey });
    const records = (tag: string) => [0, 1, 2].map((i) => ({ action: 'test:Read', resource: `attest:default:thing/${tag}${i}`, outcome: 'allowed' as const, details: { z: i, a: tag } }));
    const actors = [TEST_ACTOR, TEST_ACTOR, TEST_ACTOR];
    const first = await mine.appendMany(t.app.db.kysely, actors, records('a'));
    const between = await other.append(t.app.db.kysely, TEST_ACTOR, { action: 'test:Write', resource: 'attest:default:thing/between', outcome: 'allowed' });
    expect(between.seq).toBe(first[2]!.seq + 1);
    // `mine` still believes its last entry is the head: its first slot is taken.
    const second = await mine.appendMany(t.app.db.kysely, actors, records('b'));
    expect(second.map((e) => e.seq)).toEqual([between.seq + 1, between.seq + 2, between.seq + 3]);
    expect(second[0]!.prevHash).toBe(between.hash);
    const stored = await t.app.ledger.list({ afterSeq: first[0]!.seq - 1 });
    expect(stored.map((e) => e.resource)).toEqual([...first, between, ...second].map((e) => e.resource));
    expect(stored.map((e) => e.hash)).toEqual([...first, between, ...second].map((e) => e.hash));
    expect((await t.app.verifyAudit()).ok).toBe(true);
  });
});

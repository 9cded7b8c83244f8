import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../../test/support/test-app.js';
import { testDialects } from '../../../test/support/databases.js';
import { withTransaction } from '../../platform/db/index.js';
import { governed, hashEntry } from './index.js';

describe.each(testDialects())('audit ledger on %s', (dialect) => {
  let t: TestInstallation;
  beforeEach(async () => {
    t = await createTestInstallation(dialect, 'fs');
    for (let i = 0; i < 8; i++) {
      await governed({ db: t.app.db, ledger: t.app.ledger }, TEST_ACTOR, 'test:Write', `thing/${i}`, async () => ({ result: i, details: { i } }));
    }
    await t.app.checkpoint();
    for (let i = 8; i < 12; i++) {
      await governed({ db: t.app.db, ledger: t.app.ledger }, TEST_ACTOR, 'test:Write', `thing/${i}`, async () => ({ result: i, details: { i } }));
    }
  });
  afterEach(async () => t?.dispose());

  const db = () => t.app.db.kysely;
  const seqOf = async (resource: string) => Number((await db().selectFrom('audit_events').select('seq').where('resource', '=', resource).executeTakeFirstOrThrow()).seq);

  it('verifies an untouched ledger, chained from genesis, with a signed checkpoint', async () => {
    const report = await t.app.verifyAudit();
    expect(report.ok).toBe(true);
    expect(report.entriesChecked).toBeGreaterThan(12);
    expect(report.checkpointsChecked).toBeGreaterThan(0);
  });

  it('names the edited entry', async () => {
    const seq = await seqOf('thing/3');
    await db().updateTable('audit_events').set({ principal: 'user:mallory' }).where('seq', '=', seq).execute();
    const report = await t.app.verifyAudit();
    expect(report.ok).toBe(false);
    expect(report.firstProblem?.seq).toBe(seq);
    expect(report.firstProblem?.reason).toMatch(/edited/);
  });

  it('catches an edit whose hash was recomputed (its MAC no longer matches)', async () => {
    const seq = await seqOf('thing/10');
    const row = await db().selectFrom('audit_events').selectAll().where('seq', '=', seq).executeTakeFirstOrThrow();
    const forged = { seq, id: row.id, time: row.time, principal: 'user:mallory', action: row.action, resource: row.resource, outcome: 'allowed' as const, sourceIp: row.source_ip, userAgent: row.user_agent, requestId: row.request_id, details: JSON.parse(row.details), prevHash: row.prev_hash };
    await db().updateTable('audit_events').set({ principal: 'user:mallory', hash: hashEntry(forged) }).where('seq', '=', seq).execute();
    const report = await t.app.verifyAudit();
    expect(report.ok).toBe(false);
    expect(report.firstProblem?.seq).toBe(seq);
    expect(report.firstProblem?.reason).toMatch(/MAC/);
  });

  it('names the gap left by a deleted entry', async () => {
    const seq = await seqOf('thing/5');
    await db().deleteFrom('audit_events').where('seq', '=', seq).execute();
    const report = await t.app.verifyAudit();
    expect(report.ok).toBe(false);
    expect(report.firstProblem?.seq).toBe(seq + 1);
    expect(report.firstProblem?.reason).toMatch(/missing/);
  });

  it('detects deletion of checkpointed newest entries', async () => {
    await t.app.checkpoint();
    const head = await t.app.ledger.head();
    const keep = head.seq - 3;
    await db().deleteFrom('audit_events').where('seq', '>', keep).execute();
    const report = await t.app.verifyAudit();
    expect(report.ok).toBe(false);
    expect(report.firstProblem?.seq).toBe(head.seq);
    expect(report.firstProblem?.reason).toMatch(/deleted/);
  });

  it('detects deleting everything after a checkpoint together with the checkpoint, through the anchor file', async () => {
    await t.app.checkpoint();
    const head = await t.app.ledger.head();
    const keep = 4;
    await db().deleteFrom('audit_events').where('seq', '>', keep).execute();
    await db().deleteFrom('audit_checkpoints').execute();
    const report = await t.app.verifyAudit();
    expect(report.ok).toBe(false);
    expect(report.problems.some((p) => p.seq === head.seq && /anchor/.test(p.reason))).toBe(true);
  });

  it('names an inserted entry', async () => {
    const seq = await seqOf('thing/6');
    await withTransaction(t.app.db, async (tx) => {
      await tx.updateTable('audit_events').set({ seq: sql`seq + 1000` }).where('seq', '>=', seq).execute();
      const row = await tx.selectFrom('audit_events').selectAll().where('seq', '=', seq - 1).executeTakeFirstOrThrow();
      await tx.insertInto('audit_events').values({ ...row, seq, id: 'evt_forged' }).execute();
      await tx.updateTable('audit_events').set({ seq: sql`seq - 999` }).where('seq', '>=', seq + 1000).execute();
    });
    const report = await t.app.verifyAudit();
    expect(report.ok).toBe(false);
    expect(report.firstProblem?.seq).toBe(seq);
  });

  it('names the first of two reordered entries', async () => {
    const a = await seqOf('thing/2');
    const b = await seqOf('thing/4');
    await withTransaction(t.app.db, async (tx) => {
      await tx.updateTable('audit_events').set({ seq: -1 }).where('seq', '=', a).execute();
      await tx.updateTable('audit_events').set({ seq: a }).where('seq', '=', b).execute();
      await tx.updateTable('audit_events').set({ seq: b }).where('seq', '=', -1).execute();
    });
    const report = await t.app.verifyAudit();
    expect(report.ok).toBe(false);
    expect(report.firstProblem?.seq).toBe(a);
  });

  it('rejects a forged checkpoint signature', async () => {
    await db().updateTable('audit_checkpoints').set({ signature: Buffer.alloc(64).toString('base64') }).execute();
    const report = await t.app.verifyAudit();
    expect(report.ok).toBe(false);
    expect(report.problems.some((p) => /signature/.test(p.reason))).toBe(true);
  });

  it('serialises concurrent appends into one unbroken chain', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => governed({ db: t.app.db, ledger: t.app.ledger }, TEST_ACTOR, 'test:Concurrent', `c/${i}`, async () => ({ result: i }))),
    );
    expect((await t.app.verifyAudit()).ok).toBe(true);
  });

  it('keeps one chain when two processes append in turn, and after a rolled-back append', async () => {
    const other = await t.reopen();
    for (let i = 0; i < 5; i++) {
      await governed({ db: t.app.db, ledger: t.app.ledger }, TEST_ACTOR, 'test:A', `a/${i}`, async () => ({ result: i }));
      await governed({ db: other.db, ledger: other.ledger }, TEST_ACTOR, 'test:B', `b/${i}`, async () => ({ result: i }));
    }
    await expect(
      withTransaction(t.app.db, async (tx) => {
        await t.app.ledger.append(tx, TEST_ACTOR, { action: 'test:Rolled', resource: 'r', outcome: 'allowed' });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await governed({ db: t.app.db, ledger: t.app.ledger }, TEST_ACTOR, 'test:After', 'x', async () => ({ result: 1 }));
    const report = await t.app.verifyAudit();
    expect(report.ok).toBe(true);
    expect((await t.app.ledger.list({ action: 'test:Rolled' })).length).toBe(0);
  });

  it('rolls back the change when the audit entry cannot be written, and vice versa', async () => {
    const before = await t.app.ledger.head();
    await expect(
      governed({ db: t.app.db, ledger: t.app.ledger }, TEST_ACTOR, 'project:Create', 'project/x', async (tx) => {
        await tx.insertInto('projects').values({ id: 'prj_x', name: 'x', description: '', created_at: '', created_by: '' }).execute();
        throw new Error('boom after the change');
      }),
    ).rejects.toThrow('boom');
    expect(await db().selectFrom('projects').select('id').where('id', '=', 'prj_x').executeTakeFirst()).toBeUndefined();
    const after = await t.app.ledger.list({ afterSeq: before.seq });
    expect(after.map((e) => [e.action, e.outcome])).toEqual([['project:Create', 'failed']]);
  });
});

/**
 * The tamper suite (issue 12): an attacker with write access to the database alone — or, for the
 * rollback scenario, to the home directory alone — tries every way to rewrite history. Each
 * scenario must be detected by `audit verify`, make the next checkpoint refuse with
 * AUDIT_CHAIN_BROKEN without moving the anchor history, and stay detected on a second verify and
 * in a fresh process. The count of scenarios tried and detected is printed at the end.
 */
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDialects } from '../../../test/support/databases.js';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../../test/support/test-app.js';
import { AUDIT_ANCHOR_FILE, AUDIT_ANCHOR_HISTORY_FILE, AUDIT_MAC_FILE, openApp } from '../../app/index.js';
import { loadConfig } from '../../config/index.js';
import { isAppError } from '../../kernel/index.js';
import { withTransaction } from '../../platform/db/index.js';
import { checkpointPayload } from './audit-entry.js';
import { entryMac, governed, hashEntry } from './index.js';

const tally = { tried: 0, detected: 0, names: [] as string[] };

afterAll(() => {
  console.log(`tamper scenarios: ${tally.detected}/${tally.tried} detected`);
});

describe.each(testDialects())('audit ledger tampering on %s', (dialect) => {
  let t: TestInstallation;
  const db = () => t.app.db.kysely;
  const historyPath = () => join(t.home, AUDIT_ANCHOR_HISTORY_FILE);
  const write = async (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      await governed({ db: t.app.db, ledger: t.app.ledger }, TEST_ACTOR, 'test:Write', `thing/${i}`, async () => ({ result: i, details: { i } }));
    }
  };
  const seqOf = async (resource: string) => Number((await db().selectFrom('audit_events').select('seq').where('resource', '=', resource).executeTakeFirstOrThrow()).seq);
  const refused = async (app = t.app) => {
    try {
      await app.checkpoint({ alert: false });
      return false;
    } catch (error) {
      return isAppError(error) && error.code === 'AUDIT_CHAIN_BROKEN';
    }
  };

  beforeEach(async () => {
    t = await createTestInstallation(dialect, 'fs');
    await write(0, 8);
    await t.app.checkpoint();
    await write(8, 12);
    await t.app.checkpoint();
    // An unanchored tail: written after the last signed head, protected by MACs alone.
    await write(12, 15);
  });
  afterEach(async () => t?.dispose());

  /**
   * The common proof of detection: verify fails, a second verify fails, and so does a fresh
   * process. Tampering that reaches the unanchored tail or the last anchored head makes the
   * checkpoint refuse and leaves the anchor history byte for byte as it was. Tampering strictly
   * inside the anchored range (`inAnchoredRange`) is outside what the incremental checkpoint reads:
   * it may sign a new head, but only one extending the trusted tree (the history only grows), and
   * verification keeps naming the same damage.
   */
  const expectDetected = async (name: string, options: { inAnchoredRange?: boolean } = {}) => {
    tally.tried++;
    const historyBefore = readFileSync(historyPath());
    const first = await t.app.verifyAudit();
    const refusedNow = await refused();
    const historyAfter = readFileSync(historyPath());
    const second = await t.app.verifyAudit();
    const fresh = await t.reopen();
    const third = await fresh.verifyAudit();
    const refusedFresh = await refused(fresh);
    const sameDamage = second.firstProblem?.seq === first.firstProblem?.seq && third.firstProblem?.seq === first.firstProblem?.seq;
    const anchorOk = options.inAnchoredRange
      ? historyAfter.subarray(0, historyBefore.length).equals(historyBefore)
      : refusedNow && refusedFresh && historyAfter.equals(historyBefore);
    const detected = !first.ok && !second.ok && !third.ok && sameDamage && anchorOk;
    if (detected) tally.detected++;
    tally.names.push(`${dialect}: ${name} ${detected ? 'detected' : 'MISSED'}`);
    expect(first.ok, `${name}: first verify`).toBe(false);
    expect(second.ok, `${name}: second verify`).toBe(false);
    expect(third.ok, `${name}: fresh process`).toBe(false);
    expect(sameDamage, `${name}: the same damage is named every time`).toBe(true);
    if (!options.inAnchoredRange) {
      expect(refusedNow, `${name}: checkpoint refuses`).toBe(true);
      expect(refusedFresh, `${name}: checkpoint refuses in a fresh process`).toBe(true);
      expect(historyAfter.equals(historyBefore), `${name}: anchor history unchanged`).toBe(true);
    } else {
      expect(anchorOk, `${name}: the anchor history only grew`).toBe(true);
    }
    return first;
  };

  it('verifies and checkpoints an untouched ledger', async () => {
    expect((await t.app.verifyAudit()).ok).toBe(true);
    expect(await refused()).toBe(false);
    expect((await t.app.verifyAudit()).ok).toBe(true);
  });

  it('edit an anchored entry', async () => {
    await db().updateTable('audit_events').set({ principal: 'user:mallory' }).where('seq', '=', await seqOf('thing/3')).execute();
    await expectDetected('edit an anchored entry', { inAnchoredRange: true });
  });

  it('rewrite an unanchored entry consistently (hashes recomputed, no MAC key)', async () => {
    const seq = await seqOf('thing/13');
    const rows = await db().selectFrom('audit_events').selectAll().where('seq', '>=', seq).orderBy('seq').execute();
    let prevHash = rows[0]!.prev_hash;
    for (const row of rows) {
      const body = { seq: Number(row.seq), id: row.id, time: row.time, principal: row.seq === seq ? 'user:mallory' : row.principal, action: row.action, resource: row.resource, outcome: row.outcome as 'allowed', sourceIp: row.source_ip, userAgent: row.user_agent, requestId: row.request_id, details: JSON.parse(row.details) as Record<string, unknown>, prevHash };
      const hash = hashEntry(body);
      await db().updateTable('audit_events').set({ principal: body.principal, prev_hash: prevHash, hash }).where('seq', '=', row.seq).execute();
      prevHash = hash;
    }
    const report = await expectDetected('rewrite the unanchored tail consistently');
    expect(report.firstProblem?.seq).toBe(seq);
    expect(report.firstProblem?.reason).toMatch(/MAC/);
  });

  it('delete a middle entry', async () => {
    await db().deleteFrom('audit_events').where('seq', '=', await seqOf('thing/5')).execute();
    await expectDetected('delete a middle entry', { inAnchoredRange: true });
  });

  it('insert an entry', async () => {
    const seq = await seqOf('thing/6');
    await withTransaction(t.app.db, async (tx) => {
      await tx.updateTable('audit_events').set({ seq: sql`seq + 1000` }).where('seq', '>=', seq).execute();
      const row = await tx.selectFrom('audit_events').selectAll().where('seq', '=', seq - 1).executeTakeFirstOrThrow();
      await tx.insertInto('audit_events').values({ ...row, seq, id: 'evt_forged' }).execute();
      await tx.updateTable('audit_events').set({ seq: sql`seq - 999` }).where('seq', '>=', seq + 1000).execute();
    });
    await expectDetected('insert an entry');
  });

  it('reorder two entries', async () => {
    const a = await seqOf('thing/9');
    const b = await seqOf('thing/10');
    await withTransaction(t.app.db, async (tx) => {
      await tx.updateTable('audit_events').set({ seq: -1 }).where('seq', '=', a).execute();
      await tx.updateTable('audit_events').set({ seq: a }).where('seq', '=', b).execute();
      await tx.updateTable('audit_events').set({ seq: b }).where('seq', '=', -1).execute();
    });
    await expectDetected('reorder two entries', { inAnchoredRange: true });
  });

  it('truncate the tail below an anchored head', async () => {
    await db().deleteFrom('audit_events').where('seq', '>', (await seqOf('thing/9'))).execute();
    await expectDetected('truncate below an anchored head');
  });

  it('truncate below every anchored head and delete the checkpoint rows too', async () => {
    await db().deleteFrom('audit_events').where('seq', '>', (await seqOf('thing/2'))).execute();
    await db().deleteFrom('audit_checkpoints').execute();
    await expectDetected('truncate and delete checkpoint rows');
  });

  it('delete the checkpoint rows (entries untouched)', async () => {
    await db().deleteFrom('audit_checkpoints').execute();
    // The entries are intact, so the checkpoint may proceed; the deletion itself stays on record.
    const report = await expectDetected('delete checkpoint rows', { inAnchoredRange: true });
    expect(report.problems.some((p) => /checkpoint row is gone/.test(p.reason))).toBe(true);
  });

  it('append a forged, correctly hashed model:Approve by someone else, without the MAC key', async () => {
    const head = await t.app.ledger.head();
    const body = { seq: head.seq + 1, id: 'evt_forged', time: new Date().toISOString(), principal: 'user:validator', action: 'model:Approve', resource: 'attest:default:model-package/fraud/3', outcome: 'allowed' as const, sourceIp: '10.0.0.7', userAgent: 'attest-cli/1', requestId: null, details: {}, prevHash: head.hash };
    await db().insertInto('audit_events').values({ seq: body.seq, id: body.id, time: body.time, principal: body.principal, action: body.action, resource: body.resource, outcome: body.outcome, source_ip: body.sourceIp, user_agent: body.userAgent, request_id: null, details: '{}', prev_hash: head.hash, hash: hashEntry(body), mac: null }).execute();
    const report = await expectDetected('append a forged entry without a MAC');
    expect(report.firstProblem?.seq).toBe(body.seq);
  });

  it('append a forged entry with a MAC under a guessed key', async () => {
    const head = await t.app.ledger.head();
    const body = { seq: head.seq + 1, id: 'evt_forged', time: new Date().toISOString(), principal: 'user:validator', action: 'model:Approve', resource: 'attest:default:model-package/fraud/3', outcome: 'allowed' as const, sourceIp: null, userAgent: null, requestId: null, details: {}, prevHash: head.hash };
    const hash = hashEntry(body);
    await db().insertInto('audit_events').values({ seq: body.seq, id: body.id, time: body.time, principal: body.principal, action: body.action, resource: body.resource, outcome: body.outcome, source_ip: null, user_agent: null, request_id: null, details: '{}', prev_hash: head.hash, hash, mac: entryMac(Buffer.alloc(32), hash) }).execute();
    await expectDetected('append a forged entry with a wrong MAC');
  });

  it('strip the MACs', async () => {
    await db().updateTable('audit_events').set({ mac: null }).execute();
    await expectDetected('strip MACs');
  });

  it('roll back the anchor history to an older copy (home-only attacker)', async () => {
    copyFileSync(historyPath(), `${historyPath()}.old`);
    await write(15, 18);
    await t.app.checkpoint();
    copyFileSync(`${historyPath()}.old`, historyPath());
    const report = await expectDetected('roll back the anchor history');
    expect(report.problems.some((p) => /rolled back/.test(p.reason))).toBe(true);
  });

  it('restore an older database while the anchor history holds newer heads', async () => {
    const keep = await seqOf('thing/8');
    const older = (await db().selectFrom('audit_checkpoints').select('seq').where('seq', '<=', keep).orderBy('seq', 'desc').executeTakeFirstOrThrow()).seq;
    await db().deleteFrom('audit_events').where('seq', '>', older).execute();
    await db().deleteFrom('audit_checkpoints').where('seq', '>', older).execute();
    await expectDetected('database rolled back under a newer anchor history');
  });

  it('re-running a command after tampering never re-anchors, records the failure and alerts through the webhook', async () => {
    tally.tried++;
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
      writeFileSync(join(t.home, 'attest.json'), `${JSON.stringify({ version: 1, alerts: { webhooks: [{ url }] } })}\n`);
      const env = { ...t.env, ATTEST_WEBHOOK_SECRET: 'tamper-test-secret' };
      await db().deleteFrom('audit_events').where('seq', '>', (await seqOf('thing/4'))).execute();
      const historyBefore = readFileSync(historyPath());
      for (let run = 0; run < 2; run++) {
        // What every CLI command does at its end.
        const app = await openApp(loadConfig(t.home, env));
        try {
          await expect(app.checkpoint()).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BROKEN' });
          expect((await app.verifyAudit()).ok).toBe(false);
        } finally {
          await app.close();
        }
      }
      expect(readFileSync(historyPath()).equals(historyBefore)).toBe(true);
      const failures = await t.app.ledger.list({ action: 'audit:Verify', outcome: 'failed' });
      expect(failures.length).toBeGreaterThanOrEqual(2);
      expect(failures[0]!.details.checkpoint).toBe('refused');
      const alerts = await t.app.ledger.list({ action: 'alert:Fire' });
      expect(alerts.some((a) => a.resource === 'attest::alert/audit-verify-failed')).toBe(true);
      expect(received.some((body) => (JSON.parse(body) as { rule: string }).rule === 'audit-verify-failed')).toBe(true);
      tally.detected++;
      tally.names.push(`${dialect}: re-run a command after tampering (no re-anchor, alert delivered) detected`);
    } finally {
      receiver.close();
    }
  });
});

describe.each(testDialects())('audit witnesses on %s', (dialect) => {
  let t: TestInstallation;
  beforeEach(async () => {
    t = await createTestInstallation(dialect, 'fs');
  });
  afterEach(async () => t?.dispose());

  it('mirrors every signed head to the witness file, which still convicts a rewrite of the database and the home together', async () => {
    const witness = join(t.home, '..', `${t.home.split('/').pop()}-witness.jsonl`);
    writeFileSync(join(t.home, 'attest.json'), `${JSON.stringify({ version: 1, audit: { witness: { file: witness } } })}\n`);
    const app = await t.reopen();
    for (let i = 0; i < 5; i++) await governed({ db: app.db, ledger: app.ledger }, TEST_ACTOR, 'test:Write', `thing/${i}`, async () => ({ result: i }));
    const outcome = await app.checkpoint();
    expect(outcome.signed).toBeDefined();
    const lines = readFileSync(witness, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1]!)).toEqual(outcome.signed);
    expect((await app.verifyAudit()).ok).toBe(true);
    // An attacker with the database and the home (not the witness) truncates and rewrites the history.
    await app.db.kysely.deleteFrom('audit_events').where('seq', '>', outcome.signed!.treeSize - 3).execute();
    await app.db.kysely.deleteFrom('audit_checkpoints').execute();
    writeFileSync(join(t.home, AUDIT_ANCHOR_HISTORY_FILE), '');
    const report = await (await t.reopen()).verifyAudit();
    expect(report.ok).toBe(false);
    expect(report.problems.some((p) => /witness/.test(p.reason))).toBe(true);
    rmSync(witness, { force: true });
  });

  it('rejects a witness URL that is neither https nor loopback', () => {
    writeFileSync(join(t.home, 'attest.json'), `${JSON.stringify({ version: 1, audit: { witness: { url: 'http://witness.example.com/heads' } } })}\n`);
    expect(() => loadConfig(t.home, t.env)).toThrow(/https/);
  });
});

describe.each(testDialects())('an installation from before entry MACs and the anchor history, on %s', (dialect) => {
  let t: TestInstallation;
  beforeEach(async () => {
    t = await createTestInstallation(dialect, 'fs');
    for (let i = 0; i < 6; i++) await governed({ db: t.app.db, ledger: t.app.ledger }, TEST_ACTOR, 'test:Write', `old/${i}`, async () => ({ result: i }));
    // Make it look like a home written by the code before migration 0005: no MACs, no history,
    // no MAC record, one checkpoint in the old format and the single anchor file.
    const db = t.app.db.kysely;
    await db.updateTable('audit_events').set({ mac: null }).execute();
    await db.deleteFrom('audit_checkpoints').execute();
    rmSync(historyOf(t), { force: true });
    rmSync(join(t.home, AUDIT_MAC_FILE), { force: true });
    const head = await t.app.ledger.head();
    const createdAt = new Date().toISOString();
    const signed = await t.app.keys.sign(checkpointPayload(head.seq, head.hash, createdAt));
    const signature = signed.signature.toString('base64');
    await db.insertInto('audit_checkpoints').values({ seq: head.seq, head_hash: head.hash, created_at: createdAt, key_id: signed.keyId, key_version: signed.keyVersion, signature }).execute();
    writeFileSync(join(t.home, AUDIT_ANCHOR_FILE), `${JSON.stringify({ seq: head.seq, headHash: head.hash, createdAt, signature })}\n`);
  });
  afterEach(async () => t?.dispose());
  const historyOf = (x: TestInstallation) => join(x.home, AUDIT_ANCHOR_HISTORY_FILE);

  it('requires MACs only from the first entry written after the upgrade, and anchors the old entries', async () => {
    const legacyHead = await t.app.ledger.head();
    const app = await t.reopen();
    const required = JSON.parse(readFileSync(join(t.home, AUDIT_MAC_FILE), 'utf8')) as { requiredFromSeq: number };
    expect(required.requiredFromSeq).toBe(legacyHead.seq + 1);
    await governed({ db: app.db, ledger: app.ledger }, TEST_ACTOR, 'test:Write', 'new/0', async () => ({ result: 0 }));
    const outcome = await app.checkpoint();
    expect(outcome.signed?.treeSize).toBe(legacyHead.seq + 1);
    expect((await app.verifyAudit()).ok).toBe(true);
    // Stripping the MAC of the new entry is caught; the old entries never had one.
    await app.db.kysely.updateTable('audit_events').set({ mac: null }).where('seq', '=', legacyHead.seq + 1).execute();
    const report = await app.verifyAudit();
    expect(report.ok).toBe(false);
    expect(report.firstProblem?.seq).toBe(legacyHead.seq + 1);
  });

  it('still convicts a rewrite below the legacy anchor on the first checkpoint after the upgrade', async () => {
    await t.app.db.kysely.deleteFrom('audit_events').where('seq', '>', 2).execute();
    await t.app.db.kysely.deleteFrom('audit_checkpoints').execute();
    const app = await t.reopen();
    await expect(app.checkpoint({ alert: false })).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BROKEN' });
    expect(readFileSync(historyOf(t), { flag: 'a+' }).length).toBe(0);
    expect((await app.verifyAudit()).ok).toBe(false);
  });
});

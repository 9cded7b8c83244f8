/**
 * Audit verification of 1M entries (issue 12): `audit verify` (chain, MACs, Merkle tree, signed
 * heads) against the verification before issue 12 (sequence, canonical hash and link only),
 * reimplemented here as the reference, over the same rows in the same run, alternating the order.
 * Set ATTEST_BENCH_VERIFY_ENTRIES to change the size.
 *
 * Audit append (issue 2): one entry per transaction, against a plain insert of the same row into a
 * table with the same columns and indexes in the same database, on SQLite and (when
 * ATTEST_TEST_PG_URL is set) PostgreSQL. The two are timed in alternating batches (the order
 * swapped every round) and compared within each round, so a burst of load on the shared machine
 * or its disk falls on both; the median of the per-round ratios is reported.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { canonicalJson } from '../src/kernel/index.js';
import { withTransaction } from '../src/platform/db/index.js';
import { entryMac, GENESIS_HASH, hashEntry } from '../src/security/audit/index.js';
import { testDialects } from '../test/support/databases.js';
import { createTestInstallation, TEST_ACTOR } from '../test/support/test-app.js';
import { median } from './measure.js';
import type { BenchResult } from './types.js';

/** Appends chained, MAC'd entries in multi-row inserts (the append path would take hours for 1M). */
async function fillLedger(inst: Awaited<ReturnType<typeof createTestInstallation>>, total: number): Promise<void> {
  const macKey = await inst.app.provider.auditMacKey();
  let { seq, hash: prev } = await inst.app.ledger.head();
  while (seq < total) {
    const rows = [];
    for (let i = 0; i < 500 && seq < total; i++) {
      seq++;
      const e = { seq, id: `evt_${seq}`, time: new Date(1_700_000_000_000 + seq).toISOString(), principal: 'user:bench', action: 'bench:Write', resource: `thing/${seq}`, outcome: 'allowed' as const, sourceIp: '127.0.0.1', userAgent: 'bench', requestId: null, details: { i: seq % 7 }, prevHash: prev };
      const hash = hashEntry(e);
      rows.push({ seq, id: e.id, time: e.time, principal: e.principal, action: e.action, resource: e.resource, outcome: e.outcome, source_ip: e.sourceIp, user_agent: e.userAgent, request_id: null, details: JSON.stringify(e.details), prev_hash: prev, hash, mac: entryMac(macKey, hash) });
      prev = hash;
    }
    await inst.app.db.kysely.insertInto('audit_events').values(rows).execute();
  }
}

async function verifyMillion(dialect: 'sqlite' | 'postgres'): Promise<BenchResult> {
  const total = Number(process.env.ATTEST_BENCH_VERIFY_ENTRIES ?? 1_000_000);
  const inst = await createTestInstallation(dialect, 'fs');
  try {
    await fillLedger(inst, total);
    await inst.app.checkpoint();
    const chainOnly = async () => {
      let expected = 1;
      let prevHash = GENESIS_HASH;
      for await (const entry of inst.app.ledger.iterate()) {
        const { hash, ...unhashed } = entry;
        // Exactly the hash computation of the code before issue 12.
        const recomputed = createHash('sha256').update(canonicalJson(unhashed)).digest('hex');
        if (entry.seq !== expected || recomputed !== hash || entry.prevHash !== prevHash) throw new Error(`reference walk failed at ${entry.seq}`);
        prevHash = hash;
        expected++;
      }
    };
    const verify = async () => {
      const report = await inst.app.verifyAudit();
      if (!report.ok || report.entriesChecked < total) throw new Error(`verify failed: ${report.firstProblem?.reason}`);
    };
    const seconds = async (fn: () => Promise<void>) => {
      const t = process.hrtime.bigint();
      await fn();
      return Number(process.hrtime.bigint() - t) / 1e9;
    };
    const refRuns: number[] = [];
    const verifyRuns: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < 2; round++) {
      const ref = round % 2 === 0 ? await seconds(chainOnly) : 0;
      const ver = await seconds(verify);
      const refAfter = round % 2 === 1 ? await seconds(chainOnly) : ref;
      refRuns.push(refAfter);
      verifyRuns.push(ver);
      ratios.push(refAfter / ver);
    }
    return {
      name: `audit verify, ${total} entries (${dialect})`,
      value: total / median(verifyRuns),
      unit: 'entries/s',
      reference: { name: 'chain-only walk (verification before issue 12)', value: total / median(refRuns) },
      ratio: median(ratios),
      goal: 'ratio >= 1.0',
    };
  } finally {
    await inst.dispose();
  }
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const dialect of testDialects()) results.push(await verifyMillion(dialect));
  for (const dialect of testDialects()) {
    const inst = await createTestInstallation(dialect, 'fs');
    try {
      const N = 500;
      const ROUNDS = 6;
      const db = inst.app.db;
      // The reference: the same row into a table with the same columns and indexes, without the
      // chain (no previous-entry read, no canonical JSON, no hash).
      await sql`create table bench_plain (seq bigint primary key, id text not null, time text not null, principal text not null, action text not null, resource text not null, outcome text not null, source_ip text, user_agent text, request_id text, details text not null, prev_hash text not null, hash text not null)`.execute(db.kysely);
      await sql`create index bench_plain_principal on bench_plain (principal, seq)`.execute(db.kysely);
      await sql`create index bench_plain_action on bench_plain (action, seq)`.execute(db.kysely);
      let seq = 0;
      const plainBatch = async () => {
        for (let i = 0; i < N; i++) {
          const s = ++seq;
          await withTransaction(db, (tx) =>
            tx
              .insertInto('bench_plain' as never)
              .values({ seq: s, id: `evt_${s}`, time: new Date().toISOString(), principal: TEST_ACTOR.principal, action: 'bench:Write', resource: `thing/${s}`, outcome: 'allowed', source_ip: TEST_ACTOR.sourceIp, user_agent: TEST_ACTOR.userAgent, request_id: null, details: '{"i":1}', prev_hash: 'x'.repeat(64), hash: 'y'.repeat(64) } as never)
              .execute(),
          );
        }
      };
      const auditBatch = async () => {
        for (let i = 0; i < N; i++) {
          await withTransaction(db, (tx) => inst.app.ledger.append(tx, TEST_ACTOR, { action: 'bench:Write', resource: `thing/${i}`, outcome: 'allowed', details: { i: 1 } }));
        }
      };
      const seconds = async (fn: () => Promise<void>) => {
        const t = process.hrtime.bigint();
        await fn();
        return Number(process.hrtime.bigint() - t) / 1e9;
      };
      const plainRuns: number[] = [];
      const auditRuns: number[] = [];
      const ratios: number[] = [];
      // Round -1 warms both paths up and is not counted.
      for (let round = -1; round < ROUNDS; round++) {
        let plain: number;
        let audit: number;
        if (round % 2 === 0) {
          plain = await seconds(plainBatch);
          audit = await seconds(auditBatch);
        } else {
          audit = await seconds(auditBatch);
          plain = await seconds(plainBatch);
        }
        if (round < 0) continue;
        plainRuns.push(plain);
        auditRuns.push(audit);
        ratios.push(plain / audit);
      }
      const plainSeconds = median(plainRuns);
      const auditSeconds = median(auditRuns);
      results.push({
        name: `audit append, one per transaction (${dialect})`,
        value: N / auditSeconds,
        unit: 'entries/s',
        reference: { name: 'plain insert of the same row', value: N / plainSeconds },
        ratio: median(ratios),
        goal: 'ratio >= 0.5',
      });
    } finally {
      await inst.dispose();
    }
  }
  return results;
}

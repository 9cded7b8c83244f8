/**
 * Secure core benchmarks (issue 2): artifact put/get throughput against a plain streamed copy of
 * the same bytes, and audit appends against plain inserts of same-sized rows into the same
 * database, on SQLite and (when ATTEST_TEST_PG_URL is set) PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import { projectIdByName } from '../src/app/index.js';
import { withTransaction } from '../src/platform/db/index.js';
import { createTestInstallation, TEST_ACTOR } from '../test/support/test-app.js';
import { testDialects } from '../test/support/databases.js';
import { medianSeconds } from './measure.js';
import type { BenchResult } from './types.js';

const FILE_MB = 100;

async function plainCopy(from: string, to: string): Promise<void> {
  rmSync(to, { force: true });
  await pipeline(createReadStream(from, { highWaterMark: 1 << 20 }), createWriteStream(to, { highWaterMark: 1 << 20 }));
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'attest-bench-'));
  const file = join(dir, 'payload.bin');
  const fd = openSync(file, 'w');
  const block = randomBytes(1 << 20);
  for (let i = 0; i < FILE_MB; i++) writeSync(fd, block);
  closeSync(fd);
  const bytes = FILE_MB * (1 << 20);

  const t = await createTestInstallation('sqlite', 'fs');
  try {
    const projectId = await projectIdByName(t.app, 'default');
    const copySeconds = await medianSeconds(3, () => plainCopy(file, join(dir, 'copy.bin')));
    let n = 0;
    const ids: string[] = [];
    const putSeconds = await medianSeconds(3, async () => {
      // A distinct first byte per run so content addressing cannot deduplicate the puts.
      const stamp = Buffer.from([n++ & 0xff, n >> 8]);
      const source = async function* () {
        yield stamp;
        for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
      };
      ids.push((await t.app.artifacts.put(TEST_ACTOR, source(), { projectId })).artifactId);
    });
    const getSeconds = await medianSeconds(3, async () => {
      const out = join(dir, 'got.bin');
      rmSync(out, { force: true });
      await t.app.artifacts.getToFile(TEST_ACTOR, ids[0]!, out);
    });
    const mbps = (s: number) => bytes / (1 << 20) / s;
    results.push({ name: `artifact put ${FILE_MB} MB (encrypt+hash+store)`, value: mbps(putSeconds), unit: 'MB/s', reference: { name: 'plain streamed copy', value: mbps(copySeconds) }, ratio: copySeconds / putSeconds, goal: 'ratio >= 0.5' });
    results.push({ name: `artifact get ${FILE_MB} MB (decrypt+verify)`, value: mbps(getSeconds), unit: 'MB/s', reference: { name: 'plain streamed copy', value: mbps(copySeconds) }, ratio: copySeconds / getSeconds, goal: 'ratio >= 0.5' });
  } finally {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  }

  for (const dialect of testDialects()) {
    const inst = await createTestInstallation(dialect, 'fs');
    try {
      const N = 2000;
      const db = inst.app.db;
      await sql`create table bench_plain (seq bigint primary key, id text, time text, principal text, action text, resource text, outcome text, details text, prev_hash text, hash text)`.execute(db.kysely);
      let seq = 0;
      const plainSeconds = await medianSeconds(3, async () => {
        for (let i = 0; i < N; i++) {
          const s = ++seq;
          await withTransaction(db, (tx) =>
            tx
              .insertInto('bench_plain' as never)
              .values({ seq: s, id: `evt_${s}`, time: new Date().toISOString(), principal: 'user:bench', action: 'bench:Write', resource: `thing/${s}`, outcome: 'allowed', details: '{"i":1}', prev_hash: 'x'.repeat(64), hash: 'y'.repeat(64) } as never)
              .execute(),
          );
        }
      });
      const auditSeconds = await medianSeconds(3, async () => {
        for (let i = 0; i < N; i++) {
          await withTransaction(db, (tx) => inst.app.ledger.append(tx, TEST_ACTOR, { action: 'bench:Write', resource: `thing/${i}`, outcome: 'allowed', details: { i: 1 } }));
        }
      });
      results.push({
        name: `audit append, one per transaction (${dialect})`,
        value: N / auditSeconds,
        unit: 'entries/s',
        reference: { name: 'plain insert of the same row', value: N / plainSeconds },
        ratio: plainSeconds / auditSeconds,
        goal: 'ratio >= 0.5',
      });
    } finally {
      await inst.dispose();
    }
  }
  return results;
}

/**
 * Artifact I/O (issue 2): put (hash + encrypt + durable store) and get (decrypt + verify)
 * throughput of a 100 MB file, against plain streamed copies of the same bytes.
 *
 * The disk under these machines is shared and its write speed swings several-fold within a minute,
 * and it throttles a burst of writes after a few hundred MB. So the references are not measured
 * once up front: every round times a plain copy, a durable copy (copy + fsync), a put and a get,
 * in an order rotated from round to round (so no operation always comes last in a burst), with a
 * pause between them; the ratios are taken within each round and the medians over rounds printed.
 * Files left dirty by one measurement (the plain copy, the get's output) are flushed untimed before
 * the next one starts: on ext4 the next fsync would otherwise pay for their write-back too.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectIdByName } from '../src/app/index.js';
import { createTestInstallation, TEST_ACTOR } from '../test/support/test-app.js';
import { median } from './measure.js';
import type { BenchResult } from './types.js';

const FILE_MB = 100;
const ROUNDS = 8;
const PAUSE_MS = 500;
type Operation = 'copy' | 'durableCopy' | 'put' | 'get';
const OPERATIONS: Operation[] = ['copy', 'durableCopy', 'put', 'get'];

async function plainCopy(from: string, to: string, durable: boolean): Promise<void> {
  await pipeline(createReadStream(from, { highWaterMark: 1 << 20 }), createWriteStream(to, { highWaterMark: 1 << 20 }));
  if (durable) await flush(to);
}

async function flush(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  await handle.sync();
  await handle.close();
}

async function seconds(fn: () => Promise<unknown>, settle?: string): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  const elapsed = Number(process.hrtime.bigint() - t) / 1e9;
  if (settle) await flush(settle);
  return elapsed;
}

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'attest-bench-'));
  const file = join(dir, 'payload.bin');
  const fd = openSync(file, 'w');
  const block = randomBytes(1 << 20);
  for (let i = 0; i < FILE_MB; i++) writeSync(fd, block);
  closeSync(fd);
  const mb = (s: number) => FILE_MB / s;

  const t = await createTestInstallation('sqlite', 'fs');
  const rounds: Record<Operation, number>[] = [];
  try {
    const projectId = await projectIdByName(t.app, 'default');
    // A new first byte for every put, so content addressing cannot deduplicate them.
    let stamp = 0;
    const restamp = () => {
      const payload = openSync(file, 'r+');
      writeSync(payload, Buffer.from([stamp++ & 0xff]), 0, 1, 0);
      closeSync(payload);
    };
    restamp();
    // Stored the way `attest artifact put FILE` stores it; the gets read this one back.
    const stored = (await t.app.artifacts.putFile(TEST_ACTOR, file, { projectId })).artifactId;
    const copyTo = join(dir, 'copy.bin');
    const durableTo = join(dir, 'durable.bin');
    const getTo = join(dir, 'got.bin');
    const measure: Record<Operation, () => Promise<number>> = {
      copy: () => seconds(() => plainCopy(file, copyTo, false), copyTo),
      durableCopy: () => seconds(() => plainCopy(file, durableTo, true)),
      put: () => {
        restamp();
        return seconds(() => t.app.artifacts.putFile(TEST_ACTOR, file, { projectId }));
      },
      get: () => seconds(() => t.app.artifacts.getToFile(TEST_ACTOR, stored, getTo), getTo),
    };
    // Round -1 warms up (page cache, worker pool, JIT) and is not counted.
    for (let round = -1; round < ROUNDS; round++) {
      const r: Record<Operation, number> = { copy: 0, durableCopy: 0, put: 0, get: 0 };
      for (let k = 0; k < OPERATIONS.length; k++) {
        const op = OPERATIONS[(k + Math.max(round, 0)) % OPERATIONS.length]!;
        r[op] = await measure[op]();
        await sleep(PAUSE_MS);
      }
      for (const f of [copyTo, durableTo, getTo]) rmSync(f, { force: true });
      if (process.env.ATTEST_BENCH_VERBOSE) console.error(JSON.stringify(r));
      if (round >= 0) rounds.push(r);
    }
  } finally {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  }

  const med = (pick: (r: Record<Operation, number>) => number) => median(rounds.map(pick));
  return [
    {
      name: `artifact put ${FILE_MB} MB (hash+encrypt+durable store), vs a copy that is also fsynced`,
      value: mb(med((r) => r.put)),
      unit: 'MB/s',
      reference: { name: 'plain streamed copy + fsync', value: mb(med((r) => r.durableCopy)) },
      ratio: med((r) => r.durableCopy / r.put),
      goal: 'ratio >= 0.5',
    },
    {
      name: `artifact put ${FILE_MB} MB, vs a copy left in the page cache (no durability)`,
      value: mb(med((r) => r.put)),
      unit: 'MB/s',
      reference: { name: 'plain streamed copy', value: mb(med((r) => r.copy)) },
      ratio: med((r) => r.copy / r.put),
      goal: 'ratio >= 0.5',
    },
    {
      name: `artifact get ${FILE_MB} MB (decrypt+verify to a file)`,
      value: mb(med((r) => r.get)),
      unit: 'MB/s',
      reference: { name: 'plain streamed copy', value: mb(med((r) => r.copy)) },
      ratio: med((r) => r.copy / r.get),
      goal: 'ratio >= 0.5',
    },
  ];
}

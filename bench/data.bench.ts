/**
 * Benchmarks for data import (issue 5 item 1): CSV → ColumnFrame on the credit file against
 * csv-parse, the bounded-memory import scan on generated files of a few hundred MB (throughput
 * against a plain SHA-256 pass over the same bytes, and peak memory at two file sizes), and
 * Parquet write/read. `ATTEST_BENCH_CSV_MB` sets the large file's size (default 300).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parse } from 'csv-parse/sync';
import { parseCsvFrame, readParquet, scanCsv, writeParquet } from '../src/data/index.js';
import type { BenchResult } from './types.js';

const CREDIT = new URL('../datasets/uci_credit_card_default.csv', import.meta.url);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function timeMs(fn: () => unknown, repetitions: number): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Writes about `megabytes` MB of credit-file rows with fresh IDs; returns the path. */
async function generateCsv(megabytes: number): Promise<string> {
  const text = readFileSync(CREDIT, 'utf8');
  const lines = text.split('\n').filter((l) => l.length > 0);
  const header = lines[0]!;
  const body = lines.slice(1).map((l) => l.slice(l.indexOf(',')));
  const path = join(tmpdir(), `attest-bench-${process.pid}-${megabytes}mb.csv`);
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  let bytes = 0;
  let id = 0;
  while (bytes < megabytes * 1e6) {
    let chunk = '';
    for (const rest of body) chunk += `${++id}${rest}\n`;
    bytes += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await new Promise<void>((resolve) => out.once('finish', () => resolve()));
  return path;
}

/** A garbage collector we can call, so live memory (not garbage awaiting collection) is measured. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Scans a file. Every 25 MB it collects garbage and samples the live heap, so the figure is the
 * memory the scan holds on to, which must not grow with the file; also the peak resident set.
 */
async function scanFile(path: string, gc: () => void): Promise<{ seconds: number; bytes: number; liveHeapMb: number; peakRssMb: number }> {
  let liveHeap = 0;
  let peakRss = 0;
  async function* sampled(): AsyncGenerator<Uint8Array> {
    let read = 0;
    let next = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      read += (chunk as Buffer).length;
      if (read >= next) {
        gc();
        const usage = process.memoryUsage();
        liveHeap = Math.max(liveHeap, usage.heapUsed);
        peakRss = Math.max(peakRss, usage.rss);
        next += 25e6;
      }
      yield chunk as Buffer;
    }
  }
  const t = performance.now();
  const result = await scanCsv(sampled());
  const seconds = (performance.now() - t) / 1000;
  return { seconds, bytes: result.byteCount, liveHeapMb: liveHeap / 1e6, peakRssMb: peakRss / 1e6 };
}

async function hashFile(path: string): Promise<number> {
  const t = performance.now();
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  hash.digest();
  return (performance.now() - t) / 1000;
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const bytes = readFileSync(CREDIT);
  const text = bytes.toString('utf8');

  const ours = await timeMs(() => parseCsvFrame(bytes), 7);
  const reference = await timeMs(() => parse(text, { bom: true }), 7);
  results.push({
    name: 'csv read credit 30k×25 → ColumnFrame (typed)',
    value: ours,
    unit: 'ms',
    reference: { name: 'csv-parse 7 sync, strings only', value: reference },
    ratio: ours / reference,
    goal: 'well under 1000 ms',
  });

  const frame = parseCsvFrame(bytes);
  results.push({ name: 'csv scan credit (sha256 + schema + profile)', value: await timeMs(() => scanCsv([bytes]), 5), unit: 'ms' });
  const parquet = writeParquet(frame);
  results.push({ name: 'parquet write credit', value: await timeMs(() => writeParquet(frame), 5), unit: 'ms' });
  results.push({ name: 'parquet read credit', value: await timeMs(() => readParquet(parquet), 5), unit: 'ms' });

  const largeMb = Number(process.env.ATTEST_BENCH_CSV_MB ?? 300);
  const smallMb = Math.max(10, Math.round(largeMb / 3));
  const small = await generateCsv(smallMb);
  const large = await generateCsv(largeMb);
  try {
    const gc = collector();
    const smallScan = await scanFile(small, gc);
    const largeScan = await scanFile(large, gc);
    const hashSeconds = await hashFile(large);
    const mbPerSecond = largeScan.bytes / 1e6 / largeScan.seconds;
    const hashMbPerSecond = largeScan.bytes / 1e6 / hashSeconds;
    results.push({
      name: `csv import scan ${largeMb} MB (sha256 + schema + profile)`,
      value: mbPerSecond,
      unit: 'MB/s',
      reference: { name: 'sha256 alone over the same file', value: hashMbPerSecond },
      ratio: mbPerSecond / hashMbPerSecond,
    });
    results.push({
      name: `csv import scan live heap, ${largeMb} MB file (max after GC, sampled every 25 MB)`,
      value: largeScan.liveHeapMb,
      unit: 'MB',
      reference: { name: `the same at ${smallMb} MB`, value: smallScan.liveHeapMb },
      ratio: largeScan.liveHeapMb / smallScan.liveHeapMb,
      goal: 'bounded: does not grow with the file (ratio ≈ 1)',
    });
    results.push({ name: `csv import scan peak resident set, ${largeMb} MB file`, value: largeScan.peakRssMb, unit: 'MB', reference: { name: `the same at ${smallMb} MB`, value: smallScan.peakRssMb } });
  } finally {
    rmSync(small, { force: true });
    rmSync(large, { force: true });
  }
  return results;
}

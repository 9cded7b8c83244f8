import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from './io.js';
import { runCli } from './main.js';
import { startProgress } from './progress.js';

describe('progress reporter', () => {
  it('redraws at most once per interval on a terminal, always draws the final count, and erases itself', () => {
    const io = memoryIo({ tty: true });
    let t = 0;
    const p = startProgress(io, 'importing', 'rows', { now: () => t, intervalMs: 100 });
    p.update(10);
    t = 50;
    p.update(20);
    t = 150;
    p.update(30, 40);
    t = 160;
    p.update(40, 40, 'auc:0.9');
    p.finish();
    expect(io.statuses).toEqual(['importing: 10 rows', 'importing: 30/40 rows', 'importing: 40/40 rows  auc:0.9', '']);
    expect(io.stderr).toEqual([]);
  });

  it('is silent when standard error is not a terminal or the command prints JSON', () => {
    for (const [io, json] of [[memoryIo({ tty: false }), false], [memoryIo({ tty: true }), true]] as const) {
      const p = startProgress(io, 'training', 'rounds', { json });
      p.update(1, 2);
      p.update(2, 2);
      p.finish();
      expect(io.statuses).toEqual([]);
    }
  });
});

describe('long commands show progress on a terminal only', () => {
  let dir: string;
  let home: string;
  let csv: string;
  const env = () => ({ ...process.env, ATTEST_HOME: undefined });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'attest-progress-'));
    home = join(dir, 'home');
    csv = join(dir, 'data.csv');
    const lines = ['x1,x2,y'];
    for (let i = 0; i < 10_000; i++) lines.push(`${i % 97},${(i * 7) % 13},${i % 3 === 0 ? 1 : 0}`);
    writeFileSync(csv, `${lines.join('\n')}\n`);
    expect(await runCli(['init', '--home', home], memoryIo(), env())).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('data import counts rows read on a terminal; nothing when piped or with --json', async () => {
    const tty = memoryIo({ tty: true });
    expect(await runCli(['data', 'import', csv, '--name', 'progress-a', '--home', home], tty, env())).toBe(0);
    expect(tty.statuses[0]).toMatch(/^importing progress-a: [\d,]+ rows read$/);
    expect(tty.statuses.at(-1)).toBe('');
    expect(tty.stdout.join('\n')).toMatch(/imported progress-a@1: 10000 rows/);
    const piped = memoryIo({ tty: false });
    expect(await runCli(['data', 'import', csv, '--name', 'progress-b', '--home', home], piped, env())).toBe(0);
    const json = memoryIo({ tty: true });
    expect(await runCli(['data', 'import', csv, '--name', 'progress-c', '--home', home, '--json'], json, env())).toBe(0);
    for (const io of [piped, json]) {
      expect(io.statuses).toEqual([]);
      expect(io.stderr).toEqual([]);
    }
  });

  it('model train counts rounds on a terminal; nothing when piped or with --json', async () => {
    const args = ['model', 'train', '--data', csv, '--label', 'y', '--rounds', '5', '--seed', '1', '--param', 'objective=binary:logistic', '--validation', csv];
    const tty = memoryIo({ tty: true });
    expect(await runCli([...args, '--output', join(dir, 'm1.json')], tty, env())).toBe(0);
    expect(tty.statuses.some((s) => /^training: 5\/5 rounds {2}train-logloss:[\d.]+ {2}validation-logloss:/.test(s)), tty.statuses.join('|')).toBe(true);
    const piped = memoryIo({ tty: false });
    expect(await runCli([...args, '--output', join(dir, 'm2.json')], piped, env())).toBe(0);
    const json = memoryIo({ tty: true });
    expect(await runCli([...args, '--output', join(dir, 'm3.json'), '--json'], json, env())).toBe(0);
    for (const io of [piped, json]) {
      expect(io.statuses).toEqual([]);
      expect(io.stderr).toEqual([]);
    }
  });
});

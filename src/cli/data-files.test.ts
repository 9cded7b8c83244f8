/**
 * `data convert`, `data resample` and Parquet inputs recognised by their magic bytes, including the
 * GZIP and ZSTD files pyarrow writes (test/fixtures/parquet), through the commands.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsvFrame, readParquet } from '../data/index.js';
import { frameDifference } from '../data/index.js';
import { cli } from '../../test/support/cli.js';
import { FIXTURES_DIR } from '../../test/support/golden.js';

const dir = mkdtempSync(join(tmpdir(), 'attest-data-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PARQUET = join(FIXTURES_DIR, 'parquet');

async function csvFrame(path: string) {
  return readCsvFrame(readFileSync(path, 'utf8'));
}

describe('Parquet written by pyarrow', () => {
  it.each(['gzip', 'zstd'])('reads the %s file with the same values as the CSV', async (codec) => {
    const fromParquet = await readParquet(readFileSync(join(PARQUET, `credit_${codec}.parquet`)));
    const fromCsv = await csvFrame(join(PARQUET, 'credit.csv'));
    expect(fromParquet.rowCount).toBe(80);
    expect(frameDifference(fromParquet, fromCsv)).toBeUndefined();
  });

  it('model train takes a Parquet file under any name (magic bytes, not the extension)', async () => {
    const data = join(dir, 'credit.data');
    copyFileSync(join(PARQUET, 'credit_zstd.parquet'), data);
    const model = join(dir, 'm.json');
    const r = await cli(['model', 'train', '--data', data, '--label', 'default', '--drop', 'ID,EDUCATION', '--param', 'objective=binary:logistic', '--rounds', '5', '--seed', '1', '--output', model, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const csv = await cli(['model', 'train', '--data', join(PARQUET, 'credit.csv'), '--label', 'default', '--drop', 'ID,EDUCATION', '--param', 'objective=binary:logistic', '--rounds', '5', '--seed', '1', '--output', join(dir, 'm2.json'), '--json']);
    expect(csv.code, csv.stderr).toBe(0);
    expect(readFileSync(model, 'utf8')).toBe(readFileSync(join(dir, 'm2.json'), 'utf8'));
  });
});

describe('data convert', () => {
  it('round-trips CSV → Parquet → CSV and reads what pyarrow wrote', async () => {
    const parquet = join(dir, 'credit.parquet');
    const r = await cli(['data', 'convert', join(PARQUET, 'credit_gzip.parquet'), parquet, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).rows).toBe(80);
    expect(readFileSync(parquet).subarray(0, 4).toString('latin1')).toBe('PAR1');
    const back = join(dir, 'back.csv');
    const c = await cli(['data', 'convert', parquet, back]);
    expect(c.code, c.stderr).toBe(0);
    expect(frameDifference(await csvFrame(back), await csvFrame(join(PARQUET, 'credit.csv')))).toBeUndefined();
    const forced = join(dir, 'forced.out');
    await cli(['data', 'convert', join(PARQUET, 'credit.csv'), forced, '--format', 'parquet']);
    expect(readFileSync(forced).subarray(0, 4).toString('latin1')).toBe('PAR1');
  });

  it('refuses an unreadable Parquet file and an unknown format with one line', async () => {
    const broken = join(dir, 'broken.parquet');
    writeFileSync(broken, Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(20, 7)]));
    const r = await cli(['data', 'convert', broken, join(dir, 'x.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^attest: error PARQUET_MALFORMED: /);
    expect(r.stderr.split('\n')).toHaveLength(1);
    const f = await cli(['data', 'convert', join(PARQUET, 'credit.csv'), join(dir, 'x.out'), '--format', 'xlsx']);
    expect(f.stderr).toMatch(/^attest: error INVALID_INPUT: --format/);
  });
});

describe('data resample', () => {
  it('over- and under-samples the label, seeded', async () => {
    const over = join(dir, 'over.csv');
    const r = await cli(['data', 'resample', join(PARQUET, 'credit.csv'), over, '--method', 'over', '--label', 'default', '--seed', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const record = JSON.parse(r.stdout) as { before: { byClass: Record<string, number> }; after: { total: number; byClass: Record<string, number> } };
    const largest = Math.max(...Object.values(record.before.byClass));
    expect(Object.values(record.after.byClass)).toEqual([largest, largest]);
    expect((await csvFrame(over)).rowCount).toBe(record.after.total);
    await cli(['data', 'resample', join(PARQUET, 'credit.csv'), join(dir, 'over2.csv'), '--method', 'over', '--label', 'default', '--seed', '3']);
    expect(readFileSync(join(dir, 'over2.csv'), 'utf8')).toBe(readFileSync(over, 'utf8'));
    const under = join(dir, 'under.parquet');
    const u = await cli(['data', 'resample', join(PARQUET, 'credit_zstd.parquet'), under, '--method', 'under', '--label', 'default', '--seed', '3', '--json']);
    expect(u.code, u.stderr).toBe(0);
    const smallest = Math.min(...Object.values(record.before.byClass));
    expect((await readParquet(readFileSync(under))).rowCount).toBe(2 * smallest);
  });

  it('refuses an unknown method and a missing label column with one line', async () => {
    const r = await cli(['data', 'resample', join(PARQUET, 'credit.csv'), join(dir, 'x.csv'), '--method', 'smote', '--label', 'default', '--seed', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^attest: error INVALID_INPUT: --method must be over or under/);
    const l = await cli(['data', 'resample', join(PARQUET, 'credit.csv'), join(dir, 'x.csv'), '--method', 'over', '--label', 'nope', '--seed', '1']);
    expect(l.code).toBe(2);
    expect(l.stderr).toMatch(/^attest: error DATA_SCHEMA_MISMATCH: Column "nope"/);
  });
});

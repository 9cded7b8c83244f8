import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, canonicalJson } from '../../kernel/index.js';
import { DatasetProfileSchema } from '../profile/dataset-profile.js';
import { profileDataset } from '../profile/profile-dataset.js';
import { DataSchemaSchema, schemaOfFrame } from '../schema/data-schema.js';
import { parseCsvFrame } from './csv-reader.js';
import { scanCsv } from './csv-scan.js';

const adult = readFileSync(new URL('../../../datasets/adult.csv', import.meta.url));

/** Splits bytes into chunks of `size` (the last may be shorter). */
function* chunked(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('scanCsv', () => {
  it('hashes, infers the schema and profiles adult chunk by chunk', async () => {
    const result = await scanCsv(chunked(adult, 65_521), { batchRows: 1000 });
    expect(result.sha256).toBe(createHash('sha256').update(adult).digest('hex'));
    expect(result.byteCount).toBe(adult.length);
    expect(result.rowCount).toBe(48842);
    const frame = parseCsvFrame(adult);
    expect(DataSchemaSchema.parse(result.schema)).toEqual(schemaOfFrame(frame));
    const profile = DatasetProfileSchema.parse(result.profile);
    const workclass = profile.columns.find((c) => c.name === 'workclass')!;
    expect(workclass).toMatchObject({ type: 'string', count: 46043, missing: 2799, distinct: 8, distinctApproximate: false });
    expect(workclass.topCategories?.[0]).toEqual({ value: 'Private', count: 33906 });
    const age = profile.columns.find((c) => c.name === 'age')!;
    const exact = profileDataset(frame).columns.find((c) => c.name === 'age')!;
    expect(age.numeric?.mean).toBeCloseTo(exact.numeric!.mean, 9);
    expect(age.numeric?.std).toBeCloseTo(exact.numeric!.std, 9);
    expect([age.numeric?.min, age.numeric?.max]).toEqual([17, 90]);
    expect(age.numeric?.quantiles.find((q) => q.q === 0.5)?.value).toBe(37);
  });

  it('is deterministic: the same bytes give byte-identical schema and profile JSON', async () => {
    const credit = readFileSync(new URL('../../../datasets/uci_credit_card_default.csv', import.meta.url)).subarray(0, 400_000);
    const cut = credit.lastIndexOf(10) + 1;
    const bytes = credit.subarray(0, cut);
    const a = await scanCsv([bytes]);
    const b = await scanCsv(chunked(bytes, 4096));
    expect(canonicalJson(b)).toBe(canonicalJson(a));
  });

  it('gives the same result whatever the chunk size', async () => {
    const text = new TextEncoder().encode('a,b,c\n1,x,true\n2.5,"y\nz",false\n,é,\n-4,x,true\n');
    const whole = await scanCsv(text, { batchRows: 2 });
    for (const size of [1, 2, 3, 7]) expect(await scanCsv(chunked(text, size), { batchRows: 2 })).toEqual(whole);
    expect(whole.schema.columns.map((c) => [c.type, c.nullable])).toEqual([
      ['fractional', true],
      ['string', false],
      ['boolean', true],
    ]);
    expect(whole.profile.columns[2]?.topCategories).toEqual([
      { value: 'true', count: 2 },
      { value: 'false', count: 1 },
    ]);
  });

  it('a column that turns out to be text late still counts its earlier categories', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => String(i % 5));
    const text = `v\n${rows.join('\n')}\nlate\n`;
    const result = await scanCsv(text, { batchRows: 8 });
    expect(result.schema.columns[0]?.type).toBe('string');
    expect(result.profile.columns[0]?.topCategories?.[0]).toEqual({ value: '0', count: 10 });
    expect(result.profile.columns[0]).toMatchObject({ count: 51, missing: 0, distinct: 6, topCategoriesApproximate: true });
  });

  it('checks every cell against a declared schema and keeps its types', async () => {
    const schema = {
      version: 1 as const,
      columns: [
        { name: 'code', type: 'string' as const, nullable: false },
        { name: 'amount', type: 'fractional' as const, nullable: true },
      ],
    };
    const ok = await scanCsv('code,amount\n01,1\n02,\n', { schema, batchRows: 1 });
    expect(ok.schema).toEqual(schema);
    expect(ok.profile.columns.map((c) => c.type)).toEqual(['string', 'fractional']);
    expect(ok.profile.columns[0]?.topCategories).toEqual([
      { value: '01', count: 1 },
      { value: '02', count: 1 },
    ]);
    await expect(scanCsv('code,amount\n01,1\n02,abc\n', { schema })).rejects.toSatisfy(
      (e: unknown) => e instanceof AppError && e.code === 'CSV_MALFORMED' && e.details.row === 3 && e.details.column === 2 && /"abc" is not a fractional/.test(e.message),
    );
    await expect(scanCsv('code,amount\n,1\n', { schema })).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.details.row === 2 && e.details.column === 1);
    await expect(scanCsv('amount,other\n1,2\n', { schema })).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === 'DATA_SCHEMA_MISMATCH');
  });

  it('reports malformed input with row and column', async () => {
    const bad = new TextEncoder().encode('a,b\n1,2\n3\n');
    await expect(scanCsv(chunked(bad, 3))).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === 'CSV_MALFORMED' && e.details.row === 3 && e.details.column === 2);
  });
});

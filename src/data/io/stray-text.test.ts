/**
 * A non-number in an otherwise numeric column (≥ 99% of non-missing values are numbers) is an
 * error naming its row and column, in the in-memory reader and in the streaming scan (the import
 * path), unless a schema declares the column string. The shipped datasets still import.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/support/cli.js';
import { AppError } from '../../kernel/index.js';
import type { DataSchema } from '../schema/data-schema.js';
import { parseCsvFrame } from './csv-reader.js';
import { scanCsv } from './csv-scan.js';

/** 200 rows of `id,amount`; row `bad` (0-based record index) of amount holds `text`. */
function csv(bad: number, text: string, extra: Record<number, string> = {}): string {
  const lines = ['id,amount'];
  for (let i = 0; i < 200; i++) lines.push(`${i},${i === bad ? text : (extra[i] ?? String(i * 1.5))}`);
  return `${lines.join('\n')}\n`;
}

async function errorOf(f: () => unknown): Promise<AppError> {
  try {
    await f();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('a stray non-number in a numeric column', () => {
  it('is CSV_MALFORMED naming the first offending row (header = row 1) and column, in both readers', async () => {
    const text = csv(41, '12.5O', { 150: 'n/a' });
    for (const read of [() => parseCsvFrame(text), () => scanCsv([new TextEncoder().encode(text)], { batchRows: 16 })]) {
      const e = await errorOf(read);
      expect(e.code).toBe('CSV_MALFORMED');
      expect(e.message).toMatch(/^CSV malformed at row 43, column 2 \("amount"\): value "12.5O" is not a number, but 198 of the column's 200 values are \(2 are not\)/);
      expect(e.details).toMatchObject({ row: 43, column: 2, columnName: 'amount', value: '12.5O' });
    }
  });

  it('keeps the column as text when the schema declares it string', () => {
    const schema: DataSchema = {
      version: 1,
      columns: [
        { name: 'id', type: 'integer', nullable: false },
        { name: 'amount', type: 'string', nullable: false },
      ],
    };
    const frame = parseCsvFrame(csv(41, 'n/a'), { schema });
    expect(frame.columns[1]!.kind).toBe('categorical');
  });

  it('leaves a column with more than 1% text a text column, and an empty cell a missing value', () => {
    const many = csv(0, 'a', { 1: 'b', 2: 'c' });
    expect(parseCsvFrame(many).columns[1]!.kind).toBe('categorical');
    const missing = parseCsvFrame(csv(5, ''));
    expect(missing.columns[1]).toMatchObject({ kind: 'numeric', dtype: 'fractional' });
  });

  it('does not stop any shipped dataset from importing', async () => {
    const dir = join(REPO_ROOT, 'datasets');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.csv'))) {
      const bytes = readFileSync(join(dir, file));
      expect(parseCsvFrame(bytes).rowCount, file).toBeGreaterThan(0);
      expect((await scanCsv([bytes])).rowCount, file).toBeGreaterThan(0);
    }
  });
});

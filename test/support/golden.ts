/**
 * Loading the golden reference fixtures (copied from shared/golden; see test/fixtures/golden/README.md).
 * A deliberately tiny numeric CSV reader for test fixtures only; the product's CSV importer is data/io.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
export const GOLDEN_DIR = join(FIXTURES_DIR, 'golden');
export const DATASETS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'datasets');

export const XGB_CASES = [
  'credit_default_whitepaper',
  'credit_default_missing',
  'credit_limit_regression',
  'german_credit_purpose_multiclass',
  'credit_default_training_parity',
] as const;

export interface NumericCsv {
  header: string[];
  rows: number;
  cols: number;
  /** Row-major values; empty cells are NaN. */
  values: Float64Array;
}

/** Reads a numeric CSV with a header (or without, when `header` is false). */
export function readNumericCsv(path: string, header = true): NumericCsv {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
  const head = header ? lines.shift()!.split(',') : [];
  const cols = header ? head.length : lines[0]!.split(',').length;
  const values = new Float64Array(lines.length * cols);
  lines.forEach((line, r) => {
    const cells = line.split(',');
    for (let c = 0; c < cols; c++) {
      const cell = cells[c] ?? '';
      values[r * cols + c] = cell === '' ? Number.NaN : Number(cell);
    }
  });
  return { header: head, rows: lines.length, cols, values };
}

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function goldenCase(name: string): string {
  return join(GOLDEN_DIR, 'xgboost', name);
}

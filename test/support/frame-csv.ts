/**
 * A ColumnFrame from a small, unquoted fixture CSV, typed as pandas `read_csv` types columns:
 * integer when every cell is an integer (missing cells make it fractional, as pandas' float64),
 * fractional when every non-empty cell is a number, text otherwise. For tests only; the product's
 * CSV importer is data/io.
 */
import { readFileSync } from 'node:fs';
import { type Column, type ColumnFrame, categoricalColumn, numericColumn } from '../../src/data/index.js';

export function readFrameCsv(path: string): ColumnFrame {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
  const header = lines.shift()!.split(',');
  const cells = header.map(() => [] as string[]);
  for (const line of lines) {
    const parts = line.split(',');
    for (let j = 0; j < header.length; j++) cells[j]!.push(parts[j] ?? '');
  }
  const columns: Column[] = header.map((name, j) => {
    const raw = cells[j]!;
    const numeric = raw.every((s) => s === '' || Number.isFinite(Number(s)));
    if (!numeric) return categoricalColumn(name, raw.map((s) => (s === '' ? null : s)));
    const values = Float64Array.from(raw, (s) => (s === '' ? Number.NaN : Number(s)));
    const integer = raw.every((s) => /^[+-]?\d+$/.test(s));
    return numericColumn(name, values, integer ? 'integer' : 'fractional');
  });
  return { rowCount: lines.length, columns };
}

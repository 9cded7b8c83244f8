/**
 * @module cli/output
 * Human-readable tables by default, JSON for scripts (`--json`).
 */
import type { CliIo } from './io.js';

export interface ColumnSpec<T> {
  header: string;
  value: (row: T) => unknown;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Prints rows as an aligned table (or "(none)"). */
export function printTable<T>(io: CliIo, rows: readonly T[], columns: readonly ColumnSpec<T>[]): void {
  if (rows.length === 0) {
    io.out('(none)');
    return;
  }
  const cells = rows.map((r) => columns.map((c) => cell(c.value(r))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  io.out(columns.map((c, i) => c.header.padEnd(widths[i]!)).join('  ').trimEnd());
  for (const r of cells) io.out(r.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** Prints `key: value` lines for one record. */
export function printRecord(io: CliIo, record: Readonly<Record<string, unknown>>): void {
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  for (const [k, v] of Object.entries(record)) io.out(`${`${k}:`.padEnd(width + 1)} ${cell(v)}`);
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/**
 * @module data/profile/format-profile
 * Plain-text renderings of a schema and a profile for the CLI (`attest data describe`,
 * `attest data profile`): fixed-width tables, datetimes in ISO 8601, numbers in at most
 * 6 significant digits. The JSON forms stay the source of truth (`--json`).
 */
import type { DataSchema } from '../schema/data-schema.js';
import type { DatasetColumnProfile, DatasetProfile } from './dataset-profile.js';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, j) => c.padEnd(widths[j]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function formatNumber(v: number, type: DatasetColumnProfile['type']): string {
  if (Number.isNaN(v)) return '';
  if (type === 'datetime') return new Date(v).toISOString();
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return Number(v.toPrecision(6)).toString();
}

/**
 * The schema as a table of columns, types and nullability.
 * @example for (const line of formatSchema(schema)) io.out(line);
 */
export function formatSchema(schema: DataSchema): string[] {
  return table(
    ['#', 'column', 'type', 'nullable'],
    schema.columns.map((c, j) => [String(j + 1), c.name, c.type, c.nullable ? 'yes' : 'no']),
  );
}

/** The profile as a summary line and a table with one row per column. */
export function formatProfile(profile: DatasetProfile): string[] {
  const rows = profile.columns.map((c) => {
    const n = c.numeric;
    const q = (level: number): string => {
      const hit = n?.quantiles.find((x) => x.q === level);
      return hit === undefined ? '' : formatNumber(hit.value, c.type);
    };
    const top = (c.topCategories ?? [])
      .slice(0, 3)
      .map((t) => `${t.value} (${t.count})`)
      .join(', ');
    return [
      c.name,
      c.type,
      String(c.count),
      String(c.missing),
      `${c.distinctApproximate ? '~' : ''}${c.distinct}`,
      n === undefined ? '' : formatNumber(n.min, c.type),
      n === undefined || c.type === 'datetime' ? '' : formatNumber(n.mean, c.type),
      n === undefined || c.type === 'datetime' ? '' : formatNumber(n.std, c.type),
      q(0.5),
      n === undefined ? '' : formatNumber(n.max, c.type),
      top,
    ];
  });
  return [
    `${profile.rowCount} rows, ${profile.columns.length} columns`,
    ...table(['column', 'type', 'count', 'missing', 'distinct', 'min', 'mean', 'std', 'median', 'max', 'top categories'], rows),
  ];
}

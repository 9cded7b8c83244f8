/**
 * @module data/profile/profile-frame
 * Exact profile of an in-memory frame: sorts each numeric column for its quantiles and counts
 * every category. Quantiles interpolate linearly between order statistics (Hyndman & Fan 1996,
 * definition 7; NumPy's and pandas' default), so they match `numpy.quantile`.
 */
import type { CategoricalColumn, ColumnFrame, NumericColumn } from '../frame/column-frame.js';
import type { CategoryCount, ColumnProfile, DatasetProfile, NumericSummary } from './dataset-profile.js';
import { PROFILE_QUANTILES, PROFILE_TOP_CATEGORIES } from './dataset-profile.js';

/** Quantile `q` of ascending `sorted` (no NaN), Hyndman–Fan definition 7. */
export function sortedQuantile(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo]!;
  return a + (h - lo) * (sorted[hi]! - a);
}

/** The most frequent entries of `counts`, most frequent first, ties broken by value. */
export function topCounts(counts: ReadonlyMap<string, number>, limit: number): CategoryCount[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, limit)
    .map(([value, count]) => ({ value, count }));
}

function numericSummary(present: Float64Array): NumericSummary {
  const n = present.length;
  // Two-pass mean and variance: exact enough for profiles and independent of row order.
  let sum = 0;
  for (let i = 0; i < n; i++) sum += present[i]!;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = present[i]! - mean;
    ss += d * d;
  }
  const sorted = present.slice().sort();
  return {
    min: sorted[0]!,
    max: sorted[n - 1]!,
    mean,
    std: Math.sqrt(ss / n),
    sum,
    quantiles: PROFILE_QUANTILES.map((q) => ({ q, value: sortedQuantile(sorted, q) })),
    quantilesApproximate: false,
  };
}

function profileNumeric(column: NumericColumn): ColumnProfile {
  const values = column.values;
  const present = new Float64Array(values.length);
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) present[count++] = v;
  }
  const kept = present.subarray(0, count);
  const distinct = new Set(kept).size;
  const profile: ColumnProfile = {
    name: column.name,
    type: column.dtype,
    count,
    missing: values.length - count,
    distinct,
    distinctApproximate: false,
  };
  if (count > 0) profile.numeric = numericSummary(kept);
  if (column.dtype === 'boolean') {
    let trues = 0;
    for (let i = 0; i < count; i++) trues += kept[i]!;
    const counts = new Map<string, number>();
    if (trues > 0) counts.set('true', trues);
    if (count - trues > 0) counts.set('false', count - trues);
    profile.topCategories = topCounts(counts, PROFILE_TOP_CATEGORIES);
    profile.topCategoriesApproximate = false;
  }
  return profile;
}

function profileCategorical(column: CategoricalColumn): ColumnProfile {
  const perCode = new Float64Array(column.dictionary.length);
  let missing = 0;
  for (const code of column.codes) {
    if (code < 0) missing++;
    else perCode[code]!++;
  }
  const counts = new Map<string, number>();
  for (const [k, value] of column.dictionary.entries()) {
    const c = perCode[k]!;
    if (c > 0) counts.set(value, (counts.get(value) ?? 0) + c);
  }
  return {
    name: column.name,
    type: 'string',
    count: column.codes.length - missing,
    missing,
    distinct: counts.size,
    distinctApproximate: false,
    topCategories: topCounts(counts, PROFILE_TOP_CATEGORIES),
    topCategoriesApproximate: false,
  };
}

/**
 * Exact profile of a frame.
 * @example
 * const profile = profileFrame(await readCsvFrame(bytes)); profile.columns[0].numeric?.mean
 */
export function profileFrame(frame: ColumnFrame): DatasetProfile {
  return {
    version: 1,
    rowCount: frame.rowCount,
    columns: frame.columns.map((c) => (c.kind === 'numeric' ? profileNumeric(c) : profileCategorical(c))),
  };
}

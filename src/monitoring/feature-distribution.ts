/**
 * @module monitoring/feature-distribution
 * One feature's distribution in the shape the drift statistics take, built from raw columns
 * (exact), from profiles, or from a stored statistics.json (KLL sketch items as a weighted sample,
 * categorical buckets as counts). A baseline therefore never needs its raw data again.
 */
import type { Column, ColumnProfile, WeightedCdf } from '../data/index.js';
import { kllCdf, kllStoredRankErrorBound } from '../data/index.js';
import { empiricalCdf } from './drift-statistics.js';
import type { FeatureStatistics } from './statistics-format.js';
import { sketchOf } from './statistics-format.js';

/**
 * What a reference distribution was built from: the raw values a baseline keeps while it holds at
 * most the KLL sketch's k (2,048) values, the sketch beyond that, or the rows of the reference
 * dataset itself (`monitor check --exact-drift`).
 */
export type DistributionBasis = 'raw-values' | 'sketch' | 'reference-data';

export type FeatureDistribution =
  | {
      kind: 'numeric';
      name: string;
      cdf: WeightedCdf;
      /** Non-missing values (the true count, even when the CDF comes from a sketch). */
      count: number;
      missing: number;
      /** Exact population std (ddof 0) when known from moments. */
      std?: number;
      /** True when `cdf` is the exact empirical CDF. */
      exact: boolean;
      /** Worst-case |F̂ − F| of `cdf` (0 when exact). */
      rankErrorBound: number;
      /** Where the CDF comes from, as drift_report.json states it. */
      basis: DistributionBasis;
    }
  | { kind: 'categorical'; name: string; counts: Map<string, number>; count: number; missing: number };

/** The exact distribution of a raw column. */
export function distributionFromColumn(column: Column): FeatureDistribution {
  if (column.kind === 'numeric') {
    const cdf = empiricalCdf(column.values);
    return { kind: 'numeric', name: column.name, cdf, count: cdf.total, missing: column.values.length - cdf.total, exact: true, rankErrorBound: 0, basis: 'raw-values' };
  }
  const perCode = new Float64Array(column.dictionary.length);
  let missing = 0;
  for (const c of column.codes) {
    if (c < 0) missing++;
    else perCode[c] = perCode[c]! + 1;
  }
  const counts = new Map<string, number>();
  perCode.forEach((n, c) => {
    if (n > 0) counts.set(column.dictionary[c]!, (counts.get(column.dictionary[c]!) ?? 0) + n);
  });
  return { kind: 'categorical', name: column.name, counts, count: column.codes.length - missing, missing };
}

/** The distribution a profile holds (KLL items or frequent items). */
export function distributionFromProfile(p: ColumnProfile): FeatureDistribution {
  if (p.kind === 'numeric') {
    const exact = p.kll.worstCaseError === 0;
    const rankErrorBound = exact || p.kll.n === 0 ? 0 : p.kll.worstCaseError / p.kll.n;
    return { kind: 'numeric', name: p.name, cdf: kllCdf(p.kll), count: p.present, missing: p.missing, std: p.moments.stdDev, exact, rankErrorBound, basis: exact ? 'raw-values' : 'sketch' };
  }
  return { kind: 'categorical', name: p.name, counts: new Map(p.frequentItems.items.map((i) => [i.value, i.count])), count: p.present, missing: p.missing };
}

/** From a statistics.json feature; undefined when the feature has no distribution (no values). */
export function distributionFromStatistics(f: FeatureStatistics): FeatureDistribution | undefined {
  if (f.numerical_statistics) {
    const s = f.numerical_statistics;
    const sketch = sketchOf(s);
    const exact = sketch.n === s.common.num_present && sketch.data.length <= 1;
    return {
      kind: 'numeric',
      name: f.name,
      cdf: kllCdf(sketch),
      count: s.common.num_present,
      missing: s.common.num_missing,
      std: s.std_dev,
      exact,
      rankErrorBound: exact ? 0 : kllStoredRankErrorBound(sketch),
      basis: exact ? 'raw-values' : 'sketch',
    };
  }
  if (f.string_statistics) {
    const s = f.string_statistics;
    return { kind: 'categorical', name: f.name, counts: new Map(s.distribution.categorical.buckets.map((b) => [b.value, b.count])), count: s.common.num_present, missing: s.common.num_missing };
  }
  return undefined;
}

/** A numeric distribution's values as categories (for the tests Evidently runs on low-cardinality numerics). */
export function numericAsCounts(cdf: WeightedCdf): Map<string, number> {
  const m = new Map<string, number>();
  let prev = 0;
  for (let i = 0; i < cdf.values.length; i++) {
    m.set(String(cdf.values[i]!), cdf.cumulative[i]! - prev);
    prev = cdf.cumulative[i]!;
  }
  return m;
}

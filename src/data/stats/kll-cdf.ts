/**
 * @module data/stats/kll-cdf
 * Queries on a finalised KLL sketch ({@link KllSketch}): the weighted CDF over its items, ranks,
 * quantiles and the rank-error bound recorded while it was built (see kll-sketch for the sketch
 * and the derivation of the bound).
 */
import type { KllSketch } from './kll-sketch.js';

/** Rebuilds a sketch from stored level data (e.g. statistics.json `sketch.data`); error figures unknown ⇒ NaN. */
export function kllFromData(k: number, c: number, data: readonly (readonly number[])[]): KllSketch {
  let n = 0;
  data.forEach((level, h) => {
    n += level.length * 2 ** h;
  });
  return { k, c, n, data: data.map((l) => [...l].sort((x, y) => x - y)), worstCaseError: Number.NaN, errorVariance: Number.NaN };
}

/** The sketch as a weighted empirical distribution: sorted distinct values and cumulative weights (CDF numerators). */
export interface WeightedCdf {
  values: Float64Array;
  /** cumulative[i] = total weight of items ≤ values[i]. */
  cumulative: Float64Array;
  total: number;
}

/** The sketch as a weighted CDF over its distinct items. */
export function kllCdf(sketch: KllSketch): WeightedCdf {
  const items: [number, number][] = [];
  sketch.data.forEach((level, h) => {
    const w = 2 ** h;
    for (const v of level) items.push([v, w]);
  });
  items.sort((x, y) => x[0] - y[0]);
  const values: number[] = [];
  const cumulative: number[] = [];
  let acc = 0;
  for (const [v, w] of items) {
    acc += w;
    if (values.length > 0 && values[values.length - 1] === v) cumulative[cumulative.length - 1] = acc;
    else {
      values.push(v);
      cumulative.push(acc);
    }
  }
  return { values: Float64Array.from(values), cumulative: Float64Array.from(cumulative), total: acc };
}

/** Estimated weight of items ≤ x (inclusive) or < x (exclusive). */
export function cdfRank(cdf: WeightedCdf, x: number, inclusive = true): number {
  let lo = 0;
  let hi = cdf.values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const v = cdf.values[mid]!;
    if (inclusive ? v <= x : v < x) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : cdf.cumulative[lo - 1]!;
}

/** The smallest item whose inclusive normalised rank is ≥ q (q in [0, 1]). */
export function kllQuantile(cdf: WeightedCdf, q: number): number {
  if (cdf.values.length === 0) return Number.NaN;
  const target = q * cdf.total;
  for (let i = 0; i < cdf.values.length; i++) if (cdf.cumulative[i]! >= target) return cdf.values[i]!;
  return cdf.values[cdf.values.length - 1]!;
}

/**
 * Bound on the absolute rank error of any query: `worst` is certain; `probabilistic` holds with
 * probability 1 − δ (Hoeffding over the independent compaction coins).
 */
export function kllRankErrorBound(sketch: KllSketch, delta = 0.01): { worst: number; probabilistic: number } {
  return { worst: sketch.worstCaseError, probabilistic: Math.min(sketch.worstCaseError, Math.sqrt(2 * Math.log(2 / delta) * sketch.errorVariance)) };
}

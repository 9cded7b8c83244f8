/**
 * @module data/stats/kll-cdf
 * Queries on a finalised KLL sketch ({@link KllSketch}): the weighted CDF over its items, ranks,
 * quantiles and the rank-error bound recorded while it was built (see kll-sketch for the sketch
 * and the derivation of the bound).
 */
import type { KllSketch } from './kll-sketch.js';
import { kllLevelCapacity } from './kll-sketch.js';

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

/**
 * The sketch as a weighted CDF over its distinct items: the items of all levels in a stable sort
 * by value (lower levels first among equal values, −0 and +0 equal), equal values merged into the
 * first one with their weights summed. Levels are stored sorted, so the sort is a merge of them.
 */
export function kllCdf(sketch: KllSketch): WeightedCdf {
  let n = 0;
  for (const level of sketch.data) {
    for (let i = 1; i < level.length; i++) if (level[i]! < level[i - 1]!) return kllCdfUnsorted(sketch);
    n += level.length;
  }
  // Merge the levels one after another into (values, weights); the merged part wins ties, which
  // keeps lower levels first as the stable sort of the concatenated levels would.
  let values = new Float64Array(n);
  let weights = new Float64Array(n);
  let next = new Float64Array(n);
  let nextWeights = new Float64Array(n);
  let m = 0;
  sketch.data.forEach((level, h) => {
    const w = 2 ** h;
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < m && j < level.length) {
      if (level[j]! < values[i]!) {
        next[k] = level[j]!;
        nextWeights[k++] = w;
        j++;
      } else {
        next[k] = values[i]!;
        nextWeights[k++] = weights[i++]!;
      }
    }
    for (; i < m; i++) {
      next[k] = values[i]!;
      nextWeights[k++] = weights[i]!;
    }
    for (; j < level.length; j++) {
      next[k] = level[j]!;
      nextWeights[k++] = w;
    }
    [values, next] = [next, values];
    [weights, nextWeights] = [nextWeights, weights];
    m = k;
  });
  // Merge runs of equal values in place.
  let d = 0;
  let acc = 0;
  for (let i = 0; i < m; i++) {
    acc += weights[i]!;
    if (d > 0 && values[d - 1] === values[i]) weights[d - 1] = acc;
    else {
      values[d] = values[i]!;
      weights[d++] = acc;
    }
  }
  return { values: values.slice(0, d), cumulative: weights.slice(0, d), total: acc };
}

/** {@link kllCdf} for levels that are not sorted: a stable sort of all items. */
function kllCdfUnsorted(sketch: KllSketch): WeightedCdf {
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

/**
 * A worst-case bound on the normalised rank error (|F̂(x) − F(x)| for every x) of a sketch known
 * only by its stored levels, as statistics.json keeps it (the running error figures are not stored).
 * Every item that ever sat on level h + 1 was promoted by a compaction of level h, each compaction
 * promotes at least ⌊capacity_h / 2⌋ items (a level is compacted only once full, and capacities
 * only shrink as levels are added) and moves any rank by at most 2^h. Items ever on level h:
 * A_top = stored_top, A_h = stored_h + 2·A_{h+1}. 0 for a sketch that still holds raw values.
 */
export function kllStoredRankErrorBound(sketch: KllSketch): number {
  const levels = sketch.data.length;
  if (levels <= 1 || sketch.n === 0) return 0;
  const ever = new Array<number>(levels).fill(0);
  for (let h = levels - 1; h >= 0; h--) ever[h] = sketch.data[h]!.length + (h + 1 < levels ? 2 * ever[h + 1]! : 0);
  let error = 0;
  for (let h = 0; h + 1 < levels; h++) {
    const promotedPerCompaction = Math.max(1, Math.floor(kllLevelCapacity(sketch.k, sketch.c, levels, h) / 2));
    error += 2 ** h * Math.ceil(ever[h + 1]! / promotedPerCompaction);
  }
  return Math.min(1, error / sketch.n);
}

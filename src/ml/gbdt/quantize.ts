/**
 * @module ml/gbdt/quantize
 * Histogram bins for the `hist` trainer (algorithms-and-formats.md §1.5). Cut points per feature
 * follow XGBoost's summary-to-cuts rule: the (weighted) quantile summary of the non-missing
 * values, pruned to `max_bin + 1` points, gives cuts at summary points 1..min(size, max_bin)-1
 * (the minimum is dropped) plus a sentinel `max + |max| + 1e-5`; so with at most `max_bin`
 * distinct values the cuts are exactly those values except the smallest. The bin of a value is
 * the first cut strictly greater than it (upper bound), clamped to the last bin.
 *
 * The summary here is exact (sorted distinct values with their weights), pruned with the rank
 * rule of XGBoost's `WQSummary::SetPrune`; XGBoost's streaming sketch is approximate beyond a few
 * thousand distinct values, so cut points can differ there (trees then differ slightly, not in kind).
 */
import type { FeatureMatrix } from './predict.js';
import { sortFloat32 } from './radix-sort.js';

/** Quantised training data: feature-major bin indices plus the cut points that define them. */
export interface QuantizedMatrix {
  readonly rows: number;
  readonly cols: number;
  /** `cutPtr[f]..cutPtr[f+1]` index `cuts` for feature f; the number of bins of f is that range's length. */
  readonly cutPtr: Int32Array;
  /** Cut values (float32), strictly increasing within a feature; the last one is the sentinel. */
  readonly cuts: Float32Array;
  /** Per feature `min - |min| - 1e-5` (float32): the threshold of a split that sends every value right. */
  readonly minValues: Float32Array;
  /**
   * Feature-major bins: `bins[f * rows + r]` is the bin of row r within feature f, or
   * `numBins(f)` when the value is missing (a spare histogram slot, never a split candidate).
   */
  readonly bins: Uint8Array | Uint16Array;
  /** True when no value is missing (XGBoost's "dense" DMatrix; affects how root sums are taken). */
  readonly dense: boolean;
}

/** Number of bins of feature `f` (excluding the missing slot). */
export function numBins(q: QuantizedMatrix, f: number): number {
  return q.cutPtr[f + 1]! - q.cutPtr[f]!;
}

/**
 * Computes cuts and bins once per training matrix. `weights` (optional, one per row) weight the
 * quantiles, as XGBoost sketches with sample weights only.
 */
export function quantize(x: FeatureMatrix, maxBin: number, weights?: Float32Array): QuantizedMatrix {
  const { rows, cols, values } = x;
  // One sequential pass into feature-major order; every per-feature step below then reads contiguously.
  const byFeature = new Float32Array(rows * cols);
  for (let r = 0, o = 0; r < rows; r++) for (let f = 0; f < cols; f++, o++) byFeature[f * rows + r] = values[o]!;
  const cutLists: Float32Array[] = [];
  // Per feature its non-missing values in ascending order and their rows, for the bins below.
  const sortedValues: Float32Array[] = [];
  const sortedRows: Int32Array[] = [];
  const minValues = new Float32Array(cols);
  let dense = true;
  for (let f = 0; f < cols; f++) {
    const column = byFeature.subarray(f * rows, (f + 1) * rows);
    let sorted: Float32Array;
    let order: Int32Array;
    let sortedWeights: Float64Array | undefined;
    if (weights === undefined) {
      const present = new Float32Array(rows);
      const presentRows = new Int32Array(rows);
      let n = 0;
      for (let r = 0; r < rows; r++) {
        const v = column[r]!;
        if (Number.isNaN(v)) continue;
        present[n] = v;
        presentRows[n++] = r;
      }
      if (n < rows) dense = false;
      order = presentRows.subarray(0, n);
      sorted = sortFloat32(present.subarray(0, n), order);
    } else {
      const idx: number[] = [];
      for (let r = 0; r < rows; r++) if (!Number.isNaN(column[r]!)) idx.push(r);
      if (idx.length < rows) dense = false;
      idx.sort((a, b) => column[a]! - column[b]! || a - b);
      order = Int32Array.from(idx);
      sorted = Float32Array.from(idx, (r) => column[r]!);
      sortedWeights = Float64Array.from(idx, (r) => weights[r]!);
    }
    const { cuts, min } = featureCuts(sorted, sortedWeights, maxBin);
    cutLists.push(cuts);
    sortedValues.push(sorted);
    sortedRows.push(order);
    minValues[f] = min;
  }
  const cutPtr = new Int32Array(cols + 1);
  for (let f = 0; f < cols; f++) cutPtr[f + 1] = cutPtr[f]! + cutLists[f]!.length;
  const cuts = new Float32Array(cutPtr[cols]!);
  for (let f = 0; f < cols; f++) cuts.set(cutLists[f]!, cutPtr[f]!);
  let widest = 0;
  for (let f = 0; f < cols; f++) widest = Math.max(widest, cutLists[f]!.length);
  // The missing slot takes index numBins(f), so Uint8 suffices up to 255 bins per feature (or 256 without missing values).
  const bins = widest + (dense ? 0 : 1) <= 256 ? new Uint8Array(rows * cols) : new Uint16Array(rows * cols);
  for (let f = 0; f < cols; f++) {
    const c = cutLists[f]!;
    const last = c.length - 1;
    const base = f * rows;
    bins.fill(c.length, base, base + rows);
    // The bin of a value is its upper bound among the cuts clamped to the last bin; over the
    // values in ascending order it only moves forward: one walk instead of a search per value.
    const sorted = sortedValues[f]!;
    const order = sortedRows[f]!;
    let b = 0;
    for (let i = 0; i < sorted.length; i++) {
      const v = sorted[i]!;
      while (b < last && c[b]! <= v) b++;
      bins[base + order[i]!] = b;
    }
  }
  return { rows, cols, cutPtr, cuts, minValues, bins, dense };
}

/** An exact weighted quantile summary: distinct values ascending with their rank ranges (the first `size` entries). */
interface Summary {
  value: Float64Array;
  rmin: Float64Array;
  rmax: Float64Array;
  size: number;
}

/** Cut points of one feature from its sorted non-missing values (algorithms-and-formats.md §1.5). */
function featureCuts(sorted: Float32Array, weights: Float64Array | undefined, maxBin: number): { cuts: Float32Array; min: number } {
  const n = sorted.length;
  // Typed buffers sized for all-distinct values (growing number[]s cost ~3-4 ms more per paper training).
  const summary: Summary = { value: new Float64Array(n), rmin: new Float64Array(n), rmax: new Float64Array(n), size: 0 };
  let rank = 0;
  let size = 0;
  for (let i = 0; i < n; ) {
    const v = sorted[i]!;
    let w = 0;
    while (i < n && sorted[i] === v) {
      w += weights === undefined ? 1 : weights[i]!;
      i++;
    }
    summary.value[size] = v;
    summary.rmin[size] = rank;
    rank += w;
    summary.rmax[size] = rank;
    size++;
  }
  summary.size = size;
  const pruned = prune(summary, maxBin + 1);
  const out: number[] = [];
  const required = Math.min(pruned.length, maxBin);
  for (let i = 1; i < required; i++) {
    const v = pruned[i]!;
    if (i === 1 || v > out[out.length - 1]!) out.push(v);
  }
  const top = pruned.length > 0 ? pruned[pruned.length - 1]! : 0;
  out.push(Math.fround(top + Math.fround(Math.abs(top) + Math.fround(1e-5))));
  const lowest = pruned.length > 0 ? pruned[0]! : 0;
  const min = Math.fround(lowest - Math.fround(Math.abs(lowest) + Math.fround(1e-5)));
  return { cuts: Float32Array.from(out), min };
}

/**
 * Keeps at most `maxSize` summary points, choosing for each of the evenly spaced target ranks the
 * neighbouring point whose rank range it falls into (the rule of XGBoost's `WQSummary::SetPrune`
 * on an exact summary); the first and last points are always kept.
 */
function prune(s: Summary, maxSize: number): number[] {
  const size = s.size;
  if (size <= maxSize) return Array.from(s.value.subarray(0, size));
  const out = [s.value[0]!];
  const begin = s.rmax[0]!;
  const range = s.rmin[size - 1]! - begin;
  const n = maxSize - 1;
  let i = 1;
  let lastIdx = 0;
  for (let k = 1; k < n; k++) {
    const dx2 = 2 * ((k * range) / n + begin);
    while (i < size - 1 && dx2 >= s.rmax[i + 1]! + s.rmin[i + 1]!) i++;
    if (i === size - 1) break;
    // On an exact summary rmin(i) + wmin(i) = rmax(i) and rmax(i+1) - wmin(i+1) = rmin(i+1).
    if (dx2 < s.rmax[i]! + s.rmin[i + 1]!) {
      if (i !== lastIdx) {
        out.push(s.value[i]!);
        lastIdx = i;
      }
    } else if (i + 1 !== lastIdx) {
      out.push(s.value[i + 1]!);
      lastIdx = i + 1;
    }
  }
  if (lastIdx !== size - 1) out.push(s.value[size - 1]!);
  return out;
}

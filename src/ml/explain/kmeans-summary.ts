/**
 * @module ml/explain/kmeans-summary
 * A weighted k-means summary of background data for KernelSHAP, as shap.kmeans builds it
 * (k-means, then each centre's coordinates snapped to the nearest value the feature actually
 * takes, weights = cluster sizes), seeded: k-means++ initialisation (Arthur & Vassilvitskii 2007)
 * driven by `createRandom(seed)`, then Lloyd iterations. Missing values are replaced by the column
 * mean for the clustering only.
 */
import { AppError, createRandom } from '../../kernel/index.js';
import type { FeatureMatrix } from '../gbdt/index.js';

export interface KmeansSummaryOptions {
  seed?: number;
  /** Lloyd iterations at most; default 100. */
  maxIterations?: number;
  /** Snap centres to observed values (shap's `round_values`); default true. */
  roundValues?: boolean;
}

export interface BackgroundSummary {
  readonly background: FeatureMatrix;
  /** Rows of the data in each cluster. */
  readonly weights: Float64Array;
}

/** Summarises `data` by `k` weighted centres. */
export function kmeansSummary(data: FeatureMatrix, k: number, options: KmeansSummaryOptions = {}): BackgroundSummary {
  const { rows: n, cols } = data;
  if (!(k >= 1) || k > n) throw new AppError('INVALID_INPUT', { message: `k-means needs 1 ≤ k ≤ rows (k = ${k}, rows = ${n})` });
  const random = createRandom(options.seed ?? 0);
  const means = new Float64Array(cols);
  const counts = new Float64Array(cols);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < cols; j++) {
      const v = data.values[r * cols + j]!;
      if (!Number.isNaN(v)) {
        means[j]! += v;
        counts[j]!++;
      }
    }
  }
  for (let j = 0; j < cols; j++) means[j] = counts[j]! > 0 ? means[j]! / counts[j]! : 0;
  const X = new Float64Array(n * cols);
  for (let i = 0; i < n * cols; i++) {
    const v = data.values[i]!;
    X[i] = Number.isNaN(v) ? means[i % cols]! : v;
  }
  const dist2 = (r: number, centres: Float64Array, c: number): number => {
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const d = X[r * cols + j]! - centres[c * cols + j]!;
      s += d * d;
    }
    return s;
  };

  const centres = new Float64Array(k * cols);
  const first = random.nextInt(n);
  centres.set(X.subarray(first * cols, (first + 1) * cols), 0);
  const nearest = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let r = 0; r < n; r++) {
      nearest[r] = Math.min(nearest[r]!, dist2(r, centres, c - 1));
      total += nearest[r]!;
    }
    let u = random.next() * total;
    let pick = 0;
    while (pick < n - 1 && u >= nearest[pick]!) u -= nearest[pick++]!;
    centres.set(X.subarray(pick * cols, (pick + 1) * cols), c * cols);
  }

  const assign = new Int32Array(n).fill(-1);
  const sizes = new Float64Array(k);
  for (let iter = 0; iter < (options.maxIterations ?? 100); iter++) {
    let changed = false;
    for (let r = 0; r < n; r++) {
      let best = 0;
      let bestD = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        const d = dist2(r, centres, c);
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
      if (assign[r] !== best) {
        assign[r] = best;
        changed = true;
      }
    }
    const sums = new Float64Array(k * cols);
    sizes.fill(0);
    for (let r = 0; r < n; r++) {
      const c = assign[r]!;
      sizes[c]!++;
      for (let j = 0; j < cols; j++) sums[c * cols + j]! += X[r * cols + j]!;
    }
    for (let c = 0; c < k; c++) if (sizes[c]! > 0) for (let j = 0; j < cols; j++) centres[c * cols + j] = sums[c * cols + j]! / sizes[c]!;
    if (!changed) break;
  }

  const out = new Float32Array(k * cols);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < cols; j++) {
      const target = centres[c * cols + j]!;
      let value = target;
      if (options.roundValues ?? true) {
        let bestD = Number.POSITIVE_INFINITY;
        for (let r = 0; r < n; r++) {
          const v = data.values[r * cols + j]!;
          if (Number.isNaN(v)) continue;
          const d = Math.abs(v - target);
          if (d < bestD) {
            bestD = d;
            value = v;
          }
        }
      }
      out[c * cols + j] = value;
    }
  }
  return { background: { rows: k, cols, values: out }, weights: Float64Array.from(sizes) };
}

/**
 * @module ml/explain/partial-dependence
 * Partial dependence (Friedman 2001, §8.2) and individual conditional expectation curves
 * (Goldstein et al. 2015): for each grid value g of feature j, every row's prediction with x_j
 * set to g (ICE), and their mean (PD). The grid is scikit-learn's (`_grid_from_X` with its default
 * `percentiles=(0.05, 0.95)`; `gridPoints` is its `grid_resolution`), see {@link featureGrid}.
 */
import { AppError } from '../../kernel/index.js';
import type { FeatureMatrix } from '../gbdt/index.js';
import type { ModelFunction } from './kernel-shap.js';
import { sampleRows } from './shap-importance.js';

export interface PartialDependenceOptions {
  /** Features to compute, in order; default: the first `topK` of `ranking`, or of the columns. */
  features?: readonly number[];
  /** Feature indices by decreasing importance, used when `features` is not given. */
  ranking?: readonly number[];
  /** Default 10. */
  topK?: number;
  /** scikit-learn's `grid_resolution`; default 15 (scikit-learn: 100). */
  gridPoints?: number;
  /** Rows averaged for PD (seeded sample when more); default 1,000. */
  maxRows?: number;
  /** Rows kept as ICE curves (first of the same sample); default 50. */
  iceRows?: number;
  seed?: number;
}

export interface PartialDependenceCurve {
  readonly feature: number;
  readonly name: string;
  readonly grid: number[];
  /** Mean prediction at each grid value. */
  readonly average: number[];
  /** Row indices of the ICE curves. */
  readonly iceRows: number[];
  /** ICE curves, one per entry of `iceRows`, each as long as `grid`. */
  readonly ice: number[][];
}

/**
 * SciPy's `mstats.mquantiles` with its defaults alphap = betap = 0.4 (the plotting positions
 * scikit-learn's `_grid_from_X` uses) of sorted data at probability p.
 */
export function mquantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  const alphap = 0.4;
  const betap = 0.4;
  const aleph = n * p + (alphap + p * (1 - alphap - betap));
  const k = Math.floor(Math.min(Math.max(aleph, 1), n - 1));
  const gamma = Math.min(Math.max(aleph - k, 0), 1);
  if (n === 1) return sorted[0]!;
  return (1 - gamma) * sorted[k - 1]! + gamma * sorted[k]!;
}

/** numpy's `linspace(start, stop, num, endpoint=True)`: start + k·step, the last point exactly stop. */
function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, k) => start + k * step);
  out[num - 1] = stop;
  return out;
}

/** Percentiles of scikit-learn's `partial_dependence` default. */
export const PD_PERCENTILES: readonly [number, number] = [0.05, 0.95];

/**
 * The evaluation grid of one column, scikit-learn's `_grid_from_X`: the distinct observed values
 * when there are fewer than `gridPoints` of them, else `gridPoints` evenly spaced values from the
 * 5th to the 95th percentile (`mquantiles`, then `np.linspace`). Missing values are left out.
 * Where scikit-learn refuses a column whose two percentiles coincide, this spreads the grid over
 * the column's range instead, so a report is not lost to one spiky feature.
 */
export function featureGrid(x: FeatureMatrix, feature: number, gridPoints: number): number[] {
  const values: number[] = [];
  for (let r = 0; r < x.rows; r++) {
    const v = x.values[r * x.cols + feature]!;
    if (!Number.isNaN(v)) values.push(v);
  }
  values.sort((p, q) => p - q);
  const distinct = values.filter((v, i) => i === 0 || v !== values[i - 1]);
  if (distinct.length < gridPoints) return distinct;
  const low = mquantile(values, PD_PERCENTILES[0]);
  const high = mquantile(values, PD_PERCENTILES[1]);
  // np.allclose(low, high): |low − high| ≤ 1e-8 + 1e-5·|high|.
  if (Math.abs(low - high) <= 1e-8 + 1e-5 * Math.abs(high)) return linspace(distinct[0]!, distinct[distinct.length - 1]!, gridPoints);
  return linspace(low, high, gridPoints);
}

/** PD and ICE curves of the chosen features under `model`. */
export function partialDependence(
  model: ModelFunction,
  x: FeatureMatrix,
  featureNames: readonly string[],
  options: PartialDependenceOptions = {},
): PartialDependenceCurve[] {
  const topK = options.topK ?? 10;
  const features = options.features ?? (options.ranking ?? Array.from({ length: x.cols }, (_, j) => j)).slice(0, topK);
  for (const f of features) {
    if (!(Number.isInteger(f) && f >= 0 && f < x.cols)) throw new AppError('INVALID_INPUT', { message: `No feature column ${f}` });
  }
  const rows = sampleRows(x.rows, options.maxRows ?? 1000, options.seed ?? 0);
  const iceCount = Math.min(rows.length, options.iceRows ?? 50);
  const n = rows.length;
  const base = new Float32Array(n * x.cols);
  rows.forEach((r, i) => {
    base.set(x.values.subarray(r * x.cols, (r + 1) * x.cols), i * x.cols);
  });
  return features.map((feature) => {
    const grid = featureGrid(x, feature, options.gridPoints ?? 15);
    const batch = new Float32Array(grid.length * n * x.cols);
    grid.forEach((g, k) => {
      batch.set(base, k * n * x.cols);
      for (let i = 0; i < n; i++) batch[(k * n + i) * x.cols + feature] = g;
    });
    const out = model({ rows: grid.length * n, cols: x.cols, values: batch });
    const average = grid.map((_, k) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += out[k * n + i]!;
      return n > 0 ? s / n : 0;
    });
    const ice = Array.from({ length: iceCount }, (_, i) => grid.map((_, k) => out[k * n + i]!));
    return { feature, name: featureNames[feature] ?? `f${feature}`, grid, average, iceRows: rows.slice(0, iceCount), ice };
  });
}

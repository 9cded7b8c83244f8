/**
 * @module ml/explain/kernel-shap
 * Model-agnostic KernelSHAP (Lundberg & Lee 2017; shap's KernelExplainer as described in
 * algorithms-and-formats.md §2.7) for any scorer given as a function from a feature matrix to one
 * output per row: logistic regressions, imported models, external scorers. Masked features take
 * the background's values; the expectation over the (weighted) background is taken before the
 * link (identity or logit), and the efficiency constraint Σφ = link(f(x)) − link(E f) is imposed
 * by eliminating the last player. Players are the features whose value in x differs from some
 * background row. Unlike shap ≥ 0.47 no L1 feature selection is applied (shap `l1_reg=False`).
 */
import { AppError, createRandom } from '../../kernel/index.js';
import type { FeatureMatrix } from '../gbdt/index.js';
import { kernelCoalitions } from './kernel-shap-coalitions.js';
import { weightedLeastSquares } from './weighted-least-squares.js';

/** A scorer: one output per row of the matrix (probability for `link: 'logit'`). */
export type ModelFunction = (x: FeatureMatrix) => Float64Array;

export type Link = 'identity' | 'logit';

export interface KernelShapOptions {
  /** Background rows (e.g. a sample or a {@link kmeansSummary}). */
  background: FeatureMatrix;
  /** Background row weights (k-means cluster sizes); uniform by default. */
  backgroundWeights?: Float64Array;
  /** Coalitions evaluated per explained row; default 2M + 2048 (shap's default). */
  nsamples?: number;
  /** Seed of the coalition sampler; default 0. */
  seed?: number;
  /** Space the explanation is additive in; default identity. */
  link?: Link;
  /** Rows per call of the model function; default 65,536. */
  batchSize?: number;
}

export interface KernelShapValues {
  readonly rows: number;
  /** cols + 1: one value per feature, then the expected value link(E f(background)). */
  readonly width: number;
  /** rows × width, row-major. */
  readonly values: Float64Array;
  readonly expectedValue: number;
  /** Coalitions evaluated per row. */
  readonly samples: Int32Array;
  /** Whether every coalition was enumerated (exact Shapley values) for each row. */
  readonly exact: Uint8Array;
}

function applyLink(link: Link, p: number): number {
  if (link === 'identity') return p;
  const c = Math.min(Math.max(p, 1e-15), 1 - 1e-15);
  return Math.log(c / (1 - c));
}

function sameValue(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** KernelSHAP values of every row of `x` under `model`. Same inputs and seed ⇒ identical output. */
export function kernelShap(model: ModelFunction, x: FeatureMatrix, options: KernelShapOptions): KernelShapValues {
  const bg = options.background;
  const cols = x.cols;
  if (bg.cols !== cols) throw new AppError('DATA_SCHEMA_MISMATCH', { message: `Background has ${bg.cols} columns, the rows to explain ${cols}` });
  if (bg.rows < 1) throw new AppError('INVALID_INPUT', { message: 'KernelSHAP needs at least one background row' });
  const R = bg.rows;
  const bgw = options.backgroundWeights ?? new Float64Array(R).fill(1);
  if (bgw.length !== R) throw new AppError('INVALID_INPUT', { message: 'backgroundWeights must have one weight per background row' });
  const wsum = bgw.reduce((a, b) => a + b, 0);
  const link = options.link ?? 'identity';
  const batchSize = Math.max(R, options.batchSize ?? 65_536);
  const random = createRandom(options.seed ?? 0);

  const weightedMean = (outputs: Float64Array, from: number): number => {
    let s = 0;
    for (let b = 0; b < R; b++) s += bgw[b]! * outputs[from + b]!;
    return s / wsum;
  };
  const fnull = weightedMean(model(bg), 0);
  const expectedValue = applyLink(link, fnull);
  const fxAll = model(x);
  const width = cols + 1;
  const values = new Float64Array(x.rows * width);
  const samples = new Int32Array(x.rows);
  const exact = new Uint8Array(x.rows);

  for (let r = 0; r < x.rows; r++) {
    const xo = r * cols;
    values[r * width + cols] = expectedValue;
    const players: number[] = [];
    for (let j = 0; j < cols; j++) {
      for (let b = 0; b < R; b++) {
        if (!sameValue(bg.values[b * cols + j]!, x.values[xo + j]!)) {
          players.push(j);
          break;
        }
      }
    }
    const M = players.length;
    const delta = applyLink(link, fxAll[r]!) - expectedValue;
    if (M === 0) {
      exact[r] = 1;
      continue;
    }
    if (M === 1) {
      values[r * width + players[0]!] = delta;
      exact[r] = 1;
      continue;
    }
    const budget = options.nsamples ?? 2 * M + 2048;
    const coalitions = kernelCoalitions(M, budget, random);
    samples[r] = coalitions.count;
    exact[r] = M <= 30 && coalitions.count >= 2 ** M - 2 ? 1 : 0;

    // E_background f(h_x(z)) for every coalition z, in batches of whole coalitions.
    const ey = new Float64Array(coalitions.count);
    const perBatch = Math.max(1, Math.floor(batchSize / R));
    for (let c0 = 0; c0 < coalitions.count; c0 += perBatch) {
      const c1 = Math.min(coalitions.count, c0 + perBatch);
      const batch = new Float32Array((c1 - c0) * R * cols);
      for (let c = c0; c < c1; c++) {
        const mo = c * M;
        for (let b = 0; b < R; b++) {
          const o = ((c - c0) * R + b) * cols;
          batch.set(bg.values.subarray(b * cols, (b + 1) * cols), o);
          for (let i = 0; i < M; i++) if (coalitions.masks[mo + i] === 1) batch[o + players[i]!] = x.values[xo + players[i]!]!;
        }
      }
      const out = model({ rows: (c1 - c0) * R, cols, values: batch });
      for (let c = c0; c < c1; c++) ey[c] = weightedMean(out, (c - c0) * R);
    }

    // Eliminate the last player with the efficiency constraint, then solve the weighted regression.
    const p = M - 1;
    const X = new Float64Array(coalitions.count * p);
    const y = new Float64Array(coalitions.count);
    for (let c = 0; c < coalitions.count; c++) {
      const mo = c * M;
      const last = coalitions.masks[mo + p]!;
      y[c] = applyLink(link, ey[c]!) - expectedValue - last * delta;
      for (let i = 0; i < p; i++) X[c * p + i] = coalitions.masks[mo + i]! - last;
    }
    const beta = weightedLeastSquares(X, y, coalitions.weights, coalitions.count, p);
    let sum = 0;
    for (let i = 0; i < p; i++) {
      values[r * width + players[i]!] = beta[i]!;
      sum += beta[i]!;
    }
    values[r * width + players[p]!] = delta - sum;
  }
  return { rows: x.rows, width, values, expectedValue, samples, exact };
}

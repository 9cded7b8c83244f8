/**
 * @module ml/gbdt/split-math
 * Newton leaf weights and split gains with XGBoost's regularisation and float32 rounding
 * (algorithms-and-formats.md §1.5 items 4 and "Weights"; XGBoost 1.7 `param.h` CalcWeight,
 * `split_evaluator.h` CalcGainGivenWeight). Sums G, H are float64; results are float32.
 */

/** Regularisation parameters, already rounded to float32 as XGBoost stores them. */
export interface SplitParams {
  readonly lambda: number;
  readonly alpha: number;
  readonly minChildWeight: number;
  readonly maxDeltaStep: number;
}

/** Soft threshold T(G) by α (L1 regularisation). */
export function thresholdL1(g: number, alpha: number): number {
  if (g > alpha) return g - alpha;
  if (g < -alpha) return g + alpha;
  return 0;
}

/** Leaf weight w = -T(G)/(H+λ), 0 below `min_child_weight`, clipped to ±max_delta_step; float32. */
export function calcWeight(p: SplitParams, g: number, h: number): number {
  if (h < p.minChildWeight || h <= 0) return 0;
  let w = -thresholdL1(g, p.alpha) / (h + p.lambda);
  if (p.maxDeltaStep !== 0 && Math.abs(w) > p.maxDeltaStep) w = w < 0 ? -p.maxDeltaStep : p.maxDeltaStep;
  return Math.fround(w);
}

/**
 * Structure score of a node: T(G)²/(H+λ); under max_delta_step XGBoost's weight-based form
 * -(2·G·w + (H+λ)·w²) in float32 with the clipped weight w and the raw (not soft-thresholded) G.
 */
export function calcGain(p: SplitParams, g: number, h: number): number {
  if (h <= 0) return 0;
  if (p.maxDeltaStep === 0) {
    const t = thresholdL1(g, p.alpha);
    return Math.fround((t * t) / (h + p.lambda));
  }
  const w = calcWeight(p, g, h);
  const gf = Math.fround(g);
  const hl = Math.fround(Math.fround(h) + p.lambda);
  return Math.fround(-Math.fround(Math.fround(Math.fround(2 * gf) * w) + Math.fround(hl * Math.fround(w * w))));
}

/**
 * @module ml/challenge/weighted-auc
 * ROC AUC under integer or real row weights, equal to scikit-learn's
 * `roc_auc_score(y, s, sample_weight=w)`: the weighted share of (positive, negative) pairs the
 * score orders correctly, ties counting one half (the trapezoidal ROC area is exactly this
 * Mann–Whitney form). The rows are ranked once; each weighting then costs one O(n) pass, which
 * is what makes a bootstrap of thousands of replicates cheap (a replicate is a weighting by
 * draw multiplicities).
 */
import type { BinaryLabels } from '../metrics/index.js';

/** Rows in increasing score order with the boundaries of their tie groups. */
export interface RankedScores {
  readonly order: Int32Array;
  /** `groupEnd[g]` is one past the last position (in `order`) of tie group g. */
  readonly groupEnd: Int32Array;
}

export function rankScores(scores: ArrayLike<number>): RankedScores {
  const n = scores.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]! || a - b);
  const ends: number[] = [];
  for (let k = 0; k < n; k++) {
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[order[k]!]) ends.push(k + 1);
  }
  return { order, groupEnd: Int32Array.from(ends) };
}

/**
 * Weighted ROC AUC: Σ w_i w_j ([s_i > s_j] + ½[s_i = s_j]) over positives i and negatives j,
 * divided by W₊·W₋. NaN when either class has zero weight (sklearn refuses that case).
 */
export function weightedAuc(labels: BinaryLabels, ranked: RankedScores, weights?: ArrayLike<number>): number {
  const { order, groupEnd } = ranked;
  let negBelow = 0;
  let numerator = 0;
  let posTotal = 0;
  let start = 0;
  for (let g = 0; g < groupEnd.length; g++) {
    const end = groupEnd[g]!;
    let pos = 0;
    let neg = 0;
    for (let k = start; k < end; k++) {
      const i = order[k]!;
      const w = weights === undefined ? 1 : weights[i]!;
      if (labels[i] === 1) pos += w;
      else neg += w;
    }
    numerator += pos * (negBelow + 0.5 * neg);
    negBelow += neg;
    posTotal += pos;
    start = end;
  }
  if (posTotal === 0 || negBelow === 0) return Number.NaN;
  return numerator / (posTotal * negBelow);
}

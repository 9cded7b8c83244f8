/**
 * @module ml/gbdt/eval-metrics
 * The per-round evaluation metrics XGBoost logs during training (its `eval_metric` names):
 * weighted means over rows, computed in float64 from float32 predictions. These serve training
 * logs and early stopping; the validated metric suite for reports lives in the metrics module.
 */
import type { EvalMetricName } from './params.js';
import { argsortFloat32 } from './radix-sort.js';

const EPS = 1e-16;

/**
 * Evaluates `metric` on predictions `pred` (probabilities for logistic objectives, values for
 * regression, `groups` class probabilities per row for multiclass) against labels `y`.
 */
export function evalMetric(metric: EvalMetricName, pred: Float32Array, y: Float32Array, weight: Float32Array | undefined, groups: number): number {
  const n = y.length;
  let sum = 0;
  let wsum = 0;
  switch (metric) {
    case 'logloss':
      for (let i = 0; i < n; i++) {
        const w = weight === undefined ? 1 : weight[i]!;
        const p = pred[i]!;
        const t = y[i]!;
        sum += -w * (t * Math.log(Math.max(p, EPS)) + (1 - t) * Math.log(Math.max(1 - p, EPS)));
        wsum += w;
      }
      return sum / wsum;
    case 'error':
      for (let i = 0; i < n; i++) {
        const w = weight === undefined ? 1 : weight[i]!;
        sum += (pred[i]! > 0.5 ? 1 : 0) !== y[i] ? w : 0;
        wsum += w;
      }
      return sum / wsum;
    case 'rmse':
      for (let i = 0; i < n; i++) {
        const w = weight === undefined ? 1 : weight[i]!;
        const d = pred[i]! - y[i]!;
        sum += w * d * d;
        wsum += w;
      }
      return Math.sqrt(sum / wsum);
    case 'mlogloss':
      for (let i = 0; i < n; i++) {
        const w = weight === undefined ? 1 : weight[i]!;
        const p = pred[i * groups + y[i]!]!;
        sum += -w * Math.log(Math.max(p, EPS));
        wsum += w;
      }
      return sum / wsum;
    case 'merror':
      for (let i = 0; i < n; i++) {
        const w = weight === undefined ? 1 : weight[i]!;
        let bestK = 0;
        for (let k = 1; k < groups; k++) if (pred[i * groups + k]! > pred[i * groups + bestK]!) bestK = k;
        sum += bestK !== y[i] ? w : 0;
        wsum += w;
      }
      return sum / wsum;
    case 'auc':
      return rocAuc(pred, y, weight);
  }
}

/** Whether larger values of the metric are better (for early stopping). */
export function maximizes(metric: EvalMetricName): boolean {
  return metric === 'auc';
}

/** Weighted ROC AUC with tied scores counted as half (trapezoid rule); NaN with one class only. */
export function rocAuc(score: Float32Array, y: Float32Array, weight: Float32Array | undefined): number {
  const n = y.length;
  // Ascending order, walked from the top score down; ties form one step of the ROC curve.
  const order = argsortFloat32(score.length === n ? score : score.subarray(0, n));
  let tp = 0;
  let fp = 0;
  let area = 0;
  let i = n - 1;
  while (i >= 0) {
    const s = score[order[i]!]!;
    let dtp = 0;
    let dfp = 0;
    while (i >= 0 && score[order[i]!] === s) {
      const r = order[i]!;
      const w = weight === undefined ? 1 : weight[r]!;
      if (y[r]! > 0.5) dtp += w;
      else dfp += w;
      i--;
    }
    area += dfp * (tp + dtp / 2);
    tp += dtp;
    fp += dfp;
  }
  return tp > 0 && fp > 0 ? area / (tp * fp) : Number.NaN;
}

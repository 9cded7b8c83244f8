/**
 * @module ml/metrics/binary-curves
 * ROC and precision–recall curves for binary scores, following scikit-learn's `_binary_clf_curve`:
 * scores sorted in decreasing order, one curve point per distinct score (ties collapse into one
 * step), so ROC AUC by the trapezoidal rule gives tied scores half credit and average precision is
 * the step-wise sum Σ (R_k − R_{k−1}) P_k (sklearn.metrics.average_precision_score).
 */
import { ensure } from '../../kernel/index.js';

/** Labels as 0/1 (any value other than 1 counts as negative); scores as real numbers. */
export type BinaryLabels = ArrayLike<number>;

/** Cumulative counts at each distinct score, highest score first. */
export interface ClfCurveCounts {
  /** Distinct scores in decreasing order. */
  readonly thresholds: Float64Array;
  /** True positives among rows with score ≥ threshold. */
  readonly tps: Float64Array;
  /** False positives among rows with score ≥ threshold. */
  readonly fps: Float64Array;
}

export function validateBinaryInput(labels: BinaryLabels, scores: ArrayLike<number>): void {
  ensure(labels.length === scores.length, `labels (${labels.length}) and scores (${scores.length}) differ in length`);
  ensure(labels.length > 0, 'no rows to evaluate');
  for (let i = 0; i < scores.length; i++) {
    ensure(Number.isFinite(scores[i]), `score at row ${i} is not a finite number`, 'INVALID_INPUT', { row: i });
    const y = labels[i]!;
    ensure(y === 0 || y === 1, `label at row ${i} is ${y}; binary labels must be 0 or 1`, 'INVALID_INPUT', { row: i });
  }
}

/** Counts of the binary classification curve (sklearn `_binary_clf_curve`). */
export function binaryClfCurve(labels: BinaryLabels, scores: ArrayLike<number>): ClfCurveCounts {
  validateBinaryInput(labels, scores);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i);
  // Stable order by decreasing score; within ties the order does not matter because ties collapse.
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  const thresholds: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (labels[i] === 1) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      thresholds.push(scores[i]!);
      tps.push(tp);
      fps.push(fp);
    }
  }
  return { thresholds: Float64Array.from(thresholds), tps: Float64Array.from(tps), fps: Float64Array.from(fps) };
}

/** A ROC curve as sklearn's `roc_curve(drop_intermediate=True)` returns it; the first threshold is +Infinity. */
export interface RocCurve {
  readonly fpr: Float64Array;
  readonly tpr: Float64Array;
  readonly thresholds: Float64Array;
}

/**
 * ROC curve points. Collinear intermediate points are dropped as in sklearn (they do not change the
 * area or the KS statistic); the curve starts at (0, 0) with threshold +Infinity (sklearn ≥ 1.3).
 */
export function rocCurve(labels: BinaryLabels, scores: ArrayLike<number>): RocCurve {
  const { thresholds, tps, fps } = binaryClfCurve(labels, scores);
  const m = thresholds.length;
  const keep: number[] = [];
  for (let k = 0; k < m; k++) {
    if (k === 0 || k === m - 1) {
      keep.push(k);
      continue;
    }
    const d2f = fps[k + 1]! - 2 * fps[k]! + fps[k - 1]!;
    const d2t = tps[k + 1]! - 2 * tps[k]! + tps[k - 1]!;
    if (d2f !== 0 || d2t !== 0) keep.push(k);
  }
  const totalP = tps[m - 1]!;
  const totalN = fps[m - 1]!;
  const fpr = new Float64Array(keep.length + 1);
  const tpr = new Float64Array(keep.length + 1);
  const thr = new Float64Array(keep.length + 1);
  thr[0] = Number.POSITIVE_INFINITY;
  keep.forEach((k, j) => {
    fpr[j + 1] = totalN === 0 ? Number.NaN : fps[k]! / totalN;
    tpr[j + 1] = totalP === 0 ? Number.NaN : tps[k]! / totalP;
    thr[j + 1] = thresholds[k]!;
  });
  return { fpr, tpr, thresholds: thr };
}

/** A precision–recall curve in sklearn's order: recall decreasing, ending at (recall 0, precision 1). */
export interface PrCurve {
  readonly precision: Float64Array;
  readonly recall: Float64Array;
  /** One fewer than the points: threshold of each point but the final (0, 1). */
  readonly thresholds: Float64Array;
}

/** Precision–recall curve (sklearn `precision_recall_curve`, stopping once full recall is reached). */
export function precisionRecallCurve(labels: BinaryLabels, scores: ArrayLike<number>): PrCurve {
  const { thresholds, tps, fps } = binaryClfCurve(labels, scores);
  const m = thresholds.length;
  const totalP = tps[m - 1]!;
  let last = 0;
  while (last < m - 1 && tps[last]! < totalP) last++;
  const count = last + 1;
  const precision = new Float64Array(count + 1);
  const recall = new Float64Array(count + 1);
  const thr = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    const k = last - j;
    const predicted = tps[k]! + fps[k]!;
    precision[j] = predicted === 0 ? 0 : tps[k]! / predicted;
    recall[j] = totalP === 0 ? Number.NaN : tps[k]! / totalP;
    thr[j] = thresholds[k]!;
  }
  precision[count] = 1;
  recall[count] = 0;
  return { precision, recall, thresholds: thr };
}

/** Trapezoidal area under (x, y), x monotone (sklearn `auc`). */
export function trapezoidArea(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
  return area;
}

/** ROC AUC with ties handled as in sklearn (tied scores form one diagonal step). NaN when one class is absent. */
export function rocAuc(labels: BinaryLabels, scores: ArrayLike<number>): number {
  const { fpr, tpr } = rocCurve(labels, scores);
  return trapezoidArea(fpr, tpr);
}

/** Average precision (PR AUC), sklearn's step definition AP = Σ (R_k − R_{k−1}) P_k. NaN without positives. */
export function averagePrecision(labels: BinaryLabels, scores: ArrayLike<number>): number {
  const { precision, recall } = precisionRecallCurve(labels, scores);
  let ap = 0;
  for (let j = 0; j < recall.length - 1; j++) ap -= (recall[j + 1]! - recall[j]!) * precision[j]!;
  return ap;
}

/** Kolmogorov–Smirnov statistic of a scorecard: max over thresholds of TPR − FPR. */
export function ksStatistic(labels: BinaryLabels, scores: ArrayLike<number>): number {
  const { fpr, tpr } = rocCurve(labels, scores);
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < fpr.length; i++) best = Math.max(best, tpr[i]! - fpr[i]!);
  return best;
}

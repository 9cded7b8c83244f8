/**
 * @module ml/metrics/binary-metrics
 * Scalar metrics for binary classifiers, defined as scikit-learn 1.2 defines them (the golden
 * reference, test/fixtures/golden/stats/binary_metrics.json). A row is predicted positive when
 * `score >= threshold` (sklearn users threshold with `>=`; note Clarify's bias metrics use `>`).
 * Ratios with a zero denominator are 0, as sklearn's `zero_division="warn"` returns.
 */
import { ensure } from '../../kernel/index.js';
import { averagePrecision, type BinaryLabels, ksStatistic, rocAuc, validateBinaryInput } from './binary-curves.js';

/** float64 machine epsilon: sklearn's `log_loss(eps="auto")` clips probabilities to [eps, 1 − eps]. */
export const FLOAT64_EPS = 2.220446049250313e-16;

/** Confusion counts at a threshold. */
export interface ConfusionCounts {
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
}

/** Counts of predicted (score ≥ threshold) against true labels. */
export function confusionAtThreshold(labels: BinaryLabels, scores: ArrayLike<number>, threshold = 0.5): ConfusionCounts {
  validateBinaryInput(labels, scores);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const predicted = scores[i]! >= threshold;
    if (labels[i] === 1) {
      if (predicted) tp++;
      else fn++;
    } else if (predicted) fp++;
    else tn++;
  }
  return { tp, fp, tn, fn };
}

function ratio(num: number, den: number): number {
  return den === 0 ? 0 : num / den;
}

/** scikit-learn's warning when a predicted class never occurs among the true labels. */
export const BALANCED_ACCURACY_ABSENT_CLASS_WARNING = 'y_pred contains classes not in y_true';

/**
 * sklearn's `balanced_accuracy_score`: the mean recall over the classes of the confusion matrix
 * (the classes in y_true or y_pred). A class predicted but absent from y_true has recall 0/0; sklearn
 * warns "y_pred contains classes not in y_true" and leaves it out. So a single-class label scores
 * the recall of that class (1.0 when every row is predicted right), not the mean with a 0.
 */
export function balancedAccuracyFromCounts(c: ConfusionCounts): { value: number; warnings: string[] } {
  const recalls: number[] = [];
  const warnings: string[] = [];
  const classes: [number, number, number][] = [
    [c.tn, c.tn + c.fp, c.fn],
    [c.tp, c.tp + c.fn, c.fp],
  ];
  for (const [hits, actual, predictedElsewhere] of classes) {
    if (actual > 0) recalls.push(hits / actual);
    else if (predictedElsewhere > 0 && !warnings.includes(BALANCED_ACCURACY_ABSENT_CLASS_WARNING)) warnings.push(BALANCED_ACCURACY_ABSENT_CLASS_WARNING);
  }
  const value = recalls.length === 0 ? Number.NaN : recalls.reduce((s, r) => s + r, 0) / recalls.length;
  return { value, warnings };
}

/** F-beta from counts, as sklearn computes it: (1+β²)·tp / ((1+β²)·tp + β²·fn + fp). */
export function fBeta(c: ConfusionCounts, beta: number): number {
  const b2 = beta * beta;
  return ratio((1 + b2) * c.tp, (1 + b2) * c.tp + b2 * c.fn + c.fp);
}

/** Matthews correlation coefficient through sklearn's covariance form (0 when a margin is constant). */
export function matthewsFromConfusion(matrix: readonly (readonly number[])[]): number {
  const k = matrix.length;
  const tSum = new Array<number>(k).fill(0);
  const pSum = new Array<number>(k).fill(0);
  let correct = 0;
  let n = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = matrix[i]![j]!;
      tSum[i]! += v;
      pSum[j]! += v;
      n += v;
      if (i === j) correct += v;
    }
  }
  let tp = 0;
  let pp = 0;
  let tt = 0;
  for (let i = 0; i < k; i++) {
    tp += tSum[i]! * pSum[i]!;
    pp += pSum[i]! * pSum[i]!;
    tt += tSum[i]! * tSum[i]!;
  }
  const covYtYp = correct * n - tp;
  const covYpYp = n * n - pp;
  const covYtYt = n * n - tt;
  if (covYpYp * covYtYt === 0) return 0;
  return covYtYp / Math.sqrt(covYtYt * covYpYp);
}

/** Binary log loss with sklearn 1.2's conventions: clip to [eps, 1−eps], renormalise the two columns, mean. */
export function binaryLogLoss(labels: BinaryLabels, probabilities: ArrayLike<number>): number {
  validateBinaryInput(labels, probabilities);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(probabilities[i]!, FLOAT64_EPS), 1 - FLOAT64_EPS);
    const q = 1 - p;
    const total = q + p;
    sum -= Math.log((labels[i] === 1 ? p : q) / total);
  }
  return sum / labels.length;
}

/** Brier score: mean squared difference between the probability and the 0/1 outcome. */
export function brierScore(labels: BinaryLabels, probabilities: ArrayLike<number>): number {
  validateBinaryInput(labels, probabilities);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const d = labels[i]! - probabilities[i]!;
    sum += d * d;
  }
  return sum / labels.length;
}

/** One bin of a calibration table. */
export interface CalibrationBin {
  readonly bin: number;
  readonly count: number;
  readonly lower: number;
  readonly upper: number;
  readonly meanPredicted: number;
  readonly observedRate: number;
}

/**
 * Calibration table as sklearn's `calibration_curve(strategy="quantile", n_bins)` bins it: edges at
 * the linear-interpolated percentiles 0, 100/n, …, 100 of the scores, a score goes to the first bin
 * whose upper edge it does not exceed (`searchsorted` left on the inner edges); empty bins are omitted.
 * `lower`/`upper` are the bin's edges.
 */
export function calibrationTable(labels: BinaryLabels, probabilities: ArrayLike<number>, bins = 10): CalibrationBin[] {
  validateBinaryInput(labels, probabilities);
  ensure(Number.isInteger(bins) && bins >= 1, 'calibration bins must be a positive integer');
  const sorted = Float64Array.from(probabilities).sort();
  const n = sorted.length;
  const edges = new Float64Array(bins + 1);
  for (let b = 0; b <= bins; b++) edges[b] = linearQuantile(sorted, b / bins);
  const count = new Float64Array(bins);
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const p = probabilities[i]!;
    let b = 0;
    while (b < bins - 1 && edges[b + 1]! < p) b++;
    count[b]!++;
    sumP[b]! += p;
    sumY[b]! += labels[i]!;
  }
  const table: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    table.push({
      bin: b,
      count: count[b]!,
      lower: edges[b]!,
      upper: edges[b + 1]!,
      meanPredicted: sumP[b]! / count[b]!,
      observedRate: sumY[b]! / count[b]!,
    });
  }
  return table;
}

/** numpy's default ('linear') quantile of sorted data at fraction q. */
export function linearQuantile(sorted: ArrayLike<number>, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const t = pos - lo;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  // numpy's _lerp interpolates from the nearer end for t ≥ 0.5.
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/** Every binary metric Attest reports for a scorer. */
export interface BinaryMetrics {
  readonly threshold: number;
  readonly rows: number;
  readonly positives: number;
  readonly rocAuc: number;
  readonly averagePrecision: number;
  readonly logLoss: number;
  readonly brier: number;
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly f0_5: number;
  readonly f2: number;
  readonly balancedAccuracy: number;
  readonly matthewsCorrcoef: number;
  /** Rows = true class (0, 1), columns = predicted class (0, 1), as sklearn's confusion_matrix. */
  readonly confusionMatrix: readonly [readonly [number, number], readonly [number, number]];
  readonly ks: number;
  readonly gini: number;
  readonly calibration: readonly CalibrationBin[];
  /** sklearn's warnings for these metrics (e.g. balanced accuracy on a single-class label). */
  readonly warnings: readonly string[];
}

/**
 * All binary metrics at once. `scores` are probabilities of the positive class (log loss, Brier
 * and calibration need probabilities); predicted positive when `score >= threshold`.
 * @example binaryMetrics(Float64Array.of(0, 1, 1), Float64Array.of(0.2, 0.7, 0.4)).rocAuc // 0.5
 */
export function binaryMetrics(labels: BinaryLabels, scores: ArrayLike<number>, threshold = 0.5): BinaryMetrics {
  const c = confusionAtThreshold(labels, scores, threshold);
  const n = c.tp + c.fp + c.tn + c.fn;
  const auc = rocAuc(labels, scores);
  const recall = ratio(c.tp, c.tp + c.fn);
  const balanced = balancedAccuracyFromCounts(c);
  return {
    threshold,
    rows: n,
    positives: c.tp + c.fn,
    rocAuc: auc,
    averagePrecision: averagePrecision(labels, scores),
    logLoss: binaryLogLoss(labels, scores),
    brier: brierScore(labels, scores),
    accuracy: (c.tp + c.tn) / n,
    precision: ratio(c.tp, c.tp + c.fp),
    recall,
    f1: fBeta(c, 1),
    f0_5: fBeta(c, 0.5),
    f2: fBeta(c, 2),
    balancedAccuracy: balanced.value,
    matthewsCorrcoef: matthewsFromConfusion([
      [c.tn, c.fp],
      [c.fn, c.tp],
    ]),
    confusionMatrix: [
      [c.tn, c.fp],
      [c.fn, c.tp],
    ],
    ks: ksStatistic(labels, scores),
    gini: 2 * auc - 1,
    calibration: calibrationTable(labels, scores, 10),
    warnings: balanced.warnings,
  };
}

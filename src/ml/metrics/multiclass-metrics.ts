/**
 * @module ml/metrics/multiclass-metrics
 * Multiclass metrics with scikit-learn 1.2's definitions: per-class precision/recall/F1 over the
 * classes present in the true or predicted labels (sklearn `unique_labels`), 0 for a 0/0 ratio,
 * macro = unweighted mean, weighted = mean weighted by true support; log loss with probabilities
 * clipped to [eps, 1 − eps] and each row renormalised.
 */
import { ensure } from '../../kernel/index.js';
import { FLOAT64_EPS, matthewsFromConfusion } from './binary-metrics.js';

/** Per-class precision, recall, F1 and support. */
export interface ClassReport {
  readonly label: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface MulticlassLabelMetrics {
  readonly rows: number;
  readonly accuracy: number;
  readonly macroPrecision: number;
  readonly macroRecall: number;
  readonly macroF1: number;
  readonly weightedPrecision: number;
  readonly weightedRecall: number;
  readonly weightedF1: number;
  readonly matthewsCorrcoef: number;
  readonly perClass: readonly ClassReport[];
  /** Rows = true class, columns = predicted class, both in the order of `perClass`. */
  readonly confusionMatrix: readonly (readonly number[])[];
}

export interface MulticlassMetrics extends MulticlassLabelMetrics {
  readonly logLoss: number;
}

function ratio(num: number, den: number): number {
  return den === 0 ? 0 : num / den;
}

/** Metrics from true and predicted class labels (integers). */
export function multiclassLabelMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>): MulticlassLabelMetrics {
  const n = actual.length;
  ensure(n === predicted.length, `actual (${n}) and predicted (${predicted.length}) differ in length`);
  ensure(n > 0, 'no rows to evaluate');
  const classes = new Set<number>();
  for (let i = 0; i < n; i++) {
    ensure(Number.isInteger(actual[i]) && Number.isInteger(predicted[i]), `row ${i}: class labels must be integers`, 'INVALID_INPUT', { row: i });
    classes.add(actual[i]!);
    classes.add(predicted[i]!);
  }
  const labels = [...classes].sort((a, b) => a - b);
  const index = new Map(labels.map((l, i) => [l, i]));
  const k = labels.length;
  const matrix = labels.map(() => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const t = index.get(actual[i]!)!;
    const p = index.get(predicted[i]!)!;
    matrix[t]![p]!++;
    if (t === p) correct++;
  }
  const perClass: ClassReport[] = labels.map((label, c) => {
    let tp = 0;
    let predictedCount = 0;
    let support = 0;
    for (let j = 0; j < k; j++) {
      predictedCount += matrix[j]![c]!;
      support += matrix[c]![j]!;
    }
    tp = matrix[c]![c]!;
    const precision = ratio(tp, predictedCount);
    const recall = ratio(tp, support);
    // sklearn computes F from counts: 2·tp / (2·tp + fp + fn).
    const f1 = ratio(2 * tp, 2 * tp + (predictedCount - tp) + (support - tp));
    return { label, precision, recall, f1, support };
  });
  const mean = (f: (r: ClassReport) => number): number => perClass.reduce((s, r) => s + f(r), 0) / k;
  const weighted = (f: (r: ClassReport) => number): number => perClass.reduce((s, r) => s + f(r) * r.support, 0) / n;
  return {
    rows: n,
    accuracy: correct / n,
    macroPrecision: mean((r) => r.precision),
    macroRecall: mean((r) => r.recall),
    macroF1: mean((r) => r.f1),
    weightedPrecision: weighted((r) => r.precision),
    weightedRecall: weighted((r) => r.recall),
    weightedF1: weighted((r) => r.f1),
    matthewsCorrcoef: matthewsFromConfusion(matrix),
    perClass,
    confusionMatrix: matrix,
  };
}

/** Predicted class per row: the first column with the highest probability (numpy `argmax`). */
export function argmaxRows(probabilities: ArrayLike<number>, classCount: number): Int32Array {
  ensure(Number.isInteger(classCount) && classCount >= 2, 'classCount must be an integer ≥ 2');
  ensure(probabilities.length % classCount === 0, 'probabilities are not a whole number of rows');
  const n = probabilities.length / classCount;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classCount; c++) if (probabilities[i * classCount + c]! > probabilities[i * classCount + best]!) best = c;
    out[i] = best;
  }
  return out;
}

/**
 * Multiclass log loss: −mean ln p(true class), probabilities clipped to [eps, 1 − eps] and each row
 * renormalised (sklearn 1.2 `log_loss` with `labels = 0..K−1`).
 */
export function multiclassLogLoss(actual: ArrayLike<number>, probabilities: ArrayLike<number>, classCount: number): number {
  const n = actual.length;
  ensure(probabilities.length === n * classCount, `probabilities must hold ${n} × ${classCount} values`);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const y = actual[i]!;
    ensure(Number.isInteger(y) && y >= 0 && y < classCount, `row ${i}: label ${y} is not a class index in 0..${classCount - 1}`, 'INVALID_INPUT', { row: i });
    let total = 0;
    for (let c = 0; c < classCount; c++) total += Math.min(Math.max(probabilities[i * classCount + c]!, FLOAT64_EPS), 1 - FLOAT64_EPS);
    const p = Math.min(Math.max(probabilities[i * classCount + y]!, FLOAT64_EPS), 1 - FLOAT64_EPS);
    sum -= Math.log(p / total);
  }
  return sum / n;
}

/**
 * All multiclass metrics from class indices and a row-major n × K probability matrix
 * (predicted class = argmax).
 */
export function multiclassMetrics(actual: ArrayLike<number>, probabilities: ArrayLike<number>, classCount: number): MulticlassMetrics {
  const predicted = argmaxRows(probabilities, classCount);
  return { ...multiclassLabelMetrics(actual, predicted), logLoss: multiclassLogLoss(actual, probabilities, classCount) };
}

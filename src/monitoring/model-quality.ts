/**
 * @module monitoring/model-quality
 * Model Monitor's model-quality metric sets (algorithms-and-formats.md §3.5) for a window of
 * predictions merged with ground truth: binary classification, multiclass and regression. Every
 * scalar is `{ value, standard_deviation }`; the standard deviation comes from 5 random 80 %
 * subsamples (seeded) when there are at least 200 rows, else it is the string "NaN" as Model
 * Monitor writes it. Best-constant-classifier baselines: accuracy of always predicting the majority
 * class; recall, precision and F-scores of always predicting the positive class (binary) or the
 * majority class (multiclass, weighted). This is the monitoring view only; the general metric
 * library lives in ml/metrics.
 */
import { AppError, createRandom } from '../kernel/index.js';
import { rocAuc } from '../ml/metrics/index.js';

export interface MetricValue {
  value: number;
  standard_deviation: number | 'NaN';
}

const SUBSAMPLES = 5;
const MIN_ROWS_FOR_STD = 200;

/** value on all rows, std over 5 seeded 80 % subsamples (population std of the 5 values). */
function withStd(n: number, seed: number, metric: (idx: Int32Array) => number): MetricValue {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const value = metric(all);
  if (n < MIN_ROWS_FOR_STD) return { value, standard_deviation: 'NaN' };
  const rnd = createRandom(seed);
  const m = Math.floor(0.8 * n);
  const vals: number[] = [];
  for (let s = 0; s < SUBSAMPLES; s++) {
    const perm = all.slice();
    for (let i = 0; i < m; i++) {
      const j = i + rnd.nextInt(n - i);
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    vals.push(metric(perm.subarray(0, m)));
  }
  const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
  return { value, standard_deviation: Math.sqrt(vals.reduce((a, v) => a + (v - mean) ** 2, 0) / vals.length) };
}

function fBeta(precision: number, recall: number, beta: number): number {
  const b2 = beta * beta;
  const d = b2 * precision + recall;
  return d === 0 ? 0 : ((1 + b2) * precision * recall) / d;
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

function binaryCounts(labels: ArrayLike<number>, predicted: ArrayLike<number>, idx: Int32Array): Counts {
  const c: Counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const i of idx) {
    const y = labels[i]! === 1;
    const p = predicted[i]! === 1;
    if (y && p) c.tp++;
    else if (p) c.fp++;
    else if (y) c.fn++;
    else c.tn++;
  }
  return c;
}

/** ROC AUC (ties averaged, as scikit-learn) of `scores` for the rows in `idx`. */
function auc(labels: ArrayLike<number>, scores: ArrayLike<number>, idx: Int32Array): number {
  return rocAuc(Float64Array.from(idx, (i) => labels[i]!), Float64Array.from(idx, (i) => scores[i]!));
}

function curves(labels: ArrayLike<number>, scores: ArrayLike<number>): { roc: { false_positive_rates: number[]; true_positive_rates: number[] }; pr: { precisions: number[]; recalls: number[] } } {
  const order = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let P = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) P++;
  const N = labels.length - P;
  const fprs = [0];
  const tprs = [0];
  const precisions: number[] = [];
  const recalls: number[] = [];
  let tp = 0;
  let fp = 0;
  let i = 0;
  while (i < order.length) {
    const s = scores[order[i]!]!;
    while (i < order.length && scores[order[i]!]! === s) {
      if (labels[order[i]!] === 1) tp++;
      else fp++;
      i++;
    }
    fprs.push(N ? fp / N : 0);
    tprs.push(P ? tp / P : 0);
    precisions.push(tp / (tp + fp));
    recalls.push(P ? tp / P : 0);
  }
  return { roc: { false_positive_rates: fprs, true_positive_rates: tprs }, pr: { precisions, recalls } };
}

export interface BinaryClassificationMetrics {
  confusion_matrix: Record<'0' | '1', Record<'0' | '1', number>>;
  recall: MetricValue;
  precision: MetricValue;
  accuracy: MetricValue;
  recall_best_constant_classifier: MetricValue;
  precision_best_constant_classifier: MetricValue;
  accuracy_best_constant_classifier: MetricValue;
  true_positive_rate: MetricValue;
  true_negative_rate: MetricValue;
  false_positive_rate: MetricValue;
  false_negative_rate: MetricValue;
  receiver_operating_characteristic_curve?: { false_positive_rates: number[]; true_positive_rates: number[] };
  precision_recall_curve?: { precisions: number[]; recalls: number[] };
  auc?: MetricValue;
  f0_5: MetricValue;
  f1: MetricValue;
  f2: MetricValue;
  f0_5_best_constant_classifier: MetricValue;
  f1_best_constant_classifier: MetricValue;
  f2_best_constant_classifier: MetricValue;
}

/** Binary classification metrics; labels and predicted labels are 0/1, `scores` (optional) give AUC and curves. */
export function binaryClassificationMetrics(labels: ArrayLike<number>, predicted: ArrayLike<number>, scores?: ArrayLike<number>, seed = 0): BinaryClassificationMetrics {
  const n = labels.length;
  if (n === 0 || predicted.length !== n || (scores && scores.length !== n)) throw new AppError('INVALID_INPUT', { message: 'Labels, predictions and scores must be non-empty and of equal length' });
  const m = (f: (c: Counts, idx: Int32Array) => number) => withStd(n, seed, (idx) => f(binaryCounts(labels, predicted, idx), idx));
  const rate = (a: number, b: number) => (a + b === 0 ? 0 : a / (a + b));
  const positives = (c: Counts) => (c.tp + c.fn) / (c.tp + c.fp + c.fn + c.tn);
  const all = binaryCounts(labels, predicted, Int32Array.from({ length: n }, (_, i) => i));
  const out: BinaryClassificationMetrics = {
    confusion_matrix: { '0': { '0': all.tn, '1': all.fp }, '1': { '0': all.fn, '1': all.tp } },
    recall: m((c) => rate(c.tp, c.fn)),
    precision: m((c) => rate(c.tp, c.fp)),
    accuracy: m((c) => (c.tp + c.tn) / (c.tp + c.fp + c.fn + c.tn)),
    recall_best_constant_classifier: m((c) => (c.tp + c.fn > 0 ? 1 : 0)),
    precision_best_constant_classifier: m(positives),
    accuracy_best_constant_classifier: m((c) => Math.max(positives(c), 1 - positives(c))),
    true_positive_rate: m((c) => rate(c.tp, c.fn)),
    true_negative_rate: m((c) => rate(c.tn, c.fp)),
    false_positive_rate: m((c) => rate(c.fp, c.tn)),
    false_negative_rate: m((c) => rate(c.fn, c.tp)),
    f0_5: m((c) => fBeta(rate(c.tp, c.fp), rate(c.tp, c.fn), 0.5)),
    f1: m((c) => fBeta(rate(c.tp, c.fp), rate(c.tp, c.fn), 1)),
    f2: m((c) => fBeta(rate(c.tp, c.fp), rate(c.tp, c.fn), 2)),
    f0_5_best_constant_classifier: m((c) => fBeta(positives(c), 1, 0.5)),
    f1_best_constant_classifier: m((c) => fBeta(positives(c), 1, 1)),
    f2_best_constant_classifier: m((c) => fBeta(positives(c), 1, 2)),
  };
  if (scores) {
    out.auc = withStd(n, seed, (idx) => auc(labels, scores, idx));
    const cv = curves(labels, scores);
    out.receiver_operating_characteristic_curve = cv.roc;
    out.precision_recall_curve = cv.pr;
  }
  return out;
}

export interface RegressionMetrics {
  mae: MetricValue;
  mse: MetricValue;
  rmse: MetricValue;
  r2: MetricValue;
}

/** mae, mse, rmse and r2 with subsample standard deviations. */
export function regressionMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>, seed = 0): RegressionMetrics {
  const n = actual.length;
  if (n === 0 || predicted.length !== n) throw new AppError('INVALID_INPUT', { message: 'Actual and predicted values must be non-empty and of equal length' });
  const mse = (idx: Int32Array) => {
    let s = 0;
    for (const i of idx) s += (actual[i]! - predicted[i]!) ** 2;
    return s / idx.length;
  };
  const r2 = (idx: Int32Array) => {
    let mean = 0;
    for (const i of idx) mean += actual[i]!;
    mean /= idx.length;
    let ss = 0;
    for (const i of idx) ss += (actual[i]! - mean) ** 2;
    return 1 - (mse(idx) * idx.length) / ss;
  };
  return {
    mae: withStd(n, seed, (idx) => {
      let s = 0;
      for (const i of idx) s += Math.abs(actual[i]! - predicted[i]!);
      return s / idx.length;
    }),
    mse: withStd(n, seed, mse),
    rmse: withStd(n, seed, (idx) => Math.sqrt(mse(idx))),
    r2: withStd(n, seed, r2),
  };
}

export interface MulticlassMetrics {
  confusion_matrix: Record<string, Record<string, number>>;
  accuracy: MetricValue;
  weighted_recall: MetricValue;
  weighted_precision: MetricValue;
  weighted_f0_5: MetricValue;
  weighted_f1: MetricValue;
  weighted_f2: MetricValue;
  accuracy_best_constant_classifier: MetricValue;
  weighted_recall_best_constant_classifier: MetricValue;
  weighted_precision_best_constant_classifier: MetricValue;
  weighted_f0_5_best_constant_classifier: MetricValue;
  weighted_f1_best_constant_classifier: MetricValue;
  weighted_f2_best_constant_classifier: MetricValue;
}

/** Support-weighted per-class metrics over rows `idx` (scikit-learn's average='weighted'). */
function weighted(labels: readonly string[], predicted: (i: number) => string, idx: Int32Array, beta: number | 'recall' | 'precision'): number {
  const classes = new Map<string, { tp: number; fp: number; fn: number; support: number }>();
  const get = (k: string) => {
    let c = classes.get(k);
    if (!c) {
      c = { tp: 0, fp: 0, fn: 0, support: 0 };
      classes.set(k, c);
    }
    return c;
  };
  for (const i of idx) {
    const y = labels[i]!;
    const p = predicted(i);
    get(y).support++;
    if (y === p) get(y).tp++;
    else {
      get(y).fn++;
      get(p).fp++;
    }
  }
  let total = 0;
  let acc = 0;
  for (const c of classes.values()) {
    const precision = c.tp + c.fp === 0 ? 0 : c.tp / (c.tp + c.fp);
    const recall = c.tp + c.fn === 0 ? 0 : c.tp / (c.tp + c.fn);
    const v = beta === 'recall' ? recall : beta === 'precision' ? precision : fBeta(precision, recall, beta);
    acc += v * c.support;
    total += c.support;
  }
  return acc / total;
}

/** Accuracy and support-weighted recall/precision/F-scores with majority-class baselines. */
export function multiclassMetrics(labels: readonly string[], predicted: readonly string[], seed = 0): MulticlassMetrics {
  const n = labels.length;
  if (n === 0 || predicted.length !== n) throw new AppError('INVALID_INPUT', { message: 'Labels and predictions must be non-empty and of equal length' });
  const confusion: Record<string, Record<string, number>> = {};
  const freq = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const row = confusion[labels[i]!] ?? {};
    confusion[labels[i]!] = row;
    row[predicted[i]!] = (row[predicted[i]!] ?? 0) + 1;
    freq.set(labels[i]!, (freq.get(labels[i]!) ?? 0) + 1);
  }
  const majority = [...freq].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
  const real = (i: number) => predicted[i]!;
  const constant = () => majority;
  const metric = (p: (i: number) => string, kind: number | 'recall' | 'precision' | 'accuracy') =>
    withStd(n, seed, (idx) => {
      if (kind !== 'accuracy') return weighted(labels, p, idx, kind);
      let ok = 0;
      for (const i of idx) if (labels[i] === p(i)) ok++;
      return ok / idx.length;
    });
  return {
    confusion_matrix: confusion,
    accuracy: metric(real, 'accuracy'),
    weighted_recall: metric(real, 'recall'),
    weighted_precision: metric(real, 'precision'),
    weighted_f0_5: metric(real, 0.5),
    weighted_f1: metric(real, 1),
    weighted_f2: metric(real, 2),
    accuracy_best_constant_classifier: metric(constant, 'accuracy'),
    weighted_recall_best_constant_classifier: metric(constant, 'recall'),
    weighted_precision_best_constant_classifier: metric(constant, 'precision'),
    weighted_f0_5_best_constant_classifier: metric(constant, 0.5),
    weighted_f1_best_constant_classifier: metric(constant, 1),
    weighted_f2_best_constant_classifier: metric(constant, 2),
  };
}

export type ComparisonOperator = 'LessThanThreshold' | 'GreaterThanThreshold' | 'LessThanOrEqualToThreshold' | 'GreaterThanOrEqualToThreshold';

export interface ModelQualityViolation {
  constraint_check_type: 'model_quality_check';
  metric_name: string;
  description: string;
}

/**
 * Model Monitor's model-quality constraints: `{ metric: { threshold, comparison_operator } }`; a
 * violation is reported when `value <operator> threshold` holds (e.g. recall LessThanThreshold 0.7).
 */
export function checkModelQuality(
  metrics: Readonly<Record<string, unknown>>,
  constraints: Readonly<Record<string, { threshold: number; comparison_operator: ComparisonOperator }>>,
): ModelQualityViolation[] {
  const out: ModelQualityViolation[] = [];
  for (const [name, rule] of Object.entries(constraints)) {
    const m = metrics[name] as MetricValue | undefined;
    if (!m || typeof m.value !== 'number') throw new AppError('INVALID_INPUT', { message: `No metric ${name} in this metric set`, details: { metric: name } });
    const v = m.value;
    const t = rule.threshold;
    const hit =
      rule.comparison_operator === 'LessThanThreshold' ? v < t : rule.comparison_operator === 'GreaterThanThreshold' ? v > t : rule.comparison_operator === 'LessThanOrEqualToThreshold' ? v <= t : v >= t;
    if (hit) out.push({ constraint_check_type: 'model_quality_check', metric_name: name, description: `Metric ${name} with ${v} +/- ${m.standard_deviation} was ${rule.comparison_operator} '${t}'` });
  }
  return out;
}

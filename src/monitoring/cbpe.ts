/**
 * @module monitoring/cbpe
 * Confidence-based performance estimation (CBPE) for binary classifiers, after NannyML's method:
 * with calibrated probabilities pᵢ = P(y=1 | score), the expected confusion matrix at a decision
 * threshold is TP = Σ_{ŷ=1} pᵢ, FP = Σ_{ŷ=1} (1−pᵢ), FN = Σ_{ŷ=0} pᵢ, TN = Σ_{ŷ=0} (1−pᵢ), from
 * which accuracy, precision, recall and F1 follow; ROC AUC is the area under the expected ROC
 * curve, TPR(t) = Σ_{s≥t} p / Σ p and FPR(t) = Σ_{s≥t} (1−p) / Σ (1−p). Estimates are unbiased only
 * if the calibration fitted on the reference still holds (no concept drift). Alert thresholds
 * are mean ± 3σ of the estimate over reference chunks.
 */
import { AppError } from '../kernel/index.js';
import type { Calibrator } from './calibration.js';
import { expectedCalibrationError, fitIsotonic, fitPlatt, IDENTITY_CALIBRATOR } from './calibration.js';

export type CbpeMetric = 'accuracy' | 'precision' | 'recall' | 'f1' | 'roc_auc';
export const CBPE_METRICS: readonly CbpeMetric[] = ['accuracy', 'precision', 'recall', 'f1', 'roc_auc'];

export interface ConfusionMatrix {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export type MetricValues = Record<CbpeMetric, number>;

function metricsFromConfusion(c: ConfusionMatrix): Omit<MetricValues, 'roc_auc'> {
  const n = c.tp + c.fp + c.fn + c.tn;
  return {
    accuracy: (c.tp + c.tn) / n,
    precision: c.tp / (c.tp + c.fp),
    recall: c.tp / (c.tp + c.fn),
    f1: (2 * c.tp) / (2 * c.tp + c.fp + c.fn),
  };
}

/** Area under the ROC curve of `weightsPos`/`weightsNeg` accumulated by descending score (ties as one step, trapezoids). */
function rocAuc(scores: Float64Array, pos: Float64Array, neg: Float64Array): number {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!);
  let totalP = 0;
  let totalN = 0;
  for (let i = 0; i < pos.length; i++) {
    totalP += pos[i]!;
    totalN += neg[i]!;
  }
  let tp = 0;
  let area = 0;
  let i = 0;
  while (i < order.length) {
    const s = scores[order[i]!]!;
    let dp = 0;
    let dn = 0;
    while (i < order.length && scores[order[i]!]! === s) {
      dp += pos[order[i]!]!;
      dn += neg[order[i]!]!;
      i++;
    }
    area += (dn * (2 * tp + dp)) / 2;
    tp += dp;
  }
  return area / (totalP * totalN);
}

/** Realised metrics from labels (for the side-by-side comparison once ground truth arrives). */
export function realisedMetrics(scores: Float64Array, labels: Float64Array, threshold = 0.5): MetricValues & { confusion: ConfusionMatrix } {
  const c: ConfusionMatrix = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const pos = new Float64Array(labels.length);
  const neg = new Float64Array(labels.length);
  for (let i = 0; i < scores.length; i++) {
    const y = labels[i]! > 0.5;
    const yhat = scores[i]! >= threshold;
    if (yhat && y) c.tp++;
    else if (yhat) c.fp++;
    else if (y) c.fn++;
    else c.tn++;
    pos[i] = y ? 1 : 0;
    neg[i] = y ? 0 : 1;
  }
  return { ...metricsFromConfusion(c), roc_auc: rocAuc(scores, pos, neg), confusion: c };
}

/** Estimated metrics from calibrated probabilities alone. */
export function estimateMetrics(scores: Float64Array, calibrated: Float64Array, threshold = 0.5): MetricValues & { confusion: ConfusionMatrix } {
  const c: ConfusionMatrix = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const neg = new Float64Array(calibrated.length);
  for (let i = 0; i < scores.length; i++) {
    const p = calibrated[i]!;
    neg[i] = 1 - p;
    if (scores[i]! >= threshold) {
      c.tp += p;
      c.fp += 1 - p;
    } else {
      c.fn += p;
      c.tn += 1 - p;
    }
  }
  return { ...metricsFromConfusion(c), roc_auc: rocAuc(scores, calibrated, neg), confusion: c };
}

export interface CbpeOptions {
  /** Decision threshold on the raw score (default 0.5). */
  threshold?: number;
  /**
   * 'auto' (default) keeps the scores as probabilities when their expected calibration error on the
   * reference is within `calibrationWarningEce` (refitting would only add sampling noise) and fits
   * isotonic calibration otherwise.
   */
  calibration?: 'auto' | 'isotonic' | 'platt' | 'none';
  /** Rows per reference chunk for the alert thresholds (default: 10 chunks). */
  chunkSize?: number;
  /** ECE of the raw reference scores above which a calibration warning is raised (default 0.05). */
  calibrationWarningEce?: number;
}

export interface CbpeModel {
  threshold: number;
  calibrator: Calibrator;
  /** ECE of raw scores and of calibrated scores on the reference. */
  referenceEce: { raw: number; calibrated: number };
  warnings: string[];
  /** Per metric: reference chunk mean, std and the ±3σ band. */
  bands: Record<CbpeMetric, { mean: number; std: number; lower: number; upper: number }>;
}

/** Fits CBPE on a labelled reference set: calibration, warnings and alert bands. */
export function fitCbpe(scores: Float64Array, labels: Float64Array, options: CbpeOptions = {}): CbpeModel {
  if (scores.length !== labels.length || scores.length < 20) throw new AppError('INVALID_INPUT', { message: 'CBPE needs at least 20 labelled reference rows with one score each' });
  const threshold = options.threshold ?? 0.5;
  const clipped = scores.map((s) => IDENTITY_CALIBRATOR.predict(s));
  const rawEce = expectedCalibrationError(clipped, labels);
  const mode = options.calibration ?? 'auto';
  let calibrator: Calibrator;
  if (mode === 'isotonic') calibrator = fitIsotonic(scores, labels);
  else if (mode === 'platt') calibrator = fitPlatt(scores, labels);
  else if (mode === 'none') calibrator = IDENTITY_CALIBRATOR;
  else calibrator = rawEce > (options.calibrationWarningEce ?? 0.05) ? fitIsotonic(scores, labels) : IDENTITY_CALIBRATOR;
  const calibrated = scores.map((s) => calibrator.predict(s));
  const referenceEce = { raw: rawEce, calibrated: expectedCalibrationError(calibrated, labels) };
  const warnings: string[] = [];
  const limit = options.calibrationWarningEce ?? 0.05;
  if (referenceEce.raw > limit) warnings.push(`Scores are poorly calibrated on the reference (ECE ${referenceEce.raw.toFixed(4)} > ${limit}); estimates rely on the ${calibrator.method} calibration fitted there.`);
  const chunkSize = options.chunkSize ?? Math.max(10, Math.floor(scores.length / 10));
  const perChunk: Record<CbpeMetric, number[]> = { accuracy: [], precision: [], recall: [], f1: [], roc_auc: [] };
  for (let from = 0; from + chunkSize <= scores.length; from += chunkSize) {
    const est = estimateMetrics(scores.subarray(from, from + chunkSize), calibrated.subarray(from, from + chunkSize), threshold);
    for (const m of CBPE_METRICS) if (Number.isFinite(est[m])) perChunk[m].push(est[m]);
  }
  const bands = {} as CbpeModel['bands'];
  for (const m of CBPE_METRICS) {
    const xs = perChunk[m];
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, xs.length - 1));
    bands[m] = { mean, std, lower: mean - 3 * std, upper: mean + 3 * std };
  }
  return { threshold, calibrator, referenceEce, warnings, bands };
}

export interface CbpeEstimate {
  estimated: MetricValues;
  expectedConfusion: ConfusionMatrix;
  /** Metrics whose estimate leaves the reference band. */
  alerts: CbpeMetric[];
  /** Present when labels were supplied: realised figures and estimate − realised. */
  realised?: MetricValues;
  difference?: MetricValues;
}

/** Estimates performance on an unlabelled window; with `labels`, puts realised figures beside the estimates. */
export function estimateCbpe(model: CbpeModel, scores: Float64Array, labels?: Float64Array): CbpeEstimate {
  const calibrated = scores.map((s) => model.calibrator.predict(s));
  const est = estimateMetrics(scores, calibrated, model.threshold);
  const estimated: MetricValues = { accuracy: est.accuracy, precision: est.precision, recall: est.recall, f1: est.f1, roc_auc: est.roc_auc };
  const alerts = CBPE_METRICS.filter((m) => estimated[m] < model.bands[m].lower || estimated[m] > model.bands[m].upper);
  const out: CbpeEstimate = { estimated, expectedConfusion: est.confusion, alerts };
  if (labels) {
    const r = realisedMetrics(scores, labels, model.threshold);
    out.realised = { accuracy: r.accuracy, precision: r.precision, recall: r.recall, f1: r.f1, roc_auc: r.roc_auc };
    const diff = {} as MetricValues;
    for (const m of CBPE_METRICS) diff[m] = estimated[m] - out.realised[m];
    out.difference = diff;
  }
  return out;
}

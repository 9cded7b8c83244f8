/**
 * @module ml/challenge/score-summary
 * The metrics a challenger comparison, a back-test period and a stress scenario report, taken from
 * ml/metrics (scikit-learn 1.2's definitions: ROC AUC, KS = max(TPR − FPR), Gini = 2·AUC − 1,
 * log loss, Brier score, average precision, and the threshold metrics at `score ≥ threshold`).
 * A metric that is undefined on the rows (AUC when one class is absent) is null, so the result
 * stays valid JSON.
 */
import type { BinaryLabels } from '../metrics/index.js';
import { binaryMetrics, linearQuantile } from '../metrics/index.js';

export const SUMMARY_METRICS = ['auc', 'ks', 'gini', 'averagePrecision', 'logLoss', 'brier', 'accuracy', 'precision', 'recall', 'f1'] as const;
export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

export interface ScoreSummary {
  rows: number;
  positives: number;
  /** Share of rows with label 1 (the observed default rate in credit). */
  positiveRate: number;
  meanScore: number;
  metrics: Record<SummaryMetric, number | null>;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function summarizeScores(labels: BinaryLabels, scores: ArrayLike<number>, threshold: number): ScoreSummary {
  const m = binaryMetrics(labels, scores, threshold);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += scores[i]!;
  const twoClasses = m.positives > 0 && m.positives < m.rows;
  return {
    rows: m.rows,
    positives: m.positives,
    positiveRate: m.positives / m.rows,
    meanScore: sum / m.rows,
    metrics: {
      auc: twoClasses ? finite(m.rocAuc) : null,
      ks: twoClasses ? finite(m.ks) : null,
      gini: twoClasses ? finite(m.gini) : null,
      averagePrecision: m.positives > 0 ? finite(m.averagePrecision) : null,
      logLoss: finite(m.logLoss),
      brier: finite(m.brier),
      accuracy: finite(m.accuracy),
      precision: finite(m.precision),
      recall: finite(m.recall),
      f1: finite(m.f1),
    },
  };
}

/** The percentiles a score distribution is described by (numpy's default linear interpolation). */
export const SCORE_PERCENTILES = [1, 5, 10, 25, 50, 75, 90, 95, 99] as const;

export function scorePercentiles(scores: ArrayLike<number>): Record<string, number> {
  const sorted = Float64Array.from(scores).sort();
  const out: Record<string, number> = {};
  for (const p of SCORE_PERCENTILES) out[`p${p}`] = linearQuantile(sorted, p / 100);
  return out;
}

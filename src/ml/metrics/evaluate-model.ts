/**
 * @module ml/metrics/evaluate-model
 * The metric set behind `attest model evaluate`: one call from labels and model outputs to a plain
 * object, for binary, regression and multiclass models.
 */
import { AppError, ensure } from '../../kernel/index.js';
import { type BinaryMetrics, binaryMetrics } from './binary-metrics.js';
import { type MulticlassMetrics, multiclassMetrics } from './multiclass-metrics.js';
import { type RegressionMetrics, regressionMetrics } from './regression-metrics.js';

/** What to evaluate. */
export type EvaluationInput =
  | {
      readonly task: 'binary';
      /** 0/1 labels. */
      readonly labels: ArrayLike<number>;
      /** Probability of class 1 per row. */
      readonly predictions: ArrayLike<number>;
      /** Predicted positive when score ≥ threshold; default 0.5. */
      readonly threshold?: number;
    }
  | { readonly task: 'regression'; readonly labels: ArrayLike<number>; readonly predictions: ArrayLike<number> }
  | {
      readonly task: 'multiclass';
      /** Class indices 0..K−1. */
      readonly labels: ArrayLike<number>;
      /** Row-major n × K class probabilities. */
      readonly predictions: ArrayLike<number>;
      readonly classCount: number;
    };

export type EvaluationReport =
  | { readonly task: 'binary'; readonly metrics: BinaryMetrics }
  | { readonly task: 'regression'; readonly metrics: RegressionMetrics }
  | { readonly task: 'multiclass'; readonly classCount: number; readonly metrics: MulticlassMetrics };

/**
 * Computes the metric set for the task.
 * @example evaluateModel({ task: 'regression', labels: y, predictions: yHat }).metrics.rmse
 */
export function evaluateModel(input: EvaluationInput): EvaluationReport {
  switch (input.task) {
    case 'binary': {
      const threshold = input.threshold ?? 0.5;
      ensure(Number.isFinite(threshold), 'threshold must be a finite number');
      return { task: 'binary', metrics: binaryMetrics(input.labels, input.predictions, threshold) };
    }
    case 'regression':
      return { task: 'regression', metrics: regressionMetrics(input.labels, input.predictions) };
    case 'multiclass':
      return { task: 'multiclass', classCount: input.classCount, metrics: multiclassMetrics(input.labels, input.predictions, input.classCount) };
  }
}

/** The evaluation task for an XGBoost objective name (binary:*, reg:*, multi:*). */
export function taskForObjective(objective: string): EvaluationInput['task'] {
  if (objective.startsWith('binary:')) return 'binary';
  if (objective.startsWith('multi:')) return 'multiclass';
  if (objective.startsWith('reg:')) return 'regression';
  throw new AppError('MODEL_UNSUPPORTED', { message: `Cannot evaluate objective ${objective}`, details: { objective } });
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(6);
}

/** Human-readable lines for `attest model evaluate` without `--json`: "name  value" per metric. */
export function evaluationSummaryLines(report: EvaluationReport): string[] {
  const m = report.metrics;
  const pairs: [string, number][] =
    report.task === 'binary'
      ? [
          ['roc_auc', report.metrics.rocAuc],
          ['average_precision', report.metrics.averagePrecision],
          ['log_loss', report.metrics.logLoss],
          ['brier', report.metrics.brier],
          ['ks', report.metrics.ks],
          ['gini', report.metrics.gini],
          [`accuracy@${report.metrics.threshold}`, report.metrics.accuracy],
          ['precision', report.metrics.precision],
          ['recall', report.metrics.recall],
          ['f1', report.metrics.f1],
          ['balanced_accuracy', report.metrics.balancedAccuracy],
          ['mcc', report.metrics.matthewsCorrcoef],
        ]
      : report.task === 'regression'
        ? [
            ['rmse', report.metrics.rmse],
            ['mae', report.metrics.mae],
            ['r2', report.metrics.r2],
            ['mape', report.metrics.mape],
            ['explained_variance', report.metrics.explainedVariance],
          ]
        : [
            ['accuracy', report.metrics.accuracy],
            ['macro_f1', report.metrics.macroF1],
            ['weighted_f1', report.metrics.weightedF1],
            ['log_loss', report.metrics.logLoss],
          ];
  const width = Math.max(...pairs.map(([k]) => k.length));
  return [`task  ${report.task} (${m.rows} rows)`, ...pairs.map(([k, v]) => `${k.padEnd(width)}  ${fmt(v)}`)];
}

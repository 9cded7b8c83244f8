/**
 * @module ml/metrics/evaluate-model
 * The metric set behind `attest model evaluate`: one call from labels and model outputs to a plain
 * object, for binary, regression and multiclass models.
 */
import { ensure } from '../../kernel/index.js';
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

/**
 * @module ml/explain/permutation-importance
 * Permutation importance (Breiman 2001; Fisher, Rudin & Dominici 2019 "model reliance"): the
 * drop in a metric when one column is shuffled, repeated with seeded shuffles, as scikit-learn's
 * `permutation_importance` reports it (mean and standard deviation over repeats).
 */
import { createRandom } from '../../kernel/index.js';
import type { FeatureMatrix } from '../gbdt/index.js';
import type { ModelFunction } from './kernel-shap.js';

/** A score of predictions against labels, e.g. ROC AUC or negative log loss. */
export type Metric = (labels: Float64Array, predictions: Float64Array) => number;

export interface PermutationImportanceOptions {
  /** Default 5. */
  repeats?: number;
  seed?: number;
  /** Whether larger metric values are better (AUC) or worse (log loss); default true. */
  greaterIsBetter?: boolean;
  /** Columns to assess; default all. */
  features?: readonly number[];
}

export interface PermutationImportance {
  readonly feature: number;
  readonly name: string;
  /** Mean decrease in quality over repeats (positive = the feature matters). */
  readonly mean: number;
  readonly std: number;
  readonly decreases: number[];
}

export interface PermutationImportanceResult {
  readonly baseline: number;
  readonly features: PermutationImportance[];
}

/** Permutation importance of each column; deterministic for a seed. */
export function permutationImportance(
  model: ModelFunction,
  x: FeatureMatrix,
  labels: Float64Array,
  metric: Metric,
  featureNames: readonly string[],
  options: PermutationImportanceOptions = {},
): PermutationImportanceResult {
  const repeats = options.repeats ?? 5;
  const sign = (options.greaterIsBetter ?? true) ? 1 : -1;
  const random = createRandom(options.seed ?? 0);
  const baseline = metric(labels, model(x));
  const work = Float32Array.from(x.values);
  const order = new Int32Array(x.rows);
  const features = (options.features ?? Array.from({ length: x.cols }, (_, j) => j)).map((feature) => {
    const decreases: number[] = [];
    for (let k = 0; k < repeats; k++) {
      for (let i = 0; i < x.rows; i++) order[i] = i;
      for (let i = x.rows - 1; i > 0; i--) {
        const j = random.nextInt(i + 1);
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      for (let i = 0; i < x.rows; i++) work[i * x.cols + feature] = x.values[order[i]! * x.cols + feature]!;
      decreases.push(sign * (baseline - metric(labels, model({ rows: x.rows, cols: x.cols, values: work }))));
    }
    for (let i = 0; i < x.rows; i++) work[i * x.cols + feature] = x.values[i * x.cols + feature]!;
    const mean = decreases.reduce((s, v) => s + v, 0) / repeats;
    const std = Math.sqrt(decreases.reduce((s, v) => s + (v - mean) ** 2, 0) / repeats);
    return { feature, name: featureNames[feature] ?? `f${feature}`, mean, std, decreases };
  });
  return { baseline, features };
}

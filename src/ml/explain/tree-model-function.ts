/**
 * @module ml/explain/tree-model-function
 * Adapts a tree ensemble to the model-agnostic explainers (PD/ICE, permutation importance,
 * KernelSHAP, surrogate): one output per row in the model's output space (probability for
 * logistic and softprob objectives, value for regression), and the default quality metric used
 * when a report is asked for permutation importance without one.
 */
import type { FeatureMatrix, TreeEnsemble } from '../gbdt/index.js';
import { predict } from '../gbdt/index.js';
import type { ModelFunction } from './kernel-shap.js';
import type { Metric } from './permutation-importance.js';

/** The model's output for `group` (class probability for multiclass) as a {@link ModelFunction}. */
export function treeModelFunction(model: TreeEnsemble, group = 0): ModelFunction {
  // multi:softmax outputs class ids; explanations use the class probability instead.
  const probabilistic: TreeEnsemble = model.objective === 'multi:softmax' ? { ...model, objective: 'multi:softprob' } : model;
  const k = model.numGroups;
  return (x: FeatureMatrix) => {
    const out = predict(probabilistic, x);
    return Float64Array.from({ length: x.rows }, (_, r) => out[r * k + group]!);
  };
}

/** A metric with its direction. */
export interface DirectedMetric {
  readonly name: string;
  readonly metric: Metric;
  readonly greaterIsBetter: boolean;
}

const EPS = 1e-15;

/** Log loss for binary outputs (probabilities), mean squared error for regression. */
export function defaultMetric(model: TreeEnsemble): DirectedMetric {
  if (model.objective === 'reg:squarederror') {
    return {
      name: 'mse',
      greaterIsBetter: false,
      metric: (y, p) => y.reduce((s, v, i) => s + (v - p[i]!) ** 2, 0) / Math.max(1, y.length),
    };
  }
  return {
    name: 'logloss',
    greaterIsBetter: false,
    metric: (y, p) => {
      let s = 0;
      for (let i = 0; i < y.length; i++) {
        const q = Math.min(Math.max(p[i]!, EPS), 1 - EPS);
        s -= y[i]! * Math.log(q) + (1 - y[i]!) * Math.log(1 - q);
      }
      return s / Math.max(1, y.length);
    },
  };
}

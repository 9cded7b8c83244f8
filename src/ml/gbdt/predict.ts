/**
 * @module ml/gbdt/predict
 * Prediction exactly as XGBoost's CPU predictor does it (algorithms-and-formats.md §1.4):
 * features cast to float32, a row goes left iff `x < threshold`, missing (NaN) follows the
 * node's default direction, leaf values are summed in float32 onto the base margin, and the
 * objective's transform is applied in float32.
 */
import type { Tree, TreeEnsemble } from './model.js';
import { baseMargin } from './model.js';

/** A dense row-major matrix of features; NaN marks a missing value. */
export interface FeatureMatrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major values, `rows * cols` long. */
  readonly values: Float32Array;
}

/** Index of the leaf that row `offset` of `x` reaches in `tree`. */
export function leafIndex(tree: Tree, x: Float32Array, offset: number): number {
  const left = tree.left;
  const right = tree.right;
  const feature = tree.splitFeature;
  const threshold = tree.threshold;
  const defaultLeft = tree.defaultLeft;
  let node = 0;
  let l = left[0]!;
  while (l !== -1) {
    const v = x[offset + feature[node]!]!;
    if (Number.isNaN(v)) node = defaultLeft[node] === 1 ? l : right[node]!;
    else node = v < threshold[node]! ? l : right[node]!;
    l = left[node]!;
  }
  return node;
}

/**
 * Raw margins, `rows * numGroups` long, row-major. `treeLimit` restricts prediction to the
 * first N boosting rounds (XGBoost's `iteration_range=(0, N)`).
 */
export function predictMargin(model: TreeEnsemble, x: FeatureMatrix, treeLimit?: number): Float32Array {
  const groups = model.numGroups;
  const out = new Float32Array(x.rows * groups).fill(baseMargin(model));
  const nTrees = treeLimit === undefined ? model.trees.length : Math.min(model.trees.length, treeLimit * groups);
  const values = x.values;
  const cols = x.cols;
  // Tree-outer loop keeps one tree's arrays hot in cache across all rows; Float32Array stores
  // round each addition to float32, as XGBoost accumulates in float.
  for (let t = 0; t < nTrees; t++) {
    const tree = model.trees[t]!;
    const group = model.treeGroup[t]!;
    const leafValue = tree.value;
    for (let r = 0, o = 0; r < x.rows; r++, o += cols) {
      const idx = r * groups + group;
      out[idx] = out[idx]! + leafValue[leafIndex(tree, values, o)]!;
    }
  }
  return out;
}

/** float32 sigmoid as XGBoost computes it: 1 / (1 + exp(min(-x, 88.7)) + 1e-16). */
export function sigmoid32(margin: number): number {
  return Math.fround(1 / (Math.fround(1 + Math.fround(Math.exp(Math.min(-margin, 88.7)))) + 1e-16));
}

/** Applies the objective's output transform to margins in place and returns them. */
export function transformMargins(model: TreeEnsemble, margins: Float32Array): Float32Array {
  switch (model.objective) {
    case 'binary:logistic':
    case 'reg:logistic':
      for (let i = 0; i < margins.length; i++) margins[i] = sigmoid32(margins[i]!);
      return margins;
    case 'multi:softprob':
      softmaxRows(margins, model.numGroups);
      return margins;
    case 'multi:softmax': {
      const k = model.numGroups;
      const rows = margins.length / k;
      const out = new Float32Array(rows);
      for (let r = 0; r < rows; r++) {
        let best = 0;
        for (let g = 1; g < k; g++) if (margins[r * k + g]! > margins[r * k + best]!) best = g;
        out[r] = best;
      }
      return out;
    }
    default:
      return margins;
  }
}

function softmaxRows(values: Float32Array, k: number): void {
  for (let o = 0; o < values.length; o += k) {
    let max = -Infinity;
    for (let g = 0; g < k; g++) max = Math.max(max, values[o + g]!);
    let sum = 0;
    for (let g = 0; g < k; g++) {
      const e = Math.fround(Math.exp(values[o + g]! - max));
      values[o + g] = e;
      sum = Math.fround(sum + e);
    }
    for (let g = 0; g < k; g++) values[o + g] = values[o + g]! / sum;
  }
}

/** Transformed predictions (probabilities, class ids for multi:softmax, or values). */
export function predict(model: TreeEnsemble, x: FeatureMatrix, treeLimit?: number): Float32Array {
  return transformMargins(model, predictMargin(model, x, treeLimit));
}

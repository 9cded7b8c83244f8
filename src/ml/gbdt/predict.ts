/**
 * @module ml/gbdt/predict
 * Prediction exactly as XGBoost's CPU predictor does it (algorithms-and-formats.md §1.4):
 * features cast to float32, a row goes left iff `x < threshold`, missing (NaN) follows the
 * node's default direction, leaf values are summed in float32 onto the base margin, and the
 * objective's transform is applied in float32.
 */
import type { FeatureMatrix } from '../../data/index.js';
import { flatten } from './forest-layout.js';
import type { Tree, TreeEnsemble } from './model.js';
import { baseMargin } from './model.js';

/** The learners' input: a dense row-major float32 matrix, NaN = missing (defined by data). */
export type { FeatureMatrix };

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

/** Rows per block: a block's feature values stay in cache while every tree visits them. */
const BLOCK_ROWS = 64;

/**
 * Raw margins, `rows * numGroups` long, row-major. `treeLimit` restricts prediction to the
 * first N boosting rounds (XGBoost's `iteration_range=(0, N)`).
 */
export function predictMargin(model: TreeEnsemble, x: FeatureMatrix, treeLimit?: number): Float32Array {
  const groups = model.numGroups;
  const out = new Float32Array(x.rows * groups).fill(baseMargin(model));
  const nTrees = treeLimit === undefined ? model.trees.length : Math.min(model.trees.length, treeLimit * groups);
  const { feature, left, threshold, missingRight, value, root } = flatten(model);
  const treeGroup = model.treeGroup;
  const values = x.values;
  const cols = x.cols;
  // Trees are added to each row in model order, so the float32 sums (the Float32Array store
  // rounds every addition, as XGBoost accumulates in float) do not depend on the blocking.
  for (let start = 0; start < x.rows; start += BLOCK_ROWS) {
    const stop = Math.min(x.rows, start + BLOCK_ROWS);
    let missing = false;
    for (let i = start * cols; i < stop * cols; i++) {
      if (Number.isNaN(values[i]!)) {
        missing = true;
        break;
      }
    }
    for (let t = 0; t < nTrees; t++) {
      const group = treeGroup[t]!;
      const r0 = root[t]!;
      for (let r = start; r < stop; r++) {
        const o = r * cols;
        let node = r0;
        let f = feature[node]!;
        if (missing) {
          while (f >= 0) {
            const v = values[o + f]!;
            // Right iff v >= threshold, or v is NaN and the default direction is right.
            node = left[node]! + (+(v >= threshold[node]!) | (+Number.isNaN(v) & missingRight[node]!));
            f = feature[node]!;
          }
        } else {
          while (f >= 0) {
            node = left[node]! + +(values[o + f]! >= threshold[node]!);
            f = feature[node]!;
          }
        }
        const idx = r * groups + group;
        out[idx] = out[idx]! + value[node]!;
      }
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

/**
 * @module ml/explain/interventional-tree-shap
 * Interventional TreeSHAP against a background sample (algorithms-and-formats.md §2.5;
 * Lundberg et al. 2020 "From local explanations to global understanding", Methods;
 * H. Chen's "Interventional Tree Explainer" notes). For one (x, r) pair the game is
 * v(S) = f(x_S, r_S̄); walking a tree, where x and r take the same branch we follow it, where they
 * differ we follow both, charging the split feature to A (taken from x) or B (taken from r); a
 * feature already charged keeps its side. At a leaf with value v and |A| = a, |B| = b each i ∈ A
 * gains v·(a−1)!b!/(a+b)! and each i ∈ B loses v·a!(b−1)!/(a+b)!. Averaging over the background
 * gives values that sum to f(x) − mean f(background), in margin space; the bias column holds
 * the background's mean margin.
 */
import { AppError } from '../../kernel/index.js';
import type { FeatureMatrix, TreeEnsemble } from '../gbdt/index.js';
import { baseMargin } from '../gbdt/index.js';
import type { ShapValues } from './shap-values.js';
import { checkFeatureMatrix } from './shap-values.js';
import { shapTables } from './tree-shap-tables.js';

function directions(model: TreeEnsemble, x: FeatureMatrix, row: number, out: Uint8Array, offset: number): void {
  const tb = shapTables(model);
  const xo = row * x.cols;
  for (let k = 0; k < tb.internalOrder.length; k++) {
    const n = tb.internalOrder[k]!;
    const v = x.values[xo + tb.feature[n]!]!;
    out[offset + n] = (Number.isNaN(v) ? tb.defaultLeft[n] === 1 : v < tb.threshold[n]!) ? 1 : 0;
  }
}

/**
 * Interventional SHAP values (margin space) of every row of `x` against `background`
 * (shap suggests about 100 background rows; the cost grows linearly with them).
 */
export function interventionalTreeShap(model: TreeEnsemble, x: FeatureMatrix, background: FeatureMatrix): ShapValues {
  checkFeatureMatrix(model, x);
  checkFeatureMatrix(model, background);
  if (background.rows < 1) throw new AppError('INVALID_INPUT', { message: 'Interventional TreeSHAP needs at least one background row' });
  const tb = shapTables(model);
  const F = model.numFeature;
  const width = F + 1;
  const groups = model.numGroups;
  const R = background.rows;
  const nodes = tb.totalNodes;
  const bgDir = new Uint8Array(R * nodes);
  for (let b = 0; b < R; b++) directions(model, background, b, bgDir, b * nodes);
  const xDir = new Uint8Array(nodes);

  // coef[a][b] = (a−1)!·b!/(a+b)!, the Shapley weight of a coalition of a−1 others from A, b absent.
  const maxLen = tb.maxDepth + 1;
  const coef = new Float64Array(maxLen * maxLen);
  for (let a = 1; a < maxLen; a++) {
    for (let b = 0; b + a < maxLen; b++) {
      let w = 1 / a;
      for (let i = 1; i <= b; i++) w *= i / (a + i);
      coef[a * maxLen + b] = w;
    }
  }

  const side = new Int8Array(F);
  const setA = new Int32Array(maxLen);
  const setB = new Int32Array(maxLen);
  const values = new Float64Array(x.rows * groups * width);
  const nodeValue = new Float64Array(nodes);
  for (let k = 0; k < tb.leafNode.length; k++) nodeValue[tb.leafNode[k]!] = tb.leafValue[k]!;
  const rootOf = (t: number): number => {
    const start = tb.internalStart[t]!;
    return start < tb.internalStart[t + 1]! ? tb.internalOrder[start]! : tb.leafNode[tb.leafStart[t]!]!;
  };
  // Expected value = the background's mean margin (shap: mean raw output over the background).
  const expectedValue = new Float64Array(groups).fill(baseMargin(model));
  for (let b = 0; b < R; b++) {
    for (let t = 0; t < tb.numTrees; t++) {
      let n = rootOf(t);
      while (tb.left[n] !== -1) n = bgDir[b * nodes + n] === 1 ? tb.left[n]! : tb.right[n]!;
      expectedValue[tb.treeGroup[t]!]! += nodeValue[n]! / R;
    }
  }

  let out = 0;
  let bo = 0;
  let na = 0;
  let nb = 0;
  const visit = (n: number): void => {
    if (tb.left[n] === -1) {
      const v = nodeValue[n]! / R;
      if (na > 0) {
        const wA = v * coef[na * maxLen + nb]!;
        for (let i = 0; i < na; i++) values[out + setA[i]!]! += wA;
      }
      if (nb > 0) {
        const wB = -v * coef[nb * maxLen + na]!;
        for (let i = 0; i < nb; i++) values[out + setB[i]!]! += wB;
      }
      return;
    }
    const f = tb.feature[n]!;
    const xl = xDir[n] === 1 ? tb.left[n]! : tb.right[n]!;
    const rl = bgDir[bo + n] === 1 ? tb.left[n]! : tb.right[n]!;
    const s = side[f]!;
    if (s === 1 || xl === rl) visit(xl);
    else if (s === 2) visit(rl);
    else {
      side[f] = 1;
      setA[na++] = f;
      visit(xl);
      na--;
      side[f] = 2;
      setB[nb++] = f;
      visit(rl);
      nb--;
      side[f] = 0;
    }
  };

  for (let r = 0; r < x.rows; r++) {
    directions(model, x, r, xDir, 0);
    for (let g = 0; g < groups; g++) values[(r * groups + g) * width + F] = expectedValue[g]!;
    for (let b = 0; b < R; b++) {
      bo = b * nodes;
      for (let t = 0; t < tb.numTrees; t++) {
        out = (r * groups + tb.treeGroup[t]!) * width;
        visit(rootOf(t));
      }
    }
  }
  return { rows: x.rows, groups, width, featureNames: model.featureNames, values, expectedValue };
}

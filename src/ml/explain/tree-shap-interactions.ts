/**
 * @module ml/explain/tree-shap-interactions
 * Exact SHAP interaction values as XGBoost's `pred_interactions` computes them
 * (algorithms-and-formats.md §2.1 last point; Lundberg et al. 2018, §4): for each feature c,
 * TreeSHAP is run with c conditioned "on" (its splits follow x) and "off" (its splits are
 * averaged by cover), and Φ_cj = (φ_j|on − φ_j|off)/2 for j ≠ c; the diagonal takes the rest,
 * Φ_cc = φ_c − Σ_{j≠c} Φ_cj, so each row of the matrix sums to φ_c. In integral form, a leaf
 * with unique path features F adds to Φ_cj (c ≠ j in F)
 *   v·(p_c − q_c)(p_j − q_j)/2 · ∫₀¹ Π_{k∈F\{c,j}} (q_k + (p_k − q_k)t) dt,
 * evaluated here by Gauss–Legendre quadrature. The bias row and column are zero except
 * Φ_bias,bias = bias, as in XGBoost.
 */
import type { FeatureMatrix, TreeEnsemble } from '../gbdt/index.js';
import { pointsFor } from './gauss-legendre.js';
import { checkFeatureMatrix } from './shap-values.js';
import { treeShap } from './tree-shap.js';
import { shapTables } from './tree-shap-tables.js';

/** SHAP interaction values of a batch. */
export interface ShapInteractionValues {
  readonly rows: number;
  readonly groups: number;
  /** numFeature + 1. */
  readonly width: number;
  readonly featureNames: readonly string[];
  /** rows × groups × width × width, row-major; index [r][g][i][j]. */
  readonly values: Float64Array;
  readonly expectedValue: Float64Array;
}

/** Exact SHAP interaction values of every row of `x` (XGBoost `pred_interactions` layout). */
export function treeShapInteractions(model: TreeEnsemble, x: FeatureMatrix): ShapInteractionValues {
  checkFeatureMatrix(model, x);
  const tb = shapTables(model);
  const shap = treeShap(model, x);
  const F = model.numFeature;
  const width = F + 1;
  const block = width * width;
  const groups = model.numGroups;
  const out = new Float64Array(x.rows * groups * block);
  const goLeft = new Uint8Array(tb.totalNodes);
  const maxD = Math.max(1, tb.maxDepth);
  const p = new Uint8Array(maxD);
  const maxPoints = pointsFor(maxD);
  const factors = new Float64Array(maxPoints * maxD);
  const { feature, threshold, defaultLeft, left, parent, leafFeatures, leafQ } = tb;

  for (let r = 0; r < x.rows; r++) {
    const xo = r * x.cols;
    for (let t = 0; t < tb.numTrees; t++) {
      const ob = (r * groups + tb.treeGroup[t]!) * block;
      for (let k = tb.internalStart[t]!; k < tb.internalStart[t + 1]!; k++) {
        const n = tb.internalOrder[k]!;
        const v = x.values[xo + feature[n]!]!;
        goLeft[n] = (Number.isNaN(v) ? defaultLeft[n] === 1 : v < threshold[n]!) ? 1 : 0;
      }
      for (let k = tb.leafStart[t]!; k < tb.leafStart[t + 1]!; k++) {
        const d = tb.leafDepth[k]!;
        if (d < 2) continue;
        const fs = tb.leafFeatureStart[k]!;
        p.fill(1, 0, d);
        let c = tb.leafNode[k]!;
        let n = parent[c]!;
        while (n !== -1) {
          if ((goLeft[n] === 1) !== (left[n] === c)) {
            for (let i = 0; i < d; i++) if (leafFeatures[fs + i] === feature[n]) p[i] = 0;
          }
          c = n;
          n = parent[c]!;
        }
        const points = pointsFor(d);
        const qs = (points * (points - 1)) / 2;
        for (let m = 0; m < points; m++) {
          const tq = tb.quadNodes[qs + m]!;
          for (let i = 0; i < d; i++) {
            const q = leafQ[fs + i]!;
            factors[m * d + i] = q + (p[i]! - q) * tq;
          }
        }
        const value = tb.leafValue[k]!;
        for (let a = 0; a < d; a++) {
          const da = p[a]! - leafQ[fs + a]!;
          for (let b = a + 1; b < d; b++) {
            let integral = 0;
            for (let m = 0; m < points; m++) {
              let prod = tb.quadWeights[qs + m]!;
              for (let i = 0; i < d; i++) if (i !== a && i !== b) prod *= factors[m * d + i]!;
              integral += prod;
            }
            const val = (value * da * (p[b]! - leafQ[fs + b]!) * integral) / 2;
            const fa = leafFeatures[fs + a]!;
            const fb = leafFeatures[fs + b]!;
            out[ob + fa * width + fb] = out[ob + fa * width + fb]! + val;
            out[ob + fb * width + fa] = out[ob + fb * width + fa]! + val;
          }
        }
      }
    }
    for (let g = 0; g < groups; g++) {
      const ob = (r * groups + g) * block;
      const so = (r * groups + g) * width;
      for (let i = 0; i < F; i++) {
        let off = 0;
        for (let j = 0; j < F; j++) if (j !== i) off += out[ob + i * width + j]!;
        out[ob + i * width + i] = shap.values[so + i]! - off;
      }
      out[ob + F * width + F] = shap.values[so + F]!;
    }
  }
  return { rows: x.rows, groups, width, featureNames: model.featureNames, values: out, expectedValue: shap.expectedValue };
}

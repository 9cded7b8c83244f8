/**
 * @module ml/explain/tree-shap
 * Exact path-dependent TreeSHAP equal to XGBoost's `pred_contribs` (algorithms-and-formats.md
 * §2.1–2.2): cover = `sum_hessian`, bias column = base margin + Σ tree expected values, one block
 * per output group for multiclass models. Local accuracy: each block sums to the group's margin.
 */
import type { FeatureMatrix, TreeEnsemble } from '../gbdt/index.js';
import { interventionalTreeShap } from './interventional-tree-shap.js';
import type { ShapValues } from './shap-values.js';
import { checkFeatureMatrix, shapResult } from './shap-values.js';
import { treeShapKernel } from './tree-shap-kernel.js';
import { shapTables } from './tree-shap-tables.js';

export type { ShapValues } from './shap-values.js';

/** Options of {@link treeShap}. */
export interface TreeShapOptions {
  /**
   * Background rows: when given, interventional TreeSHAP against them (shap's
   * `feature_perturbation="interventional"`, §2.5) instead of path-dependent TreeSHAP.
   */
  background?: FeatureMatrix;
}

/**
 * TreeSHAP values of every row of `x` on the calling thread (see {@link treeShapParallel} for
 * large batches). Per-model tables are built on first use and cached by model object. With
 * `options.background`, interventional values instead (see interventional-tree-shap.ts).
 */
export function treeShap(model: TreeEnsemble, x: FeatureMatrix, options: TreeShapOptions = {}): ShapValues {
  if (options.background !== undefined) return interventionalTreeShap(model, x, options.background);
  checkFeatureMatrix(model, x);
  const tables = shapTables(model);
  const values = new Float64Array(x.rows * model.numGroups * (model.numFeature + 1));
  treeShapKernel(tables, x.values, x.cols, 0, x.rows, values);
  return shapResult(model, x.rows, values);
}

/**
 * @module ml/explain/tree-shap
 * Exact path-dependent TreeSHAP equal to XGBoost's `pred_contribs` (algorithms-and-formats.md
 * §2.1–2.2): cover = `sum_hessian`, bias column = base margin + Σ tree expected values, one block
 * per output group for multiclass models. Local accuracy: each block sums to the group's margin.
 */
import { AppError } from '../../kernel/index.js';
import type { FeatureMatrix, TreeEnsemble } from '../gbdt/index.js';
import { treeShapKernel } from './tree-shap-kernel.js';
import { shapTables } from './tree-shap-tables.js';

/** SHAP values of a batch of rows. */
export interface ShapValues {
  readonly rows: number;
  readonly groups: number;
  /** numFeature + 1 (the last column of each block is the bias). */
  readonly width: number;
  readonly featureNames: readonly string[];
  /** rows × groups × width, row-major; bias last in each block. */
  readonly values: Float64Array;
  /** Expected value (bias) per group: what a row with no known features scores, in margin space. */
  readonly expectedValue: Float64Array;
}

/** Checks that `x` has the model's columns. */
export function checkFeatureMatrix(model: TreeEnsemble, x: FeatureMatrix): void {
  if (x.cols !== model.numFeature) {
    throw new AppError('DATA_SCHEMA_MISMATCH', {
      message: `The input has ${x.cols} columns but the model expects ${model.numFeature}`,
      details: { columns: x.cols, expected: model.numFeature },
    });
  }
  if (x.values.length !== x.rows * x.cols) {
    throw new AppError('INVALID_INPUT', { message: `The feature matrix holds ${x.values.length} values, not rows × cols = ${x.rows * x.cols}` });
  }
}

/** Wraps a computed value array as {@link ShapValues}. */
export function shapResult(model: TreeEnsemble, rows: number, values: Float64Array): ShapValues {
  const tables = shapTables(model);
  return {
    rows,
    groups: model.numGroups,
    width: model.numFeature + 1,
    featureNames: model.featureNames,
    values,
    expectedValue: Float64Array.from(tables.bias),
  };
}

/**
 * TreeSHAP values of every row of `x` on the calling thread (see {@link treeShapParallel} for
 * large batches). Per-model tables are built on first use and cached by model object.
 */
export function treeShap(model: TreeEnsemble, x: FeatureMatrix): ShapValues {
  checkFeatureMatrix(model, x);
  const tables = shapTables(model);
  const values = new Float64Array(x.rows * model.numGroups * (model.numFeature + 1));
  treeShapKernel(tables, x.values, x.cols, 0, x.rows, values);
  return shapResult(model, x.rows, values);
}

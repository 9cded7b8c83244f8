/**
 * @module ml/explain/shap-values
 * The result type of the tree explainers and the input checks they share.
 */
import { AppError } from '../../kernel/index.js';
import type { FeatureMatrix, TreeEnsemble } from '../gbdt/index.js';
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

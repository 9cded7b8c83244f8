/**
 * @module ml/fairness/flip-test
 * Clarify's flip test (FT; Black, Yeom, Fredrikson, "FlipTest: Fairness Testing via Optimal
 * Transport", FAT* 2020, approximated with k-nearest neighbours as smclarify `posttraining.FT` does):
 * a kNN classifier (k = 5, or 1 when facet a has at most 9 rows; Euclidean distance; uniform vote)
 * is fitted on facet-a rows' features → predicted labels and applied to facet-d rows.
 *
 * Sign as in smclarify's code, not its docs: FT = (#{model 1, kNN 0} − #{model 0, kNN 1}) / n_d
 * (`FlipSet_pos` counts rows whose model label exceeds the kNN label). Features must all be
 * numeric (booleans count), else Clarify's "FlipTest does not support non-numeric columns".
 * Neighbours come from an exact k-d tree search (kd-tree.ts; scikit-learn also picks a KD-tree for
 * ≤ 15 features). Neighbours at equal distance are taken in row order (a stable sort by distance); scikit-learn's
 * KD-tree breaks such ties its own way, which could change a vote only when the 5th and 6th
 * nearest neighbours are equally far and disagree.
 */
import type { ColumnFrame } from '../../data/index.js';
import { findColumn } from '../../data/index.js';
import { AppError } from '../../kernel/index.js';
import { buildKdTree, kdNearest } from './kd-tree.js';

/** smclarify constants.py: FT_DEFAULT_NEIGHBOR, FT_MIN_NEIGHBOR, FT_SAMPLES_COUNT_THRESHOLD. */
const DEFAULT_NEIGHBOURS = 5;
const MIN_NEIGHBOURS = 1;
const SAMPLES_COUNT_THRESHOLD = 9;

/** scikit-learn 1.2's `check_array` message for NaN input to KNeighborsClassifier, which Clarify reports. */
const SKLEARN_NAN_MESSAGE =
  'Input X contains NaN.\nKNeighborsClassifier does not accept missing values encoded as NaN natively. For supervised learning, you might want to consider sklearn.ensemble.HistGradientBoostingClassifier and Regressor which accept missing values encoded as NaNs natively. Alternatively, it is possible to preprocess the data, for instance by using an imputer transformer in a pipeline or drop samples with missing values. See https://scikit-learn.org/stable/modules/impute.html You can find a list of all estimators that handle NaN values at the following page: https://scikit-learn.org/stable/modules/impute.html#estimators-that-handle-nan-values';

/** Per facet-d row: +1 (model 1, kNN 0), −1 (model 0, kNN 1) or 0; 0 for facet-a rows. */
export type FlipOutcome = { readonly flips: Int8Array } | { readonly error: string };

/** Row-major feature matrix of the named columns, or Clarify's error text. */
function featureMatrix(frame: ColumnFrame, features: readonly string[]): { values: Float64Array; width: number } | { error: string } {
  const cols = features.map((name) => {
    const col = findColumn(frame, name);
    if (col === undefined) throw new AppError('INVALID_INPUT', { message: `Column ${name} is not present in the dataset`, details: { column: name } });
    return col;
  });
  for (const col of cols) {
    if (col.kind === 'categorical' || col.dtype === 'datetime') return { error: 'FlipTest does not support non-numeric columns' };
  }
  const width = cols.length;
  const rows = frame.rowCount;
  if (width === 0) {
    return { error: `Found array with 0 feature(s) (shape=(${rows}, 0)) while a minimum of 1 is required by KNeighborsClassifier.` };
  }
  const values = new Float64Array(rows * width);
  for (let j = 0; j < width; j++) {
    const col = cols[j]!;
    if (col.kind !== 'numeric') continue;
    for (let i = 0; i < rows; i++) {
      const v = col.values[i]!;
      if (Number.isNaN(v)) return { error: SKLEARN_NAN_MESSAGE };
      values[i * width + j] = v;
    }
  }
  return { values, width };
}

/**
 * Flip outcomes for facet-d rows. The caller checks first that both facets are non-empty, as
 * Clarify does before looking at the features.
 */
export function flipTest(frame: ColumnFrame, features: readonly string[], facet: Uint8Array, predicted: Uint8Array): FlipOutcome {
  const matrix = featureMatrix(frame, features);
  if ('error' in matrix) return matrix;
  const { values, width } = matrix;
  const aRows: number[] = [];
  for (let i = 0; i < facet.length; i++) if (facet[i] === 0) aRows.push(i);
  const k = aRows.length > SAMPLES_COUNT_THRESHOLD ? DEFAULT_NEIGHBOURS : MIN_NEIGHBOURS;
  const flips = new Int8Array(facet.length);
  const tree = buildKdTree(values, width, aRows);
  const ids = new Int32Array(k);
  const dist = new Float64Array(k);
  for (let i = 0; i < facet.length; i++) {
    if (facet[i] === 0) continue;
    const found = kdNearest(tree, values, i, k, ids, dist);
    let votes = 0;
    for (let m = 0; m < found; m++) votes += predicted[ids[m]!]!;
    // Majority of k (odd) votes; a tie cannot occur for k ∈ {1, 5}.
    const knn = votes * 2 > found ? 1 : 0;
    flips[i] = predicted[i]! > knn ? 1 : predicted[i]! < knn ? -1 : 0;
  }
  return { flips };
}

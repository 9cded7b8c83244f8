/**
 * @module data/frame/feature-matrix
 * The bridge from a column frame to the learners: a dense, row-major float32 matrix (NaN =
 * missing) in a given feature order, and a label vector. The learners in ml take this type as
 * their input (ml depends on data, never the reverse).
 */
import { AppError } from '../../kernel/index.js';
import type { ColumnFrame } from './column-frame.js';
import { requireColumn } from './frame-ops.js';

/** Dense row-major matrix; `values.length === rows * cols`; NaN marks a missing value. */
export interface FeatureMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly values: Float32Array;
}

/**
 * The features, in the order given (a model's feature names), as a row-major float32 matrix.
 * Values are rounded to float32 as XGBoost does on input (datetimes, as epoch milliseconds, keep
 * only about two minutes' resolution in float32: derive durations first if they matter).
 * @throws AppError DATA_SCHEMA_MISMATCH naming every missing feature, or a categorical one.
 */
export function toFeatureMatrix(frame: ColumnFrame, featureNames: readonly string[]): FeatureMatrix {
  const byName = new Map(frame.columns.map((c) => [c.name, c]));
  const missing = featureNames.filter((n) => !byName.has(n));
  if (missing.length > 0) {
    throw new AppError('DATA_SCHEMA_MISMATCH', {
      message: `The data lacks ${missing.length === 1 ? 'feature' : 'features'} ${missing.map((n) => `"${n}"`).join(', ')} that the model needs`,
      details: { missing },
    });
  }
  const categorical = featureNames.filter((n) => byName.get(n)!.kind === 'categorical');
  if (categorical.length > 0) {
    throw new AppError('DATA_SCHEMA_MISMATCH', {
      message: `${categorical.map((n) => `"${n}"`).join(', ')} ${categorical.length === 1 ? 'is a string column' : 'are string columns'}; encode ${categorical.length === 1 ? 'it' : 'them'} (for example one-hot) before building a feature matrix`,
      details: { categorical },
    });
  }
  const rows = frame.rowCount;
  const cols = featureNames.length;
  const values = new Float32Array(rows * cols);
  for (const [j, name] of featureNames.entries()) {
    const column = byName.get(name)!;
    if (column.kind !== 'numeric') continue;
    const src = column.values;
    for (let i = 0, o = j; i < rows; i++, o += cols) values[o] = src[i]!;
  }
  return { rows, cols, values };
}

export interface LabelOptions {
  /** For a string label: the value that counts as 1 (all others 0). */
  readonly positive?: string;
}

/**
 * The label column as float64: numeric labels as they are; a string label as 1 for `positive`
 * and 0 otherwise.
 * @throws AppError DATA_SCHEMA_MISMATCH if the column is absent, has a missing value, or is a
 * string column without `positive`.
 */
export function labelVector(frame: ColumnFrame, column: string, options: LabelOptions = {}): Float64Array {
  const c = requireColumn(frame, column, 'the label');
  let out: Float64Array;
  if (c.kind === 'numeric') {
    out = c.values.slice();
  } else {
    if (options.positive === undefined) {
      throw new AppError('DATA_SCHEMA_MISMATCH', {
        message: `Label "${column}" is a string column; name its positive value (one of ${c.dictionary.slice(0, 5).map((v) => JSON.stringify(v)).join(', ')}${c.dictionary.length > 5 ? ', …' : ''})`,
        details: { column },
      });
    }
    const positive = c.dictionary.indexOf(options.positive);
    out = new Float64Array(c.codes.length);
    for (let i = 0; i < out.length; i++) {
      const code = c.codes[i]!;
      out[i] = code < 0 ? Number.NaN : code === positive ? 1 : 0;
    }
  }
  const firstMissing = out.findIndex((v) => Number.isNaN(v));
  if (firstMissing >= 0) {
    throw new AppError('DATA_SCHEMA_MISMATCH', {
      message: `Label "${column}" is missing in row ${firstMissing + 1} of the data`,
      details: { column, row: firstMissing + 1 },
    });
  }
  return out;
}

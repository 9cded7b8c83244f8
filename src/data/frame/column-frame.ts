/**
 * @module data/frame/column-frame
 * The columnar, typed-array table the numeric core works on. Numeric columns hold float64 values
 * with NaN for missing; booleans are 0/1 and datetimes are epoch milliseconds (UTC), each with its
 * logical `dtype` kept. Categorical (string) columns are dictionary-encoded: `codes[i]` indexes
 * `dictionary`, -1 marks a missing value.
 */

/** Logical types inferred on import (issue 5: integer, fractional, boolean, categorical/string, datetime). */
export type NumericDtype = 'integer' | 'fractional' | 'boolean' | 'datetime';

export interface NumericColumn {
  readonly kind: 'numeric';
  readonly name: string;
  readonly dtype: NumericDtype;
  /** One value per row; NaN = missing. */
  readonly values: Float64Array;
}

export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly name: string;
  readonly dtype: 'string';
  /** One code per row into `dictionary`; -1 = missing. */
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
}

export type Column = NumericColumn | CategoricalColumn;

export interface ColumnFrame {
  readonly rowCount: number;
  readonly columns: readonly Column[];
}

/** The column called `name`, or undefined. */
export function findColumn(frame: ColumnFrame, name: string): Column | undefined {
  return frame.columns.find((c) => c.name === name);
}

export function numericColumn(name: string, values: Float64Array, dtype: NumericDtype = 'fractional'): NumericColumn {
  return { kind: 'numeric', name, dtype, values };
}

/** Builds a dictionary-encoded column from strings (null or undefined = missing); codes follow first appearance. */
export function categoricalColumn(name: string, values: readonly (string | null | undefined)[]): CategoricalColumn {
  const index = new Map<string, number>();
  const dictionary: string[] = [];
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      codes[i] = -1;
      continue;
    }
    let code = index.get(v);
    if (code === undefined) {
      code = dictionary.length;
      dictionary.push(v);
      index.set(v, code);
    }
    codes[i] = code;
  }
  return { kind: 'categorical', name, dtype: 'string', codes, dictionary };
}

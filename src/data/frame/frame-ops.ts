/**
 * @module data/frame/frame-ops
 * Small, pure operations on column frames shared by readers, transforms and splits: looking up
 * columns with a clear error, taking rows by index, and replacing columns.
 */
import { AppError } from '../../kernel/index.js';
import type { CategoricalColumn, Column, ColumnFrame, NumericColumn } from './column-frame.js';

/** The column called `name`; DATA_SCHEMA_MISMATCH naming it (and `context`) if absent. */
export function requireColumn(frame: ColumnFrame, name: string, context = 'the data'): Column {
  const column = frame.columns.find((c) => c.name === name);
  if (column === undefined) {
    throw new AppError('DATA_SCHEMA_MISMATCH', {
      message: `Column "${name}" is required by ${context} but is not in the data`,
      details: { column: name },
    });
  }
  return column;
}

/** The numeric column called `name`; DATA_SCHEMA_MISMATCH if absent or categorical. */
export function requireNumericColumn(frame: ColumnFrame, name: string, context = 'the data'): NumericColumn {
  const column = requireColumn(frame, name, context);
  if (column.kind !== 'numeric') {
    throw new AppError('DATA_SCHEMA_MISMATCH', {
      message: `Column "${name}" is categorical (string) but ${context} needs a numeric column; encode it first (for example one-hot)`,
      details: { column: name, type: column.dtype },
    });
  }
  return column;
}

/** The categorical column called `name`; DATA_SCHEMA_MISMATCH if absent or numeric. */
export function requireCategoricalColumn(frame: ColumnFrame, name: string, context = 'the data'): CategoricalColumn {
  const column = requireColumn(frame, name, context);
  if (column.kind !== 'categorical') {
    throw new AppError('DATA_SCHEMA_MISMATCH', {
      message: `Column "${name}" is ${column.dtype} but ${context} needs a string (categorical) column`,
      details: { column: name, type: column.dtype },
    });
  }
  return column;
}

/** The rows at `indices` (repeats allowed), in that order. */
export function takeRows(frame: ColumnFrame, indices: ArrayLike<number>): ColumnFrame {
  const n = indices.length;
  const columns = frame.columns.map((column): Column => {
    if (column.kind === 'numeric') {
      const src = column.values;
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = src[indices[i]!]!;
      return { ...column, values };
    }
    const src = column.codes;
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) codes[i] = src[indices[i]!]!;
    return { ...column, codes };
  });
  return { rowCount: n, columns };
}

/** The categorical value of row `i` (undefined when missing). */
export function categoryAt(column: CategoricalColumn, i: number): string | undefined {
  const code = column.codes[i]!;
  return code < 0 ? undefined : column.dictionary[code];
}

/** Throws DATA_SCHEMA_MISMATCH when a column name appears twice. */
export function assertUniqueNames(columns: readonly Column[], context: string): void {
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) {
      throw new AppError('DATA_SCHEMA_MISMATCH', { message: `${context} would create a second column named "${c.name}"`, details: { column: c.name } });
    }
    seen.add(c.name);
  }
}

/**
 * Dictionary-encodes the first `rowCount` cells of text (the empty string = missing); codes
 * follow first appearance.
 */
export function encodeTextColumn(name: string, cells: readonly string[], rowCount = cells.length): CategoricalColumn {
  const index = new Map<string, number>();
  const dictionary: string[] = [];
  const codes = new Int32Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    const text = cells[i]!;
    if (text === '') {
      codes[i] = -1;
      continue;
    }
    let code = index.get(text);
    if (code === undefined) {
      code = dictionary.length;
      dictionary.push(text);
      index.set(text, code);
    }
    codes[i] = code;
  }
  return { kind: 'categorical', name, dtype: 'string', codes, dictionary };
}

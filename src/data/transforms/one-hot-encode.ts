/**
 * @module data/transforms/one-hot-encode
 * One-hot encoding with an "unknown" bucket: fit learns each column's categories (sorted, so the
 * output does not depend on row order); apply replaces the column, in place, by one 0/1 column
 * per category plus `<column>=__unknown__`, which is 1 for categories not learned at fit time
 * (new at inference, or folded in by `minFrequency`/`maxCategories`). A missing value gives NaN
 * in every output column, so a model's missing-value handling still applies. Integer and boolean
 * columns holding codes (EDUCATION = 1, 2, 3…) can be encoded too: their categories are the
 * values' decimal text.
 */
import { AppError } from '../../kernel/index.js';
import type { Column, ColumnFrame, NumericColumn } from '../frame/column-frame.js';
import { assertUniqueNames, requireColumn } from '../frame/frame-ops.js';
import type { FittedOneHot, OneHotSpec } from './transform-spec.js';

/** Name of the unknown-bucket output of `column`. */
export function unknownBucketName(column: string): string {
  return `${column}=__unknown__`;
}

/** The category text of every row (undefined = missing), for string and integer/boolean columns. */
function categoriesOf(column: Column, context: string): (i: number) => string | undefined {
  if (column.kind === 'categorical') {
    return (i) => {
      const code = column.codes[i]!;
      return code < 0 ? undefined : column.dictionary[code];
    };
  }
  if (column.dtype !== 'integer' && column.dtype !== 'boolean') {
    throw new AppError('DATA_SCHEMA_MISMATCH', {
      message: `Column "${column.name}" is ${column.dtype}; ${context} needs a string, integer or boolean column`,
      details: { column: column.name, type: column.dtype },
    });
  }
  const values = column.values;
  return (i) => {
    const v = values[i]!;
    return Number.isNaN(v) ? undefined : String(v);
  };
}

/** Learns the categories of each column. */
export function fitOneHot(frame: ColumnFrame, spec: OneHotSpec): FittedOneHot {
  const minFrequency = spec.minFrequency ?? 1;
  return {
    kind: 'one_hot',
    encodings: spec.columns.map((name) => {
      const category = categoriesOf(requireColumn(frame, name, 'one-hot encoding'), 'one-hot encoding');
      const counts = new Map<string, number>();
      for (let i = 0; i < frame.rowCount; i++) {
        const c = category(i);
        if (c !== undefined) counts.set(c, (counts.get(c) ?? 0) + 1);
      }
      let kept = [...counts.entries()].filter(([, c]) => c >= minFrequency);
      if (spec.maxCategories !== undefined && kept.length > spec.maxCategories) {
        kept = kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, spec.maxCategories);
      }
      const categories = kept.map(([v]) => v).sort();
      return { column: name, categories, outputs: [...categories.map((c) => `${name}=${c}`), unknownBucketName(name)] };
    }),
  };
}

/** Replaces each encoded column by its indicator columns. */
export function applyOneHot(frame: ColumnFrame, fitted: FittedOneHot): ColumnFrame {
  const byColumn = new Map(fitted.encodings.map((e) => [e.column, e]));
  for (const name of byColumn.keys()) requireColumn(frame, name, 'the fitted one-hot transform');
  const n = frame.rowCount;
  const columns: Column[] = [];
  for (const column of frame.columns) {
    const encoding = byColumn.get(column.name);
    if (encoding === undefined) {
      columns.push(column);
      continue;
    }
    const category = categoriesOf(column, 'the fitted one-hot transform');
    const unknown = encoding.categories.length;
    const slot = new Map(encoding.categories.map((c, i) => [c, i]));
    const outputs = encoding.outputs.map((): Float64Array => new Float64Array(n));
    for (let i = 0; i < n; i++) {
      const c = category(i);
      if (c === undefined) {
        for (const out of outputs) out[i] = Number.NaN;
      } else {
        outputs[slot.get(c) ?? unknown]![i] = 1;
      }
    }
    for (const [j, values] of outputs.entries()) {
      const out: NumericColumn = { kind: 'numeric', name: encoding.outputs[j]!, dtype: 'integer', values };
      columns.push(out);
    }
  }
  assertUniqueNames(columns, 'One-hot encoding');
  return { rowCount: n, columns };
}

/**
 * @module data/transforms/one-hot-encode
 * One-hot encoding with an "unknown" bucket: fit learns each column's categories (sorted, so the
 * output does not depend on row order); apply replaces the column, in place, by one 0/1 column
 * per category plus `<column>=__unknown__`, which is 1 for categories not learned at fit time
 * (new at inference, or folded in by `minFrequency`/`maxCategories`). A missing value gives NaN
 * in every output column, so a model's missing-value handling still applies.
 */
import type { Column, ColumnFrame, NumericColumn } from '../frame/column-frame.js';
import { assertUniqueNames, requireCategoricalColumn } from '../frame/frame-ops.js';
import type { FittedOneHot, OneHotSpec } from './transform-spec.js';

/** Name of the unknown-bucket output of `column`. */
export function unknownBucketName(column: string): string {
  return `${column}=__unknown__`;
}

/** Learns the categories of each column. */
export function fitOneHot(frame: ColumnFrame, spec: OneHotSpec): FittedOneHot {
  const minFrequency = spec.minFrequency ?? 1;
  return {
    kind: 'one_hot',
    encodings: spec.columns.map((name) => {
      const column = requireCategoricalColumn(frame, name, 'one-hot encoding');
      const counts = new Float64Array(column.dictionary.length);
      for (const code of column.codes) if (code >= 0) counts[code]!++;
      const byValue = new Map<string, number>();
      for (const [k, value] of column.dictionary.entries()) byValue.set(value, (byValue.get(value) ?? 0) + counts[k]!);
      let kept = [...byValue.entries()].filter(([, c]) => c >= minFrequency);
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
  for (const name of byColumn.keys()) requireCategoricalColumn(frame, name, 'the fitted one-hot transform');
  const n = frame.rowCount;
  const columns: Column[] = [];
  for (const column of frame.columns) {
    const encoding = byColumn.get(column.name);
    if (encoding === undefined || column.kind !== 'categorical') {
      columns.push(column);
      continue;
    }
    const k = encoding.categories.length;
    const position = new Map(encoding.categories.map((c, i) => [c, i]));
    // Map this frame's dictionary codes to output slots once; unknown categories go to slot k.
    const slotOfCode = Int32Array.from(column.dictionary, (v) => position.get(v) ?? k);
    const outputs = encoding.outputs.map((): Float64Array => new Float64Array(n));
    for (let i = 0; i < n; i++) {
      const code = column.codes[i]!;
      if (code < 0) {
        for (const out of outputs) out[i] = Number.NaN;
      } else {
        outputs[slotOfCode[code]!]![i] = 1;
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

/**
 * @module data/transforms/impute
 * Missing-value imputation: mean, median (NumPy-style midpoint), a constant, or the most frequent
 * value (ties broken by the smallest value, as scikit-learn's SimpleImputer does), learned per
 * column at fit time and written into every missing cell at apply time.
 */
import { AppError } from '../../kernel/index.js';
import type { Column, ColumnFrame } from '../frame/column-frame.js';
import { requireColumn } from '../frame/frame-ops.js';
import type { FittedImpute, ImputeSpec } from './transform-spec.js';

/** Median of ascending values, the midpoint of the middle pair for even counts (numpy.median). */
function sortedMedian(sorted: Float64Array): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function noValues(column: string, strategy: string): AppError {
  return new AppError('INVALID_INPUT', {
    message: `Cannot impute column "${column}" with strategy ${strategy}: it has no non-missing values to learn from`,
    details: { column, strategy },
  });
}

function learnNumeric(values: Float64Array, spec: ImputeSpec, name: string): number {
  const present = values.filter((v) => !Number.isNaN(v));
  if (present.length === 0) throw noValues(name, spec.strategy);
  switch (spec.strategy) {
    case 'mean': {
      let sum = 0;
      for (const v of present) sum += v;
      return sum / present.length;
    }
    case 'median':
      return sortedMedian(present.sort());
    case 'most_frequent': {
      const counts = new Map<number, number>();
      for (const v of present) counts.set(v, (counts.get(v) ?? 0) + 1);
      let best = Number.POSITIVE_INFINITY;
      let bestCount = 0;
      for (const [v, c] of counts) {
        if (c > bestCount || (c === bestCount && v < best)) {
          best = v;
          bestCount = c;
        }
      }
      return best;
    }
    case 'constant':
      throw new AppError('INTERNAL', { message: 'constant is handled by the caller' });
  }
}

function learn(column: Column, spec: ImputeSpec): number | string {
  if (spec.strategy === 'constant') {
    const value = spec.value;
    if (value === undefined) throw new AppError('INVALID_INPUT', { message: 'Impute strategy constant needs a value' });
    if ((column.kind === 'numeric') !== (typeof value === 'number')) {
      throw new AppError('INVALID_INPUT', {
        message: `Impute constant ${JSON.stringify(value)} does not suit column "${column.name}" (${column.dtype})`,
        details: { column: column.name },
      });
    }
    return value;
  }
  if (column.kind === 'numeric') return learnNumeric(column.values, spec, column.name);
  if (spec.strategy !== 'most_frequent') {
    throw new AppError('INVALID_INPUT', {
      message: `Impute strategy ${spec.strategy} needs a numeric column; "${column.name}" is a string column (use most_frequent or constant)`,
      details: { column: column.name },
    });
  }
  const counts = new Float64Array(column.dictionary.length);
  for (const code of column.codes) if (code >= 0) counts[code]!++;
  let best: string | undefined;
  let bestCount = 0;
  for (const [k, value] of column.dictionary.entries()) {
    const c = counts[k]!;
    if (c > bestCount || (c === bestCount && c > 0 && best !== undefined && value < best)) {
      best = value;
      bestCount = c;
    }
  }
  if (best === undefined) throw noValues(column.name, spec.strategy);
  return best;
}

/** Learns the fill value of each column. */
export function fitImpute(frame: ColumnFrame, spec: ImputeSpec): FittedImpute {
  return {
    kind: 'impute',
    strategy: spec.strategy,
    fills: spec.columns.map((name) => ({ column: name, value: learn(requireColumn(frame, name, 'impute'), spec) })),
  };
}

function fillColumn(column: Column, value: number | string): Column {
  if (column.kind === 'numeric') {
    if (typeof value !== 'number') throw new AppError('DATA_SCHEMA_MISMATCH', { message: `Column "${column.name}" is numeric but its fitted fill value is a string`, details: { column: column.name } });
    const values = column.values.map((v) => (Number.isNaN(v) ? value : v));
    // A fractional fill (a mean, say) makes an integer or boolean column fractional.
    let dtype = column.dtype;
    if (dtype === 'integer' && !Number.isInteger(value)) dtype = 'fractional';
    if (dtype === 'boolean' && value !== 0 && value !== 1) dtype = 'fractional';
    return { ...column, dtype, values };
  }
  if (typeof value !== 'string') throw new AppError('DATA_SCHEMA_MISMATCH', { message: `Column "${column.name}" is a string column but its fitted fill value is a number`, details: { column: column.name } });
  let code = column.dictionary.indexOf(value);
  let dictionary = column.dictionary;
  if (code < 0) {
    code = dictionary.length;
    dictionary = [...dictionary, value];
  }
  const fill = code;
  return { ...column, dictionary, codes: column.codes.map((c) => (c < 0 ? fill : c)) };
}

/** Writes the learned values into missing cells. */
export function applyImpute(frame: ColumnFrame, fitted: FittedImpute): ColumnFrame {
  const fills = new Map(fitted.fills.map((f) => [f.column, f.value]));
  for (const name of fills.keys()) requireColumn(frame, name, 'the fitted impute transform');
  return {
    rowCount: frame.rowCount,
    columns: frame.columns.map((c) => {
      const value = fills.get(c.name);
      return value === undefined ? c : fillColumn(c, value);
    }),
  };
}

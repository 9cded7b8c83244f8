/**
 * @module data/transforms/scale
 * Standard scaling z = (x − mean) / std with the population standard deviation, and min-max
 * scaling to a range, both as scikit-learn's StandardScaler and MinMaxScaler define them: missing
 * values are ignored when fitting and stay missing; a constant column gets scale 1 (sklearn's
 * `_handle_zeros_in_scale`) so it maps to 0 (standard) or to the range's lower end (min-max).
 */
import { AppError } from '../../kernel/index.js';
import type { ColumnFrame } from '../frame/column-frame.js';
import { requireNumericColumn } from '../frame/frame-ops.js';
import type { FittedMinMaxScale, FittedStandardScale, MinMaxScaleSpec, StandardScaleSpec } from './transform-spec.js';

function present(frame: ColumnFrame, name: string, context: string): Float64Array {
  const values = requireNumericColumn(frame, name, context).values.filter((v) => !Number.isNaN(v));
  if (values.length === 0) {
    throw new AppError('INVALID_INPUT', { message: `Cannot fit ${context} on column "${name}": it has no non-missing values`, details: { column: name } });
  }
  return values;
}

/** Learns each column's mean and population standard deviation. */
export function fitStandardScale(frame: ColumnFrame, spec: StandardScaleSpec): FittedStandardScale {
  return {
    kind: 'standard_scale',
    stats: spec.columns.map((column) => {
      const values = present(frame, column, 'standard scaling');
      let sum = 0;
      for (const v of values) sum += v;
      const mean = sum / values.length;
      let ss = 0;
      for (const v of values) ss += (v - mean) * (v - mean);
      return { column, mean, std: Math.sqrt(ss / values.length) };
    }),
  };
}

/** Learns each column's minimum and maximum. */
export function fitMinMaxScale(frame: ColumnFrame, spec: MinMaxScaleSpec): FittedMinMaxScale {
  const range = spec.range ?? [0, 1];
  if (!(range[0] < range[1])) throw new AppError('INVALID_INPUT', { message: `Min-max range must be increasing, got [${range[0]}, ${range[1]}]` });
  return {
    kind: 'min_max_scale',
    range,
    stats: spec.columns.map((column) => {
      const values = present(frame, column, 'min-max scaling');
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const v of values) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      return { column, min, max };
    }),
  };
}

function mapColumns(frame: ColumnFrame, transforms: ReadonlyMap<string, (v: number) => number>, context: string): ColumnFrame {
  for (const name of transforms.keys()) requireNumericColumn(frame, name, context);
  return {
    rowCount: frame.rowCount,
    columns: frame.columns.map((c) => {
      const f = transforms.get(c.name);
      if (f === undefined || c.kind !== 'numeric') return c;
      return { kind: 'numeric', name: c.name, dtype: 'fractional', values: c.values.map(f) };
    }),
  };
}

export function applyStandardScale(frame: ColumnFrame, fitted: FittedStandardScale): ColumnFrame {
  const transforms = new Map(
    fitted.stats.map(({ column, mean, std }) => {
      const scale = std === 0 ? 1 : std;
      return [column, (v: number) => (v - mean) / scale] as const;
    }),
  );
  return mapColumns(frame, transforms, 'the fitted standard scaling');
}

export function applyMinMaxScale(frame: ColumnFrame, fitted: FittedMinMaxScale): ColumnFrame {
  const [lo, hi] = fitted.range;
  const transforms = new Map(
    fitted.stats.map(({ column, min, max }) => {
      const span = max - min === 0 ? 1 : max - min;
      return [column, (v: number) => ((v - min) / span) * (hi - lo) + lo] as const;
    }),
  );
  return mapColumns(frame, transforms, 'the fitted min-max scaling');
}

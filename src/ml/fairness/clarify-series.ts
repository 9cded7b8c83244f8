/**
 * @module ml/fairness/clarify-series
 * How SageMaker Clarify (smclarify `bias/metrics/common.py` `series_datatype`, `bias/report.py`
 * `_categorical_data_idx`, `_interval_index`) turns a facet or label column plus the user's
 * values into a boolean row selection, translated to Attest's ColumnFrame:
 *
 * - A column is **continuous** when it is fractional, an integer column with missing values (pandas
 *   reads it as float64), or an integer column (or a text column whose every value is an integer)
 *   with nunique/count ≥ 0.05; booleans, datetimes and text are **categorical**. More than one
 *   value given always means categorical. So a "threshold" of 40 on an integer AGE column with few
 *   distinct ages selects AGE == 40, exactly as Clarify does (the credit_default_age_over_40 golden case).
 * - Categorical: a row is selected when it equals any given value (text compared as text, numbers
 *   numerically). Continuous: the single threshold t and the column maximum m form the breaks of
 *   `pd.IntervalIndex.from_breaks(sorted([t, m]))` (m is added only when |m| ≠ t) and a row is
 *   selected when it lies in an interval (l, r]; the report names the interval, e.g. "(40, 79]".
 */
import type { Column } from '../../data/index.js';
import { AppError } from '../../kernel/index.js';

/** Clarify's uniqueness fraction above which an integer column is continuous (constants.py). */
export const UNIQUENESS_THRESHOLD = 0.05;

/** A value given for a facet or label: text, or a number (integral numbers behave as Python ints). */
export type ClarifyValue = string | number;

export type ClarifyDataType = 'categorical' | 'continuous';

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;

/** The numeric view of a column for continuous handling, and whether pandas would hold it as int64. */
interface NumericView {
  readonly values: Float64Array;
  readonly integerDtype: boolean;
}

function numericView(col: Column): NumericView | undefined {
  if (col.kind === 'numeric') {
    if (col.dtype === 'boolean' || col.dtype === 'datetime') return undefined;
    const hasMissing = col.values.some((v) => Number.isNaN(v));
    return { values: col.values, integerDtype: col.dtype === 'integer' && !hasMissing };
  }
  if (!col.dictionary.every((s) => INTEGER_TEXT.test(s)) || col.codes.some((c) => c < 0)) return undefined;
  const parsed = col.dictionary.map((s) => Number(s.trim()));
  return { values: Float64Array.from(col.codes, (c) => parsed[c]!), integerDtype: true };
}

function uniquenessFraction(col: Column): number {
  if (col.kind === 'categorical') {
    const seen = new Set<number>();
    let count = 0;
    for (const c of col.codes) {
      if (c < 0) continue;
      seen.add(c);
      count++;
    }
    return count === 0 ? 0 : seen.size / count;
  }
  const seen = new Set<number>();
  let count = 0;
  for (const v of col.values) {
    if (Number.isNaN(v)) continue;
    seen.add(v);
    count++;
  }
  return count === 0 ? 0 : seen.size / count;
}

/** Clarify's `series_datatype` for a column and the values the user gave. */
export function clarifyDataType(col: Column, values: readonly ClarifyValue[] | undefined): ClarifyDataType {
  if (values !== undefined && values.length > 1) return 'categorical';
  if (col.kind === 'categorical') {
    const view = numericView(col);
    return view !== undefined && uniquenessFraction(col) >= UNIQUENESS_THRESHOLD ? 'continuous' : 'categorical';
  }
  if (col.dtype === 'boolean' || col.dtype === 'datetime') return 'categorical';
  if (col.dtype === 'fractional') return 'continuous';
  if (col.values.some((v) => Number.isNaN(v))) return 'continuous';
  return uniquenessFraction(col) >= UNIQUENESS_THRESHOLD ? 'continuous' : 'categorical';
}

/** Python's `str()` of a float (shortest round-trip digits, exponent outside 1e-4 ≤ |x| < 1e16). */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  // Place the decimal point into the shortest digits ourselves (toFixed rounds differently).
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  let text: string;
  if (exp < 0) text = `0.${'0'.repeat(-exp - 1)}${digits}`;
  else if (digits.length <= exp + 1) text = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  else text = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  return negative ? `-${text}` : text;
}

/** Python's `str()` of a value the user gave (integral numbers print as ints). */
export function formatClarifyValue(v: ClarifyValue): string {
  if (typeof v === 'string') return v;
  return Number.isInteger(v) ? String(v) : pythonFloatRepr(v);
}

/** The text of a data value as Clarify prints it (one-vs-rest facet names). */
export function formatDataValue(col: Column, row: number): string {
  if (col.kind === 'categorical') {
    const c = col.codes[row]!;
    return c < 0 ? 'nan' : col.dictionary[c]!;
  }
  const v = col.values[row]!;
  if (col.dtype === 'boolean') return v === 0 ? 'False' : 'True';
  if (col.dtype === 'integer' && Number.isInteger(v)) return String(v);
  return pythonFloatRepr(v);
}

/** A row selection and the text Clarify reports for it. */
export interface Selection {
  readonly index: Uint8Array;
  readonly valueOrThreshold: string;
}

function numberOf(v: ClarifyValue): number {
  if (typeof v === 'number') return v;
  const t = v.trim();
  return t === '' ? Number.NaN : Number(t);
}

/** Clarify's `ensure_series_data_type` check that a continuous column gets one numeric threshold. */
export function checkThreshold(col: Column, values: readonly ClarifyValue[] | undefined, type: ClarifyDataType): void {
  if (type !== 'continuous' || values === undefined || values.length === 0) return;
  if (Number.isNaN(numberOf(values[0]!))) {
    throw new AppError('INVALID_INPUT', {
      message: 'Facet/label value provided must be a single numeric threshold for continuous data',
      details: { column: col.name, value: values[0] },
    });
  }
}

/**
 * Clarify's `_categorical_data_idx`: rows equal to any value. Text columns compare as text (numbers
 * in their Python `str()` form); numeric columns compare numerically, and a value that is not a number
 * matches nothing on the first pass and raises on Clarify's type-conversion retry.
 */
export function categoricalSelection(col: Column, values: readonly ClarifyValue[]): Uint8Array {
  const n = col.kind === 'numeric' ? col.values.length : col.codes.length;
  const out = new Uint8Array(n);
  if (col.kind === 'categorical') {
    const wanted = new Set(values.map(formatClarifyValue));
    const codeHit = col.dictionary.map((s) => wanted.has(s));
    for (let i = 0; i < n; i++) {
      const c = col.codes[i]!;
      out[i] = c >= 0 && codeHit[c] ? 1 : 0;
    }
    return out;
  }
  const nums = values.map(numberOf);
  if (nums.some((v) => Number.isNaN(v))) {
    const bad = values[nums.findIndex((v) => Number.isNaN(v))]!;
    throw new AppError('INVALID_INPUT', {
      message: `could not convert string to float: '${String(bad)}'`,
      details: { column: col.name, value: bad },
    });
  }
  const isBool = col.dtype === 'boolean';
  for (let i = 0; i < n; i++) {
    const x = col.values[i]!;
    out[i] = nums.some((v) => (isBool ? v !== 0 === (x !== 0) : v === x)) ? 1 : 0;
  }
  return out;
}

/**
 * Clarify's `_interval_index` + `_continuous_data_idx` for one threshold over the column (or over
 * `maxOf` when given, as for predicted labels where the maximum is taken over labels and predictions).
 */
export function continuousSelection(col: Column, threshold: ClarifyValue, maxOf?: readonly Column[]): Selection {
  const view = numericView(col);
  if (view === undefined) {
    throw new AppError('INVALID_INPUT', { message: `Column ${col.name} is not numeric`, details: { column: col.name } });
  }
  const t = numberOf(threshold);
  if (Number.isNaN(t)) {
    throw new AppError('INVALID_INPUT', {
      message: 'Facet/label value provided must be a single numeric threshold for continuous data',
      details: { column: col.name, value: threshold },
    });
  }
  let max = Number.NEGATIVE_INFINITY;
  let integerDtype = view.integerDtype;
  for (const c of maxOf ?? [col]) {
    const v = numericView(c);
    if (v === undefined) continue;
    integerDtype = integerDtype && v.integerDtype;
    for (const x of v.values) if (x > max) max = x;
  }
  // smclarify turns a text threshold into a float; numbers keep their int/float nature.
  const thresholdIsInt = typeof threshold === 'number' && Number.isInteger(threshold);
  const breaks = Math.abs(max) === t ? [t] : [t, max].sort((a, b) => a - b);
  const intBreaks = integerDtype && thresholdIsInt;
  const fmt = (x: number): string => (intBreaks ? String(x) : pythonFloatRepr(x));
  const intervals: [number, number][] = [];
  for (let i = 1; i < breaks.length; i++) intervals.push([breaks[i - 1]!, breaks[i]!]);
  const index = new Uint8Array(view.values.length);
  for (let i = 0; i < index.length; i++) {
    const x = view.values[i]!;
    index[i] = intervals.some(([l, r]) => l < x && x <= r) ? 1 : 0;
  }
  return { index, valueOrThreshold: intervals.map(([l, r]) => `(${fmt(l)}, ${fmt(r)}]`).join(',') };
}

/** Selection of rows by Clarify's rules for a facet or label column and the user's values. */
export function clarifySelection(col: Column, values: readonly ClarifyValue[], type: ClarifyDataType): Selection {
  if (type === 'continuous') return continuousSelection(col, values[0]!);
  return { index: categoricalSelection(col, values), valueOrThreshold: values.map(formatClarifyValue).join(',') };
}

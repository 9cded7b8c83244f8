/**
 * @module data/stats/column-profile
 * Per-column profilers with Deequ's mergeable-state shape (`init / update(chunk) / merge / finalize`;
 * Schelter et al., "Unit testing data with Deequ", SIGMOD 2019, and Deequ's `State` trait).
 * A numeric column gets moments, a KLL sketch, a HyperLogLog distinct count, an exact histogram
 * while it has ≤ 120 distinct values and type counts; a categorical column gets exact-then-
 * Misra–Gries value counts, a HyperLogLog distinct count and Deequ's type counts of its strings.
 * Merging partition states gives the one-pass result exactly for counts, moments (to rounding),
 * distinct-count registers and exact histograms, and within the stated bounds for KLL and
 * summary-mode frequent items.
 */
import { AppError } from '../../kernel/index.js';
import type { CategoricalColumn, Column, NumericColumn, NumericDtype } from '../frame/column-frame.js';
import type { DataTypeCounts, InferredType } from './data-type.js';
import { addTypeCount, classifyString, determineType, initDataTypeCounts, mergeDataTypeCounts } from './data-type.js';
import type { FrequentItems, FrequentItemsState } from './frequent-items.js';
import { addItem, finalizeFrequentItems, initFrequentItems, mergeFrequentItems } from './frequent-items.js';
import type { HllState } from './hyperloglog.js';
import { addHash, finalizeHll, hashBits, hashString, initHll, mergeHll } from './hyperloglog.js';
import type { KllOptions, KllSketch, KllState } from './kll-sketch.js';
import { finalizeKll, initKll, mergeKll, updateKllWithSums } from './kll-sketch.js';
import type { Moments, MomentsState } from './moments.js';
import { addChunkMoments, finalizeMoments, initMoments, mergeMoments } from './moments.js';
import type { NumericHistogramState } from './numeric-histogram.js';
import { addNumericValue, addNumericValues, DEFAULT_CARDINALITY_THRESHOLD, initNumericHistogram, numericHistogramEntries } from './numeric-histogram.js';

/** Sketch parameters of a profile. */
export interface ProfileOptions {
  /** KLL parameters (defaults: Deequ's k = 2048, c = 0.64, seed 0). */
  kll?: KllOptions;
  /** HyperLogLog precision (default 14). */
  hllPrecision?: number;
  /**
   * Keep a HyperLogLog distinct count for numeric columns (default true). Model Monitor's
   * statistics.json reports no distinct count for numeric features, so the monitoring baseline
   * turns it off and saves hashing every value; low-cardinality columns are still counted exactly
   * by the histogram.
   */
  numericDistinct?: boolean;
  /** Distinct values up to which numeric columns keep an exact histogram (default 120, Deequ's threshold). */
  histogramCap?: number;
  /** Distinct categories kept exactly before switching to a Misra–Gries summary of that many counters (default 1000). */
  frequentItemsCap?: number;
}

/** Mergeable state of a numeric column's profile. */
export interface NumericProfileState {
  readonly kind: 'numeric';
  readonly name: string;
  readonly dtype: NumericDtype;
  moments: MomentsState;
  kll: KllState;
  /** Null when `numericDistinct` is off. */
  hll: HllState | null;
  histogram: NumericHistogramState;
  types: DataTypeCounts;
}

/** Mergeable state of a categorical column's profile. */
export interface CategoricalProfileState {
  readonly kind: 'categorical';
  readonly name: string;
  missing: number;
  items: FrequentItemsState<string>;
  hll: HllState;
  types: DataTypeCounts;
}

export type ColumnProfileState = NumericProfileState | CategoricalProfileState;

/** The shape of a column without its data, enough to start a profile. */
export type ColumnShape = Pick<NumericColumn, 'kind' | 'name' | 'dtype'> | Pick<CategoricalColumn, 'kind' | 'name' | 'dtype'>;

/** An empty profile state for a column of this shape. */
export function initColumnProfile(column: ColumnShape, options: ProfileOptions = {}): ColumnProfileState {
  const hll = initHll(options.hllPrecision);
  if (column.kind === 'numeric') {
    return {
      kind: 'numeric',
      name: column.name,
      dtype: column.dtype,
      moments: initMoments(),
      kll: initKll(options.kll),
      hll: options.numericDistinct === false ? null : hll,
      histogram: initNumericHistogram(options.histogramCap ?? DEFAULT_CARDINALITY_THRESHOLD),
      types: initDataTypeCounts(),
    };
  }
  return { kind: 'categorical', name: column.name, missing: 0, items: initFrequentItems<string>(options.frequentItemsCap ?? 1000), hll, types: initDataTypeCounts() };
}

/**
 * Largest squared distance, in variances, between a chunk's shift and its mean for which the
 * shifted one-pass sums are trusted: the cancellation in Σd² − (Σd)²/n then costs at most about
 * 100·ε relative, inside the 1e-12 agreement the profiles promise.
 */
const MAX_SHIFT_RATIO = 100;

function updateNumeric(state: NumericProfileState, values: Float64Array, start: number, end: number): void {
  // One pass with the KLL sketch: count, min, max, shifted sums, integral count.
  const c = updateKllWithSums(state.kll, values, start, end);
  const n = c.count;
  state.moments.missing += end - start - n;
  if (n > 0) {
    const meanOffset = c.shiftedSum / n;
    let m2 = c.shiftedSquares - c.shiftedSum * meanOffset;
    let mean = c.shift + meanOffset;
    let total = n * c.shift + c.shiftedSum;
    if (meanOffset * meanOffset * n > MAX_SHIFT_RATIO * Math.max(m2, 0) || !(m2 >= 0)) {
      // The first value was far from the mean: a corrected two-pass around the mean instead.
      const mean0 = total / n;
      let sq = 0;
      let residual = 0;
      for (let i = start; i < end; i++) {
        const x = values[i]!;
        if (Number.isNaN(x)) continue;
        const d = x - mean0;
        sq += d * d;
        residual += d;
      }
      mean = mean0 + residual / n;
      m2 = sq - (residual * residual) / n;
      total = n * mean0 + residual;
    }
    addChunkMoments(state.moments, { count: n, missing: 0, mean, m2, sum: total, sumCompensation: 0, min: c.min, max: c.max });
  }
  // Distinct-count sketch and small-value histogram: values are hashed from their words in place
  // (same hash as hashNumber), HLL registers updated inline; skipped entirely for continuous
  // columns when distinct counts are off.
  const hll = state.hll;
  const hist = state.histogram;
  if (hll === null) addNumericValues(hist, values, start, end);
  else {
    const bits = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    const registers = hll.registers;
    const p = hll.p;
    const maxRank = 32 - p + 1;
    for (let i = start; i < end; i++) {
      const x = values[i]!;
      if (Number.isNaN(x)) continue;
      const h = x === 0 ? hashBits(0, 0) : hashBits(bits[2 * i]!, bits[2 * i + 1]!);
      const idx = h >>> (32 - p);
      const rank = Math.min(Math.clz32(h << p) + 1, maxRank);
      if (rank > registers[idx]!) registers[idx] = rank;
      if (!hist.overflowed) addNumericValue(hist, x);
    }
  }
  const present = n;
  const integral = c.integral;
  addTypeCount(state.types, 'missing', end - start - present);
  if (state.dtype === 'boolean') addTypeCount(state.types, 'Boolean', present);
  else if (state.dtype === 'fractional') {
    addTypeCount(state.types, 'Integral', integral);
    addTypeCount(state.types, 'Fractional', present - integral);
  } else addTypeCount(state.types, 'Integral', present);
}

/** Counts codes[start..end) into `counts` and returns the missing (negative) ones; a loop alone in its function, as in rank-select's countFewDistinct. */
function countCodes(codes: Int32Array, start: number, end: number, counts: Float64Array): number {
  let missing = 0;
  for (let i = start; i < end; i++) {
    const c = codes[i]!;
    if (c < 0) missing++;
    else counts[c] = counts[c]! + 1;
  }
  return missing;
}

function updateCategorical(state: CategoricalProfileState, column: CategoricalColumn, start: number, end: number): void {
  const counts = new Float64Array(column.dictionary.length);
  const missing = countCodes(column.codes, start, end, counts);
  state.missing += missing;
  addTypeCount(state.types, 'missing', missing);
  for (let c = 0; c < counts.length; c++) {
    const n = counts[c]!;
    if (n === 0) continue;
    const value = column.dictionary[c]!;
    addItem(state.items, value, n);
    addHash(state.hll, hashString(value));
    addTypeCount(state.types, classifyString(value), n);
  }
}

/** Adds rows [start, end) of `column` to `state` in place and returns it. */
export function updateColumnProfile(state: ColumnProfileState, column: Column, start = 0, end = column.kind === 'numeric' ? column.values.length : column.codes.length): ColumnProfileState {
  if (state.kind !== column.kind) throw new AppError('DATA_SCHEMA_MISMATCH', { message: `Column ${column.name} is ${column.kind}, its profile is ${state.kind}` });
  if (state.kind === 'numeric') updateNumeric(state, (column as NumericColumn).values, start, end);
  else updateCategorical(state, column as CategoricalColumn, start, end);
  return state;
}

function mergeHistograms(a: NumericHistogramState, b: NumericHistogramState): NumericHistogramState {
  const out: NumericHistogramState = { ...a, keys: a.keys.slice(), counts: a.counts.slice(), used: a.used.slice() };
  if (b.overflowed) out.overflowed = true;
  for (const [x, n] of numericHistogramEntries(b)) addNumericValue(out, x, n);
  return out;
}

/** Merges two states of the same column into a new state. */
export function mergeColumnProfiles(a: ColumnProfileState, b: ColumnProfileState): ColumnProfileState {
  if (a.kind !== b.kind || a.name !== b.name) throw new AppError('DATA_SCHEMA_MISMATCH', { message: `Cannot merge profiles of ${a.name} (${a.kind}) and ${b.name} (${b.kind})` });
  if (a.kind === 'numeric' && b.kind === 'numeric') {
    return {
      ...a,
      moments: mergeMoments(a.moments, b.moments),
      kll: mergeKll(a.kll, b.kll),
      hll: a.hll && b.hll ? mergeHll(a.hll, b.hll) : null,
      histogram: mergeHistograms(a.histogram, b.histogram),
      types: mergeDataTypeCounts(a.types, b.types),
    };
  }
  const ca = a as CategoricalProfileState;
  const cb = b as CategoricalProfileState;
  return { ...ca, missing: ca.missing + cb.missing, items: mergeFrequentItems(ca.items, cb.items), hll: mergeHll(ca.hll, cb.hll), types: mergeDataTypeCounts(ca.types, cb.types) };
}

interface ProfileCommon {
  name: string;
  /** Rows seen (present + missing). */
  rows: number;
  present: number;
  missing: number;
  /** present / rows (1 when there are no rows). */
  completeness: number;
  inferredType: InferredType;
  typeCounts: DataTypeCounts;
  /** HyperLogLog estimate, or the exact count when the values are known exactly; NaN when not computed. */
  distinct: number;
  distinctIsExact: boolean;
}

/** Finalised profile of a numeric column. */
export interface NumericProfile extends ProfileCommon {
  kind: 'numeric';
  dtype: NumericDtype;
  moments: Moments;
  kll: KllSketch;
  /** Exact value counts (by count desc, value asc) when distinct ≤ the histogram cap, else null. */
  histogram: { value: number; count: number }[] | null;
}

/** Finalised profile of a categorical column. */
export interface CategoricalProfile extends ProfileCommon {
  kind: 'categorical';
  frequentItems: FrequentItems<string>;
}

export type ColumnProfile = NumericProfile | CategoricalProfile;

/** The finished profile of a column (moments, sketches, type and distinct counts). */
export function finalizeColumnProfile(state: ColumnProfileState): ColumnProfile {
  const types = { ...state.types };
  if (state.kind === 'numeric') {
    const moments = finalizeMoments(state.moments);
    const rows = moments.count + moments.missing;
    const histogram = state.histogram.overflowed
      ? null
      : numericHistogramEntries(state.histogram)
          .map(([value, count]) => ({ value, count }))
          .sort((x, y) => y.count - x.count || x.value - y.value);
    return {
      kind: 'numeric',
      name: state.name,
      dtype: state.dtype,
      rows,
      present: moments.count,
      missing: moments.missing,
      completeness: rows === 0 ? 1 : moments.count / rows,
      inferredType: determineType(types),
      typeCounts: types,
      distinct: histogram ? histogram.length : state.hll ? finalizeHll(state.hll) : Number.NaN,
      distinctIsExact: histogram !== null,
      moments,
      kll: finalizeKll(state.kll),
      histogram,
    };
  }
  const frequentItems = finalizeFrequentItems(state.items);
  const rows = frequentItems.n + state.missing;
  return {
    kind: 'categorical',
    name: state.name,
    rows,
    present: frequentItems.n,
    missing: state.missing,
    completeness: rows === 0 ? 1 : frequentItems.n / rows,
    inferredType: determineType(types),
    typeCounts: types,
    distinct: frequentItems.exact ? frequentItems.items.length : finalizeHll(state.hll),
    distinctIsExact: frequentItems.exact,
    frequentItems,
  };
}

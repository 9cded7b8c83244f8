/**
 * @module data/stats/numeric-histogram
 * Exact value counts of a numeric column while it has at most `cap` distinct values (Deequ profiles
 * a histogram only for columns with ≤ 120 distinct values: `ColumnProfiler.DEFAULT_CARDINALITY_THRESHOLD`).
 * Past the cap the histogram is dropped (`overflowed`), so continuous columns cost nothing after
 * their first few values. An open-addressing table on typed arrays keeps the per-value cost low.
 */

export const DEFAULT_CARDINALITY_THRESHOLD = 120;

/**
 * Home slot of a value given its words (−0 passed as 0): Fibonacci hashing (Knuth, TAOCP vol. 3,
 * §6.4) of lo ^ hi, top bits. One multiply; the slot only places values in the table, whose
 * entries are sorted before anyone sees them.
 */
function slotOf(lo: number, hi: number, slotBits: number): number {
  return Math.imul(lo ^ hi, 0x9e3779b1) >>> (32 - slotBits);
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

export interface NumericHistogramState {
  readonly cap: number;
  overflowed: boolean;
  size: number;
  keys: Float64Array;
  counts: Float64Array;
  used: Uint8Array;
}

function tableSize(cap: number): number {
  let s = 16;
  while (s < 2 * (cap + 1)) s <<= 1;
  return s;
}

/** Empty histogram keeping up to `cap` distinct values. */
export function initNumericHistogram(cap = DEFAULT_CARDINALITY_THRESHOLD): NumericHistogramState {
  const s = tableSize(cap);
  return { cap, overflowed: false, size: 0, keys: new Float64Array(s), counts: new Float64Array(s), used: new Uint8Array(s) };
}

/** Adds `count` occurrences of `x` (not NaN). */
export function addNumericValue(state: NumericHistogramState, x: number, count = 1): void {
  if (state.overflowed) return;
  const mask = state.keys.length - 1;
  f64[0] = x === 0 ? 0 : x;
  let i = slotOf(u32[0]!, u32[1]!, 31 - Math.clz32(state.keys.length));
  while (state.used[i] === 1) {
    if (state.keys[i] === x) {
      state.counts[i] = state.counts[i]! + count;
      return;
    }
    i = (i + 1) & mask;
  }
  if (state.size === state.cap) {
    state.overflowed = true;
    return;
  }
  state.used[i] = 1;
  state.keys[i] = x;
  state.counts[i] = count;
  state.size++;
}

/** Integers 1…SMALL − 1 are counted in a direct array during {@link addNumericValues} and added to the table at its end. */
const SMALL = 256;
const smallCounts = new Int32Array(SMALL);

/**
 * Adds the non-NaN values of `values[start..end)`, hashing each from its words in place as
 * {@link addNumericValue} does; stops as soon as the histogram overflows. Small positive
 * integers (codes, counts, ratings: the typical low-cardinality column) skip the hash: they are
 * counted directly and added to the table at the end. The overflow point and the counts are those
 * of adding the values one by one (zeros, whose sign the first one fixes, are never deferred);
 * only the table's slot order, which nothing reads unsorted, may differ.
 */
export function addNumericValues(state: NumericHistogramState, values: Float64Array, start: number, end: number): void {
  if (state.overflowed) return;
  smallCounts.fill(0);
  if (!countValues(state, values, start, end)) {
    state.overflowed = true;
    return;
  }
  for (let k = 1; k < SMALL; k++) if (smallCounts[k] !== 0) addNumericValue(state, k, smallCounts[k]!);
}

/** Whether `x` (not 0) has an entry. */
function inTable(state: NumericHistogramState, x: number): boolean {
  const mask = state.keys.length - 1;
  f64[0] = x;
  let i = slotOf(u32[0]!, u32[1]!, 31 - Math.clz32(state.keys.length));
  while (state.used[i] === 1) {
    if (state.keys[i] === x) return true;
    i = (i + 1) & mask;
  }
  return false;
}

/**
 * The loop of {@link addNumericValues} (alone in its function, as in rank-select's
 * countFewDistinct); returns false when the values overflow the histogram. `pending` counts the
 * small integers counted directly that have no entry yet, so size + pending is the number of
 * distinct values so far.
 */
function countValues(state: NumericHistogramState, values: Float64Array, start: number, end: number): boolean {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const keys = state.keys;
  const counts = state.counts;
  const used = state.used;
  const small = smallCounts;
  const mask = keys.length - 1;
  const slotBits = 31 - Math.clz32(keys.length);
  const zeroSlot = slotOf(0, 0, slotBits);
  let pending = 0;
  for (let v = start; v < end; v++) {
    const x = values[v]!;
    if (x >= 1 && x < SMALL) {
      const k = x | 0;
      if (k === x) {
        if (small[k] === 0 && !inTable(state, x) && state.size + ++pending > state.cap) return false;
        small[k]!++;
        continue;
      }
    }
    if (Number.isNaN(x)) continue;
    let i = x === 0 ? zeroSlot : slotOf(bits[2 * v]!, bits[2 * v + 1]!, slotBits);
    for (;;) {
      if (used[i] === 0) {
        if (state.size + pending === state.cap) return false;
        used[i] = 1;
        keys[i] = x;
        counts[i] = 1;
        state.size++;
        break;
      }
      if (keys[i] === x) {
        counts[i] = counts[i]! + 1;
        break;
      }
      i = (i + 1) & mask;
    }
  }
  return true;
}

/** Entries as [value, count] pairs, in table order. */
export function numericHistogramEntries(state: NumericHistogramState): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < state.used.length; i++) if (state.used[i] === 1) out.push([state.keys[i]!, state.counts[i]!]);
  return out;
}

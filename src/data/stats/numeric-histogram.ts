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

/**
 * Adds the non-NaN values of `values[start..end)` one by one, hashing each from its words in place
 * as {@link addNumericValue} does; stops as soon as the histogram overflows. A loop of its own,
 * with the table in locals, keeps the per-value cost to a multiply and a probe.
 */
export function addNumericValues(state: NumericHistogramState, values: Float64Array, start: number, end: number): void {
  if (state.overflowed) return;
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const keys = state.keys;
  const counts = state.counts;
  const used = state.used;
  const mask = keys.length - 1;
  const slotBits = 31 - Math.clz32(keys.length);
  const zeroSlot = slotOf(0, 0, slotBits);
  for (let v = start; v < end; v++) {
    const x = values[v]!;
    if (Number.isNaN(x)) continue;
    let i = x === 0 ? zeroSlot : slotOf(bits[2 * v]!, bits[2 * v + 1]!, slotBits);
    for (;;) {
      if (used[i] === 0) {
        if (state.size === state.cap) {
          state.overflowed = true;
          return;
        }
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
}

/** Entries as [value, count] pairs, in table order. */
export function numericHistogramEntries(state: NumericHistogramState): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < state.used.length; i++) if (state.used[i] === 1) out.push([state.keys[i]!, state.counts[i]!]);
  return out;
}

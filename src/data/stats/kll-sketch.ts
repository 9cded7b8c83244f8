/**
 * @module data/stats/kll-sketch
 * KLL quantile sketch (Karnin, Lang & Liberty, "Optimal Quantile Approximation in Streams",
 * FOCS 2016) with Deequ's defaults k = 2048 and shrinking factor c = 0.64
 * (awslabs/deequ `KLLSketch.scala` DEFAULT_SKETCH_SIZE, DEFAULT_SHRINKING_FACTOR).
 *
 * Level h holds items of weight 2^h; its capacity is max(8, ⌈k·c^(H−1−h)⌉) for H levels, so the top
 * level holds k items and lower levels shrink geometrically (the paper's scheme). Compaction is lazy
 * (Ivkin et al., "Streaming quantiles algorithms with small space and update time", 2019, also what
 * Deequ's `condense` does): only when the whole sketch is over its total capacity is the lowest
 * full level sorted and every other item promoted, starting at a seeded coin-flip offset.
 *
 * Error bound. Compacting a level of weight w moves the rank of any query by 0 or ±w, with zero
 * mean over the coin. The sketch records Σw (a certain bound on the absolute rank error of any
 * query) and Σw² (by Hoeffding's inequality, |error| ≤ √(2·ln(2/δ)·Σw²) with probability 1 − δ).
 * For k = 2048 the normalised rank error is typically below 0.2 % (DataSketches' empirical
 * 2.446/k^0.9433 at 99 % confidence for c ≈ 2/3); `kllRankErrorBound` (kll-cdf) states the exact figures.
 *
 * Speed: items are first collected in a batch of up to {@link KLL_BATCH} values and halved (each
 * halving is a compaction of the sorted batch at the next level, with its own coin and error
 * accounting) until it fits the level it lands on. A batch is itself a valid level buffer, so this
 * is KLL's merge of a one-batch sketch; it only changes which compactions happen, and the recorded
 * bounds cover them. The halvings keep known ranks of the sorted batch, so only those order
 * statistics are selected ({@link selectRanks}); the batch is never fully sorted.
 *
 * Determinism: coins come from `createRandom(seed, level, compaction count)`, so the same items in
 * the same partitions with the same seed give byte-identical sketches; merge is commutative.
 */
import { AppError, createRandom } from '../../kernel/index.js';
import { sortFloat64Runs } from './radix-sort.js';
import { selectRanks } from './rank-select.js';

/** Deequ's default sketch size. */
export const KLL_DEFAULT_K = 2048;
/** Deequ's default shrinking factor. */
export const KLL_DEFAULT_C = 0.64;
const MIN_LEVEL_WIDTH = 8;
/** Values collected before one sort-and-halve step. */
export const KLL_BATCH = 1 << 16;
/**
 * Values a state keeps batched between updates; larger batches are flushed when an update ends
 * and the buffer shrinks, so wide frames hold at most 32 KB of batch per column.
 */
const KLL_RETAINED_BATCH = 1 << 12;

/** Mergeable KLL state. Level buffers are unsorted between compactions. */
export interface KllState {
  readonly k: number;
  readonly c: number;
  readonly seed: number;
  levels: Float64Array[];
  sizes: number[];
  /** Compactions done per level (drives the seeded coins). */
  compactions: number[];
  /** Items seen. */
  n: number;
  /** Σ w over compactions: a certain bound on the absolute rank error. */
  worstCaseError: number;
  /** Σ w² over compactions: the variance bound used for the Hoeffding bound. */
  errorVariance: number;
  /** Sum of sizes and of capacities (batch excluded). */
  total: number;
  capacityTotal: number;
  /** Values not yet added to the levels (see {@link KLL_BATCH}). */
  batch: Float64Array;
  batchSize: number;
}

export interface KllOptions {
  k?: number;
  c?: number;
  seed?: number;
}

/** Items level h may hold before it is compacted, in a sketch of `levels` levels (Deequ's rule). */
export function kllLevelCapacity(k: number, c: number, levels: number, h: number): number {
  return capacity(k, c, levels, h);
}

function capacity(k: number, c: number, levels: number, h: number): number {
  return Math.max(MIN_LEVEL_WIDTH, Math.ceil(k * c ** (levels - 1 - h)));
}

function capacityTotal(k: number, c: number, levels: number): number {
  let t = 0;
  for (let h = 0; h < levels; h++) t += capacity(k, c, levels, h);
  return t;
}

/** An empty sketch (Deequ's k and c unless given; seed for the compaction coins). */
export function initKll(options: KllOptions = {}): KllState {
  const k = options.k ?? KLL_DEFAULT_K;
  const c = options.c ?? KLL_DEFAULT_C;
  return {
    k,
    c,
    seed: options.seed ?? 0,
    levels: [new Float64Array(capacity(k, c, 1, 0) + 1)],
    sizes: [0],
    compactions: [0],
    n: 0,
    worstCaseError: 0,
    errorVariance: 0,
    total: 0,
    capacityTotal: capacityTotal(k, c, 1),
    batch: new Float64Array(64),
    batchSize: 0,
  };
}

function ensureRoom(state: KllState, h: number, extra: number): Float64Array {
  let buf = state.levels[h]!;
  const need = state.sizes[h]! + extra;
  if (need > buf.length) {
    const grown = new Float64Array(Math.max(need, buf.length * 2));
    grown.set(buf.subarray(0, state.sizes[h]!));
    state.levels[h] = grown;
    buf = grown;
  }
  return buf;
}

function addLevel(state: KllState): void {
  state.levels.push(new Float64Array(16));
  state.sizes.push(0);
  state.compactions.push(0);
  state.capacityTotal = capacityTotal(state.k, state.c, state.levels.length);
}

function coin(state: KllState, h: number): number {
  const seed = (state.seed ^ Math.imul(h + 1, 0x9e3779b1) ^ Math.imul(state.compactions[h]! + 1, 0x85ebca77)) >>> 0;
  return createRandom(seed).nextUint32() & 1;
}

let scratch = new Uint32Array(2 * KLL_BATCH);

/** Compacts level h: sort, keep one item if the count is odd, promote every other item of the rest. */
function compactLevel(state: KllState, h: number): void {
  if (h + 1 >= state.levels.length) addLevel(state);
  const size = state.sizes[h]!;
  const buf = state.levels[h]!;
  const sorted = buf.subarray(0, size);
  if (scratch.length < 2 * size) scratch = new Uint32Array(2 * size);
  sortFloat64Runs(sorted, scratch);
  const keep = size & 1;
  const pairs = (size - keep) >> 1;
  const offset = coin(state, h);
  const up = ensureRoom(state, h + 1, pairs);
  let upSize = state.sizes[h + 1]!;
  for (let i = 0; i < pairs; i++) up[upSize++] = sorted[keep + 2 * i + offset]!;
  state.sizes[h + 1] = upSize;
  // The odd item kept is the smallest; it stays at weight 2^h.
  state.sizes[h] = keep;
  state.compactions[h] = state.compactions[h]! + 1;
  state.total -= pairs;
  const w = 2 ** h;
  state.worstCaseError += w;
  state.errorVariance += w * w;
}

function condense(state: KllState): void {
  while (state.total > state.capacityTotal) {
    const levels = state.levels.length;
    let h = 0;
    while (h < levels && state.sizes[h]! < capacity(state.k, state.c, levels, h)) h++;
    compactLevel(state, h < levels ? h : levels - 1);
  }
}

/** Wanted ranks and selected values of a batch's halvings, reused across flushes. */
let planRanks = new Int32Array(1 << 12);
let planOut = new Float64Array(1 << 12);

/**
 * Halves the batch down to the level where it fits and adds it there. Halving a sorted batch t
 * times keeps the items of ranks B + 2^t·i (B fixed by the coins), and an odd-sized halving keeps
 * its smallest item, of rank B_s, at that level; so the coins and error terms are drawn first,
 * exactly as the sort-and-halve loop would, and only those order statistics are then selected
 * ({@link selectRanks}) instead of sorting the whole batch.
 */
function flushBatch(state: KllState): void {
  let size = state.batchSize;
  if (size === 0) return;
  state.batchSize = 0;
  const batch = state.batch.subarray(0, size);
  let h = 0;
  let base = 0;
  let stride = 1;
  const oddLevels: number[] = [];
  const oddRanks: number[] = [];
  while (size > capacity(state.k, state.c, state.levels.length, h)) {
    if (h + 1 >= state.levels.length) addLevel(state);
    const keep = size & 1;
    if (keep) {
      oddLevels.push(h);
      oddRanks.push(base);
    }
    const offset = coin(state, h);
    base += stride * (keep + offset);
    stride *= 2;
    size = (size - keep) >> 1;
    state.compactions[h] = state.compactions[h]! + 1;
    const w = 2 ** h;
    state.worstCaseError += w;
    state.errorVariance += w * w;
    h++;
  }
  const dst = ensureRoom(state, h, size);
  if (stride === 1) {
    // No halving: level buffers are unsorted between compactions, so the batch goes in as it is.
    dst.set(batch, state.sizes[h]!);
  } else {
    const odd = oddRanks.length;
    const wanted = odd + size;
    if (planRanks.length < wanted) {
      planRanks = new Int32Array(wanted);
      planOut = new Float64Array(wanted);
    }
    // Odd ranks ascend and all precede B_t, so the wanted ranks are strictly ascending.
    for (let j = 0; j < odd; j++) planRanks[j] = oddRanks[j]!;
    for (let i = 0; i < size; i++) planRanks[odd + i] = base + stride * i;
    const out = planOut.subarray(0, wanted);
    if (scratch.length < 2 * batch.length) scratch = new Uint32Array(2 * batch.length);
    selectRanks(batch, planRanks.subarray(0, wanted), out, scratch);
    for (let j = 0; j < odd; j++) {
      const lh = oddLevels[j]!;
      ensureRoom(state, lh, 1)[state.sizes[lh]!] = out[j]!;
      state.sizes[lh] = state.sizes[lh]! + 1;
      state.total++;
    }
    // ensureRoom for an odd item at level h never happens (odd levels are below h), so dst is current.
    dst.set(out.subarray(odd), state.sizes[h]!);
  }
  state.sizes[h] = state.sizes[h]! + size;
  state.total += size;
  condense(state);
}

/** Adds the non-NaN values of `values[start..end)` to `state` in place and returns it. */
export function updateKll(state: KllState, values: Float64Array, start = 0, end = values.length): KllState {
  updateKllWithSums(state, values, start, end);
  return state;
}

/** One-pass sums of the values a chunk added to a sketch. */
export interface ChunkSums {
  count: number;
  min: number;
  max: number;
  /** The chunk's first value, around which the shifted sums are taken. */
  shift: number;
  /** Σ(x − shift) and Σ(x − shift)². */
  shiftedSum: number;
  shiftedSquares: number;
  /** Values with no fractional part. */
  integral: number;
}

/** Running Σd, Σd², min, max and integral count of the chunk being added (see {@link fillBatch}). */
const chunkSums = new Float64Array(5);

/**
 * Copies the non-NaN values of `values[from..to)` into `batch` from `size` on and accumulates
 * their sums into `sums`; returns the new batch size. Kept apart from the sketch bookkeeping so
 * the per-value loop sees only typed arrays and numbers and stays optimised.
 */
function fillBatch(values: Float64Array, from: number, to: number, batch: Float64Array, size: number, shift: number, sums: Float64Array): number {
  let s1 = sums[0]!;
  let s2 = sums[1]!;
  let min = sums[2]!;
  let max = sums[3]!;
  let integral = sums[4]!;
  let n = size;
  for (let i = from; i < to; i++) {
    const x = values[i]!;
    if (Number.isNaN(x)) continue;
    batch[n++] = x;
    const d = x - shift;
    s1 += d;
    s2 += d * d;
    if (x < min) min = x;
    if (x > max) max = x;
    if (x === Math.trunc(x)) integral++;
  }
  sums[0] = s1;
  sums[1] = s2;
  sums[2] = min;
  sums[3] = max;
  sums[4] = integral;
  return n;
}

/**
 * {@link updateKll} that also returns the chunk's count, min, max, integral count and sums shifted
 * by its first value, so a profiler reads the values once for everything (the shifted sums give
 * the variance exactly enough when the shift is near the mean; callers check that and make a
 * second pass otherwise).
 */
export function updateKllWithSums(state: KllState, values: Float64Array, start = 0, end = values.length): ChunkSums {
  let batch = state.batch;
  let size = state.batchSize;
  let added = 0;
  const sums = chunkSums;
  sums[0] = 0;
  sums[1] = 0;
  sums[2] = Number.POSITIVE_INFINITY;
  sums[3] = Number.NEGATIVE_INFINITY;
  sums[4] = 0;
  let i = start;
  while (i < end && Number.isNaN(values[i]!)) i++;
  const shift = i < end ? values[i]! : Number.NaN;
  while (i < end) {
    if (size === batch.length) {
      if (size >= KLL_BATCH) {
        state.batchSize = size;
        flushBatch(state);
        size = 0;
      } else {
        const grown = new Float64Array(Math.min(KLL_BATCH, batch.length * 4));
        grown.set(batch);
        state.batch = grown;
        batch = grown;
      }
    }
    // Each value read adds at most one to the batch, so the batch cannot fill before `stop`.
    const stop = Math.min(end, i + batch.length - size);
    const filled = fillBatch(values, i, stop, batch, size, shift, sums);
    added += filled - size;
    size = filled;
    i = stop;
  }
  const s1 = sums[0]!;
  const s2 = sums[1]!;
  const min = sums[2]!;
  const max = sums[3]!;
  const integral = sums[4]!;
  state.n += added;
  state.batchSize = size;
  if (size >= KLL_RETAINED_BATCH) {
    flushBatch(state);
    size = 0;
  }
  if (state.batch.length > KLL_RETAINED_BATCH) {
    const small = new Float64Array(KLL_RETAINED_BATCH);
    small.set(state.batch.subarray(0, size));
    state.batch = small;
  }
  return { count: added, min, max, shift, shiftedSum: s1, shiftedSquares: s2, integral };
}

function copyKll(s: KllState): KllState {
  return {
    ...s,
    levels: s.levels.map((b, h) => b.slice(0, Math.max(s.sizes[h]!, 16))),
    sizes: [...s.sizes],
    compactions: [...s.compactions],
    batch: s.batch.slice(0, Math.max(s.batchSize, 64)),
  };
}

/** Merges two sketches with the same k and c into a new one (inputs are not modified). */
export function mergeKll(a: KllState, b: KllState): KllState {
  if (a.k !== b.k || a.c !== b.c) throw new AppError('INVALID_INPUT', { message: `Cannot merge KLL sketches with different parameters (k ${a.k}/${b.k}, c ${a.c}/${b.c})` });
  const out = copyKll(a);
  flushBatch(out);
  const other = copyKll(b);
  flushBatch(other);
  while (out.levels.length < other.levels.length) addLevel(out);
  for (let h = 0; h < other.levels.length; h++) {
    const size = other.sizes[h]!;
    const dst = ensureRoom(out, h, size);
    dst.set(other.levels[h]!.subarray(0, size), out.sizes[h]!);
    out.sizes[h] = out.sizes[h]! + size;
    out.compactions[h] = out.compactions[h]! + other.compactions[h]!;
  }
  out.n += other.n;
  out.total += other.total;
  out.worstCaseError += other.worstCaseError;
  out.errorVariance += other.errorVariance;
  condense(out);
  return out;
}

/** A finalised sketch: sorted items of each level (level h has weight 2^h), as statistics.json stores them. */
export interface KllSketch {
  k: number;
  c: number;
  n: number;
  /** Items per level, each sorted ascending. */
  data: number[][];
  worstCaseError: number;
  errorVariance: number;
}

/**
 * A level's items in ascending order, exactly as a stable sort with `(x, y) => x - y` orders them
 * (zeros of either sign in their original order), but through the typed-array sort, which needs
 * no comparator calls; the zeros, which it would order −0 first, are put back in their original order.
 */
function sortedItems(level: Float64Array): number[] {
  const sorted = level.slice().sort();
  let first = 0;
  while (first < sorted.length && sorted[first]! < 0) first++;
  if (first < sorted.length && sorted[first] === 0) {
    let k = first;
    for (let i = 0; i < level.length; i++) if (level[i] === 0) sorted[k++] = level[i]!;
  }
  return Array.from(sorted);
}

/** Finalises the sketch (adds any batched values to the levels first). */
export function finalizeKll(state: KllState): KllSketch {
  flushBatch(state);
  return {
    k: state.k,
    c: state.c,
    n: state.n,
    data: state.levels.map((b, h) => sortedItems(b.subarray(0, state.sizes[h]!))),
    worstCaseError: state.worstCaseError,
    errorVariance: state.errorVariance,
  };
}

/**
 * @module data/stats/rank-select
 * Selects the values at given ranks of an unsorted float64 array without fully sorting it.
 * A KLL batch that is sorted and then halved t times keeps only the items of ranks B + 2^t·i (and
 * one odd item per odd-sized halving), so selecting those order statistics gives the same sketch as
 * sorting the whole batch, for less work.
 *
 * Method for large batches ({@link selectByBuckets}): one monotone bucketing into 2^15 buckets, a
 * counting pass, and a scatter that keeps only the values of the few buckets holding a wanted
 * rank, which are then sorted; it reads the batch twice instead of four times.
 *
 * Fallback (small batches, or when the wanted buckets hold most values): the IEEE-754 bits are
 * mapped to order-preserving unsigned keys (as in {@link radixSortFloat64}); the bits above the
 * highest one that differs between keys are common to all of them and skipped, and a two-pass
 * least-significant-digit radix sort orders the keys by the next 24 bits. Keys then sit in runs
 * that agree on every bit but the lowest ones; only the runs holding a wanted rank are finished
 * (insertion sort, or a full sort for long runs), the rest are never ordered.
 *
 * Batches of at most 128 distinct values skip both and are answered from their value counts. The
 * selected values are those a numeric sort would place at the ranks, with −0 ordered before +0.
 */
import { radixSortFloat64, scatterByDigit } from './radix-sort.js';

const DIGIT = 12;
const BUCKETS = 1 << DIGIT;
const counts = new Uint32Array(2 * BUCKETS);
const pair = new Uint32Array(2);
const pairValue = new Float64Array(pair.buffer);
let run = new Float64Array(256);
let runScratch = new Uint32Array(512);

/** Value of the mapped key (lo, hi). */
function keyValue(lo: number, hi: number, mapped: boolean): number {
  if (mapped) {
    const mask = hi >>> 31 ? 0 : -1;
    pair[0] = (lo ^ mask) >>> 0;
    pair[1] = (hi ^ (mask | 0x80000000)) >>> 0;
  } else {
    pair[0] = lo;
    pair[1] = hi;
  }
  return pairValue[0]!;
}

/** Orders keys[s..e) (pairs lo, hi) by (hi, lo) unsigned. */
function finishRun(keys: Uint32Array, s: number, e: number, mapped: boolean): void {
  const len = e - s;
  if (len <= 64) {
    for (let i = s + 1; i < e; i++) {
      const lo = keys[2 * i]!;
      const hi = keys[2 * i + 1]!;
      let j = i - 1;
      while (j >= s && (keys[2 * j + 1]! > hi || (keys[2 * j + 1] === hi && keys[2 * j]! > lo))) {
        keys[2 * j + 2] = keys[2 * j]!;
        keys[2 * j + 3] = keys[2 * j + 1]!;
        j--;
      }
      keys[2 * j + 2] = lo;
      keys[2 * j + 3] = hi;
    }
    return;
  }
  // A long run (values packed closer than 2^-22 of their range): sort its values outright.
  if (run.length < len) run = new Float64Array(2 * len);
  const values = run.subarray(0, len);
  for (let i = 0; i < len; i++) values[i] = keyValue(keys[2 * (s + i)]!, keys[2 * (s + i) + 1]!, mapped);
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * len);
  if (runScratch.length < 2 * len) runScratch = new Uint32Array(4 * len);
  radixSortFloat64(values, runScratch);
  for (let i = 0; i < len; i++) {
    let lo = words[2 * i]!;
    let hi = words[2 * i + 1]!;
    if (mapped) {
      const mask = hi >> 31;
      lo = (lo ^ mask) >>> 0;
      hi = (hi ^ (mask | 0x80000000)) >>> 0;
    }
    keys[2 * (s + i)] = lo;
    keys[2 * (s + i) + 1] = hi;
  }
}

/** Distinct values up to which {@link selectFewDistinct} answers by counting. */
const FEW = 128;
const FEW_TABLE = 512;
const fewLo = new Int32Array(FEW_TABLE);
const fewHi = new Int32Array(FEW_TABLE);
const fewCount = new Int32Array(FEW_TABLE);
const fewUsed = new Uint8Array(FEW_TABLE);
/** Integers 1…FEW_SMALL − 1 are counted directly, without the hash table. */
const FEW_SMALL = 256;
const fewSmall = new Int32Array(FEW_SMALL);
const fewValues = new Float64Array(FEW);
const fewWords = new Int32Array(fewValues.buffer);
const fewOrder = new Float64Array(FEW);

/**
 * Low-cardinality batches (codes, small integers, flags) are answered by counting: the distinct
 * values are gathered in a small hash table (keyed by their exact bits, so −0 and +0 stay apart;
 * small positive integers in a direct array), sorted, and the wanted ranks read off the cumulative
 * counts. Returns false, having written nothing, as soon as the batch shows more than
 * {@link FEW} distinct values.
 */
function selectFewDistinct(a: Float64Array, keys: Int32Array, n: number, ranks: Int32Array, out: Float64Array): boolean {
  if (!countFewDistinct(a, keys, n)) return false;
  readFewDistinct(ranks, out);
  return true;
}

/**
 * The counting loop of {@link selectFewDistinct}, alone in its function: code after a hot loop
 * that has not run when the loop is compiled on stack replacement deoptimises it on every exit.
 */
function countFewDistinct(a: Float64Array, keys: Int32Array, n: number): boolean {
  fewUsed.fill(0);
  fewSmall.fill(0);
  const small = fewSmall;
  let distinct = 0;
  const mask = FEW_TABLE - 1;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    if (x >= 1 && x < FEW_SMALL) {
      const k = x | 0;
      if (k === x) {
        if (small[k]!++ === 0 && ++distinct > FEW) return false;
        continue;
      }
    }
    const lo = keys[2 * i]!;
    const hi = keys[2 * i + 1]!;
    let slot = Math.imul(lo ^ hi, 0x9e3779b1) >>> 23;
    for (;;) {
      if (fewUsed[slot] === 0) {
        if (distinct === FEW) return false;
        fewUsed[slot] = 1;
        fewLo[slot] = lo;
        fewHi[slot] = hi;
        fewCount[slot] = 1;
        distinct++;
        break;
      }
      if (fewLo[slot] === lo && fewHi[slot] === hi) {
        fewCount[slot] = fewCount[slot]! + 1;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  return true;
}

/** Sorts the distinct values (a typed-array sort puts −0 before +0) and reads the ranks off their counts. */
function readFewDistinct(ranks: Int32Array, out: Float64Array): void {
  const mask = FEW_TABLE - 1;
  let d = 0;
  for (let slot = 0; slot < FEW_TABLE; slot++) {
    if (fewUsed[slot] === 0) continue;
    fewWords[2 * d] = fewLo[slot]!;
    fewWords[2 * d + 1] = fewHi[slot]!;
    d++;
  }
  for (let k = 1; k < FEW_SMALL; k++) if (fewSmall[k] !== 0) fewValues[d++] = k;
  const values = fewOrder.subarray(0, d);
  values.set(fewValues.subarray(0, d));
  values.sort();
  let acc = 0;
  let j = 0;
  for (let v = 0; v < d && j < ranks.length; v++) {
    const x = values[v]!;
    if (x >= 1 && x < FEW_SMALL && (x | 0) === x) acc += fewSmall[x | 0]!;
    else {
      fewValues[0] = x;
      const lo = fewWords[0]!;
      const hi = fewWords[1]!;
      let slot = Math.imul(lo ^ hi, 0x9e3779b1) >>> 23;
      while (fewLo[slot] !== lo || fewHi[slot] !== hi) slot = (slot + 1) & mask;
      acc += fewCount[slot]!;
    }
    while (j < ranks.length && ranks[j]! < acc) out[j++] = x;
  }
}

/** Buckets of {@link selectByBuckets}; their offsets (128 KB) stay in L2 during the passes. */
const BUCKET_BITS = 15;
const BUCKET_COUNT = 1 << BUCKET_BITS;
const bucketOffsets = new Int32Array(BUCKET_COUNT);
/**
 * Each batch value's bucket, written by the counting pass so the scatter reads it instead of
 * mapping the value again (2^15 buckets fit 16 bits); grown to the largest batch seen.
 */
let bucketOfValue = new Uint16Array(1 << 16);
/**
 * One bit per bucket, set for the wanted ones: 4 KB, so the scatter tests each value against L1
 * and touches the 128 KB of offsets only for the few values it keeps.
 */
const wantedBits = new Int32Array(BUCKET_COUNT >> 5);
/** Batches smaller than this take the radix passes (the sample and bucket setup would not pay). */
const BUCKETED_MIN = 4096;
const SAMPLE = 256;
const sample = new Float64Array(SAMPLE);
const COARSE_BITS = 6;
const coarse = new Int32Array(1 << COARSE_BITS);
/** Wanted buckets: start in the region, rank of their first value, size. */
const wantStart = new Int32Array(BUCKET_COUNT);
const wantFirst = new Int32Array(BUCKET_COUNT);
const wantSize = new Int32Array(BUCKET_COUNT);

/** Signed-order key of a high word: compares as int32 as the values compare (−0 below +0). */
function highKey(hi: number): number {
  return hi ^ ((hi >> 31) & 0x7fffffff);
}

/** Bucket of `x` by value: ⌊(x − lo)·scale⌋ clamped to the buckets (monotone in x; NaN-free input). */
function valueBucket(x: number, lo: number, scale: number): number {
  const t = (x - lo) * scale;
  return t > 0 ? (t < BUCKET_COUNT - 1 ? t | 0 : BUCKET_COUNT - 1) : 0;
}

/** Bucket of a high word by its key: (key >> shift) − base clamped to the buckets (monotone in the value). */
function keyBucket(hi: number, shift: number, base: number): number {
  return Math.max(0, Math.min((highKey(hi) >> shift) - base, BUCKET_COUNT - 1));
}

/** Σ count² of the sample over 64 coarse bins of a bucket map: proportional to the expected bucket size a rank lands in. */
function sampleCollisions(byKey: boolean, lo: number, scale: number, shift: number, base: number): number {
  coarse.fill(0);
  const words = new Int32Array(sample.buffer);
  for (let k = 0; k < SAMPLE; k++) {
    const b = byKey ? keyBucket(words[2 * k + 1]!, shift, base) : valueBucket(sample[k]!, lo, scale);
    coarse[b >> (BUCKET_BITS - COARSE_BITS)]!++;
  }
  let sum = 0;
  for (let c = 0; c < coarse.length; c++) sum += coarse[c]! * coarse[c]!;
  return sum;
}

/** Sorts region[s..e) numerically, −0 before +0 (insertion sort for short buckets, unless it left zeros unordered). */
function sortBucket(region: Float64Array, s: number, e: number): void {
  if (e - s <= 24) {
    for (let i = s + 1; i < e; i++) {
      const x = region[i]!;
      let j = i - 1;
      while (j >= s && region[j]! > x) {
        region[j + 1] = region[j]!;
        j--;
      }
      region[j + 1] = x;
    }
    // Zeros of either sign compare equal, so the insertion sort may leave +0 before −0.
    if (!(region[s]! <= 0 && region[e - 1]! >= 0)) return;
  }
  region.subarray(s, e).sort();
}

/**
 * Selection for large batches by one monotone bucketing: a sample picks the bucket map (linear in
 * the value, or linear in the key bits, which follows magnitudes on a log-like scale) whose
 * buckets it fills most evenly, the 2^15 buckets are counted, and only the values of buckets that
 * hold a wanted rank are gathered (one counting-sort scatter that skips the others) and sorted.
 * Since the map is monotone, a rank's value is its rank within its bucket. Returns false, having
 * written nothing, when the sample is degenerate or the wanted buckets hold more than half the
 * batch.
 */
function selectByBuckets(a: Float64Array, ranks: Int32Array, out: Float64Array, scratch: Uint32Array): boolean {
  // The region is a float64 view of the scratch words, which must then be 8-byte aligned.
  if (scratch.byteOffset % 8 !== 0) return false;
  const n = a.length;
  const words = new Int32Array(a.buffer, a.byteOffset, 2 * n);
  for (let k = 0; k < SAMPLE; k++) sample[k] = a[Math.floor((k * n) / SAMPLE)]!;
  sample.sort();
  // The bucket range leaves out the sample's 2 extremes at each end (the clamped end buckets catch them).
  const lo = sample[2]!;
  const hi = sample[SAMPLE - 3]!;
  if (!(hi > lo)) return false;
  const scale = (BUCKET_COUNT - 1) / (hi - lo);
  const sampleWords = new Int32Array(sample.buffer);
  const kLo = highKey(sampleWords[5]!);
  const kHi = highKey(sampleWords[2 * (SAMPLE - 3) + 1]!);
  let shift = 0;
  while ((kHi >> shift) - (kLo >> shift) >= BUCKET_COUNT) shift++;
  const base = kLo >> shift;
  const valueOk = scale > 0 && scale < Number.POSITIVE_INFINITY;
  const keyOk = kHi > kLo;
  if (!valueOk && !keyOk) return false;
  const byKey = !valueOk || (keyOk && sampleCollisions(true, lo, scale, shift, base) < sampleCollisions(false, lo, scale, shift, base));
  if (bucketOfValue.length < n) bucketOfValue = new Uint16Array(n);
  const bucketOf = bucketOfValue;
  if (byKey) countByKey(words, n, shift, base, bucketOf);
  else countByValue(a, n, lo, scale, bucketOf);
  const regionSize = planRegion(ranks);
  if (2 * regionSize > n) return false;
  const region = new Float64Array(scratch.buffer, scratch.byteOffset, n);
  scatterWanted(a, bucketOf, n, region);
  readBuckets(region, ranks, out);
  return true;
}

function countByKey(words: Int32Array, n: number, shift: number, base: number, bucketOf: Uint16Array): void {
  const offsets = bucketOffsets;
  offsets.fill(0);
  for (let i = 0; i < n; i++) {
    const b = keyBucket(words[2 * i + 1]!, shift, base);
    bucketOf[i] = b;
    offsets[b]!++;
  }
}

function countByValue(a: Float64Array, n: number, lo: number, scale: number, bucketOf: Uint16Array): void {
  const offsets = bucketOffsets;
  offsets.fill(0);
  for (let i = 0; i < n; i++) {
    const b = valueBucket(a[i]!, lo, scale);
    bucketOf[i] = b;
    offsets[b]!++;
  }
}

/**
 * Lists the buckets that hold a wanted rank in want* and gives them consecutive places in the
 * region from 0, stored as ~place (negative) over their count; other buckets keep their
 * (non-negative) count, which tells the scatter to skip their values. Returns the region size.
 */
function planRegion(ranks: Int32Array): number {
  const offsets = bucketOffsets;
  const bits = wantedBits;
  bits.fill(0);
  let wanted = 0;
  let regionSize = 0;
  let first = 0;
  let j = 0;
  let r = ranks[0]!;
  for (let g = 0; g < BUCKET_COUNT; g += 4) {
    // Most groups of four buckets hold no wanted rank: skip them with one sum.
    const group = offsets[g]! + offsets[g + 1]! + offsets[g + 2]! + offsets[g + 3]!;
    if (r >= first + group) {
      first += group;
      continue;
    }
    for (let b = g; b < g + 4; b++) {
      const c = offsets[b]!;
      const next = first + c;
      if (r < next) {
        wantStart[wanted] = regionSize;
        wantFirst[wanted] = first;
        wantSize[wanted] = c;
        wanted++;
        offsets[b] = ~regionSize;
        bits[b >> 5]! |= 1 << (b & 31);
        regionSize += c;
        while (j < ranks.length && ranks[j]! < next) j++;
        if (j === ranks.length) return regionSize;
        r = ranks[j]!;
      }
      first = next;
    }
  }
  return regionSize;
}

/** Counting-sort scatter of the values of wanted buckets into the region (see {@link planRegion}), by their recorded buckets. */
function scatterWanted(a: Float64Array, bucketOf: Uint16Array, n: number, region: Float64Array): void {
  const offsets = bucketOffsets;
  const bits = wantedBits;
  for (let i = 0; i < n; i++) {
    const b = bucketOf[i]!;
    if ((bits[b >> 5]! & (1 << (b & 31))) === 0) continue;
    const p = offsets[b]!;
    offsets[b] = p - 1;
    region[~p] = a[i]!;
  }
}

/** Sorts each wanted bucket once and reads its ranks (a rank's value is its place within its bucket). */
function readBuckets(region: Float64Array, ranks: Int32Array, out: Float64Array): void {
  let w = 0;
  let sorted = -1;
  for (let q = 0; q < ranks.length; q++) {
    const r = ranks[q]!;
    while (r >= wantFirst[w]! + wantSize[w]!) w++;
    const s = wantStart[w]!;
    if (sorted !== w) {
      sortBucket(region, s, s + wantSize[w]!);
      sorted = w;
    }
    out[q] = region[s + r - wantFirst[w]!]!;
  }
}

/** Bits of the high words that differ from the first one's, and whether any sign bit is set. */
function scanHighWords(keys: Uint32Array, n: number): { varying: number; negative: boolean } {
  const hi0 = keys[1]!;
  let varying = 0;
  let signs = 0;
  for (let i = 1; i < 2 * n; i += 2) {
    const hi = keys[i]!;
    varying |= hi ^ hi0;
    signs |= hi;
  }
  return { varying, negative: signs < 0 };
}

/** Maps raw IEEE-754 words to order-preserving keys in place; returns the varying key bits. */
function mapKeys(keys: Uint32Array, n: number): number {
  const hi0 = keys[1]! | 0;
  const k0 = hi0 ^ ((hi0 >> 31) | 0x80000000);
  let varying = 0;
  for (let i = 0; i < 2 * n; i += 2) {
    const hi = keys[i + 1]! | 0;
    const mask = hi >> 31;
    const kh = hi ^ (mask | 0x80000000);
    keys[i] = keys[i]! ^ mask;
    keys[i + 1] = kh;
    varying |= kh ^ k0;
  }
  return varying;
}

function countDigits(keys: Uint32Array, n: number, shift0: number, mask0: number, shift1: number, mask1: number): void {
  for (let i = 1; i < 2 * n; i += 2) {
    const kh = keys[i]!;
    counts[(kh >>> shift0) & mask0]!++;
    counts[BUCKETS + ((kh >>> shift1) & mask1)]!++;
  }
}

/** Finishes the runs (keys equal from bit `shift` of the high word up) that hold a wanted rank, and reads the ranks. */
function readRanks(src: Uint32Array, n: number, shift: number, ranks: Int32Array, out: Float64Array, mapped: boolean): void {
  let done = 0;
  for (let j = 0; j < ranks.length; j++) {
    const r = ranks[j]!;
    if (r >= done) {
      const lo = src[2 * r]!;
      const hi = src[2 * r + 1]!;
      const g = hi >>> shift;
      // A run of one repeated value (common: low-cardinality columns) needs no finishing.
      let mixed = false;
      let s = r;
      while (s > 0 && src[2 * s - 1]! >>> shift === g) {
        s--;
        if (src[2 * s] !== lo || src[2 * s + 1] !== hi) mixed = true;
      }
      let e = r + 1;
      while (e < n && src[2 * e + 1]! >>> shift === g) {
        if (src[2 * e] !== lo || src[2 * e + 1] !== hi) mixed = true;
        e++;
      }
      if (mixed) finishRun(src, s, e, mapped);
      done = e;
    }
    out[j] = keyValue(src[2 * r]!, src[2 * r + 1]!, mapped);
  }
}

/**
 * Writes into `out[j]` the value of rank `ranks[j]` (0-based, strictly ascending, < a.length) of
 * the non-NaN values `a`, as an ascending numeric sort would place them. `a` is overwritten;
 * `scratch` must hold at least 2·a.length words.
 */
export function selectRanks(a: Float64Array, ranks: Int32Array, out: Float64Array, scratch: Uint32Array): void {
  const n = a.length;
  if (ranks.length === 0) return;
  const keys = new Uint32Array(a.buffer, a.byteOffset, 2 * n);
  if (selectFewDistinct(a, new Int32Array(a.buffer, a.byteOffset, 2 * n), n, ranks, out)) return;
  if (n >= BUCKETED_MIN && selectByBuckets(a, ranks, out, scratch)) return;
  // Which high-word bits vary, and whether the key mapping is needed (a negative value or −0).
  const scan = scanHighWords(keys, n);
  if (n < 64 || scan.varying === 0) {
    // Too small to pay for the passes, or every high word equal: sort outright.
    radixSortFloat64(a, scratch);
    for (let j = 0; j < ranks.length; j++) out[j] = a[ranks[j]!]!;
    return;
  }
  const varying = scan.negative ? mapKeys(keys, n) : scan.varying;
  const bits = 32 - Math.clz32(varying);
  const shift = Math.max(0, bits - 2 * DIGIT);
  const width = Math.min(DIGIT, bits - shift);
  const mask0 = (1 << width) - 1;
  const shift1 = shift + width;
  const mask1 = bits > shift1 ? (1 << (bits - shift1)) - 1 : 0;
  counts.fill(0);
  countDigits(keys, n, shift, mask0, shift1, mask1);
  let src = keys;
  let dst = scratch.subarray(0, 2 * n);
  if (scatterByDigit(src, dst, n, counts, 0, shift, mask0)) [src, dst] = [dst, src];
  if (scatterByDigit(src, dst, n, counts, BUCKETS, shift1, mask1)) src = dst;
  readRanks(src, n, shift, ranks, out, scan.negative);
}

/**
 * @module data/stats/radix-sort
 * Least-significant-digit radix sort of float64 values: 8-bit digits, 8 passes, passes whose digit
 * is the same for every value skipped. The IEEE-754 bits are mapped to an order-preserving unsigned
 * key (flip every bit of a negative, set the sign bit of a positive), sorted, and mapped back, so
 * the result equals a numeric sort for non-NaN input (−0 before +0). Branch-free, hence several
 * times faster than a comparison sort on random data; it keeps the KLL sketch's batch step cheap.
 */

const counts = new Uint32Array(8 * 256);

/** Sorts `a` ascending in place; `scratch` must hold at least 2·a.length words. */
export function radixSortFloat64(a: Float64Array, scratch: Uint32Array): void {
  const n = a.length;
  if (n < 64) {
    a.sort();
    return;
  }
  const keys = new Uint32Array(a.buffer, a.byteOffset, 2 * n);
  counts.fill(0);
  for (let i = 0; i < 2 * n; i += 2) {
    const hi = keys[i + 1]!;
    const mask = hi >> 31;
    const lo = (keys[i]! ^ mask) >>> 0;
    const kh = (hi ^ (mask | 0x80000000)) >>> 0;
    keys[i] = lo;
    keys[i + 1] = kh;
    counts[lo & 255]!++;
    counts[256 + ((lo >>> 8) & 255)]!++;
    counts[512 + ((lo >>> 16) & 255)]!++;
    counts[768 + (lo >>> 24)]!++;
    counts[1024 + (kh & 255)]!++;
    counts[1280 + ((kh >>> 8) & 255)]!++;
    counts[1536 + ((kh >>> 16) & 255)]!++;
    counts[1792 + (kh >>> 24)]!++;
  }
  let src = keys;
  let dst = scratch.subarray(0, 2 * n);
  for (let pass = 0; pass < 8; pass++) {
    const base = pass * 256;
    const word = pass >> 2;
    const shift = (pass & 3) * 8;
    if (counts[base + ((src[word]! >>> shift) & 255)] === n) continue;
    let sum = 0;
    for (let d = 0; d < 256; d++) {
      const c = counts[base + d]!;
      counts[base + d] = sum;
      sum += c;
    }
    for (let i = 0; i < 2 * n; i += 2) {
      const lo = src[i]!;
      const hi = src[i + 1]!;
      const d = ((word === 0 ? lo : hi) >>> shift) & 255;
      const p = 2 * counts[base + d]!++;
      dst[p] = lo;
      dst[p + 1] = hi;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== keys) keys.set(src);
  for (let i = 0; i < 2 * n; i += 2) {
    const kh = keys[i + 1]!;
    const mask = kh >>> 31 ? 0 : -1;
    keys[i] = (keys[i]! ^ mask) >>> 0;
    keys[i + 1] = (kh ^ (mask | 0x80000000)) >>> 0;
  }
}

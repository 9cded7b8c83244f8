/**
 * @module ml/gbdt/feature-sampler
 * Column and row sampling (algorithms-and-formats.md §1.5 "Sampling"): colsample_by* keep
 * max(1, floor(fraction · n)) features chosen without replacement and returned in ascending
 * order, nesting tree → level → node; subsample keeps each row independently. The seeded
 * generator is Attest's own (XGBoost's RNG streams are not portable), so sampled models are
 * reproducible within Attest but not bit-identical to XGBoost's.
 */
import { shuffleInPlace } from '../../kernel/index.js';
import type { Random } from '../../kernel/index.js';

/** Samples a fraction of `features` (ascending ids); returns the input itself when fraction is 1. */
export function sampleFeatures(features: Int32Array, fraction: number, random: Random): Int32Array {
  if (fraction >= 1) return features;
  const n = Math.max(1, Math.floor(fraction * features.length));
  const copy = Int32Array.from(features);
  shuffleInPlace(copy, random);
  return copy.subarray(0, n).sort();
}

/**
 * Draws the rows kept by `subsample`: each row independently with probability `fraction`.
 * Draws the gaps between dropped rows from the geometric distribution (P(gap = k) =
 * fraction^k · (1 - fraction)) instead of one uniform per row: the same i.i.d. Bernoulli law with
 * about (1 - fraction)·n draws. Marks the rows kept in `keep` (1 = kept) and arranges all row ids
 * in `order` (one slot per row): the drawn rows ascending, then the dropped rows ascending;
 * returns the number drawn.
 */
export function sampleRows(order: Int32Array, keep: Uint8Array, fraction: number, random: Random): number {
  const n = order.length;
  keep.fill(1);
  if (fraction < 1) {
    const logKeep = Math.log(fraction);
    let r = -1;
    for (;;) {
      const u = 1 - random.next();
      r += 1 + Math.floor(Math.log(u) / logKeep);
      if (r >= n) break;
      keep[r] = 0;
    }
  }
  // Branch-free: every row is written to both ends, and only the matching end advances. The
  // dropped rows fill the back from the end, so it holds them descending until the reverse.
  let drawn = 0;
  let dropped = 0;
  for (let r = 0; r < n; r++) {
    const k = keep[r]!;
    order[drawn] = r;
    order[n - 1 - dropped] = r;
    drawn += k;
    dropped += 1 - k;
  }
  order.subarray(drawn).reverse();
  return drawn;
}

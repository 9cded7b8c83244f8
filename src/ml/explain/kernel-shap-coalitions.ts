/**
 * @module ml/explain/kernel-shap-coalitions
 * The coalitions KernelSHAP evaluates, chosen as shap's KernelExplainer chooses them
 * (algorithms-and-formats.md §2.7; Lundberg & Lee 2017, Theorem 2): coalition sizes are
 * enumerated completely, smallest (and, paired, largest) first, while the budget covers them at
 * their share of the Shapley kernel weight; the remaining sizes are sampled (size by renormalised
 * kernel weight, members uniformly, complement added; duplicates add weight), and the sampled
 * weights are rescaled to the kernel mass left over. With a budget of 2^M − 2 or more every
 * coalition is enumerated with its exact kernel weight, so the regression gives exact Shapley values.
 */
import type { Random } from '../../kernel/index.js';

/** Coalitions over M players: `masks` is count × M (1 = player present), `weights` their kernel weights. */
export interface Coalitions {
  readonly players: number;
  readonly count: number;
  readonly masks: Uint8Array;
  readonly weights: Float64Array;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** All k-subsets of 0..n-1 in lexicographic order. */
function* combinations(n: number, k: number): Generator<Int32Array> {
  const idx = Int32Array.from({ length: k }, (_, i) => i);
  while (true) {
    yield idx;
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i) i--;
    if (i < 0) return;
    idx[i]!++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
  }
}

/** Chooses coalitions for M ≥ 2 players within `budget` evaluations. */
export function kernelCoalitions(M: number, budget: number, random: Random): Coalitions {
  const maxSamples = M <= 30 ? 2 ** M - 2 : Number.POSITIVE_INFINITY;
  const nsamples = Math.max(1, Math.min(Math.floor(budget), maxSamples));
  const masks: Uint8Array[] = [];
  const weights: number[] = [];
  const seen = new Map<string, number>();
  const add = (mask: Uint8Array, w: number): boolean => {
    const key = String.fromCharCode(...mask);
    const at = seen.get(key);
    if (at !== undefined) {
      weights[at]! += w;
      return false;
    }
    seen.set(key, masks.length);
    masks.push(mask);
    weights.push(w);
    return true;
  };

  const numSizes = Math.ceil((M - 1) / 2);
  const numPaired = Math.floor((M - 1) / 2);
  const sizeWeight = new Float64Array(numSizes);
  for (let s = 1; s <= numSizes; s++) sizeWeight[s - 1] = ((M - 1) / (s * (M - s))) * (s <= numPaired ? 2 : 1);
  const total = sizeWeight.reduce((a, b) => a + b, 0);
  for (let i = 0; i < numSizes; i++) sizeWeight[i] = sizeWeight[i]! / total;

  let fullSizes = 0;
  let left = nsamples;
  const remaining = Float64Array.from(sizeWeight);
  const enumerateAll = nsamples >= maxSamples;
  for (let s = 1; s <= numSizes; s++) {
    const paired = s <= numPaired;
    const nsubsets = binomial(M, s) * (paired ? 2 : 1);
    if (!enumerateAll && (left * remaining[s - 1]!) / nsubsets < 1 - 1e-8) break;
    fullSizes++;
    left -= nsubsets;
    if (remaining[s - 1]! < 1) {
      const scale = 1 - remaining[s - 1]!;
      for (let i = 0; i < numSizes; i++) remaining[i] = remaining[i]! / scale;
    }
    const w = sizeWeight[s - 1]! / binomial(M, s) / (paired ? 2 : 1);
    for (const idx of combinations(M, s)) {
      const mask = new Uint8Array(M);
      for (const i of idx) mask[i] = 1;
      add(mask, w);
      if (paired) add(mask.map((b) => 1 - b), w);
    }
  }

  const fixed = masks.length;
  if (fullSizes !== numSizes && left > 0) {
    const probs = Float64Array.from(sizeWeight);
    for (let i = 0; i < numPaired; i++) probs[i] = probs[i]! / 2;
    const tail = probs.subarray(fullSizes);
    const tailSum = tail.reduce((a, b) => a + b, 0);
    const order = Int32Array.from({ length: M }, (_, i) => i);
    let draws = 4 * left;
    while (left > 0 && draws-- > 0) {
      let u = random.next() * tailSum;
      let pick = 0;
      while (pick < tail.length - 1 && u >= tail[pick]!) u -= tail[pick++]!;
      const s = pick + fullSizes + 1;
      for (let i = 0; i < s; i++) {
        const j = i + random.nextInt(M - i);
        const tmp = order[i]!;
        order[i] = order[j]!;
        order[j] = tmp;
      }
      const mask = new Uint8Array(M);
      for (let i = 0; i < s; i++) mask[order[i]!] = 1;
      if (add(mask, 1)) left--;
      if (left > 0 && s <= numPaired) {
        if (add(mask.map((b) => 1 - b), 1)) left--;
      }
    }
    let leftWeight = 0;
    for (let i = fullSizes; i < numSizes; i++) leftWeight += sizeWeight[i]!;
    let sampled = 0;
    for (let i = fixed; i < weights.length; i++) sampled += weights[i]!;
    for (let i = fixed; i < weights.length; i++) weights[i] = (weights[i]! * leftWeight) / sampled;
  }

  const out = new Uint8Array(masks.length * M);
  for (let i = 0; i < masks.length; i++) out.set(masks[i]!, i * M);
  return { players: M, count: masks.length, masks: out, weights: Float64Array.from(weights) };
}

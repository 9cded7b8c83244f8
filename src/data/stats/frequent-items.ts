/**
 * @module data/stats/frequent-items
 * Value counts that are exact up to a cardinality cap and then become a Misra–Gries summary
 * (Misra & Gries 1982; mergeable as shown by Agarwal et al., "Mergeable Summaries", PODS 2012, §3).
 * In summary mode each reported count c satisfies c ≤ true count ≤ c + `errorBound`, where
 * errorBound = (n − Σ counters)/(capacity + 1) is maintained exactly; any value with true count
 * above errorBound is present.
 */

export interface FrequentItemsState<K extends string | number = string> {
  /** Exact counts while `exact`; Misra–Gries counters afterwards. */
  counts: Map<K, number>;
  exact: boolean;
  /** Values seen (missing excluded). */
  n: number;
  /** Distinct values kept exactly before switching to a summary. */
  readonly cap: number;
  /** Counters kept in summary mode. */
  readonly capacity: number;
}

/** Empty state: exact up to `cap` distinct values, then a Misra–Gries summary of `capacity` counters. */
export function initFrequentItems<K extends string | number = string>(cap = 1000, capacity = cap): FrequentItemsState<K> {
  return { counts: new Map(), exact: true, n: 0, cap, capacity };
}

/** Reduces to at most `capacity` counters by subtracting the (capacity+1)-th largest count (Agarwal et al. §3.1). */
function reduce<K extends string | number>(state: FrequentItemsState<K>): void {
  if (state.counts.size <= (state.exact ? state.cap : state.capacity)) return;
  state.exact = false;
  if (state.counts.size <= state.capacity) return;
  const sorted = [...state.counts.values()].sort((a, b) => b - a);
  const cut = sorted[state.capacity]!;
  for (const [key, c] of state.counts) {
    if (c - cut > 0) state.counts.set(key, c - cut);
    else state.counts.delete(key);
  }
}

/** Adds `count` occurrences of `key`. */
export function addItem<K extends string | number>(state: FrequentItemsState<K>, key: K, count = 1): void {
  state.n += count;
  state.counts.set(key, (state.counts.get(key) ?? 0) + count);
  // Batch the reduction (let the map grow to twice the limit) so the amortised cost stays O(1).
  const limit = state.exact ? state.cap : state.capacity;
  if (state.counts.size > 2 * limit || (state.exact && state.counts.size > state.cap)) reduce(state);
}

/** Merges two states into a new one (exact if both are and the union fits the cap). */
export function mergeFrequentItems<K extends string | number>(a: FrequentItemsState<K>, b: FrequentItemsState<K>): FrequentItemsState<K> {
  const out: FrequentItemsState<K> = { counts: new Map(a.counts), exact: a.exact && b.exact, n: a.n + b.n, cap: a.cap, capacity: a.capacity };
  for (const [key, c] of b.counts) out.counts.set(key, (out.counts.get(key) ?? 0) + c);
  reduce(out);
  return out;
}

export interface FrequentItems<K extends string | number = string> {
  /** Values with their (exact or lower-bound) counts, by count descending then value ascending. */
  items: { value: K; count: number }[];
  exact: boolean;
  n: number;
  /** 0 when exact; else the maximal undercount of any value. */
  errorBound: number;
}

/** Items by count; a summary-mode state is reduced to its capacity first (it stays a valid state). */
export function finalizeFrequentItems<K extends string | number>(state: FrequentItemsState<K>): FrequentItems<K> {
  if (!state.exact) reduce(state);
  const items = [...state.counts].map(([value, count]) => ({ value, count }));
  items.sort((x, y) => y.count - x.count || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
  let kept = 0;
  for (const it of items) kept += it.count;
  return { items, exact: state.exact, n: state.n, errorBound: state.exact ? 0 : (state.n - kept) / (state.capacity + 1) };
}

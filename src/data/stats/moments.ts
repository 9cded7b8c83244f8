/**
 * @module data/stats/moments
 * Mergeable count, missing, sum, mean, variance, min and max of a numeric column.
 *
 * Each chunk is summarised with a corrected two-pass mean / sum of squared deviations (numerically
 * stable inside the chunk); summaries are combined with Chan, Golub & LeVeque's pairwise update
 * ("Updating formulae and a pairwise algorithm for computing sample variances", 1979, eq. 2.1):
 * δ = x̄_b − x̄_a, n = n_a + n_b, x̄ = x̄_a + δ·n_b/n, M2 = M2_a + M2_b + δ²·n_a·n_b/n.
 * Chunk totals carry their second-pass correction and are combined with Neumaier's compensated
 * addition, so that partitioned and one-pass totals agree to rounding.
 */

/** The mergeable state (Deequ's `State`): plain data, safe to copy or send between workers. */
export interface MomentsState {
  /** Non-missing values seen. */
  count: number;
  /** Missing (NaN) values seen. */
  missing: number;
  mean: number;
  /** Sum of squared deviations from the mean. */
  m2: number;
  /** Neumaier running sum and its compensation term. */
  sum: number;
  sumCompensation: number;
  min: number;
  max: number;
}

/** Finalised moments. Variance and standard deviation are population (ddof 0) figures, as Deequ reports. */
export interface Moments {
  count: number;
  missing: number;
  sum: number;
  mean: number;
  /** Population variance (divide by n); NaN when count is 0. */
  variance: number;
  /** Sample variance (divide by n − 1); NaN when count < 2. */
  sampleVariance: number;
  stdDev: number;
  min: number;
  max: number;
}

/** Empty state. */
export function initMoments(): MomentsState {
  return { count: 0, missing: 0, mean: 0, m2: 0, sum: 0, sumCompensation: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
}

/** Neumaier's improved Kahan summation step: returns [sum, compensation]. */
function neumaierAdd(sum: number, comp: number, x: number): [number, number] {
  const t = sum + x;
  const c = Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
  return [t, comp + c];
}

/** Adds `values[start..end)` (NaN = missing) to `state` in place and returns it. */
export function updateMoments(state: MomentsState, values: Float64Array, start = 0, end = values.length): MomentsState {
  let n = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = start; i < end; i++) {
    const x = values[i]!;
    if (Number.isNaN(x)) continue;
    n++;
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  state.missing += end - start - n;
  if (n === 0) return state;
  const mean = sum / n;
  let m2 = 0;
  let residual = 0;
  for (let i = start; i < end; i++) {
    const x = values[i]!;
    if (Number.isNaN(x)) continue;
    const d = x - mean;
    m2 += d * d;
    residual += d;
  }
  return addChunkMoments(state, chunkMoments(n, sum, min, max, m2, residual));
}

/**
 * The state of one chunk from its first-pass sums (count, naive sum, min, max) and its second-pass
 * sums around the first-pass mean (Σd², Σd with d = x − sum/n). The corrected two-pass formulas
 * (Chan, Golub & LeVeque 1983, eq. 1.7) remove the rounding of the first-pass mean:
 * mean = sum/n + Σd/n, M2 = Σd² − (Σd)²/n, and the total is n·(sum/n) + Σd.
 */
export function chunkMoments(n: number, sum: number, min: number, max: number, m2: number, residual: number): MomentsState {
  const mean0 = sum / n;
  const total = n * mean0;
  return {
    count: n,
    missing: 0,
    mean: mean0 + residual / n,
    m2: m2 - (residual * residual) / n,
    sum: total,
    sumCompensation: residual,
    min,
    max,
  };
}

/** Adds a chunk's state (e.g. from {@link chunkMoments}) to `state` in place and returns it. */
export function addChunkMoments(state: MomentsState, chunk: MomentsState): MomentsState {
  return combineInto(state, chunk);
}

function combineInto(a: MomentsState, b: MomentsState): MomentsState {
  if (b.count > 0) {
    if (a.count === 0) {
      a.mean = b.mean;
      a.m2 = b.m2;
    } else {
      const n = a.count + b.count;
      const delta = b.mean - a.mean;
      a.mean += (delta * b.count) / n;
      a.m2 += b.m2 + (delta * delta * a.count * b.count) / n;
    }
    a.count += b.count;
    let [s, c] = neumaierAdd(a.sum, a.sumCompensation, b.sum);
    [s, c] = neumaierAdd(s, c, b.sumCompensation);
    a.sum = s;
    a.sumCompensation = c;
    if (b.min < a.min) a.min = b.min;
    if (b.max > a.max) a.max = b.max;
  }
  a.missing += b.missing;
  return a;
}

/** Combines two states into a new one (inputs are not modified). */
export function mergeMoments(a: MomentsState, b: MomentsState): MomentsState {
  return combineInto({ ...a }, b);
}

/** Count, sum, mean, variances, std, min and max of the state. */
export function finalizeMoments(state: MomentsState): Moments {
  const n = state.count;
  const variance = n > 0 ? Math.max(0, state.m2) / n : Number.NaN;
  return {
    count: n,
    missing: state.missing,
    sum: state.sum + state.sumCompensation,
    mean: n > 0 ? state.mean : Number.NaN,
    variance,
    sampleVariance: n > 1 ? Math.max(0, state.m2) / (n - 1) : Number.NaN,
    stdDev: Math.sqrt(variance),
    min: n > 0 ? state.min : Number.NaN,
    max: n > 0 ? state.max : Number.NaN,
  };
}

/**
 * @module monitoring/drift-statistics
 * Drift statistics between a reference and a current distribution, written to equal SciPy 1.10 /
 * NumPy on raw samples (test/fixtures/golden/stats/drift.json) and to work unchanged on KLL
 * sketches, whose items are a weighted sample. Numeric distributions are {@link WeightedCdf}s
 * (sorted distinct values with cumulative weights); categorical ones are count maps.
 */
import type { WeightedCdf } from '../data/index.js';
import { cdfRank, radixSortFloat64 } from '../data/index.js';
import { chiSquareSf, ks2SampPValue, normalSf } from './special-functions.js';

/** The empirical CDF of raw values (NaN ignored), as a {@link WeightedCdf} with unit weights. */
export function empiricalCdf(values: Float64Array): WeightedCdf {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) n++;
  const sorted = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) sorted[j++] = values[i]!;
  radixSortFloat64(sorted, new Uint32Array(2 * n));
  const distinct: number[] = [];
  const cumulative: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    if (distinct.length > 0 && distinct[distinct.length - 1] === v) cumulative[cumulative.length - 1] = i + 1;
    else {
      distinct.push(v);
      cumulative.push(i + 1);
    }
  }
  return { values: Float64Array.from(distinct), cumulative: Float64Array.from(cumulative), total: n };
}

/** Visits every distinct value of either distribution in ascending order with both CDFs (≤ t). */
function walkUnion(a: WeightedCdf, b: WeightedCdf, visit: (t: number, fa: number, fb: number) => void): void {
  let i = 0;
  let j = 0;
  let ca = 0;
  let cb = 0;
  while (i < a.values.length || j < b.values.length) {
    const va = i < a.values.length ? a.values[i]! : Number.POSITIVE_INFINITY;
    const vb = j < b.values.length ? b.values[j]! : Number.POSITIVE_INFINITY;
    const t = Math.min(va, vb);
    if (va === t) ca = a.cumulative[i++]!;
    if (vb === t) cb = b.cumulative[j++]!;
    visit(t, ca / a.total, cb / b.total);
  }
}

/** max_t |F_a(t) − F_b(t)|: the two-sample KS statistic, and Model Monitor's simple L∞ distance on CDFs. */
export function linfCdf(a: WeightedCdf, b: WeightedCdf): number {
  let d = 0;
  walkUnion(a, b, (_t, fa, fb) => {
    const diff = Math.abs(fa - fb);
    if (diff > d) d = diff;
  });
  return d;
}

/** Deequ's robust L∞: max(0, d − c_α·√((n+m)/(n·m))), c_α = 1.8 by default (algorithms-and-formats.md §3.4). */
export function linfRobust(d: number, n: number, m: number, cAlpha = 1.8): number {
  return Math.max(0, d - cAlpha * Math.sqrt((n + m) / (n * m)));
}

/** Critical value c_α = √(−ln(α/2)/2) for a custom α (Deequ `Distance`). */
export function linfCriticalValue(alpha: number): number {
  return Math.sqrt(-Math.log(alpha / 2) / 2);
}

export interface KsResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymp';
}

/** Two-sample Kolmogorov–Smirnov test as scipy 1.10 `ks_2samp` (two-sided, method 'auto'). */
export function ksTest(reference: WeightedCdf, current: WeightedCdf): KsResult {
  const statistic = linfCdf(reference, current);
  const { pValue, method } = ks2SampPValue(statistic, reference.total, current.total);
  return { statistic, pValue, method };
}

/** First Wasserstein distance ∫|F_a − F_b| (scipy `wasserstein_distance`). */
export function wasserstein(a: WeightedCdf, b: WeightedCdf): number {
  let sum = 0;
  let prevT = Number.NaN;
  let prevDiff = 0;
  walkUnion(a, b, (t, fa, fb) => {
    if (!Number.isNaN(prevT)) sum += prevDiff * (t - prevT);
    prevT = t;
    prevDiff = Math.abs(fa - fb);
  });
  return sum;
}

/** Population standard deviation (ddof 0) of a weighted distribution. */
export function cdfStd(cdf: WeightedCdf): number {
  let mean = 0;
  let prev = 0;
  for (let i = 0; i < cdf.values.length; i++) {
    mean += cdf.values[i]! * (cdf.cumulative[i]! - prev);
    prev = cdf.cumulative[i]!;
  }
  mean /= cdf.total;
  let ss = 0;
  prev = 0;
  for (let i = 0; i < cdf.values.length; i++) {
    const d = cdf.values[i]! - mean;
    ss += d * d * (cdf.cumulative[i]! - prev);
    prev = cdf.cumulative[i]!;
  }
  return Math.sqrt(ss / cdf.total);
}

/** Evidently's normed Wasserstein: W1 / max(std_ref (ddof 0), 0.001). */
export function wassersteinNormed(reference: WeightedCdf, current: WeightedCdf, referenceStd = cdfStd(reference)): number {
  return wasserstein(reference, current) / Math.max(referenceStd, 0.001);
}

/** NumPy's `histogram_bin_edges(..., bins='sturges')` over both distributions combined. */
export function sturgesEdges(a: WeightedCdf, b: WeightedCdf): Float64Array {
  const lo = Math.min(a.values[0] ?? Number.POSITIVE_INFINITY, b.values[0] ?? Number.POSITIVE_INFINITY);
  const hi = Math.max(a.values[a.values.length - 1] ?? Number.NEGATIVE_INFINITY, b.values[b.values.length - 1] ?? Number.NEGATIVE_INFINITY);
  let first = lo;
  let last = hi;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const n = a.total + b.total;
  const width = (hi - lo) / (Math.log2(n) + 1);
  const bins = width > 0 ? Math.ceil((last - first) / width) : 1;
  const step = (last - first) / bins;
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
}

/** Weights per bin [e_i, e_{i+1}), the last bin closed, as `numpy.histogram`. */
export function histogramCounts(cdf: WeightedCdf, edges: Float64Array): Float64Array {
  const k = edges.length - 1;
  const out = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const lo = cdfRank(cdf, edges[i]!, false);
    const hi = i === k - 1 ? cdfRank(cdf, edges[i + 1]!, true) : cdfRank(cdf, edges[i + 1]!, false);
    out[i] = hi - lo;
  }
  return out;
}

/** scipy `jensenshannon(p, q)` with natural log: √(½·KL(p‖m) + ½·KL(q‖m)), m = (p+q)/2, p and q normalised. */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i]!;
    sq += q[i]!;
  }
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]! / sp;
    const b = q[i]! / sq;
    const m = (a + b) / 2;
    if (a > 0) js += a * Math.log(a / m);
    if (b > 0) js += b * Math.log(b / m);
  }
  return Math.sqrt(Math.max(0, js / 2));
}

/** Jensen–Shannon distance on Sturges bins over the combined data (Evidently's numeric binning). */
export function jensenShannonSturges(reference: WeightedCdf, current: WeightedCdf): { distance: number; edges: Float64Array } {
  const edges = sturgesEdges(reference, current);
  return { distance: jensenShannonDistance(histogramCounts(reference, edges), histogramCounts(current, edges)), edges };
}

/** NumPy's default ('linear', type 7) quantile of a weighted distribution, treating weights as repeat counts. */
export function quantileLinear(cdf: WeightedCdf, q: number): number {
  const h = (cdf.total - 1) * q;
  const lo = Math.floor(h);
  const at = (j: number): number => {
    let a = 0;
    let b = cdf.values.length - 1;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (cdf.cumulative[mid]! > j) b = mid;
      else a = mid + 1;
    }
    return cdf.values[a]!;
  };
  const x0 = at(lo);
  const x1 = at(Math.min(lo + 1, cdf.total - 1));
  return x0 + (h - lo) * (x1 - x0);
}

/** PSI = Σ (a − e)·ln(a/e) over matched shares; zero shares replaced by `floor`. */
export function psiFromShares(expected: ArrayLike<number>, actual: ArrayLike<number>, floor = 1e-4): number {
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]! === 0 ? floor : expected[i]!;
    const a = actual[i]! === 0 ? floor : actual[i]!;
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/** The 0.1 / 0.25 rule of thumb (algorithms-and-formats.md §6.1). */
export type PsiBand = 'stable' | 'moderate' | 'significant';
/** Band of a PSI value: < 0.1 stable, 0.1–0.25 moderate, > 0.25 significant. */
export function psiBand(psi: number): PsiBand {
  return psi < 0.1 ? 'stable' : psi <= 0.25 ? 'moderate' : 'significant';
}

/**
 * PSI on bins cut at the reference's deciles (NumPy linear quantiles, duplicates removed, outer
 * bins open), bins as `numpy.histogram` builds them, zero shares floored at 1e-4.
 */
export function psiReferenceDeciles(reference: WeightedCdf, current: WeightedCdf): { psi: number; band: PsiBand; innerEdges: number[] } {
  const qs: number[] = [];
  for (let i = 1; i <= 9; i++) qs.push(quantileLinear(reference, i / 10));
  const inner = [...new Set(qs)].sort((x, y) => x - y);
  const edges = Float64Array.from([Number.NEGATIVE_INFINITY, ...inner, Number.POSITIVE_INFINITY]);
  const e = histogramCounts(reference, edges).map((c) => c / reference.total);
  const a = histogramCounts(current, edges).map((c) => c / current.total);
  const psi = psiFromShares(e, a);
  return { psi, band: psiBand(psi), innerEdges: inner };
}

/** Category counts of a categorical distribution. */
export type CategoryCounts = ReadonlyMap<string, number>;

function totalOf(counts: CategoryCounts): number {
  let t = 0;
  for (const c of counts.values()) t += c;
  return t;
}

/** Sorted union of categories. */
export function unionCategories(a: CategoryCounts, b: CategoryCounts): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort();
}

/** max over categories |p_a(c) − p_b(c)| of the PMFs (Model Monitor's categorical L∞). */
export function linfPmf(a: CategoryCounts, b: CategoryCounts): number {
  const ta = totalOf(a);
  const tb = totalOf(b);
  let d = 0;
  for (const c of unionCategories(a, b)) d = Math.max(d, Math.abs((a.get(c) ?? 0) / ta - (b.get(c) ?? 0) / tb));
  return d;
}

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  df: number;
}

/**
 * Pearson chi-square of current counts against reference shares scaled to the current total, over
 * the categories of either sample with non-zero expected count (scipy `chisquare`; Evidently's `chisquare`).
 */
export function chiSquareTest(reference: CategoryCounts, current: CategoryCounts): ChiSquareResult {
  const tr = totalOf(reference);
  const tc = totalOf(current);
  let statistic = 0;
  let k = 0;
  for (const c of unionCategories(reference, current)) {
    const expected = ((reference.get(c) ?? 0) / tr) * tc;
    if (!(expected > 0)) continue;
    const o = current.get(c) ?? 0;
    statistic += ((o - expected) * (o - expected)) / expected;
    k++;
  }
  const df = k - 1;
  return { statistic, pValue: df > 0 ? chiSquareSf(statistic, df) : Number.NaN, df };
}

/** Jensen–Shannon distance between category shares over the union of categories. */
export function jensenShannonCategorical(reference: CategoryCounts, current: CategoryCounts): number {
  const cats = unionCategories(reference, current);
  return jensenShannonDistance(
    cats.map((c) => reference.get(c) ?? 0),
    cats.map((c) => current.get(c) ?? 0),
  );
}

/**
 * Evidently's two-proportion z-test on the indicator "equals the first sorted category", pooled
 * variance, two-sided; p = 1 when both samples hold the same single value.
 */
export function zTest(reference: CategoryCounts, current: CategoryCounts): { statistic: number; pValue: number } {
  const cats = unionCategories(reference, current);
  const refKeys = [...reference.keys()].filter((k) => (reference.get(k) ?? 0) > 0);
  const curKeys = [...current.keys()].filter((k) => (current.get(k) ?? 0) > 0);
  if (refKeys.length === 1 && curKeys.length === 1 && refKeys[0] === curKeys[0]) return { statistic: 0, pValue: 1 };
  const key = cats[0]!;
  const n1 = totalOf(reference);
  const n2 = totalOf(current);
  const p1 = (reference.get(key) ?? 0) / n1;
  const p2 = (current.get(key) ?? 0) / n2;
  const P = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / n1 + 1 / n2));
  return { statistic: z, pValue: 2 * normalSf(Math.abs(z)) };
}

/**
 * Deequ's categorical ChiSquared distance (algorithms-and-formats.md §3.4): expected = baseline
 * counts rescaled to the sample total over the baseline's categories; small expected categories
 * are folded (smallest into next smallest) until, with 2 categories, all expected ≥ 10, or with more,
 * at most 20 % are below 5; NaN when fewer than 2 remain. Returns the p-value.
 */
export function chiSquareDeequ(baseline: CategoryCounts, sample: CategoryCounts): number {
  const cats = [...baseline.keys()].filter((c) => (baseline.get(c) ?? 0) > 0);
  const tb = cats.reduce((s, c) => s + baseline.get(c)!, 0);
  const ts = cats.reduce((s, c) => s + (sample.get(c) ?? 0), 0);
  let cells = cats.map((c) => ({ expected: (baseline.get(c)! / tb) * ts, observed: sample.get(c) ?? 0 }));
  const ok = (): boolean =>
    cells.length === 2 ? cells.every((x) => x.expected >= 10) : cells.filter((x) => x.expected < 5).length <= 0.2 * cells.length;
  while (cells.length >= 2 && !ok()) {
    cells = [...cells].sort((x, y) => x.expected - y.expected);
    const [a, b, ...rest] = cells as [(typeof cells)[0], (typeof cells)[0], ...(typeof cells)[0][]];
    cells = [{ expected: a.expected + b.expected, observed: a.observed + b.observed }, ...rest];
  }
  if (cells.length < 2 || ts === 0) return Number.NaN;
  let stat = 0;
  for (const { expected, observed } of cells) stat += ((observed - expected) * (observed - expected)) / expected;
  return chiSquareSf(stat, cells.length - 1);
}

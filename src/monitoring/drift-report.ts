/**
 * @module monitoring/drift-report
 * Per-feature drift with every statistic side by side (Model Monitor's L∞ simple and robust, KS,
 * PSI, Jensen–Shannon, Wasserstein, chi-square, z-test), the test Evidently would choose by default
 * (algorithms-and-formats.md §6.2), and a decision rule that is harder to fool on large samples:
 * p-values are adjusted for multiple testing (Benjamini & Hochberg 1995) and a feature only counts
 * as drifted when its effect size (KS distance for numeric features, L∞ between category shares for
 * categorical ones) also reaches a floor. The dataset drifts when the share of drifted features
 * reaches `driftShare` (Evidently's default 0.5).
 */
import { AppError } from '../kernel/index.js';
import type { ChiSquareResult, KsResult, PsiBand } from './drift-statistics.js';
import {
  cdfStd,
  chiSquareTest,
  jensenShannonCategorical,
  jensenShannonSturges,
  ksTest,
  linfPmf,
  linfRobust,
  psiReferenceDeciles,
  unionCategories,
  wasserstein,
  zTest,
} from './drift-statistics.js';
import type { DistributionBasis, FeatureDistribution } from './feature-distribution.js';
import { ks2SampPValue } from './special-functions.js';
import { numericAsCounts } from './feature-distribution.js';

export type StatTestName = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon';

export interface DriftOptions {
  /** Significance level after correction (default 0.05). */
  alpha?: number;
  /** Minimum effect size for a significant p-value to count as drift (default 0.05). */
  effectSizeFloor?: number;
  /** Multiple-testing correction over the features' p-values (default Benjamini–Hochberg). */
  correction?: 'benjamini-hochberg' | 'none';
  /** Thresholds of the distance tests (Evidently's defaults 0.1). */
  wassersteinThreshold?: number;
  jensenShannonThreshold?: number;
  /** Share of drifted features at which the dataset drifts (default 0.5). */
  driftShare?: number;
  /** Force a test per feature instead of Evidently's default choice. */
  stattest?: Readonly<Record<string, StatTestName>>;
  /** Model Monitor's robust correction constant (default 1.8). */
  cAlpha?: number;
}

/**
 * What a numeric feature's figures were computed from. With the reference's raw values or data
 * they are SciPy's; from a sketch, the KS statistic (and the L∞ distances) can be off by up to
 * `rankErrorBound` either way, which moves the KS p-value within `ksPValueRange`.
 */
export interface DriftBasis {
  reference: DistributionBasis;
  /** Worst-case |F̂ − F| of the reference CDF; 0 when it is exact. */
  rankErrorBound: number;
  /** The KS p-value at statistic + bound and at statistic − bound (equal to the p-value when exact). */
  ksPValueRange?: [number, number];
}

export interface FeatureDrift {
  feature: string;
  kind: 'numeric' | 'categorical';
  /** Numeric features: what the reference distribution was built from, and its error bound. */
  basis?: DriftBasis;
  referenceCount: number;
  currentCount: number;
  /** Model Monitor's distances: over CDFs for numeric features, PMFs for categorical ones. */
  linfSimple: number;
  linfRobust: number;
  ks?: KsResult;
  wasserstein?: { raw: number; normed: number };
  jensenShannon: number;
  psi?: { value: number; band: PsiBand };
  chiSquare?: ChiSquareResult;
  zTest?: { statistic: number; pValue: number };
  /** The test Evidently picks by default and its own verdict. */
  test: { name: StatTestName; value: number; threshold: number; kind: 'p_value' | 'distance'; evidentlyDrift: boolean };
  /** Benjamini–Hochberg adjusted p-value (p-value tests only). */
  adjustedPValue?: number;
  effectSize: number;
  drifted: boolean;
}

export interface DriftReport {
  /**
   * The reference basis over all numeric features: 'sketch' when any of them came from a sketch
   * (then `exact` is false and `maxRankErrorBound` the largest bound), and how to get exact figures.
   */
  basis: { reference: DistributionBasis | 'none'; exact: boolean; maxRankErrorBound: number; note: string };
  features: FeatureDrift[];
  driftedFeatures: string[];
  driftShare: number;
  datasetDrift: boolean;
  settings: Required<Omit<DriftOptions, 'stattest'>>;
}

/** Evidently's `_get_default_stattest`: by reference size (≤ 1000), type and unique values over both samples. */
export function defaultStatTest(kind: 'numeric' | 'categorical', referenceRows: number, nUnique: number): StatTestName {
  if (referenceRows <= 1000) {
    if (kind === 'numeric' && nUnique > 5) return 'ks';
    return nUnique > 2 ? 'chisquare' : 'z';
  }
  return kind === 'numeric' && nUnique > 5 ? 'wasserstein' : 'jensenshannon';
}

/** Distinct values over both sorted distributions, counted up to `cap` (only small counts matter). */
function numericUnique(a: FeatureDistribution & { kind: 'numeric' }, b: FeatureDistribution & { kind: 'numeric' }, cap = 64): number {
  const x = a.cdf.values;
  const y = b.cdf.values;
  let i = 0;
  let j = 0;
  let n = 0;
  while ((i < x.length || j < y.length) && n < cap) {
    const vx = i < x.length ? x[i]! : Number.POSITIVE_INFINITY;
    const vy = j < y.length ? y[j]! : Number.POSITIVE_INFINITY;
    const v = Math.min(vx, vy);
    if (vx === v) i++;
    if (vy === v) j++;
    n++;
  }
  return n;
}

/** All statistics for one feature; `drifted` is filled in by {@link driftReport}. */
export function featureDrift(reference: FeatureDistribution, current: FeatureDistribution, options: DriftOptions = {}): FeatureDrift {
  if (reference.kind !== current.kind) throw new AppError('DATA_SCHEMA_MISMATCH', { message: `Feature ${reference.name} is ${reference.kind} in the reference and ${current.kind} now` });
  const cAlpha = options.cAlpha ?? 1.8;
  const wT = options.wassersteinThreshold ?? 0.1;
  const jsT = options.jensenShannonThreshold ?? 0.1;
  const n = reference.count;
  const m = current.count;
  if (reference.kind === 'numeric' && current.kind === 'numeric') {
    const ks = ksTest(reference.cdf, current.cdf);
    const raw = wasserstein(reference.cdf, current.cdf);
    const std = reference.std ?? cdfStd(reference.cdf);
    const nUnique = numericUnique(reference, current);
    const refUnique = reference.cdf.values.length;
    const lowCardinality = refUnique <= 20 || nUnique <= 5;
    const asCounts = lowCardinality ? ([numericAsCounts(reference.cdf), numericAsCounts(current.cdf)] as const) : undefined;
    const js = refUnique > 20 || !asCounts ? jensenShannonSturges(reference.cdf, current.cdf).distance : jensenShannonCategorical(asCounts[0], asCounts[1]);
    const psi = psiReferenceDeciles(reference.cdf, current.cdf);
    const name = options.stattest?.[reference.name] ?? defaultStatTest('numeric', n, nUnique);
    const bound = reference.rankErrorBound;
    const basis: DriftBasis = {
      reference: reference.basis,
      rankErrorBound: bound,
      ksPValueRange: [ks2SampPValue(Math.min(1, ks.statistic + bound), n, m).pValue, ks2SampPValue(Math.max(0, ks.statistic - bound), n, m).pValue],
    };
    const out: FeatureDrift = {
      feature: reference.name,
      kind: 'numeric',
      basis,
      referenceCount: n,
      currentCount: m,
      linfSimple: ks.statistic,
      linfRobust: linfRobust(ks.statistic, n, m, cAlpha),
      ks,
      wasserstein: { raw, normed: raw / Math.max(std, 0.001) },
      jensenShannon: js,
      psi: { value: psi.psi, band: psi.band },
      test: { name, value: 0, threshold: 0, kind: 'p_value', evidentlyDrift: false },
      effectSize: ks.statistic,
      drifted: false,
    };
    if (name === 'chisquare' || name === 'z') {
      const counts = asCounts ?? ([numericAsCounts(reference.cdf), numericAsCounts(current.cdf)] as const);
      if (name === 'chisquare') out.chiSquare = chiSquareTest(counts[0], counts[1]);
      else out.zTest = zTest(counts[0], counts[1]);
    }
    out.test = testVerdict(out, name, wT, jsT);
    return out;
  }
  const a = (reference as FeatureDistribution & { kind: 'categorical' }).counts;
  const b = (current as FeatureDistribution & { kind: 'categorical' }).counts;
  const linf = linfPmf(a, b);
  const nUnique = unionCategories(a, b).length;
  const name = options.stattest?.[reference.name] ?? defaultStatTest('categorical', n, nUnique);
  const out: FeatureDrift = {
    feature: reference.name,
    kind: 'categorical',
    referenceCount: n,
    currentCount: m,
    linfSimple: linf,
    linfRobust: linfRobust(linf, n, m, cAlpha),
    jensenShannon: jensenShannonCategorical(a, b),
    chiSquare: chiSquareTest(a, b),
    zTest: nUnique >= 1 ? zTest(a, b) : undefined,
    test: { name, value: 0, threshold: 0, kind: 'p_value', evidentlyDrift: false },
    effectSize: linf,
    drifted: false,
  };
  out.test = testVerdict(out, name, wT, jsT);
  return out;
}

function testVerdict(f: FeatureDrift, name: StatTestName, wT: number, jsT: number): FeatureDrift['test'] {
  switch (name) {
    case 'ks':
      return { name, value: f.ks!.pValue, threshold: 0.05, kind: 'p_value', evidentlyDrift: f.ks!.pValue <= 0.05 };
    case 'chisquare':
      return { name, value: f.chiSquare!.pValue, threshold: 0.05, kind: 'p_value', evidentlyDrift: f.chiSquare!.pValue < 0.05 };
    case 'z':
      return { name, value: f.zTest!.pValue, threshold: 0.05, kind: 'p_value', evidentlyDrift: f.zTest!.pValue < 0.05 };
    case 'wasserstein': {
      const v = f.wasserstein?.normed ?? Number.NaN;
      return { name, value: v, threshold: wT, kind: 'distance', evidentlyDrift: v >= wT };
    }
    case 'jensenshannon':
      return { name, value: f.jensenShannon, threshold: jsT, kind: 'distance', evidentlyDrift: f.jensenShannon >= jsT };
  }
}

/** Benjamini–Hochberg step-up adjusted p-values (NaN stays NaN and is not counted). */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const idx = pValues.map((p, i) => [p, i] as const).filter(([p]) => !Number.isNaN(p));
  idx.sort((x, y) => x[0] - y[0]);
  const m = idx.length;
  const out = pValues.map(() => Number.NaN);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const [p, i] = idx[r]!;
    running = Math.min(running, (p * m) / (r + 1));
    out[i] = Math.min(1, running);
  }
  return out;
}

/** Drift of every feature present in both (matched by name), with correction, effect-size floor and dataset share. */
export function driftReport(reference: readonly FeatureDistribution[], current: readonly FeatureDistribution[], options: DriftOptions = {}): DriftReport {
  const settings = {
    alpha: options.alpha ?? 0.05,
    effectSizeFloor: options.effectSizeFloor ?? 0.05,
    correction: options.correction ?? 'benjamini-hochberg',
    wassersteinThreshold: options.wassersteinThreshold ?? 0.1,
    jensenShannonThreshold: options.jensenShannonThreshold ?? 0.1,
    driftShare: options.driftShare ?? 0.5,
    cAlpha: options.cAlpha ?? 1.8,
  } as const;
  const byName = new Map(current.map((d) => [d.name, d]));
  const features: FeatureDrift[] = [];
  for (const ref of reference) {
    const cur = byName.get(ref.name);
    if (!cur || cur.kind !== ref.kind || ref.count === 0 || cur.count === 0) continue;
    features.push(featureDrift(ref, cur, options));
  }
  const pIdx = features.map((f, i) => [f, i] as const).filter(([f]) => f.test.kind === 'p_value');
  const raw = pIdx.map(([f]) => f.test.value);
  const adjusted = settings.correction === 'benjamini-hochberg' ? benjaminiHochberg(raw) : raw;
  pIdx.forEach(([f], j) => {
    f.adjustedPValue = adjusted[j]!;
  });
  for (const f of features) {
    if (f.test.kind === 'p_value') f.drifted = (f.adjustedPValue ?? 1) < settings.alpha && f.effectSize >= settings.effectSizeFloor;
    else f.drifted = f.test.value >= f.test.threshold;
  }
  const driftedFeatures = features.filter((f) => f.drifted).map((f) => f.feature);
  const share = features.length === 0 ? 0 : driftedFeatures.length / features.length;
  return { basis: reportBasis(features), features, driftedFeatures, driftShare: share, datasetDrift: features.length > 0 && share >= settings.driftShare, settings };
}

function reportBasis(features: readonly FeatureDrift[]): DriftReport['basis'] {
  const bases = features.flatMap((f) => (f.basis ? [f.basis] : []));
  if (bases.length === 0) return { reference: 'none', exact: true, maxRankErrorBound: 0, note: 'No numeric feature: categorical figures use the baseline\'s category counts.' };
  const maxRankErrorBound = Math.max(...bases.map((b) => b.rankErrorBound));
  const reference = bases.some((b) => b.reference === 'sketch') ? 'sketch' : bases.some((b) => b.reference === 'reference-data') ? 'reference-data' : 'raw-values';
  const note =
    reference === 'sketch'
      ? `Numeric figures compare against the baseline's KLL sketch: each reference CDF is within ${maxRankErrorBound.toPrecision(3)} (worst case) of the exact one, so KS statistics may be off by that much (see each feature's ksPValueRange). Run monitor check with --exact-drift to compare against the reference dataset's rows (SciPy's figures).`
      : reference === 'reference-data'
        ? 'Numeric figures compare against the rows of the reference dataset (exact: SciPy\'s figures).'
        : 'Numeric figures compare against the raw values the baseline keeps (exact: SciPy\'s figures).';
  return { reference, exact: reference !== 'sketch', maxRankErrorBound, note };
}

/**
 * Prediction (output) drift: the same statistics and default test applied to the model's output
 * column (scores or predicted labels), reported as one feature named `name`.
 */
export function predictionDrift(reference: FeatureDistribution, current: FeatureDistribution, options: DriftOptions = {}): FeatureDrift {
  return driftReport([reference], [current], options).features[0]!;
}

/**
 * @module ml/fairness/clarify-metrics
 * SageMaker Clarify's pre- and post-training bias metrics computed from cell counts
 * (algorithms-and-formats.md §4; smclarify `bias/metrics/{pretraining,posttraining,common}.py`).
 * Facet a = rows not selected, d = selected rows. The arithmetic follows smclarify operation by
 * operation, including its conventions: `divide` (0/0 → 0, x/0 → ±∞), a difference whose two
 * terms are both +∞ is 0, and KL/JS/LP/TVD/KS use only label values present in both facets
 * (`pdfs_aligned_nonzero`), without renormalising. Failures carry Clarify's own messages.
 */
import { type BiasCounts, groupTotal, numpySum, total } from './bias-counts.js';

/** A metric that Clarify reports as an error entry instead of a value. */
export class ClarifyMetricError extends Error {
  override readonly name = 'ClarifyMetricError';
}

function fail(message: string): never {
  throw new ClarifyMetricError(message);
}

/** smclarify `common.divide`. */
export function clarifyDivide(a: number, b: number): number {
  if (b === 0 && a === 0) return 0;
  if (b === 0) return a < 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return a / b;
}

/** Flip-test outcome over facet-d rows: sum of (model 1, kNN 0) minus (model 0, kNN 1), or why it failed. */
export type FlipState = { readonly flipSum: number } | { readonly error: string };

/** Everything a metric may read. */
export interface MetricInput {
  readonly counts: BiasCounts;
  readonly flip?: FlipState;
  /** Whether a group variable was given (CDDL/CDDPL). */
  readonly hasGroup: boolean;
  /** Set when the group variable cannot be ordered (text with missing values), as numpy fails there. */
  readonly groupError?: string;
}

export type MetricName =
  | 'CDDL'
  | 'CI'
  | 'DPL'
  | 'JS'
  | 'KL'
  | 'KS'
  | 'LP'
  | 'TVD'
  | 'AD'
  | 'CDDPL'
  | 'DAR'
  | 'DCA'
  | 'DCR'
  | 'DI'
  | 'DPPL'
  | 'DRR'
  | 'FT'
  | 'GE'
  | 'RD'
  | 'SD'
  | 'TE';

export interface MetricDefinition {
  readonly name: MetricName;
  /** The first line of smclarify's docstring, which Clarify reports as `description`. */
  readonly description: string;
  readonly stage: 'pre_training' | 'post_training';
  readonly compute: (input: MetricInput) => number;
  /** The smallest count the metric's ratios rest on, for the minimum-group-size check. */
  readonly support: (input: MetricInput) => number;
}

type Pick = (d: number, y: number, p: number) => boolean;
const n = (input: MetricInput, pick: Pick): number => total(input.counts, pick);
const na = (i: MetricInput): number => n(i, (d) => d === 0);
const nd = (i: MetricInput): number => n(i, (d) => d === 1);

/** (P_a, P_d) over label values present (non-zero) in both facets, keys in sorted order (False, True). */
function alignedPdfs(input: MetricInput): [number[], number[]] {
  const a0 = n(input, (d, y) => d === 0 && y === 0);
  const a1 = n(input, (d, y) => d === 0 && y === 1);
  const d0 = n(input, (d, y) => d === 1 && y === 0);
  const d1 = n(input, (d, y) => d === 1 && y === 1);
  const pa: number[] = [];
  const pd: number[] = [];
  const totalA = a0 + a1;
  const totalD = d0 + d1;
  if (a0 > 0 && d0 > 0) {
    pa.push(a0 / totalA);
    pd.push(d0 / totalD);
  }
  if (a1 > 0 && d1 > 0) {
    pa.push(a1 / totalA);
    pd.push(d1 / totalD);
  }
  if (pa.length === 0) fail('No instance of common facet found, dataset may be too small');
  return [pa, pd];
}

function klSum(p: number[], q: number[]): number {
  return numpySum(p.map((v, k) => v * Math.log(v / q[k]!)));
}

function lpNorm(input: MetricInput, order: 1 | 2 | 'inf'): number {
  const [pa, pd] = alignedPdfs(input);
  const diff = pa.map((v, k) => v - pd[k]!);
  if (order === 'inf') return Math.max(...diff.map(Math.abs));
  if (order === 1) return numpySum(diff.map(Math.abs));
  return Math.sqrt(numpySum(diff.map((v) => v * v)));
}

/** smclarify `common.DPL` on labels (y) or predictions (p). */
function dpl(input: MetricInput, onPredicted: boolean): number {
  const pos = (y: number, p: number): boolean => (onPredicted ? p : y) === 1;
  const a = na(input);
  const d = nd(input);
  const aPos = n(input, (dd, y, p) => dd === 0 && pos(y, p));
  const dPos = n(input, (dd, y, p) => dd === 1 && pos(y, p));
  if (a === 0) fail('Negative facet set is empty.');
  if (d === 0) fail('Facet set is empty.');
  return aPos / a - dPos / d;
}

/** smclarify `common.CDD`: conditional demographic disparity over the group variable. */
function cdd(input: MetricInput, onPredicted: boolean): number {
  if (!input.hasGroup) fail('Group variable is empty or not provided');
  if (input.groupError !== undefined) fail(input.groupError);
  const pos = (y: number, p: number): boolean => (onPredicted ? p : y) === 1;
  if (n(input, (_d, y, p) => pos(y, p)) === 0) fail('No positive labels in set');
  if (n(input, (_d, y, p) => !pos(y, p)) === 0) fail('No negative labels in set');
  const groups = input.counts.groupCount;
  const weights = new Float64Array(groups);
  const weighted = new Float64Array(groups);
  for (let g = 0; g < groups; g++) {
    const count = groupTotal(input.counts, g, () => true);
    const numA = groupTotal(input.counts, g, (d, y, p) => pos(y, p) && d === 1);
    const denomA = groupTotal(input.counts, g, (_d, y, p) => pos(y, p));
    const numD = groupTotal(input.counts, g, (d, y, p) => !pos(y, p) && d === 1);
    const denomD = groupTotal(input.counts, g, (_d, y, p) => !pos(y, p));
    const A = denomA !== 0 ? numA / denomA : 0;
    const D = denomD !== 0 ? numD / denomD : 0;
    weights[g] = count;
    weighted[g] = count * (D - A);
  }
  return clarifyDivide(numpySum(weighted), numpySum(weights));
}

/** Confusion counts per facet. */
function quadrants(input: MetricInput, facet: 0 | 1): { tp: number; fp: number; tn: number; fn: number } {
  const c = (y: number, p: number): number => n(input, (d, yy, pp) => d === facet && yy === y && pp === p);
  return { tp: c(1, 1), fp: c(0, 1), tn: c(0, 0), fn: c(1, 0) };
}

function requireFacets(input: MetricInput, prefix: string): void {
  if (nd(input) === 0) fail(`${prefix}Facet set is empty`);
  if (na(input) === 0) fail(`${prefix}Negated Facet set is empty`);
}

/** Difference of two rates where both being +∞ gives 0 (smclarify's post-training convention). */
function infSafeDiff(x: number, y: number, first: number): number {
  return first === Number.POSITIVE_INFINITY && x === y ? 0 : x - y;
}

function dco(input: MetricInput): { dca: number; dcr: number } {
  requireFacets(input, 'DCO: ');
  const a = quadrants(input, 0);
  const d = quadrants(input, 1);
  const rrA = clarifyDivide(a.tn + a.fp, a.tn + a.fn);
  const rrD = clarifyDivide(d.tn + d.fp, d.tn + d.fn);
  const ca = clarifyDivide(a.tp + a.fn, a.tp + a.fp);
  const cd = clarifyDivide(d.tp + d.fn, d.tp + d.fp);
  return { dca: infSafeDiff(ca, cd, ca), dcr: infSafeDiff(rrD, rrA, rrA) };
}

function dlr(input: MetricInput): { dar: number; drr: number } {
  requireFacets(input, 'DLR: ');
  const a = quadrants(input, 0);
  const d = quadrants(input, 1);
  const arA = clarifyDivide(a.tp, a.tp + a.fp);
  const arD = clarifyDivide(d.tp, d.tp + d.fp);
  const rrA = clarifyDivide(a.tn, a.tn + a.fn);
  const rrD = clarifyDivide(d.tn, d.tn + d.fn);
  return { dar: infSafeDiff(arA, arD, arA), drr: infSafeDiff(rrD, rrA, rrA) };
}

function dla(input: MetricInput): { rd: number; sd: number } {
  requireFacets(input, 'DLA: ');
  const a = quadrants(input, 0);
  const d = quadrants(input, 1);
  const recA = clarifyDivide(a.tp, a.tp + a.fn);
  const spA = clarifyDivide(a.tn, a.tn + a.fp);
  const recD = clarifyDivide(d.tp, d.tp + d.fn);
  const spD = clarifyDivide(d.tn, d.tn + d.fp);
  return { rd: infSafeDiff(recA, recD, recA), sd: infSafeDiff(spD, spA, spA) };
}

const minFacet = (i: MetricInput): number => Math.min(na(i), nd(i));
const minOf = (i: MetricInput, f: (q: { tp: number; fp: number; tn: number; fn: number }) => number): number =>
  Math.min(f(quadrants(i, 0)), f(quadrants(i, 1)));

/** The metrics in the order Clarify reports them (sorted by name within each stage). */
export const CLARIFY_METRICS: readonly MetricDefinition[] = [
  {
    name: 'CDDL',
    description: 'Conditional Demographic Disparity in Labels (CDDL)',
    stage: 'pre_training',
    compute: (i) => cdd(i, false),
    support: minFacet,
  },
  {
    name: 'CI',
    description: 'Class Imbalance (CI)',
    stage: 'pre_training',
    compute: (i) => {
      const pos = nd(i);
      const neg = na(i);
      if (neg === 0) fail('CI: negated facet set is empty. Check that x[~facet] has non-zero length.');
      if (pos === 0) fail('CI: facet set is empty. Check that x[facet] has non-zero length.');
      return (neg - pos) / (pos + neg);
    },
    support: minFacet,
  },
  { name: 'DPL', description: 'Difference in Positive Proportions in Labels (DPL)', stage: 'pre_training', compute: (i) => dpl(i, false), support: minFacet },
  {
    name: 'JS',
    description: 'Jensen-Shannon Divergence (JS)',
    stage: 'pre_training',
    compute: (i) => {
      const [pa, pd] = alignedPdfs(i);
      const p = pa.map((v, k) => 0.5 * (v + pd[k]!));
      return 0.5 * (klSum(pa, p) + klSum(pd, p));
    },
    support: minFacet,
  },
  {
    name: 'KL',
    description: 'Kullback-Liebler Divergence (KL)',
    stage: 'pre_training',
    compute: (i) => {
      const [pa, pd] = alignedPdfs(i);
      return klSum(pa, pd);
    },
    support: minFacet,
  },
  { name: 'KS', description: 'Kolmogorov-Smirnov Distance (KS)', stage: 'pre_training', compute: (i) => lpNorm(i, 'inf'), support: minFacet },
  { name: 'LP', description: 'L-p Norm (LP)', stage: 'pre_training', compute: (i) => lpNorm(i, 2), support: minFacet },
  { name: 'TVD', description: 'Total Variation Distance (TVD)', stage: 'pre_training', compute: (i) => 0.5 * lpNorm(i, 1), support: minFacet },
  {
    name: 'AD',
    description: 'Accuracy Difference (AD)',
    stage: 'post_training',
    compute: (i) => {
      requireFacets(i, '');
      const a = quadrants(i, 0);
      const d = quadrants(i, 1);
      const accA = clarifyDivide(a.tp + a.tn, a.tp + a.tn + a.fp + a.fn);
      const accD = clarifyDivide(d.tp + d.tn, d.tp + d.tn + d.fp + d.fn);
      return infSafeDiff(accA, accD, accA);
    },
    support: minFacet,
  },
  {
    name: 'CDDPL',
    description: 'Conditional Demographic Disparity in Predicted Labels (CDDPL)',
    stage: 'post_training',
    compute: (i) => cdd(i, true),
    support: minFacet,
  },
  { name: 'DAR', description: 'Difference in Acceptance Rates (DAR)', stage: 'post_training', compute: (i) => dlr(i).dar, support: (i) => minOf(i, (q) => q.tp + q.fp) },
  { name: 'DCA', description: 'Difference in Conditional Acceptance (DCA)', stage: 'post_training', compute: (i) => dco(i).dca, support: (i) => minOf(i, (q) => q.tp + q.fp) },
  { name: 'DCR', description: 'Difference in Conditional Rejection (DCR)', stage: 'post_training', compute: (i) => dco(i).dcr, support: (i) => minOf(i, (q) => q.tn + q.fn) },
  {
    name: 'DI',
    description: 'Disparate Impact (DI)',
    stage: 'post_training',
    compute: (i) => {
      const a = na(i);
      if (a === 0) fail('Negated facet set is empty');
      const qa = n(i, (d, _y, p) => d === 0 && p === 1) / a;
      const d = nd(i);
      if (d === 0) fail('Facet set is empty');
      const qd = n(i, (dd, _y, p) => dd === 1 && p === 1) / d;
      return clarifyDivide(qd, qa);
    },
    support: minFacet,
  },
  {
    name: 'DPPL',
    description: 'Difference in Positive Proportions in Predicted Labels (DPPL)',
    stage: 'post_training',
    compute: (i) => dpl(i, true),
    support: minFacet,
  },
  { name: 'DRR', description: 'Difference in Rejection Rates (DRR)', stage: 'post_training', compute: (i) => dlr(i).drr, support: (i) => minOf(i, (q) => q.tn + q.fn) },
  {
    name: 'FT',
    description: 'Flip Test (FT)',
    stage: 'post_training',
    compute: (i) => {
      requireFacets(i, '');
      const flip = i.flip;
      if (flip === undefined) fail('Flip test features are not available');
      if ('error' in flip) fail(flip.error);
      return clarifyDivide(flip.flipSum, nd(i));
    },
    support: minFacet,
  },
  {
    name: 'GE',
    description: 'Generalized Entropy (GE)',
    stage: 'post_training',
    compute: (i) => {
      // Benefit b = ŷ − y + 1 ∈ {0, 1, 2}; GE(α = 2) = Σ((b/μ)² − 1) / (2N) (smclarify common.GE).
      const count = (b: number): number => n(i, (_d, y, p) => p - y + 1 === b);
      const c0 = count(0);
      const c1 = count(1);
      const c2 = count(2);
      const N = c0 + c1 + c2;
      if (N <= 0) fail('dataset must be non-empty');
      const mean = (c1 + 2 * c2) / N;
      if (mean === 0) {
        fail('All predicted labels are false negatives. There should be at least one prediction that is not false negative.');
      }
      const r1 = 1 / mean;
      const r2 = 2 / mean;
      return (c0 * -1 + c1 * (r1 * r1 - 1) + c2 * (r2 * r2 - 1)) / (N * 2 * 1);
    },
    support: (i) => n(i, () => true),
  },
  { name: 'RD', description: 'Recall Difference (RD)', stage: 'post_training', compute: (i) => dla(i).rd, support: (i) => minOf(i, (q) => q.tp + q.fn) },
  { name: 'SD', description: 'Specificity Difference (SD)', stage: 'post_training', compute: (i) => dla(i).sd, support: (i) => minOf(i, (q) => q.tn + q.fp) },
  {
    name: 'TE',
    description: 'Treatment Equality (TE)',
    stage: 'post_training',
    compute: (i) => {
      requireFacets(i, '');
      const a = quadrants(i, 0);
      const d = quadrants(i, 1);
      const tauA = clarifyDivide(a.fn, a.fp);
      const tauD = clarifyDivide(d.fn, d.fp);
      return infSafeDiff(tauD, tauA, tauA);
    },
    support: (i) => minOf(i, (q) => q.fp),
  },
];

/**
 * @module ml/challenge/challenger-comparison
 * A challenger (candidate) against the champion on the same rows: each one's metrics, the
 * differences (candidate − champion), a paired bootstrap interval for the AUC difference, and how
 * often their decisions at the threshold agree (score ≥ threshold = positive decision, as in
 * ml/metrics), with the flips in each direction.
 */
import type { BinaryLabels } from '../metrics/index.js';
import type { PairedAucBootstrap } from './paired-bootstrap.js';
import { pairedAucBootstrap } from './paired-bootstrap.js';
import type { ScoreSummary, SummaryMetric } from './score-summary.js';
import { SUMMARY_METRICS, summarizeScores } from './score-summary.js';

export interface DecisionAgreement {
  threshold: number;
  bothPositive: number;
  bothNegative: number;
  /** Rows the candidate decides positive and the champion negative. */
  candidateOnlyPositive: number;
  championOnlyPositive: number;
  flips: number;
  agreementRate: number;
}

export interface ChallengerComparison {
  rows: number;
  threshold: number;
  candidate: ScoreSummary;
  champion: ScoreSummary;
  /** candidate − champion per metric (null when either is undefined). */
  difference: Record<SummaryMetric, number | null>;
  aucDifference: PairedAucBootstrap;
  agreement: DecisionAgreement;
}

export function decisionAgreement(a: ArrayLike<number>, b: ArrayLike<number>, threshold: number): DecisionAgreement {
  let bothPositive = 0;
  let bothNegative = 0;
  let aOnly = 0;
  let bOnly = 0;
  for (let i = 0; i < a.length; i++) {
    const pa = a[i]! >= threshold;
    const pb = b[i]! >= threshold;
    if (pa && pb) bothPositive++;
    else if (!pa && !pb) bothNegative++;
    else if (pa) aOnly++;
    else bOnly++;
  }
  const flips = aOnly + bOnly;
  return { threshold, bothPositive, bothNegative, candidateOnlyPositive: aOnly, championOnlyPositive: bOnly, flips, agreementRate: a.length === 0 ? Number.NaN : 1 - flips / a.length };
}

export function compareChallenger(labels: BinaryLabels, candidate: ArrayLike<number>, champion: ArrayLike<number>, options: { threshold: number; replicates: number; seed: number; confidence?: number }): ChallengerComparison {
  const c = summarizeScores(labels, candidate, options.threshold);
  const h = summarizeScores(labels, champion, options.threshold);
  const difference = {} as Record<SummaryMetric, number | null>;
  for (const m of SUMMARY_METRICS) {
    const a = c.metrics[m];
    const b = h.metrics[m];
    difference[m] = a === null || b === null ? null : a - b;
  }
  return {
    rows: labels.length,
    threshold: options.threshold,
    candidate: c,
    champion: h,
    difference,
    aucDifference: pairedAucBootstrap(labels, candidate, champion, { replicates: options.replicates, seed: options.seed, ...(options.confidence !== undefined ? { confidence: options.confidence } : {}) }),
    agreement: decisionAgreement(candidate, champion, options.threshold),
  };
}

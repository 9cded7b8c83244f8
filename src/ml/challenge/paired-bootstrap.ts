/**
 * @module ml/challenge/paired-bootstrap
 * A paired, seeded bootstrap of the difference in ROC AUC between two scorers on the same rows
 * (Efron & Tibshirani, An Introduction to the Bootstrap, 1993, ch. 13: the percentile interval).
 * Each replicate draws n rows with replacement — the same draw for both scorers, which is what
 * makes it paired: the rows' difficulty cancels out of the difference — and computes both AUCs
 * under the draw's multiplicities. Replicates that draw only one class have no AUC and are left
 * out (counted in `skipped`). The interval's ends are numpy's default (linear) percentiles.
 */
import { createRandom } from '../../kernel/index.js';
import type { BinaryLabels } from '../metrics/index.js';
import { linearQuantile } from '../metrics/index.js';
import { rankScores, weightedAuc } from './weighted-auc.js';

export interface PairedAucBootstrap {
  /** AUC(a) − AUC(b) on all rows. */
  readonly difference: number;
  readonly replicates: number;
  /** Replicates left out because they drew a single class. */
  readonly skipped: number;
  readonly seed: number;
  readonly confidence: number;
  readonly lower: number;
  readonly upper: number;
  /** Standard deviation of the replicate differences. */
  readonly standardError: number;
  /** Share of replicates whose difference is ≤ 0 (a one-sided bootstrap p-value for "a beats b"). */
  readonly shareAtOrBelowZero: number;
}

export function pairedAucBootstrap(labels: BinaryLabels, a: ArrayLike<number>, b: ArrayLike<number>, options: { replicates: number; seed: number; confidence?: number }): PairedAucBootstrap {
  const n = labels.length;
  if (a.length !== n || b.length !== n) throw new RangeError('pairedAucBootstrap: labels and both score vectors must have the same length');
  const confidence = options.confidence ?? 0.95;
  const rankedA = rankScores(a);
  const rankedB = rankScores(b);
  const difference = weightedAuc(labels, rankedA) - weightedAuc(labels, rankedB);
  const random = createRandom(options.seed);
  const counts = new Float64Array(n);
  const diffs = new Float64Array(options.replicates);
  let kept = 0;
  for (let r = 0; r < options.replicates; r++) {
    counts.fill(0);
    for (let k = 0; k < n; k++) counts[random.nextInt(n)]!++;
    const d = weightedAuc(labels, rankedA, counts) - weightedAuc(labels, rankedB, counts);
    if (Number.isNaN(d)) continue;
    diffs[kept++] = d;
  }
  const sample = diffs.subarray(0, kept).sort();
  let mean = 0;
  let atOrBelow = 0;
  for (const d of sample) {
    mean += d;
    if (d <= 0) atOrBelow++;
  }
  mean /= kept || 1;
  let ss = 0;
  for (const d of sample) ss += (d - mean) * (d - mean);
  const alpha = (1 - confidence) / 2;
  return {
    difference,
    replicates: options.replicates,
    skipped: options.replicates - kept,
    seed: options.seed,
    confidence,
    lower: kept === 0 ? Number.NaN : linearQuantile(sample, alpha),
    upper: kept === 0 ? Number.NaN : linearQuantile(sample, 1 - alpha),
    standardError: kept > 1 ? Math.sqrt(ss / (kept - 1)) : Number.NaN,
    shareAtOrBelowZero: kept === 0 ? Number.NaN : atOrBelow / kept,
  };
}

/**
 * @module ml/challenge/stress-test
 * Stress tests: named scenarios, each a list of transforms of input features (multiply, add, set,
 * clip — e.g. income × 0.8, utilisation × 1.3 clipped to [0, 1]), applied to a copy of the
 * feature matrix; the model scores the stressed rows and each scenario reports the score shift
 * (mean and mean absolute), the share of decisions flipped at the threshold (score ≥ threshold
 * = positive, in each direction), the positive-decision rate, and the score percentiles before
 * and after. Missing values (NaN) stay missing under multiply, add and clip; `set` sets every row.
 */
import { z } from 'zod';
import type { FeatureMatrix } from '../../data/index.js';
import type { BinaryLabels } from '../metrics/index.js';
import { scorePercentiles, summarizeScores } from './score-summary.js';

export const FeatureTransformSchema = z
  .object({
    feature: z.string().min(1),
    multiply: z.number().finite().optional(),
    add: z.number().finite().optional(),
    set: z.number().finite().optional(),
    clip: z.object({ min: z.number().optional(), max: z.number().optional() }).strict().optional(),
  })
  .strict()
  .refine((t) => [t.multiply, t.add, t.set, t.clip].filter((v) => v !== undefined).length === 1, 'a transform has exactly one of multiply, add, set, clip');
export type FeatureTransform = z.infer<typeof FeatureTransformSchema>;

/** `{name, feature, multiply}` (one transform) or `{name, transforms: [...]}` (applied in order). */
export const StressScenarioSchema = z.union([
  z.object({ name: z.string().min(1).max(200), transforms: z.array(FeatureTransformSchema).min(1) }).strict(),
  z
    .object({ name: z.string().min(1).max(200), feature: z.string().min(1), multiply: z.number().finite().optional(), add: z.number().finite().optional(), set: z.number().finite().optional(), clip: z.object({ min: z.number().optional(), max: z.number().optional() }).strict().optional() })
    .strict()
    .refine((t) => [t.multiply, t.add, t.set, t.clip].filter((v) => v !== undefined).length === 1, 'a transform has exactly one of multiply, add, set, clip'),
]);
export type StressScenario = z.infer<typeof StressScenarioSchema>;

export function scenarioTransforms(s: StressScenario): FeatureTransform[] {
  if ('transforms' in s) return s.transforms;
  const { name: _name, ...t } = s;
  return [FeatureTransformSchema.parse(t)];
}

/** A stressed copy of `x`; the original is left as it is. */
export function applyTransforms(x: FeatureMatrix, featureNames: readonly string[], transforms: readonly FeatureTransform[]): FeatureMatrix {
  const values = Float32Array.from(x.values);
  for (const t of transforms) {
    const j = featureNames.indexOf(t.feature);
    if (j < 0) throw new RangeError(`the model has no feature ${t.feature} (features: ${featureNames.join(', ')})`);
    const lo = t.clip?.min ?? Number.NEGATIVE_INFINITY;
    const hi = t.clip?.max ?? Number.POSITIVE_INFINITY;
    for (let o = j; o < values.length; o += x.cols) {
      const v = values[o]!;
      if (t.set !== undefined) values[o] = t.set;
      else if (Number.isNaN(v)) continue;
      else if (t.multiply !== undefined) values[o] = v * t.multiply;
      else if (t.add !== undefined) values[o] = v + t.add;
      else values[o] = Math.min(Math.max(v, lo), hi);
    }
  }
  return { rows: x.rows, cols: x.cols, values };
}

export interface ScenarioResult {
  name: string;
  transforms: FeatureTransform[];
  meanScoreBefore: number;
  meanScoreAfter: number;
  meanShift: number;
  meanAbsoluteShift: number;
  maxAbsoluteShift: number;
  positiveRateBefore: number;
  positiveRateAfter: number;
  /** Rows whose decision changes, and those going negative → positive and positive → negative. */
  flipped: number;
  flippedShare: number;
  flippedToPositive: number;
  flippedToNegative: number;
  percentilesBefore: Record<string, number>;
  percentilesAfter: Record<string, number>;
  /** AUC on the stressed rows (with labels only). */
  aucBefore: number | null;
  aucAfter: number | null;
}

export interface StressTest {
  rows: number;
  threshold: number;
  scenarios: ScenarioResult[];
}

export function stressTest(x: FeatureMatrix, featureNames: readonly string[], score: (x: FeatureMatrix) => ArrayLike<number>, scenarios: readonly StressScenario[], options: { threshold: number; labels?: BinaryLabels }): StressTest {
  const base = Float64Array.from(score(x));
  const n = base.length;
  const before = scorePercentiles(base);
  let baseSum = 0;
  let basePositive = 0;
  for (const s of base) {
    baseSum += s;
    if (s >= options.threshold) basePositive++;
  }
  const aucBefore = options.labels ? summarizeScores(options.labels, base, options.threshold).metrics.auc : null;
  const results = scenarios.map((scenario): ScenarioResult => {
    const transforms = scenarioTransforms(scenario);
    const after = Float64Array.from(score(applyTransforms(x, featureNames, transforms)));
    let sum = 0;
    let abs = 0;
    let max = 0;
    let positive = 0;
    let up = 0;
    let down = 0;
    for (let i = 0; i < n; i++) {
      const d = after[i]! - base[i]!;
      sum += after[i]!;
      abs += Math.abs(d);
      max = Math.max(max, Math.abs(d));
      const pb = base[i]! >= options.threshold;
      const pa = after[i]! >= options.threshold;
      if (pa) positive++;
      if (pa && !pb) up++;
      if (pb && !pa) down++;
    }
    return {
      name: scenario.name,
      transforms,
      meanScoreBefore: baseSum / n,
      meanScoreAfter: sum / n,
      meanShift: (sum - baseSum) / n,
      meanAbsoluteShift: abs / n,
      maxAbsoluteShift: max,
      positiveRateBefore: basePositive / n,
      positiveRateAfter: positive / n,
      flipped: up + down,
      flippedShare: (up + down) / n,
      flippedToPositive: up,
      flippedToNegative: down,
      percentilesBefore: before,
      percentilesAfter: scorePercentiles(after),
      aucBefore,
      aucAfter: options.labels ? summarizeScores(options.labels, after, options.threshold).metrics.auc : null,
    };
  });
  return { rows: n, threshold: options.threshold, scenarios: results };
}

/**
 * @module ml/explain/shap-importance
 * Global importance as the mean absolute SHAP value per feature (Lundberg et al. 2020, "From
 * local explanations to global understanding", §"SHAP summary plots"), and the points of a
 * summary (beeswarm) plot: every (feature value, SHAP value) pair of the top features.
 */
import { createRandom, shuffleInPlace } from '../../kernel/index.js';
import type { FeatureMatrix } from '../gbdt/index.js';
import type { Attributions } from './attributions.js';
import { attributionAt, jsonNumber } from './attributions.js';

export interface FeatureImportance {
  readonly feature: number;
  readonly name: string;
  readonly value: number;
}

/**
 * Mean |SHAP| per feature for output `group`, most important first (ties: lower column first).
 */
export function meanAbsShap(a: Attributions, featureNames: readonly string[], group = 0): FeatureImportance[] {
  const F = a.width - 1;
  const sums = new Float64Array(F);
  for (let r = 0; r < a.rows; r++) for (let j = 0; j < F; j++) sums[j]! += Math.abs(attributionAt(a, r, group, j));
  return rankImportance(
    Array.from(sums, (s) => (a.rows > 0 ? s / a.rows : 0)),
    featureNames,
  );
}

/** Sorts importances descending with a deterministic tie-break by column index. */
export function rankImportance(values: readonly number[], featureNames: readonly string[]): FeatureImportance[] {
  return values
    .map((value, feature) => ({ feature, name: featureNames[feature] ?? `f${feature}`, value }))
    .sort((p, q) => q.value - p.value || p.feature - q.feature);
}

export interface BeeswarmFeature {
  readonly feature: number;
  readonly name: string;
  readonly meanAbs: number;
  /** SHAP values of the sampled rows. */
  readonly shap: number[];
  /** Feature values of the same rows (null = missing), for colouring. */
  readonly value: (number | null)[];
}

export interface BeeswarmOptions {
  group?: number;
  /** Features shown, most important first; default 10. */
  topK?: number;
  /** Rows sampled (seeded) when there are more; default 1,000. */
  maxPoints?: number;
  seed?: number;
}

/** Data for a SHAP summary (beeswarm) plot of the `topK` most important features. */
export function beeswarmData(a: Attributions, x: FeatureMatrix, featureNames: readonly string[], options: BeeswarmOptions = {}): BeeswarmFeature[] {
  const group = options.group ?? 0;
  const ranking = meanAbsShap(a, featureNames, group).slice(0, options.topK ?? 10);
  const rows = sampleRows(a.rows, options.maxPoints ?? 1000, options.seed ?? 0);
  return ranking.map(({ feature, name, value }) => ({
    feature,
    name,
    meanAbs: value,
    shap: rows.map((r) => attributionAt(a, r, group, feature)),
    value: rows.map((r) => jsonNumber(x.values[r * x.cols + feature]!)),
  }));
}

/** Up to `max` row indices in ascending order, a seeded uniform sample when there are more. */
export function sampleRows(rows: number, max: number, seed: number): number[] {
  const all = Array.from({ length: rows }, (_, i) => i);
  if (rows <= max) return all;
  shuffleInPlace(all, createRandom(seed));
  return all.slice(0, max).sort((p, q) => p - q);
}

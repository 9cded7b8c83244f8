/**
 * @module ml/explain/shap-dependence
 * Data for a SHAP dependence plot: a feature's value against its SHAP value, coloured by the
 * feature it interacts with most. The colouring feature is chosen like shap's
 * `approximate_interactions`: rows sorted by the feature are cut into bins of about 50 and, per
 * candidate, the absolute correlations between the SHAP values and the candidate's values within
 * each bin are summed (Lundberg et al. 2020, dependence plots).
 */
import type { FeatureMatrix } from '../gbdt/index.js';
import type { Attributions } from './attributions.js';
import { attributionAt, jsonNumber } from './attributions.js';
import { sampleRows } from './shap-importance.js';

export interface DependenceData {
  readonly feature: number;
  readonly name: string;
  readonly value: (number | null)[];
  readonly shap: number[];
  /** Feature used for colour (-1 when there is no other feature). */
  readonly colorFeature: number;
  readonly colorName: string | null;
  readonly color: (number | null)[];
}

export interface DependenceOptions {
  group?: number;
  /** Colour feature; default: the strongest approximate interaction. */
  colorFeature?: number;
  maxPoints?: number;
  seed?: number;
}

function correlation(a: number[], b: number[]): number {
  const n = a.length;
  if (n < 3) return 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]! / n;
    mb += b[i]! / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** The feature most strongly interacting with `feature`, by binned |correlation| (ties: lower index). */
export function approximateInteraction(a: Attributions, x: FeatureMatrix, feature: number, group = 0): number {
  const rows = Array.from({ length: a.rows }, (_, r) => r).filter((r) => !Number.isNaN(x.values[r * x.cols + feature]!));
  rows.sort((p, q) => x.values[p * x.cols + feature]! - x.values[q * x.cols + feature]! || p - q);
  const binSize = Math.max(Math.min(50, Math.floor(rows.length / 10)), 1);
  let best = -1;
  let bestScore = -1;
  for (let k = 0; k < x.cols; k++) {
    if (k === feature) continue;
    let score = 0;
    for (let s = 0; s < rows.length; s += binSize) {
      const shap: number[] = [];
      const val: number[] = [];
      for (const r of rows.slice(s, s + binSize)) {
        const v = x.values[r * x.cols + k]!;
        if (Number.isNaN(v)) continue;
        shap.push(attributionAt(a, r, group, feature));
        val.push(v);
      }
      score += Math.abs(correlation(shap, val));
    }
    if (score > bestScore) {
      bestScore = score;
      best = k;
    }
  }
  return best;
}

/** Dependence-plot data for one feature. */
export function shapDependence(
  a: Attributions,
  x: FeatureMatrix,
  feature: number,
  featureNames: readonly string[],
  options: DependenceOptions = {},
): DependenceData {
  const group = options.group ?? 0;
  const colorFeature = options.colorFeature ?? approximateInteraction(a, x, feature, group);
  const rows = sampleRows(a.rows, options.maxPoints ?? 1000, options.seed ?? 0);
  return {
    feature,
    name: featureNames[feature] ?? `f${feature}`,
    value: rows.map((r) => jsonNumber(x.values[r * x.cols + feature]!)),
    shap: rows.map((r) => attributionAt(a, r, group, feature)),
    colorFeature,
    colorName: colorFeature >= 0 ? (featureNames[colorFeature] ?? `f${colorFeature}`) : null,
    color: colorFeature >= 0 ? rows.map((r) => jsonNumber(x.values[r * x.cols + colorFeature]!)) : [],
  };
}

/**
 * @module monitoring/attribution-drift
 * Feature-attribution drift as Model Monitor computes it: the nDCG of the current global SHAP
 * values ranked against the baseline's (scikit-learn `ndcg_score` with tie averaging, linear gains =
 * baseline attributions, discount 1/log₂(rank+1)); a score below 0.9 is a violation. And bias drift:
 * metric values of a window compared with the baseline's, for any set of named metrics.
 */
import { AppError } from '../kernel/index.js';

function tieAveragedDcg(gains: readonly number[], scores: readonly number[]): number {
  const order = gains.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let dcg = 0;
  let rank = 0;
  let i = 0;
  while (i < order.length) {
    const s = scores[order[i]!]!;
    let sum = 0;
    let discount = 0;
    let count = 0;
    while (i < order.length && scores[order[i]!]! === s) {
      sum += gains[order[i]!]!;
      discount += 1 / Math.log2(rank + 2);
      rank++;
      count++;
      i++;
    }
    dcg += (sum / count) * discount;
  }
  return dcg;
}

/** nDCG of `current` scores against `baseline` relevances (sklearn `ndcg_score` for one sample). */
export function ndcg(baseline: readonly number[], current: readonly number[]): number {
  if (baseline.length !== current.length) throw new AppError('INVALID_INPUT', { message: 'nDCG needs one current score per baseline feature' });
  const ideal = [...baseline].sort((a, b) => b - a).reduce((s, g, r) => s + g / Math.log2(r + 2), 0);
  return ideal === 0 ? 0 : tieAveragedDcg(baseline, current) / ideal;
}

export interface AttributionViolation {
  label: string;
  metric_name: 'shap';
  constraint_check_type: 'feature_attribution_drift_check';
  description: string;
}

/**
 * Compares global attributions (feature → mean |SHAP|) of a window with the baseline's for one
 * label. Features missing from the window count as 0.
 */
export function attributionDrift(
  baseline: Readonly<Record<string, number>>,
  current: Readonly<Record<string, number>>,
  options: { label?: string; threshold?: number } = {},
): { ndcg: number; violation?: AttributionViolation } {
  const features = Object.keys(baseline);
  if (features.length === 0) throw new AppError('INVALID_INPUT', { message: 'The baseline has no feature attributions' });
  const score = ndcg(
    features.map((f) => baseline[f]!),
    features.map((f) => current[f] ?? 0),
  );
  const threshold = options.threshold ?? 0.9;
  if (score >= threshold) return { ndcg: score };
  return {
    ndcg: score,
    violation: {
      label: options.label ?? 'label0',
      metric_name: 'shap',
      constraint_check_type: 'feature_attribution_drift_check',
      description: `Feature attribution drift nDCG score ${score} is below threshold ${threshold}`,
    },
  };
}

export interface MetricDriftRule {
  /** Allowed change before a violation (default 0.1). */
  tolerance?: number;
  /** 'absolute': |current − baseline| > tolerance; 'relative': divided by |baseline|. */
  mode?: 'absolute' | 'relative';
}

export interface MetricDriftViolation {
  metric_name: string;
  constraint_check_type: 'bias_drift_check';
  description: string;
  baseline: number;
  current: number;
}

/**
 * Bias drift (or any metric drift): each baseline metric is compared with the window's value.
 * A metric missing or undefined (NaN) in the window is reported as a violation too.
 */
export function metricDrift(
  baseline: Readonly<Record<string, number>>,
  current: Readonly<Record<string, number>>,
  rules: MetricDriftRule | Readonly<Record<string, MetricDriftRule>> = {},
): MetricDriftViolation[] {
  const isPerMetric = !('tolerance' in rules || 'mode' in rules) && Object.values(rules).some((v) => typeof v === 'object');
  const out: MetricDriftViolation[] = [];
  for (const [name, b] of Object.entries(baseline)) {
    const rule: MetricDriftRule = isPerMetric ? ((rules as Record<string, MetricDriftRule>)[name] ?? {}) : (rules as MetricDriftRule);
    const tol = rule.tolerance ?? 0.1;
    const c = current[name];
    if (c === undefined || Number.isNaN(c)) {
      out.push({ metric_name: name, constraint_check_type: 'bias_drift_check', description: `Metric ${name} could not be computed on the current data`, baseline: b, current: c ?? Number.NaN });
      continue;
    }
    const change = rule.mode === 'relative' ? Math.abs(c - b) / Math.max(Math.abs(b), Number.MIN_VALUE) : Math.abs(c - b);
    if (change > tol) {
      out.push({ metric_name: name, constraint_check_type: 'bias_drift_check', description: `Metric ${name} changed from ${b} to ${c}, beyond the ${rule.mode ?? 'absolute'} tolerance ${tol}`, baseline: b, current: c });
    }
  }
  return out;
}

/**
 * @module monitoring/bias-drift-check
 * Bias drift between two bias reports in Clarify's analysis.json shape (what `attest bias`
 * writes): every metric of every facet value and stage in the baseline report is compared with
 * the same metric in the current report by {@link metricDrift}. Violations carry the facet and
 * facet value, as Model Monitor's `bias_drift_check` violations do.
 */
import { AppError } from '../kernel/index.js';
import type { MetricDriftRule, MetricDriftViolation } from './attribution-drift.js';
import { metricDrift } from './attribution-drift.js';

export type BiasStage = 'pre_training_bias_metrics' | 'post_training_bias_metrics';

export interface BiasDriftViolation extends MetricDriftViolation {
  stage: BiasStage;
  facet: string;
  facet_value: string;
}

export interface BiasDriftComparison {
  stage: BiasStage;
  facet: string;
  facet_value: string;
  metric_name: string;
  baseline: number | null;
  current: number | null;
}

export interface BiasDriftResult {
  violations: BiasDriftViolation[];
  comparisons: BiasDriftComparison[];
}

type MetricsByGroup = Map<string, { stage: BiasStage; facet: string; value: string; metrics: Record<string, number> }>;

function metricNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number.NaN;
}

function metricsOf(doc: unknown, what: string): MetricsByGroup {
  const bad = () => new AppError('INVALID_INPUT', { message: `The ${what} is not a bias report (Clarify analysis.json with pre_training_bias_metrics)` });
  if (typeof doc !== 'object' || doc === null || !('pre_training_bias_metrics' in doc)) throw bad();
  const out: MetricsByGroup = new Map();
  for (const stage of ['pre_training_bias_metrics', 'post_training_bias_metrics'] as const) {
    const section = (doc as Record<string, unknown>)[stage];
    if (section === undefined) continue;
    const facets = (section as { facets?: unknown }).facets;
    if (typeof facets !== 'object' || facets === null) throw bad();
    for (const [facet, entries] of Object.entries(facets)) {
      if (!Array.isArray(entries)) throw bad();
      for (const e of entries as { value_or_threshold?: unknown; metrics?: unknown }[]) {
        if (!Array.isArray(e.metrics)) throw bad();
        const value = String(e.value_or_threshold);
        const metrics: Record<string, number> = {};
        for (const m of e.metrics as { name?: unknown; value?: unknown }[]) if (typeof m.name === 'string') metrics[m.name] = metricNumber(m.value);
        out.set(`${stage}\u0000${facet}\u0000${value}`, { stage, facet, value, metrics });
      }
    }
  }
  return out;
}

export interface BiasDriftOptions {
  /** Allowed change of every metric (default 0.1). */
  readonly tolerance?: number;
  readonly mode?: MetricDriftRule['mode'];
  /** Tolerances of single metrics by name (e.g. DI: 0.2). */
  readonly metricTolerances?: Readonly<Record<string, number>>;
}

/**
 * Compares the current bias report with the baseline report. A facet value of the baseline that
 * the current report lacks makes every one of its metrics a violation.
 */
export function biasDrift(baseline: unknown, current: unknown, options: BiasDriftOptions = {}): BiasDriftResult {
  const base = metricsOf(baseline, 'baseline report');
  const cur = metricsOf(current, 'current report');
  const violations: BiasDriftViolation[] = [];
  const comparisons: BiasDriftComparison[] = [];
  for (const [key, group] of base) {
    // Metrics the baseline could not compute (NaN) give nothing to drift from.
    const defined = Object.fromEntries(Object.entries(group.metrics).filter(([, v]) => !Number.isNaN(v)));
    const now = cur.get(key)?.metrics ?? {};
    for (const [name, b] of Object.entries(defined)) {
      const c = now[name];
      comparisons.push({ stage: group.stage, facet: group.facet, facet_value: group.value, metric_name: name, baseline: Number.isFinite(b) ? b : null, current: c === undefined || !Number.isFinite(c) ? null : c });
    }
    const rules = Object.fromEntries(Object.keys(defined).map((name): [string, MetricDriftRule] => [name, { tolerance: options.metricTolerances?.[name] ?? options.tolerance ?? 0.1, mode: options.mode ?? 'absolute' }]));
    for (const v of metricDrift(defined, now, rules)) violations.push({ stage: group.stage, facet: group.facet, facet_value: group.value, ...v });
  }
  return { violations, comparisons };
}

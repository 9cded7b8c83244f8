/**
 * @module monitoring/constraints-format
 * SageMaker Model Monitor's `constraints.json` (algorithms-and-formats.md §3.2) and the suggestion
 * of a baseline's constraints from a profile with Deequ's default rule set (§5:
 * CompleteIfComplete, RetainCompleteness, RetainType, CategoricalRange, FractionalCategoricalRange,
 * NonNegativeNumbers; UniqueIfApproximatelyUnique is not in Deequ's DEFAULT set and is not applied).
 *
 * `completeness` holds the suggested lower bound: 1.0 when the column is complete, otherwise the
 * Wald bound p − 1.96·√(p(1−p)/n) truncated to 2 decimals (Deequ 2.0.2) when 0.2 < p < 1, and is
 * omitted below. Per-feature threshold overrides live in `monitoringConfigOverrides` (the AWS
 * schema); the SDK's `string_constraints.monitoring_config_overrides` is read as well, including
 * the `evaluate_constraints` / `emit_metrics` flags that the SageMaker Python SDK's
 * `Constraints.set_monitoring(enable, feature_name)` writes there (a feature with
 * `evaluate_constraints: Disabled` is not checked).
 *
 * Reading is as lenient as Model Monitor: every `monitoring_config` key is optional and takes
 * Model Monitor's default when absent, as does `monitoring_config` itself; the SDK's older
 * `distribution_constraints.enable_comparisons` (boolean) stands for `perform_comparison`, and
 * `min_domain_mass` is kept. Unknown top-level keys of the file are kept as they are, so a file
 * the SDK edited round-trips.
 */
import { z } from 'zod';
import type { CategoricalProfile, ColumnProfile, FrameProfile } from '../data/index.js';
import { AppError } from '../kernel/index.js';

const enabled = z.enum(['Enabled', 'Disabled']);
const comparisonMethod = z.enum(['Simple', 'Robust']);
const categoricalMethod = z.enum(['LInfinity', 'ChiSquared']);

/** Thresholds a feature may override. */
const overrides = z
  .object({
    comparison_threshold: z.number().optional(),
    comparison_method: comparisonMethod.optional(),
    categorical_comparison_threshold: z.number().optional(),
    categorical_drift_method: categoricalMethod.optional(),
    datatype_check_threshold: z.number().optional(),
    domain_content_threshold: z.number().optional(),
    evaluate_constraints: enabled.optional(),
    emit_metrics: enabled.optional(),
  })
  .strict();

/** monitoring_config as Attest writes it and as every reader sees it (defaults filled in). */
const monitoringConfig = z.object({
  evaluate_constraints: enabled,
  emit_metrics: enabled,
  datatype_check_threshold: z.number(),
  domain_content_threshold: z.number(),
  distribution_constraints: z.object({
    perform_comparison: enabled,
    comparison_threshold: z.number(),
    comparison_method: comparisonMethod,
    categorical_comparison_threshold: z.number().optional(),
    categorical_drift_method: categoricalMethod.optional(),
    /** Kept from SDK-written files; Model Monitor's minimum domain mass for comparisons. */
    min_domain_mass: z.number().optional(),
  }),
});

/** monitoring_config as files may carry it: any key may be absent (Model Monitor's defaults apply). */
const monitoringConfigInput = z
  .object({
    evaluate_constraints: enabled.optional(),
    emit_metrics: enabled.optional(),
    datatype_check_threshold: z.number().optional(),
    domain_content_threshold: z.number().optional(),
    distribution_constraints: z
      .object({
        perform_comparison: enabled.optional(),
        enable_comparisons: z.boolean().optional(),
        comparison_threshold: z.number().optional(),
        comparison_method: comparisonMethod.optional(),
        categorical_comparison_threshold: z.number().optional(),
        categorical_drift_method: categoricalMethod.optional(),
        min_domain_mass: z.number().optional(),
      })
      .optional(),
  })
  .optional();

const featureConstraints = z.object({
  name: z.string(),
  inferred_type: z.enum(['Integral', 'Fractional', 'Boolean', 'String', 'Unknown']),
  completeness: z.number().optional(),
  num_constraints: z.object({ is_non_negative: z.boolean() }).optional(),
  string_constraints: z.object({ domains: z.array(z.string()).optional(), monitoring_config_overrides: overrides.optional() }).optional(),
  monitoringConfigOverrides: overrides.optional(),
});

/** Zod schema of constraints.json as Attest writes it. */
export const constraintsSchema = z.object({ version: z.number(), features: z.array(featureConstraints), monitoring_config: monitoringConfig });

/** constraints.json as it may be read (SDK-written, AWS examples): see the module comment. */
const constraintsInputSchema = z.looseObject({ version: z.number().optional(), features: z.array(featureConstraints), monitoring_config: monitoringConfigInput });

export type Constraints = z.infer<typeof constraintsSchema>;
export type FeatureConstraints = z.infer<typeof featureConstraints>;
export type MonitoringConfig = z.infer<typeof monitoringConfig>;
export type MonitoringConfigOverrides = z.infer<typeof overrides>;

/**
 * Documented defaults: evaluate_constraints / emit_metrics Enabled, comparison_threshold 0.1,
 * categorical threshold = comparison threshold, categorical method LInfinity, method Robust.
 * The datatype and domain thresholds are "Default 0.1" in AWS's table (the older example shows
 * 1.0); we take 0.1 and read both as "share of non-conforming values allowed".
 */
export const DEFAULT_MONITORING_CONFIG: MonitoringConfig = {
  evaluate_constraints: 'Enabled',
  emit_metrics: 'Enabled',
  datatype_check_threshold: 0.1,
  domain_content_threshold: 0.1,
  distribution_constraints: {
    perform_comparison: 'Enabled',
    comparison_threshold: 0.1,
    comparison_method: 'Robust',
    categorical_comparison_threshold: 0.1,
    categorical_drift_method: 'LInfinity',
  },
};

/** Deequ 2.0.2 RetainCompletenessRule bound: Wald lower bound at 95 %, truncated down to 2 decimals. */
export function completenessLowerBound(p: number, n: number): number {
  const bound = p - 1.96 * Math.sqrt((p * (1 - p)) / n);
  return Math.floor(bound * 100 + 1e-9) / 100;
}

/** Deequ's CategoricalRangeRule / FractionalCategoricalRangeRule on a categorical profile. */
export function suggestDomain(p: CategoricalProfile, cardinalityThreshold = 120): string[] | undefined {
  const fi = p.frequentItems;
  if (!fi.exact || fi.items.length === 0 || fi.items.length > cardinalityThreshold) return undefined;
  if (p.inferredType !== 'String' && p.inferredType !== 'Integral') return undefined;
  const singletons = fi.items.filter((i) => i.count === 1).length;
  const ratio = singletons / fi.items.length;
  if (ratio <= 0.1) return fi.items.map((i) => i.value);
  if (ratio <= 0.4) {
    // Top categories covering ≥ 90 % of the values, provided they do not cover everything.
    const top: string[] = [];
    let covered = 0;
    for (const it of fi.items) {
      if (covered / fi.n >= 0.9) break;
      top.push(it.value);
      covered += it.count;
    }
    if (covered / fi.n < 1) return top;
  }
  return undefined;
}

function featureConstraintsOf(p: ColumnProfile): FeatureConstraints {
  const out: FeatureConstraints = { name: p.name, inferred_type: p.inferredType };
  if (p.rows > 0) {
    if (p.completeness === 1) out.completeness = 1;
    else if (p.completeness > 0.2) out.completeness = completenessLowerBound(p.completeness, p.rows);
  }
  if (p.kind === 'numeric' && p.present > 0) out.num_constraints = { is_non_negative: p.moments.min >= 0 };
  if (p.kind === 'categorical') {
    const domains = suggestDomain(p);
    if (domains) out.string_constraints = { domains };
  }
  return out;
}

/** constraints.json suggested from a profile with Deequ's default rules. */
export function suggestConstraints(profile: FrameProfile, config: MonitoringConfig = DEFAULT_MONITORING_CONFIG): Constraints {
  return { version: 0, features: profile.columns.map(featureConstraintsOf), monitoring_config: structuredClone(config) };
}

/** Fills Model Monitor's defaults into a monitoring_config read from a file. */
function completeMonitoringConfig(input: z.infer<typeof monitoringConfigInput>): MonitoringConfig {
  const d = DEFAULT_MONITORING_CONFIG.distribution_constraints;
  const dc = input?.distribution_constraints ?? {};
  const perform = dc.perform_comparison ?? (dc.enable_comparisons === undefined ? d.perform_comparison : dc.enable_comparisons ? 'Enabled' : 'Disabled');
  return {
    evaluate_constraints: input?.evaluate_constraints ?? DEFAULT_MONITORING_CONFIG.evaluate_constraints,
    emit_metrics: input?.emit_metrics ?? DEFAULT_MONITORING_CONFIG.emit_metrics,
    datatype_check_threshold: input?.datatype_check_threshold ?? DEFAULT_MONITORING_CONFIG.datatype_check_threshold,
    domain_content_threshold: input?.domain_content_threshold ?? DEFAULT_MONITORING_CONFIG.domain_content_threshold,
    distribution_constraints: {
      perform_comparison: perform,
      comparison_threshold: dc.comparison_threshold ?? d.comparison_threshold,
      comparison_method: dc.comparison_method ?? d.comparison_method,
      // Unset, the categorical threshold follows the comparison threshold (AWS's documented default).
      categorical_comparison_threshold: dc.categorical_comparison_threshold ?? dc.comparison_threshold ?? d.categorical_comparison_threshold,
      categorical_drift_method: dc.categorical_drift_method ?? d.categorical_drift_method,
      ...(dc.min_domain_mass !== undefined ? { min_domain_mass: dc.min_domain_mass } : {}),
    },
  };
}

/**
 * Parses and validates constraints.json (throws INVALID_INPUT with the first problem); absent
 * monitoring settings take Model Monitor's defaults, unknown top-level keys are kept.
 */
export function parseConstraints(json: unknown): Constraints {
  const r = constraintsInputSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new AppError('INVALID_INPUT', { message: `constraints.json is not valid: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(), details: { issues: r.error.issues.length } });
  }
  const { monitoring_config, version, ...rest } = r.data;
  return { ...rest, version: version ?? 0, features: r.data.features, monitoring_config: completeMonitoringConfig(monitoring_config) };
}

/** The thresholds in force for one feature: global config with the feature's overrides applied. */
export interface EffectiveThresholds {
  comparisonThreshold: number;
  comparisonMethod: 'Simple' | 'Robust';
  categoricalComparisonThreshold: number;
  categoricalDriftMethod: 'LInfinity' | 'ChiSquared';
  datatypeCheckThreshold: number;
  domainContentThreshold: number;
  performComparison: boolean;
  /** False when the feature's overrides (or the file) disable constraint evaluation. */
  evaluateConstraints: boolean;
}

/** Resolves the thresholds for a feature: its overrides, else the global monitoring_config. */
export function effectiveThresholds(config: MonitoringConfig, feature?: FeatureConstraints): EffectiveThresholds {
  const o: MonitoringConfigOverrides = { ...(feature?.string_constraints?.monitoring_config_overrides ?? {}), ...(feature?.monitoringConfigOverrides ?? {}) };
  const d = config.distribution_constraints;
  return {
    comparisonThreshold: o.comparison_threshold ?? d.comparison_threshold,
    comparisonMethod: o.comparison_method ?? d.comparison_method,
    categoricalComparisonThreshold: o.categorical_comparison_threshold ?? d.categorical_comparison_threshold ?? o.comparison_threshold ?? d.comparison_threshold,
    categoricalDriftMethod: o.categorical_drift_method ?? d.categorical_drift_method ?? 'LInfinity',
    datatypeCheckThreshold: o.datatype_check_threshold ?? config.datatype_check_threshold,
    domainContentThreshold: o.domain_content_threshold ?? config.domain_content_threshold,
    performComparison: d.perform_comparison === 'Enabled',
    evaluateConstraints: (o.evaluate_constraints ?? config.evaluate_constraints) === 'Enabled',
  };
}

/** Returns a copy of `constraints` with per-feature overrides set (no code change needed to tune a feature). */
export function withOverrides(constraints: Constraints, overridesByFeature: Readonly<Record<string, MonitoringConfigOverrides>>): Constraints {
  const known = new Set(constraints.features.map((f) => f.name));
  for (const name of Object.keys(overridesByFeature)) {
    if (!known.has(name)) throw new AppError('INVALID_INPUT', { message: `No feature named ${name} in the constraints`, details: { feature: name } });
  }
  return {
    ...constraints,
    features: constraints.features.map((f) => {
      const o = overridesByFeature[f.name];
      if (!o) return f;
      const parsed = overrides.safeParse(o);
      if (!parsed.success) throw new AppError('INVALID_INPUT', { message: `Invalid overrides for ${f.name}: ${parsed.error.issues[0]?.message ?? ''}`, details: { feature: f.name } });
      return { ...f, monitoringConfigOverrides: { ...(f.monitoringConfigOverrides ?? {}), ...parsed.data } };
    }),
  };
}

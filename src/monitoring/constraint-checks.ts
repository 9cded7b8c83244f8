/**
 * @module monitoring/constraint-checks
 * Model Monitor's six data-quality checks (algorithms-and-formats.md §3.3) of a current window
 * against a baseline, producing `constraint_violations.json`. Descriptions follow Deequ's
 * constraint message ("Value: x does not meet the constraint requirement! hint") and Model
 * Monitor's drift message ("… distance: d exceeds … threshold: t").
 *
 * Threshold semantics (configurable per feature, see constraints-format.ts):
 * - data_type_check: share of present values whose type is not the baseline's > datatype_check_threshold;
 * - completeness_check: current non-null share < the feature's `completeness`;
 * - baseline_drift_check: L∞ (Simple or Robust, §3.4) between the baseline's and the window's KLL
 *   sketches > comparison_threshold; categorical: L∞ between PMFs > categorical_comparison_threshold,
 *   or with ChiSquared, Deequ's chi-square p-value < that threshold;
 * - missing_column_check / extra_column_check: a baseline feature absent / a column not in the baseline;
 * - categorical_values_check: share of values outside the baseline domain exceeds the baseline's own
 *   out-of-domain share by more than domain_content_threshold.
 */
import type { ColumnProfile, FrameProfile } from '../data/index.js';
import { kllCdf, typeMismatchShare } from '../data/index.js';
import type { Constraints, FeatureConstraints } from './constraints-format.js';
import { effectiveThresholds } from './constraints-format.js';
import { chiSquareDeequ, linfCdf, linfPmf, linfRobust } from './drift-statistics.js';
import type { FeatureStatistics, Statistics } from './statistics-format.js';
import { sketchOf } from './statistics-format.js';

export type ConstraintCheckType =
  | 'data_type_check'
  | 'completeness_check'
  | 'baseline_drift_check'
  | 'missing_column_check'
  | 'extra_column_check'
  | 'categorical_values_check';

export interface Violation {
  feature_name: string;
  constraint_check_type: ConstraintCheckType;
  description: string;
}

/** constraint_violations.json */
export interface ConstraintViolations {
  violations: Violation[];
}

/** Formats a number as Java's Double.toString does for ordinary magnitudes (1 → "1.0"). */
export function javaDouble(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e7) return x.toFixed(1);
  return String(x);
}

function deequMessage(value: number, hint: string): string {
  return `Value: ${javaDouble(value)} does not meet the constraint requirement! ${hint}`;
}

function pct(x: number): string {
  return `${javaDouble(Math.round(x * 1000) / 10)}%`;
}

function checkFeature(base: FeatureConstraints, stats: FeatureStatistics | undefined, current: ColumnProfile, constraints: Constraints): Violation[] {
  const out: Violation[] = [];
  const t = effectiveThresholds(constraints.monitoring_config, base);
  // Constraints.set_monitoring(False, feature_name=…) in the SageMaker SDK: this feature is not checked.
  if (!t.evaluateConstraints) return out;
  const name = base.name;
  const present = current.present;
  if (base.inferred_type !== 'Unknown' && present > 0) {
    const mismatch = typeMismatchShare(current.typeCounts, base.inferred_type);
    if (mismatch > t.datatypeCheckThreshold) {
      out.push({
        feature_name: name,
        constraint_check_type: 'data_type_check',
        description: deequMessage(1 - mismatch, `Expected at least ${pct(1 - t.datatypeCheckThreshold)} of values of type ${base.inferred_type}, observed ${pct(1 - mismatch)} (${current.inferredType}).`),
      });
    }
  }
  if (base.completeness !== undefined && current.rows > 0 && current.completeness < base.completeness) {
    out.push({
      feature_name: name,
      constraint_check_type: 'completeness_check',
      description: deequMessage(current.completeness, `Completeness should be at least ${javaDouble(base.completeness)}.`),
    });
  }
  if (t.performComparison && stats && present > 0) {
    if (stats.numerical_statistics && current.kind === 'numeric' && stats.numerical_statistics.common.num_present > 0) {
      const n = stats.numerical_statistics.common.num_present;
      const d = linfCdf(kllCdf(sketchOf(stats.numerical_statistics)), kllCdf(current.kll));
      const dist = t.comparisonMethod === 'Robust' ? linfRobust(d, n, present) : d;
      if (dist > t.comparisonThreshold) {
        out.push({ feature_name: name, constraint_check_type: 'baseline_drift_check', description: `Numerical distance: ${javaDouble(dist)} exceeds numerical threshold: ${javaDouble(t.comparisonThreshold)}` });
      }
    } else if (stats.string_statistics && current.kind === 'categorical' && stats.string_statistics.common.num_present > 0) {
      const baseCounts = new Map(stats.string_statistics.distribution.categorical.buckets.map((b) => [b.value, b.count]));
      const curCounts = new Map(current.frequentItems.items.map((i) => [i.value, i.count]));
      if (t.categoricalDriftMethod === 'ChiSquared') {
        const p = chiSquareDeequ(baseCounts, curCounts);
        if (p < t.categoricalComparisonThreshold) {
          out.push({ feature_name: name, constraint_check_type: 'baseline_drift_check', description: `Categorical distance (chi-squared p-value): ${javaDouble(p)} is below categorical threshold: ${javaDouble(t.categoricalComparisonThreshold)}` });
        }
      } else {
        const n = stats.string_statistics.common.num_present;
        const d = linfPmf(baseCounts, curCounts);
        const dist = t.comparisonMethod === 'Robust' ? linfRobust(d, n, present) : d;
        if (dist > t.categoricalComparisonThreshold) {
          out.push({ feature_name: name, constraint_check_type: 'baseline_drift_check', description: `Categorical distance: ${javaDouble(dist)} exceeds categorical threshold: ${javaDouble(t.categoricalComparisonThreshold)}` });
        }
      }
    }
  }
  const domains = base.string_constraints?.domains;
  if (domains && current.kind === 'categorical' && present > 0) {
    const domain = new Set(domains);
    let outside = 0;
    const unseen: string[] = [];
    for (const it of current.frequentItems.items) {
      if (domain.has(it.value)) continue;
      outside += it.count;
      if (unseen.length < 5) unseen.push(it.value);
    }
    let baselineOutside = 0;
    if (stats?.string_statistics && stats.string_statistics.common.num_present > 0) {
      let inside = 0;
      for (const b of stats.string_statistics.distribution.categorical.buckets) if (domain.has(b.value)) inside += b.count;
      baselineOutside = Math.max(0, 1 - inside / stats.string_statistics.common.num_present);
    }
    const share = outside / present;
    if (share - baselineOutside > t.domainContentThreshold) {
      out.push({
        feature_name: name,
        constraint_check_type: 'categorical_values_check',
        description: deequMessage(1 - share, `Values outside the baseline domain: ${pct(share)} (baseline ${pct(baselineOutside)}), e.g. ${unseen.map((u) => JSON.stringify(u)).join(', ')}.`),
      });
    }
  }
  return out;
}

/**
 * Runs the checks of `constraints` (and, for drift, the baseline `statistics`) against the profile
 * of the current window. Returns no violations when `evaluate_constraints` is Disabled.
 */
export function checkConstraints(statistics: Statistics, constraints: Constraints, current: FrameProfile): ConstraintViolations {
  if (constraints.monitoring_config.evaluate_constraints === 'Disabled') return { violations: [] };
  const violations: Violation[] = [];
  const currentByName = new Map(current.columns.map((c) => [c.name, c]));
  const baseNames = new Set(constraints.features.map((f) => f.name));
  const statsByName = new Map(statistics.features.map((f) => [f.name, f]));
  const missing = constraints.features.filter((f) => !currentByName.has(f.name));
  const extra = current.columns.filter((c) => !baseNames.has(c.name));
  const counts = `Number of columns in current dataset: ${current.columns.length}, Number of columns in baseline constraints: ${constraints.features.length}`;
  for (const f of missing) violations.push({ feature_name: f.name, constraint_check_type: 'missing_column_check', description: `There are missing columns in current dataset. ${counts}` });
  for (const c of extra) violations.push({ feature_name: c.name, constraint_check_type: 'extra_column_check', description: `There are extra columns in current dataset. ${counts}` });
  for (const f of constraints.features) {
    const cur = currentByName.get(f.name);
    if (cur) violations.push(...checkFeature(f, statsByName.get(f.name), cur, constraints));
  }
  return { violations };
}

/**
 * @module monitoring/baseline
 * The two entry points the CLI and the job runner call, as pure functions:
 * `attest baseline suggest` (frame → statistics.json + constraints.json) and
 * `attest monitor check` (baseline + window frame → constraint_violations.json + drift report +
 * the window's own statistics.json).
 */
import type { ColumnFrame, FrameProfile, ProfileOptions } from '../data/index.js';
import { profileFrame } from '../data/index.js';
import { AppError } from '../kernel/index.js';
import type { Constraints, MonitoringConfig } from './constraints-format.js';
import { DEFAULT_MONITORING_CONFIG, suggestConstraints } from './constraints-format.js';
import type { ConstraintViolations } from './constraint-checks.js';
import { checkConstraints } from './constraint-checks.js';
import type { DriftOptions, DriftReport } from './drift-report.js';
import { driftReport } from './drift-report.js';
import type { FeatureDistribution } from './feature-distribution.js';
import { distributionFromColumn, distributionFromStatistics } from './feature-distribution.js';
import type { Statistics } from './statistics-format.js';
import { buildStatistics } from './statistics-format.js';

export interface Baseline {
  statistics: Statistics;
  constraints: Constraints;
}

export interface SuggestBaselineOptions {
  profile?: ProfileOptions;
  monitoringConfig?: MonitoringConfig;
}

/** `baseline suggest`: profile the frame and suggest constraints with Deequ's default rules. */
export function suggestBaseline(frame: ColumnFrame, options: SuggestBaselineOptions = {}): Baseline & { profile: FrameProfile } {
  const profile = profileFrame(frame, { numericDistinct: false, ...options.profile });
  return { statistics: buildStatistics(profile), constraints: suggestConstraints(profile, options.monitoringConfig ?? DEFAULT_MONITORING_CONFIG), profile };
}

export interface MonitorCheckResult {
  violations: ConstraintViolations;
  driftReport: DriftReport;
  /** statistics.json of the window itself (Model Monitor writes one per execution). */
  statistics: Statistics;
}

export interface MonitorCheckOptions {
  profile?: ProfileOptions;
  drift?: DriftOptions;
  /**
   * Exact drift: the rows the baseline was computed from (its reference dataset version). Drift
   * then compares against their exact distributions instead of the baseline's sketches, so the
   * figures equal SciPy's at any size; constraints are still checked against statistics.json.
   */
  referenceFrame?: ColumnFrame;
}

/** `monitor check`: the window's violations against the baseline and its drift report. */
export function monitorCheck(baseline: Baseline, frame: ColumnFrame, options: MonitorCheckOptions = {}): MonitorCheckResult {
  const profile = profileFrame(frame, { numericDistinct: false, ...options.profile });
  const violations = checkConstraints(baseline.statistics, baseline.constraints, profile);
  const reference = options.referenceFrame === undefined ? baseline.statistics.features.map(distributionFromStatistics).filter((d): d is FeatureDistribution => d !== undefined) : referenceDistributions(baseline, options.referenceFrame);
  const current = frame.columns.map(distributionFromColumn);
  return { violations, driftReport: driftReport(reference, current, options.drift), statistics: buildStatistics(profile) };
}

/** The baseline's features, distributed as in the reference rows (exact mode of {@link monitorCheck}). */
function referenceDistributions(baseline: Baseline, frame: ColumnFrame): FeatureDistribution[] {
  const byName = new Map(frame.columns.map((c) => [c.name, c]));
  const out: FeatureDistribution[] = [];
  for (const feature of baseline.statistics.features) {
    const column = byName.get(feature.name);
    if (column === undefined) {
      throw new AppError('DATA_SCHEMA_MISMATCH', { message: `The reference data has no column "${feature.name}", which the baseline describes`, details: { column: feature.name } });
    }
    const present = (feature.numerical_statistics ?? feature.string_statistics)?.common.num_present;
    if (present === undefined) continue;
    const d = distributionFromColumn(column);
    if (d.count !== present) {
      throw new AppError('DATA_SCHEMA_MISMATCH', {
        message: `The reference data's column "${feature.name}" has ${d.count} values, the baseline counted ${present}: not the data the baseline was computed from`,
        details: { column: feature.name },
      });
    }
    out.push(d.kind === 'numeric' ? { ...d, basis: 'reference-data' } : d);
  }
  return out;
}

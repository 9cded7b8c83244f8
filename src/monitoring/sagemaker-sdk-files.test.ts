/**
 * Files as the SageMaker Python SDK writes and reads them (see test/fixtures/sagemaker-sdk):
 * its own fixture constraints.json (monitoring_config keys missing, older distribution keys,
 * feature overrides with evaluate_constraints / emit_metrics) and a file edited by
 * `Constraints.set_monitoring(False)` and `set_monitoring(False, feature_name=…)`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { categoricalColumn } from '../data/index.js';
import type { Baseline, Constraints } from './index.js';
import { DEFAULT_MONITORING_CONFIG, effectiveThresholds, monitorCheck, parseConstraints, suggestBaseline } from './index.js';

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'sagemaker-sdk', 'constraints.json');

/** What `Constraints.set_monitoring(enable, feature_name)` does to the parsed file, step for step. */
function setMonitoring(body: Record<string, unknown>, enable: boolean, featureName?: string): void {
  const flag = enable ? 'Enabled' : 'Disabled';
  if (featureName === undefined) {
    (body.monitoring_config as Record<string, unknown>).evaluate_constraints = flag;
    return;
  }
  for (const feature of body.features as { name: string; string_constraints: Record<string, Record<string, string> | undefined> }[]) {
    if (feature.name !== featureName) continue;
    const sc = feature.string_constraints;
    if (sc.monitoring_config_overrides === undefined || sc.monitoring_config_overrides === null) sc.monitoring_config_overrides = {};
    sc.monitoring_config_overrides.evaluate_constraints = flag;
  }
}

const frame = (segments: string[], regions: string[]) => ({
  rowCount: segments.length,
  columns: [categoricalColumn('segment', segments), categoricalColumn('region', regions)],
});

describe("the SageMaker Python SDK's constraints files", () => {
  it("reads the SDK's own fixture, with Model Monitor's defaults for what it lacks", () => {
    const c = parseConstraints(JSON.parse(readFileSync(FIXTURE, 'utf8')));
    expect(c.version).toBe(0);
    expect(c.monitoring_config).toEqual({
      evaluate_constraints: 'Enabled',
      emit_metrics: 'Enabled',
      datatype_check_threshold: DEFAULT_MONITORING_CONFIG.datatype_check_threshold,
      domain_content_threshold: DEFAULT_MONITORING_CONFIG.domain_content_threshold,
      distribution_constraints: { perform_comparison: 'Enabled', comparison_threshold: 1, comparison_method: 'Robust', categorical_comparison_threshold: 1, categorical_drift_method: 'LInfinity', min_domain_mass: 1 },
    });
    expect(c.features[0]!.string_constraints!.monitoring_config_overrides).toEqual({ evaluate_constraints: 'Enabled', emit_metrics: 'Enabled' });
    expect(effectiveThresholds(c.monitoring_config, c.features[0]).evaluateConstraints).toBe(true);
  });

  it('reads a file without monitoring_config, and enable_comparisons: false as perform_comparison Disabled', () => {
    const body = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
    expect(parseConstraints({ ...body, monitoring_config: undefined }).monitoring_config).toEqual(DEFAULT_MONITORING_CONFIG);
    const off = parseConstraints({ ...body, monitoring_config: { distribution_constraints: { enable_comparisons: false } } });
    expect(off.monitoring_config.distribution_constraints.perform_comparison).toBe('Disabled');
  });

  it('keeps what the SDK wrote when the file round-trips', () => {
    const body = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
    const again = parseConstraints(JSON.parse(JSON.stringify(parseConstraints({ ...body, custom_section: { owner: 'credit-risk' } }))));
    expect((again as Constraints & { custom_section?: unknown }).custom_section).toEqual({ owner: 'credit-risk' });
    expect(again.features[0]!.string_constraints!.monitoring_config_overrides!.emit_metrics).toBe('Enabled');
  });

  it('honours set_monitoring(False, feature_name=…) per feature and set_monitoring(False) for the file', () => {
    const ref = frame(
      Array.from({ length: 400 }, (_, i) => ['A', 'B', 'C'][i % 3]!),
      Array.from({ length: 400 }, (_, i) => ['north', 'south'][i % 2]!),
    );
    const baseline: Baseline = suggestBaseline(ref);
    // A window with a category outside each feature's domain: both features violate.
    const bad = frame(
      Array.from({ length: 400 }, (_, i) => (i % 2 ? 'Z' : 'A')),
      Array.from({ length: 400 }, (_, i) => (i % 2 ? 'east' : 'north')),
    );
    const failing = (b: Baseline) => new Set(monitorCheck(b, bad).violations.violations.map((v) => v.feature_name));
    expect(failing(baseline)).toEqual(new Set(['segment', 'region']));

    const edited = JSON.parse(JSON.stringify(baseline.constraints)) as Record<string, unknown>;
    setMonitoring(edited, false, 'segment');
    const perFeature = parseConstraints(edited);
    expect(perFeature.features.find((f) => f.name === 'segment')!.string_constraints!.monitoring_config_overrides).toEqual({ evaluate_constraints: 'Disabled' });
    expect(failing({ ...baseline, constraints: perFeature })).toEqual(new Set(['region']));

    setMonitoring(edited, false);
    expect(failing({ ...baseline, constraints: parseConstraints(edited) })).toEqual(new Set());
  });
});

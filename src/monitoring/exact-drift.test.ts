/**
 * Drift against a baseline of 6,000 rows: from the baseline's sketch the report says so and bounds
 * the error; with the reference rows (`--exact-drift`) the figures equal SciPy's
 * (test/fixtures/drift/make_exact_drift.py).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';
import { FIXTURES_DIR, readJson } from '../../test/support/golden.js';
import { type ColumnFrame, numericColumn } from '../data/index.js';
import { type DriftReport, monitorCheck, suggestBaseline } from './index.js';

interface Golden {
  reference: Record<string, number[]>;
  current: Record<string, number[]>;
  expected: Record<string, { ks_statistic: number; ks_pvalue: number; wasserstein: number }>;
}
const golden = readJson<Golden>(join(FIXTURES_DIR, 'drift', 'exact_drift.json'));
const dir = mkdtempSync(join(tmpdir(), 'attest-exact-drift-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function frameOf(columns: Record<string, number[]>): ColumnFrame {
  const names = Object.keys(columns);
  return { rowCount: columns[names[0]!]!.length, columns: names.map((n) => numericColumn(n, Float64Array.from(columns[n]!), n === 'months' ? 'integer' : 'fractional')) };
}

function csvOf(columns: Record<string, number[]>, file: string): string {
  const names = Object.keys(columns);
  const rows = columns[names[0]!]!.map((_, i) => names.map((n) => String(columns[n]![i])).join(','));
  const path = join(dir, file);
  writeFileSync(path, `${[names.join(','), ...rows].join('\n')}\n`);
  return path;
}

const relClose = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(Math.abs(b), 1e-300);

describe('monitor check drift basis', () => {
  const reference = frameOf(golden.reference);
  const current = frameOf(golden.current);
  const baseline = suggestBaseline(reference);

  it('from the sketch: says so, and the SciPy figures lie within the reported bound', () => {
    const report = monitorCheck(baseline, current).driftReport;
    expect(report.basis).toMatchObject({ reference: 'sketch', exact: false });
    expect(report.basis.note).toMatch(/--exact-drift/);
    for (const f of report.features) {
      const want = golden.expected[f.feature]!;
      expect(f.basis!.reference).toBe('sketch');
      const bound = f.basis!.rankErrorBound;
      expect(bound).toBeGreaterThan(0);
      expect(Math.abs(f.ks!.statistic - want.ks_statistic), f.feature).toBeLessThanOrEqual(bound + 1e-12);
      const [low, high] = f.basis!.ksPValueRange!;
      expect(want.ks_pvalue, f.feature).toBeGreaterThanOrEqual(low - 1e-12);
      expect(want.ks_pvalue, f.feature).toBeLessThanOrEqual(high + 1e-12);
    }
  });

  it('with the reference rows: KS statistic, p-value and Wasserstein equal SciPy', () => {
    const report = monitorCheck(baseline, current, { referenceFrame: reference }).driftReport;
    expect(report.basis).toMatchObject({ reference: 'reference-data', exact: true, maxRankErrorBound: 0 });
    expect(report.features.map((f) => f.feature).sort()).toEqual(Object.keys(golden.expected).sort());
    for (const f of report.features) {
      const want = golden.expected[f.feature]!;
      expect(f.basis).toMatchObject({ reference: 'reference-data', rankErrorBound: 0 });
      expect(Math.abs(f.ks!.statistic - want.ks_statistic), f.feature).toBeLessThanOrEqual(1e-12);
      expect(relClose(f.ks!.pValue, want.ks_pvalue, 1e-6), `${f.feature} p ${f.ks!.pValue} vs ${want.ks_pvalue}`).toBe(true);
      expect(relClose(f.wasserstein!.raw, want.wasserstein, 1e-9), `${f.feature} W1`).toBe(true);
    }
  });

  it('refuses reference rows that are not the baseline\'s data', () => {
    const shorter = frameOf(Object.fromEntries(Object.entries(golden.reference).map(([k, v]) => [k, v.slice(1)])));
    expect(() => monitorCheck(baseline, current, { referenceFrame: shorter })).toThrowError(expect.objectContaining({ code: 'DATA_SCHEMA_MISMATCH' }));
  });

  it('through the CLI: drift_report.json states the basis; --exact-drift --reference-data gives SciPy\'s figures', async () => {
    const refCsv = csvOf(golden.reference, 'reference.csv');
    const curCsv = csvOf(golden.current, 'current.csv');
    const baseDir = join(dir, 'baseline');
    expect((await cli(['baseline', 'suggest', '--data', refCsv, '--output', baseDir])).code).toBe(0);
    const sketched = await cli(['monitor', 'check', '--baseline', baseDir, '--data', curCsv, '--output', join(dir, 'sketch')]);
    expect(sketched.code, sketched.stderr).toBe(0);
    expect(sketched.stdout).toMatch(/drift basis: .*sketch/);
    const sketchReport = JSON.parse(readFileSync(join(dir, 'sketch', 'drift_report.json'), 'utf8')) as DriftReport;
    expect(sketchReport.basis.reference).toBe('sketch');
    const exact = await cli(['monitor', 'check', '--baseline', baseDir, '--data', curCsv, '--exact-drift', '--reference-data', refCsv, '--output', join(dir, 'exact')]);
    expect(exact.code, exact.stderr).toBe(0);
    const exactReport = JSON.parse(readFileSync(join(dir, 'exact', 'drift_report.json'), 'utf8')) as DriftReport;
    expect(exactReport.basis).toMatchObject({ reference: 'reference-data', exact: true });
    for (const f of exactReport.features) expect(relClose(f.ks!.pValue, golden.expected[f.feature]!.ks_pvalue, 1e-6)).toBe(true);
    const missing = await cli(['monitor', 'check', '--baseline', baseDir, '--data', curCsv, '--exact-drift', '--output', join(dir, 'x')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--exact-drift with --baseline DIR needs --reference-data/);
  });
});

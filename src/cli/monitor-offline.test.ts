/**
 * `monitor model-quality`, `monitor prediction-drift`, `monitor bias-drift` and `monitor
 * attribution-drift`, and `bias --report`, through the commands: files in, files out.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';
import { GOLDEN_DIR, goldenCase } from '../../test/support/golden.js';

const dir = mkdtempSync(join(tmpdir(), 'attest-monitor-offline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readJsonFile<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** 300 rows: a 3-class label, a prediction right 2 times in 3, a regression target and its estimate. */
function qualityWindow(): string {
  const classes = ['car', 'education', 'furniture'];
  const lines = ['truth,predicted,y,y_hat,default,predicted_default,score'];
  for (let i = 0; i < 300; i++) {
    const truth = classes[i % 3]!;
    const predicted = i % 3 === 2 ? classes[(i + 1) % 3]! : truth;
    const y = (i % 17) * 1.5;
    const yHat = y + ((i % 5) - 2) * 0.25;
    const label = i % 4 === 0 ? 1 : 0;
    const score = ((i * 37) % 100) / 100;
    lines.push([truth, predicted, y, yHat, label, score > 0.7 ? 1 : 0, score].join(','));
  }
  const path = join(dir, 'quality.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('monitor model-quality', () => {
  const data = qualityWindow();

  it('multiclass: Model Monitor\'s metric set with standard deviations, and constraint violations', async () => {
    const constraints = join(dir, 'mc-constraints.json');
    writeFileSync(constraints, JSON.stringify({ version: 0.0, multiclass_classification_constraints: { accuracy: { threshold: 0.9, comparison_operator: 'LessThanThreshold' } } }));
    const out = join(dir, 'mc');
    const r = await cli(['monitor', 'model-quality', '--problem', 'multiclass', '--data', data, '--label', 'truth', '--predicted', 'predicted', '--constraints', constraints, '--output', out]);
    expect(r.code, r.stderr).toBe(0);
    const stats = readJsonFile<{ dataset: { item_count: number }; multiclass_classification_metrics: { accuracy: { value: number; standard_deviation: number }; confusion_matrix: Record<string, Record<string, number>> } }>(join(out, 'statistics.json'));
    expect(stats.dataset.item_count).toBe(300);
    expect(stats.multiclass_classification_metrics.accuracy.value).toBeCloseTo(2 / 3, 12);
    expect(typeof stats.multiclass_classification_metrics.accuracy.standard_deviation).toBe('number');
    expect(stats.multiclass_classification_metrics.confusion_matrix.furniture!.car).toBe(100);
    const v = readJsonFile<{ violations: { metric_name: string; constraint_check_type: string }[] }>(join(out, 'constraint_violations.json'));
    expect(v.violations).toEqual([expect.objectContaining({ metric_name: 'accuracy', constraint_check_type: 'model_quality_check' })]);
    const fail = await cli(['monitor', 'model-quality', '--problem', 'multiclass', '--data', data, '--label', 'truth', '--predicted', 'predicted', '--constraints', constraints, '--output', out, '--fail-on-violation']);
    expect(fail.code).toBe(6);
    expect(fail.stderr).toMatch(/^attest: error MONITORING_VIOLATIONS: /);
  });

  it('regression and binary: deterministic metrics', async () => {
    const r = await cli(['monitor', 'model-quality', '--problem', 'regression', '--data', data, '--label', 'y', '--predicted', 'y_hat', '--output', join(dir, 'reg'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const reg = JSON.parse(r.stdout) as { statistics: { regression_metrics: { mae: { value: number }; rmse: { value: number } } } };
    expect(reg.statistics.regression_metrics.mae.value).toBeCloseTo((0.5 + 0.25 + 0 + 0.25 + 0.5) / 5, 12);
    const again = await cli(['monitor', 'model-quality', '--problem', 'regression', '--data', data, '--label', 'y', '--predicted', 'y_hat', '--output', join(dir, 'reg2'), '--json']);
    expect(again.stdout).toBe(r.stdout);
    const b = await cli(['monitor', 'model-quality', '--problem', 'binary', '--data', data, '--label', 'default', '--predicted', 'predicted_default', '--probability', 'score', '--output', join(dir, 'bin'), '--json']);
    expect(b.code, b.stderr).toBe(0);
    const bin = JSON.parse(b.stdout) as { statistics: { binary_classification_metrics: { auc: { value: number }; confusion_matrix: unknown } } };
    expect(bin.statistics.binary_classification_metrics.auc.value).toBeGreaterThan(0);
  });

  it('refuses an unknown problem type and a missing column with one line', async () => {
    const r = await cli(['monitor', 'model-quality', '--problem', 'ranking', '--data', data, '--label', 'y', '--predicted', 'y_hat', '--output', join(dir, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^attest: error INVALID_INPUT: --problem must be/);
    const m = await cli(['monitor', 'model-quality', '--problem', 'regression', '--data', data, '--label', 'nope', '--predicted', 'y_hat', '--output', join(dir, 'x')]);
    expect(m.code).toBe(2);
    expect(m.stderr.split('\n')).toHaveLength(1);
  });
});

describe('monitor prediction-drift', () => {
  it('finds no drift against itself and drift against shifted scores', async () => {
    const lines = (shift: number) => ['prediction', ...Array.from({ length: 500 }, (_, i) => String(Math.min(1, ((i * 7919) % 1000) / 1000 + shift)))].join('\n');
    const reference = join(dir, 'ref-pred.csv');
    const same = join(dir, 'same-pred.csv');
    const shifted = join(dir, 'shifted-pred.csv');
    writeFileSync(reference, `${lines(0)}\n`);
    writeFileSync(same, `${lines(0)}\n`);
    writeFileSync(shifted, `${lines(0.2)}\n`);
    const r = await cli(['monitor', 'prediction-drift', '--reference', reference, '--data', same, '--output', join(dir, 'pd1'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).drifted).toBe(false);
    const s = await cli(['monitor', 'prediction-drift', '--reference', reference, '--data', shifted, '--output', join(dir, 'pd2'), '--fail-on-drift']);
    expect(s.code).toBe(6);
    expect(readJsonFile<{ drifted: boolean; feature: string }>(join(dir, 'pd2', 'prediction_drift.json'))).toMatchObject({ drifted: true, feature: 'prediction' });
  });

  it('refuses a missing output column with one line', async () => {
    const p = join(dir, 'no-col.csv');
    writeFileSync(p, 'score\n0.1\n0.2\n');
    const r = await cli(['monitor', 'prediction-drift', '--reference', p, '--data', p, '--output', join(dir, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^attest: error DATA_SCHEMA_MISMATCH: Column "prediction"/);
  });
});

describe('bias report and bias drift', () => {
  const base = join(GOLDEN_DIR, 'fairness', 'credit_default_sex');
  const flags = ['--label', 'default', '--positive', '1', '--facet', 'SEX', '--sensitive', '2', '--predicted', 'predicted_label', '--bootstrap', '40', '--seed', '3'];

  it('bias --report writes a self-contained HTML page with a chart per metric and its intervals', async () => {
    const html = join(dir, 'bias.html');
    const r = await cli(['bias', '--data', `${base}.csv`, ...flags, '--output', join(dir, 'bias.json'), '--report', html]);
    expect(r.code, r.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toMatch(/Disparate Impact \(DI\)/);
    expect((page.match(/<svg /g) ?? []).length).toBeGreaterThan(10);
    expect(page).toMatch(/stroke="#1e88e5"/);
    expect(page).not.toMatch(/(src|href)="http/);
    expect(page).not.toMatch(/<script/);
  });

  it('no drift between a report and itself; a shifted window drifts', async () => {
    const baseline = join(dir, 'bias-baseline.json');
    await cli(['bias', '--data', `${base}.csv`, ...flags, '--output', baseline]);
    const r = await cli(['monitor', 'bias-drift', '--baseline', baseline, '--current', baseline, '--output', join(dir, 'bd1'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const same = JSON.parse(r.stdout) as { violations: unknown[]; comparisons: unknown[] };
    expect(same.violations).toEqual([]);
    expect(same.comparisons.length).toBeGreaterThan(10);
    // The window: every facet-d row with label 0 dropped, so DPL and DI move a lot.
    const lines = readFileSync(`${base}.csv`, 'utf8').trim().split('\n');
    const header = lines[0]!.split(',');
    const sex = header.indexOf('SEX');
    const label = header.indexOf('default');
    const kept = lines.filter((l, i) => i === 0 || i % 2 === 0 || !(l.split(',')[sex] === '2' && l.split(',')[label] === '0'));
    const window = join(dir, 'bias-window.csv');
    writeFileSync(window, `${kept.join('\n')}\n`);
    const current = join(dir, 'bias-current.json');
    await cli(['bias', '--data', window, ...flags, '--output', current]);
    const d = await cli(['monitor', 'bias-drift', '--baseline', baseline, '--current', current, '--metric-tolerance', 'CI=0.5', '--output', join(dir, 'bd2'), '--fail-on-violation']);
    expect(d.code).toBe(6);
    const v = readJsonFile<{ violations: { metric_name: string; constraint_check_type: string; facet: string }[] }>(join(dir, 'bd2', 'constraint_violations.json'));
    expect(v.violations.map((x) => x.metric_name)).toContain('DPL');
    expect(v.violations.map((x) => x.metric_name)).not.toContain('CI');
    expect(v.violations[0]).toMatchObject({ constraint_check_type: 'bias_drift_check', facet: 'SEX' });
  });

  it('refuses a file that is not a bias report with one line', async () => {
    const notReport = join(dir, 'not-report.json');
    writeFileSync(notReport, '{"hello": 1}');
    const r = await cli(['monitor', 'bias-drift', '--baseline', notReport, '--current', notReport, '--output', join(dir, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^attest: error INVALID_INPUT: The baseline report is not a bias report/);
  });
});

describe('monitor attribution-drift', () => {
  const c = goldenCase('credit_default_training_parity');

  it('nDCG 1 for the same data; a window whose ranking changes is a violation', async () => {
    const baseline = join(dir, 'contrib-base.csv');
    await cli(['explain', 'shap', '--model', join(c, 'model.json'), '--input', join(c, 'input.csv'), '--output', baseline]);
    const r = await cli(['monitor', 'attribution-drift', '--baseline', baseline, '--current', baseline, '--output', join(dir, 'ad1'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const same = JSON.parse(r.stdout) as { labels: { label: string; ndcg: number }[]; violations: unknown[] };
    expect(same.labels[0]!.label).toBe('label0');
    expect(same.labels[0]!.ndcg).toBeCloseTo(1, 12);
    expect(same.violations).toEqual([]);
    // Reversed importance: each feature's contributions given to the feature of opposite rank.
    const lines = readFileSync(baseline, 'utf8').trim().split('\n');
    const header = lines[0]!.split(',');
    const features = header.slice(0, -1);
    const rows = lines.slice(1).map((l) => l.split(',').map(Number));
    const mean = features.map((_, j) => rows.reduce((s, r) => s + Math.abs(r[j]!), 0) / rows.length);
    const order = features.map((_, j) => j).sort((a, b) => mean[b]! - mean[a]!);
    const reversed = features.map(() => 0);
    for (const [rank, j] of order.entries()) reversed[j] = order[order.length - 1 - rank]!;
    const current = join(dir, 'contrib-current.csv');
    writeFileSync(current, `${[header.join(','), ...rows.map((r) => [...reversed.map((k) => r[k]!), r.at(-1)!].join(','))].join('\n')}\n`);
    const d = await cli(['monitor', 'attribution-drift', '--baseline', baseline, '--current', current, '--output', join(dir, 'ad2'), '--fail-on-violation']);
    expect(d.code).toBe(6);
    const v = readJsonFile<{ violations: { constraint_check_type: string; label: string }[] }>(join(dir, 'ad2', 'constraint_violations.json'));
    expect(v.violations).toEqual([expect.objectContaining({ constraint_check_type: 'feature_attribution_drift_check', label: 'label0' })]);
  });

  it('reads Clarify\'s analysis.json and refuses a file that is not contributions, with one line', async () => {
    const clarify = join(dir, 'analysis.json');
    writeFileSync(clarify, JSON.stringify({ explanations: { kernel_shap: { label0: { global_shap_values: { a: 0.5, b: 0.3, c: 0.1 } } } } }));
    const r = await cli(['monitor', 'attribution-drift', '--baseline', clarify, '--current', clarify, '--output', join(dir, 'ad3'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const bad = join(dir, 'not-contribs.csv');
    writeFileSync(bad, 'x,y\n1,2\n');
    const b = await cli(['monitor', 'attribution-drift', '--baseline', bad, '--current', bad, '--output', join(dir, 'x')]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^attest: error DATA_SCHEMA_MISMATCH: Column "x" is not a contribution column/);
  });
});

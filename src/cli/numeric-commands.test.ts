/**
 * The model, explain, bias, baseline and monitor commands on the golden reference cases, as the
 * acceptance checks run them: files in, files out.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';
import { GOLDEN_DIR, goldenCase, readJson, readNumericCsv, XGB_CASES } from '../../test/support/golden.js';

const dir = mkdtempSync(join(tmpdir(), 'attest-numeric-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe.each(XGB_CASES)('model predict and explain shap on %s', (name) => {
  const c = goldenCase(name);
  it('predicts margins within 1e-5 and SHAP values within 1e-4 of XGBoost, same CSV layout', async () => {
    const margins = join(dir, `${name}-margin.csv`);
    const r = await cli(['model', 'predict', '--model', join(c, 'model.json'), '--input', join(c, 'input.csv'), '--output', margins, '--margin']);
    expect(r.code, r.stderr).toBe(0);
    expect(maxAbsDiff(readNumericCsv(margins).values, readNumericCsv(join(c, 'expected_margin.csv'), false).values)).toBeLessThan(1e-5);
    const shap = join(dir, `${name}-shap.csv`);
    const s = await cli(['explain', 'shap', '--model', join(c, 'model.json'), '--input', join(c, 'input.csv'), '--output', shap]);
    expect(s.code, s.stderr).toBe(0);
    const ours = readNumericCsv(shap);
    const theirs = readNumericCsv(join(c, 'expected_contribs.csv'));
    expect(ours.header).toEqual(theirs.header);
    expect(maxAbsDiff(ours.values, theirs.values)).toBeLessThan(1e-4);
  });
});

describe('model train / evaluate, explain reasons and report', () => {
  it('trains on the parity case and evaluates it; reason codes are reproducible', async () => {
    const c = goldenCase('credit_default_training_parity');
    const model = join(dir, 'parity.json');
    const t = await cli(['model', 'train', '--data', join(c, 'train.csv'), '--label', 'default', '--param', 'objective=binary:logistic', '--param', 'max_depth=4', '--param', 'eta=0.3', '--param', 'gamma=0.5', '--param', 'min_child_weight=2', '--rounds', '30', '--seed', '0', '--output', model, '--json']);
    expect(t.code, t.stderr).toBe(0);
    const e = await cli(['model', 'evaluate', '--model', model, '--data', join(c, 'train.csv'), '--label', 'default', '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).metrics.rocAuc).toBeGreaterThan(0.7);
    const again = join(dir, 'parity-again.json');
    await cli(['model', 'train', '--data', join(c, 'train.csv'), '--label', 'default', '--param', 'objective=binary:logistic', '--param', 'max_depth=4', '--param', 'eta=0.3', '--param', 'gamma=0.5', '--param', 'min_child_weight=2', '--rounds', '30', '--seed', '0', '--output', again, '--json']);
    expect(readFileSync(again).equals(readFileSync(model))).toBe(true);
    const reasons = await cli(['explain', 'reasons', '--model', model, '--input', join(c, 'input.csv'), '--top', '3', '--json']);
    expect(reasons.code, reasons.stderr).toBe(0);
    expect((await cli(['explain', 'reasons', '--model', model, '--input', join(c, 'input.csv'), '--top', '3', '--json'])).stdout).toBe(reasons.stdout);
    const report = await cli(['explain', 'report', '--model', model, '--data', join(c, 'train.csv'), '--label', 'default', '--output', join(dir, 'report')]);
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(join(dir, 'report', 'explanation.html'), 'utf8')).toMatch(/<svg/);
  });

  it('refuses bad input with one line and a non-zero exit', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'a,b\n1,2\n3\n');
    const r = await cli(['model', 'train', '--data', bad, '--label', 'b', '--output', join(dir, 'x.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^attest: error CSV_MALFORMED: .*row 3/);
    const p = await cli(['model', 'train', '--data', join(goldenCase('credit_default_training_parity'), 'train.csv'), '--label', 'default', '--param', 'max_depth=-1', '--output', join(dir, 'x.json')]);
    expect(p.code).toBe(2);
  });
});

describe('bias', () => {
  it('matches Clarify on the golden credit_default_sex case', async () => {
    const base = join(GOLDEN_DIR, 'fairness', 'credit_default_sex');
    const expected = readJson<{ pre_training: { value_or_threshold: string; metrics: { name: string; value?: number }[] }[]; post_training: { metrics: { name: string; value?: number }[] }[]; features_for_flip_test: string[] }>(`${base}.json`);
    const out = join(dir, 'bias.json');
    const r = await cli(['bias', '--data', `${base}.csv`, '--label', 'default', '--positive', '1', '--facet', 'SEX', '--sensitive', '2', '--group', 'EDUCATION', '--predicted', 'predicted_label', '--features', expected.features_for_flip_test.join(','), '--output', out]);
    expect(r.code, r.stderr).toBe(0);
    const ours = JSON.parse(readFileSync(out, 'utf8')) as { pre_training_bias_metrics: { facets: Record<string, { metrics: { name: string; value?: number }[] }[]> }; post_training_bias_metrics: { facets: Record<string, { metrics: { name: string; value?: number }[] }[]> } };
    const pre = ours.pre_training_bias_metrics.facets.SEX![0]!.metrics;
    for (const m of expected.pre_training[0]!.metrics) expect(pre.find((x) => x.name === m.name)?.value).toBeCloseTo(m.value!, 9);
    const post = ours.post_training_bias_metrics.facets.SEX![0]!.metrics;
    for (const m of expected.post_training[0]!.metrics) if (m.value !== undefined) expect(post.find((x) => x.name === m.name)?.value).toBeCloseTo(m.value, 9);
  });
});

describe('baseline suggest and monitor check', () => {
  it('finds no drift on the reference itself and flags the shifted columns of the golden drift case', async () => {
    const stats = join(GOLDEN_DIR, 'stats');
    const baseline = join(dir, 'baseline');
    const s = await cli(['baseline', 'suggest', '--data', join(stats, 'drift_reference.csv'), '--output', baseline]);
    expect(s.code, s.stderr).toBe(0);
    const constraints = JSON.parse(readFileSync(join(baseline, 'constraints.json'), 'utf8')) as { features: { name: string }[]; monitoring_config: unknown };
    expect(constraints.features.length).toBe(23);
    expect(constraints.monitoring_config).toBeDefined();
    const same = await cli(['monitor', 'check', '--baseline', baseline, '--data', join(stats, 'drift_reference.csv'), '--output', join(dir, 'same')]);
    expect(same.code, same.stderr).toBe(0);
    const sameViolations = JSON.parse(readFileSync(join(dir, 'same', 'constraint_violations.json'), 'utf8')) as { violations: { constraint_check_type: string }[] };
    expect(sameViolations.violations.filter((v) => v.constraint_check_type === 'baseline_drift_check')).toEqual([]);
    const shifted = await cli(['monitor', 'check', '--baseline', baseline, '--data', join(stats, 'drift_current.csv'), '--output', join(dir, 'shifted'), '--fail-on-violation']);
    expect(shifted.code).toBe(6);
    const violations = JSON.parse(readFileSync(join(dir, 'shifted', 'constraint_violations.json'), 'utf8')) as { violations: { feature_name: string; constraint_check_type: string }[] };
    const drifted = violations.violations.filter((v) => v.constraint_check_type === 'baseline_drift_check').map((v) => v.feature_name);
    expect(drifted).toContain('LIMIT_BAL');
    expect(readFileSync(join(dir, 'shifted', 'report.html'), 'utf8')).toMatch(/<svg/);
  });
});

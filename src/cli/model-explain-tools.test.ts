/**
 * `model train --algorithm logistic` (with predict and evaluate on the saved model) and `explain
 * shap --method interventional|kernel`, through the command as a user runs them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';
import { FIXTURES_DIR, goldenCase, readJson, readNumericCsv } from '../../test/support/golden.js';
import { REPO_ROOT } from '../../test/support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'attest-model-explain-tools-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface LogisticCase {
  intercept: number;
  coef: number[];
  se: number[];
  z: number[];
  p_values: number[];
  predict_proba_first_rows: number[];
}

/** The 400 rows of the whitepaper case with the reference fit's 8 features and the label. */
function logisticData(): { path: string; reference: { features: string[]; cases: Record<string, LogisticCase> } } {
  const reference = readJson<{ features: string[]; cases: Record<string, LogisticCase> }>(join(REPO_ROOT, 'test', 'fixtures', 'linear', 'logistic_reference.json'));
  const c = goldenCase('credit_default_whitepaper');
  const input = readFileSync(join(c, 'input.csv'), 'utf8').trim().split('\n');
  const labels = readFileSync(join(c, 'labels.csv'), 'utf8').trim().split('\n').slice(1);
  const names = input[0]!.split(',');
  const idx = reference.features.map((f) => names.indexOf(f));
  const lines = [[...reference.features, 'default'].join(',')];
  input.slice(1).forEach((line, r) => {
    const cells = line.split(',');
    lines.push([...idx.map((i) => cells[i]!), String(Number(labels[r]))].join(','));
  });
  const path = join(dir, 'logistic.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { path, reference };
}

function relClose(a: number, b: number, tol: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
}

describe('model train --algorithm logistic', () => {
  const { path, reference } = logisticData();
  const model = join(dir, 'logistic.json');

  it('reports coefficients, standard errors, z and p-values equal to the statsmodels-style reference', async () => {
    const r = await cli(['model', 'train', '--algorithm', 'logistic', '--data', path, '--label', 'default', '--param', 'penalty=none', '--output', model, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { intercept: { coefficient: number; standardError: number; z: number; pValue: number }; coefficients: { name: string; coefficient: number; standardError: number; z: number; pValue: number }[] };
    const ref = reference.cases.unpenalised!;
    relClose(out.intercept.coefficient, ref.intercept, 1e-6);
    relClose(out.intercept.standardError, ref.se[0]!, 1e-6);
    expect(out.coefficients.map((c) => c.name)).toEqual(reference.features);
    out.coefficients.forEach((c, j) => {
      expect(Math.abs(c.coefficient - ref.coef[j]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(ref.coef[j]!)) + 1e-12);
      relClose(c.standardError, ref.se[j + 1]!, 1e-6);
      relClose(c.z, ref.z[j + 1]!, 1e-5);
      expect(Math.abs(c.pValue - ref.p_values[j + 1]!)).toBeLessThan(1e-6);
    });
    const text = await cli(['model', 'train', '--algorithm', 'logistic', '--data', path, '--label', 'default', '--param', 'penalty=none', '--output', join(dir, 'again.json')]);
    expect(text.stdout).toMatch(/std err/);
    expect(text.stdout).toMatch(/PAY_0 /);
    expect(readFileSync(join(dir, 'again.json'))).toEqual(readFileSync(model));
  });

  it('predicts and evaluates with the saved model', async () => {
    const preds = join(dir, 'logistic-pred.csv');
    const p = await cli(['model', 'predict', '--model', model, '--input', path, '--output', preds]);
    expect(p.code, p.stderr).toBe(0);
    const values = readNumericCsv(preds).values;
    for (const [i, v] of reference.cases.unpenalised!.predict_proba_first_rows.entries()) expect(values[i]).toBeCloseTo(v, 9);
    const e = await cli(['model', 'evaluate', '--model', model, '--data', path, '--label', 'default', '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).task).toBe('binary');
  });

  it('refuses a label that is not 0/1 and a tree parameter, with one line', async () => {
    const bad = join(dir, 'bad-label.csv');
    writeFileSync(bad, 'x,y\n1,0\n2,2\n3,1\n');
    const r = await cli(['model', 'train', '--algorithm', 'logistic', '--data', bad, '--label', 'y', '--output', join(dir, 'x.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^attest: error DATA_SCHEMA_MISMATCH: .*row 2/);
    expect(r.stderr.split('\n')).toHaveLength(1);
    const q = await cli(['model', 'train', '--algorithm', 'logistic', '--data', path, '--label', 'default', '--param', 'max_depth=3', '--output', join(dir, 'x.json')]);
    expect(q.code).toBe(2);
    expect(q.stderr).toMatch(/^attest: error INVALID_INPUT: --param max_depth/);
    const gap = await cli(['model', 'train', '--algorithm', 'logistic', '--data', join(FIXTURES_DIR, 'parquet', 'credit_gzip.parquet'), '--label', 'default', '--drop', 'ID,EDUCATION', '--output', join(dir, 'x.json')]);
    expect(gap.stderr).toBe('attest: error DATA_SCHEMA_MISMATCH: Feature "BILL_AMT1" is missing in row 6 of the data; a logistic regression needs every value (impute it, or --drop the column)');
    const a = await cli(['model', 'train', '--algorithm', 'forest', '--data', path, '--label', 'default', '--output', join(dir, 'x.json')]);
    expect(a.stderr).toMatch(/^attest: error INVALID_INPUT: --algorithm/);
  });
});

describe('explain shap --method interventional | kernel', () => {
  const c = goldenCase('credit_default_training_parity');
  const input = join(dir, 'explain-input.csv');
  const background = join(dir, 'explain-background.csv');
  const lines = readFileSync(join(c, 'input.csv'), 'utf8').trim().split('\n');
  writeFileSync(input, `${lines.slice(0, 6).join('\n')}\n`);
  writeFileSync(background, `${[lines[0]!, ...lines.slice(100, 140)].join('\n')}\n`);

  it('interventional TreeSHAP: each row sums to its margin, the bias is the background mean margin', async () => {
    const out = join(dir, 'interventional.csv');
    const r = await cli(['explain', 'shap', '--model', join(c, 'model.json'), '--input', input, '--output', out, '--method', 'interventional', '--background', background]);
    expect(r.code, r.stderr).toBe(0);
    const shap = readNumericCsv(out);
    const margins = join(dir, 'margins.csv');
    await cli(['model', 'predict', '--model', join(c, 'model.json'), '--input', input, '--output', margins, '--margin']);
    const m = readNumericCsv(margins).values;
    const width = shap.header.length;
    expect(shap.header.at(-1)).toBe('0:BIAS');
    for (let row = 0; row < 5; row++) {
      let sum = 0;
      for (let k = 0; k < width; k++) sum += shap.values[row * width + k]!;
      expect(sum).toBeCloseTo(m[row]!, 4);
    }
  });

  it('KernelSHAP: seeded and reproducible, additive in probability space, works on a logistic regression', async () => {
    const a = join(dir, 'kernel-a.csv');
    const b = join(dir, 'kernel-b.csv');
    const args = ['explain', 'shap', '--model', join(c, 'model.json'), '--input', input, '--method', 'kernel', '--background', background, '--nsamples', '300', '--seed', '7'];
    const r = await cli([...args, '--output', a]);
    expect(r.code, r.stderr).toBe(0);
    await cli([...args, '--output', b]);
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    const shap = readNumericCsv(a);
    const preds = join(dir, 'kernel-pred.csv');
    await cli(['model', 'predict', '--model', join(c, 'model.json'), '--input', input, '--output', preds]);
    const p = readNumericCsv(preds).values;
    const width = shap.header.length;
    for (let row = 0; row < 5; row++) {
      let sum = 0;
      for (let k = 0; k < width; k++) sum += shap.values[row * width + k]!;
      expect(sum).toBeCloseTo(p[row]!, 5);
    }
    const { path } = logisticData();
    const logistic = join(dir, 'logistic-for-kernel.json');
    await cli(['model', 'train', '--algorithm', 'logistic', '--data', path, '--label', 'default', '--output', logistic]);
    const rows = join(dir, 'logistic-rows.csv');
    writeFileSync(rows, `${readFileSync(path, 'utf8').split('\n').slice(0, 11).join('\n')}\n`);
    const k = await cli(['explain', 'shap', '--model', logistic, '--input', rows, '--background', path, '--background-clusters', '10', '--nsamples', '400', '--output', join(dir, 'kernel-logistic.csv')]);
    expect(k.code, k.stderr).toBe(0);
    expect(k.stdout).toMatch(/10 rows explained \(kernel SHAP\)/);
  });

  it('refuses a missing background and TreeSHAP on a logistic regression, with one line', async () => {
    const r = await cli(['explain', 'shap', '--model', join(c, 'model.json'), '--input', input, '--output', join(dir, 'x.csv'), '--method', 'kernel']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^attest: error INVALID_INPUT: --method kernel needs --background/);
    const m = await cli(['explain', 'shap', '--model', join(c, 'model.json'), '--input', input, '--output', join(dir, 'x.csv'), '--method', 'exact']);
    expect(m.stderr).toMatch(/^attest: error INVALID_INPUT: --method must be/);
  });
});

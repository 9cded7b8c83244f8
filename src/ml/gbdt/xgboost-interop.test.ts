import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditDefault, pythonWithXgboost } from '../../../test/support/gbdt-data.js';
import type { FeatureMatrix, TreeEnsemble } from './index.js';
import { predict, predictMargin, serializeXgboostModel, train } from './index.js';

const python = pythonWithXgboost();
const reason = python === null ? ' (SKIPPED: no python3 with xgboost; apt-get install python3-xgboost or set ATTEST_PYTHON)' : '';

/** Loads each saved model with XGBoost itself; prints its margins and transformed predictions per case. */
const SCRIPT = `
import json, sys, numpy as np, xgboost as xgb
out = {}
for name, model, csv, cols in json.load(open(sys.argv[1])):
    b = xgb.Booster(); b.load_model(model)
    x = np.genfromtxt(csv, delimiter=",", dtype=np.float32, missing_values="", filling_values=np.nan).reshape(-1, cols)
    d = xgb.DMatrix(x, missing=np.nan, feature_names=b.feature_names)
    out[name] = {"margin": b.predict(d, output_margin=True).ravel().tolist(), "pred": b.predict(d).ravel().tolist()}
print(json.dumps(out))
`;

interface Case {
  model: TreeEnsemble;
  x: FeatureMatrix;
}

function worst(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i]! - b[i]!));
  return w;
}

/** Blanks about a fifth of the cells of columns 11 and later (a fixed pattern). */
function withHoles(m: FeatureMatrix, seed: number): FeatureMatrix {
  const values = m.values.slice();
  for (let i = 0; i < values.length; i++) if ((i * 2654435761 + seed) % 97 < 19 && i % m.cols >= 11) values[i] = Number.NaN;
  return { ...m, values };
}

describe.skipIf(python === null)(`models saved by Attest load in XGBoost${reason}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'attest-gbdt-'));
  const cases = new Map<string, Case>();
  let theirs: Record<string, { margin: number[]; pred: number[] }> = {};

  beforeAll(() => {
    const data = creditDefault('default');
    const test = { ...data.test.x, rows: 1500, values: data.test.x.values.slice(0, 1500 * data.test.x.cols) };
    const names = data.featureNames;
    const head = (rows: number) => ({ ...data.train.x, rows, values: data.train.x.values.subarray(0, rows * data.train.x.cols) });
    const paper = { objective: 'binary:logistic', max_depth: 5, eta: 0.2, gamma: 4, min_child_weight: 6, subsample: 0.8, num_round: 100 };
    cases.set('whitepaper', { model: train({ ...data.train, featureNames: names }, paper, { evaluateTraining: false }).model, x: test });
    const holes = withHoles(head(8000), 3);
    const missing = train({ x: holes, y: data.train.y.subarray(0, 8000), featureNames: names }, { objective: 'binary:logistic', max_depth: 6, eta: 0.3, num_round: 20 }, { evaluateTraining: false });
    cases.set('missing', { model: missing.model, x: withHoles(test, 11) });
    const x4 = head(4000);
    const yReg = Float32Array.from(data.train.y.subarray(0, 4000), (v, i) => v * 3 + x4.values[i * x4.cols]! / 1e5);
    cases.set('squarederror', { model: train({ x: x4, y: yReg, featureNames: names }, { objective: 'reg:squarederror', num_round: 15 }, { evaluateTraining: false }).model, x: test });
    const yMulti = Float32Array.from({ length: 4000 }, (_, i) => Math.min(3, Math.max(0, x4.values[i * x4.cols + 5]! + 1)));
    cases.set('softprob', { model: train({ x: x4, y: yMulti, featureNames: names }, { objective: 'multi:softprob', num_class: 4, max_depth: 3, num_round: 10 }, { evaluateTraining: false }).model, x: test });
    for (const objective of ['binary:logitraw', 'reg:logistic']) {
      const m = train({ x: x4, y: data.train.y.subarray(0, 4000), featureNames: names }, { objective, max_depth: 4, num_round: 10 }, { evaluateTraining: false }).model;
      cases.set(objective, { model: m, x: test });
    }
    const list: [string, string, string, number][] = [];
    for (const [name, c] of cases) {
      const file = name.replace(':', '-');
      writeFileSync(join(dir, `${file}.json`), serializeXgboostModel(c.model));
      const lines: string[] = [];
      for (let r = 0; r < c.x.rows; r++) {
        const row: string[] = [];
        for (let f = 0; f < c.x.cols; f++) {
          const v = c.x.values[r * c.x.cols + f]!;
          row.push(Number.isNaN(v) ? '' : String(v));
        }
        lines.push(row.join(','));
      }
      writeFileSync(join(dir, `${file}.csv`), `${lines.join('\n')}\n`);
      list.push([name, join(dir, `${file}.json`), join(dir, `${file}.csv`), c.x.cols]);
    }
    writeFileSync(join(dir, 'cases.json'), JSON.stringify(list));
    const result = spawnSync(python!, ['-c', SCRIPT, join(dir, 'cases.json')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`xgboost failed: ${result.stderr}`);
    theirs = JSON.parse(result.stdout) as typeof theirs;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('whitepaper model: XGBoost predicts the same probabilities within 1e-6 and margins within 1e-5', () => {
    const c = cases.get('whitepaper')!;
    expect(worst(predict(c.model, c.x), theirs.whitepaper!.pred)).toBeLessThan(1e-6);
    expect(worst(predictMargin(c.model, c.x), theirs.whitepaper!.margin)).toBeLessThan(1e-5);
  });

  it('model trained with missing values (learned default directions) predicts the same in XGBoost', () => {
    const c = cases.get('missing')!;
    expect(c.model.trees.some((t) => t.defaultLeft.includes(1))).toBe(true);
    expect(worst(predict(c.model, c.x), theirs.missing!.pred)).toBeLessThan(1e-6);
  });

  it.each(['squarederror', 'softprob', 'binary:logitraw', 'reg:logistic'])('%s model predicts the same in XGBoost', (name) => {
    const c = cases.get(name)!;
    expect(worst(predict(c.model, c.x), theirs[name]!.pred)).toBeLessThan(name === 'squarederror' ? 1e-5 : 1e-6);
  });
});

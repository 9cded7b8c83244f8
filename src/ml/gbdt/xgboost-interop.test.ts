import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { creditDefault, pythonWithXgboost } from '../../../test/support/gbdt-data.js';
import type { FeatureMatrix, TreeEnsemble } from './index.js';
import { predict, predictMargin, serializeXgboostModel, train } from './index.js';

const python = pythonWithXgboost();
const reason = python === null ? ' (SKIPPED: no python3 with xgboost; apt-get install python3-xgboost or set ATTEST_PYTHON)' : '';

/** Loads the model with XGBoost itself and returns its margins and transformed predictions. */
const SCRIPT = `
import json, sys, numpy as np, xgboost as xgb
b = xgb.Booster(); b.load_model(sys.argv[1])
x = np.genfromtxt(sys.argv[2], delimiter=",", dtype=np.float32, missing_values="", filling_values=np.nan)
d = xgb.DMatrix(x.reshape(-1, int(sys.argv[3])), missing=np.nan, feature_names=b.feature_names)
print(json.dumps({"margin": b.predict(d, output_margin=True).ravel().tolist(), "pred": b.predict(d).ravel().tolist()}))
`;

const dir = mkdtempSync(join(tmpdir(), 'attest-gbdt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function xgboostPredict(model: TreeEnsemble, x: FeatureMatrix, name: string): { margin: number[]; pred: number[] } {
  const modelPath = join(dir, `${name}.json`);
  const csvPath = join(dir, `${name}.csv`);
  writeFileSync(modelPath, serializeXgboostModel(model));
  const lines: string[] = [];
  for (let r = 0; r < x.rows; r++) {
    const row: string[] = [];
    for (let c = 0; c < x.cols; c++) {
      const v = x.values[r * x.cols + c]!;
      row.push(Number.isNaN(v) ? '' : String(v));
    }
    lines.push(row.join(','));
  }
  writeFileSync(csvPath, `${lines.join('\n')}\n`);
  const result = spawnSync(python!, ['-c', SCRIPT, modelPath, csvPath, String(x.cols)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`xgboost failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as { margin: number[]; pred: number[] };
}

function worst(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i]! - b[i]!));
  return w;
}

describe('models saved by Attest load in XGBoost', () => {
  const data = creditDefault('default');
  const test = { ...data.test.x, rows: 1500, values: data.test.x.values.slice(0, 1500 * data.test.x.cols) };

  it.skipIf(python === null)(`whitepaper model: XGBoost predicts the same probabilities within 1e-6${reason}`, () => {
    const { model } = train({ ...data.train, featureNames: data.featureNames }, { objective: 'binary:logistic', max_depth: 5, eta: 0.2, gamma: 4, min_child_weight: 6, subsample: 0.8, num_round: 100 }, { evaluateTraining: false });
    const theirs = xgboostPredict(model, test, 'whitepaper');
    expect(worst(predict(model, test), theirs.pred)).toBeLessThan(1e-6);
    expect(worst(predictMargin(model, test), theirs.margin)).toBeLessThan(1e-5);
  });

  it.skipIf(python === null)(`model trained with missing values (learned default directions) predicts the same in XGBoost${reason}`, () => {
    const holes = (m: FeatureMatrix, seed: number) => {
      const values = m.values.slice();
      for (let i = 0; i < values.length; i++) if ((i * 2654435761 + seed) % 97 < 19 && i % m.cols >= 11) values[i] = Number.NaN;
      return { ...m, values };
    };
    const x = holes({ ...data.train.x, rows: 8000, values: data.train.x.values.subarray(0, 8000 * data.train.x.cols) }, 3);
    const { model } = train({ x, y: data.train.y.subarray(0, 8000), featureNames: data.featureNames }, { objective: 'binary:logistic', max_depth: 6, eta: 0.3, num_round: 20 }, { evaluateTraining: false });
    expect(model.trees.some((t) => t.defaultLeft.some((d) => d === 1))).toBe(true);
    const probe = holes(test, 11);
    const theirs = xgboostPredict(model, probe, 'missing');
    expect(worst(predict(model, probe), theirs.pred)).toBeLessThan(1e-6);
  });

  it.skipIf(python === null)(`regression and multiclass models predict the same in XGBoost${reason}`, () => {
    const x = { ...data.train.x, rows: 4000, values: data.train.x.values.subarray(0, 4000 * data.train.x.cols) };
    const yReg = Float32Array.from(data.train.y.subarray(0, 4000), (v, i) => v * 3 + (x.values[i * x.cols]! / 1e5));
    const reg = train({ x, y: yReg, featureNames: data.featureNames }, { objective: 'reg:squarederror', num_round: 15 }, { evaluateTraining: false }).model;
    expect(worst(predict(reg, test), xgboostPredict(reg, test, 'reg').pred)).toBeLessThan(1e-5);
    const yMulti = Float32Array.from({ length: 4000 }, (_, i) => Math.min(3, Math.max(0, x.values[i * x.cols + 5]! + 1)));
    const multi = train({ x, y: yMulti, featureNames: data.featureNames }, { objective: 'multi:softprob', num_class: 4, max_depth: 3, num_round: 10 }, { evaluateTraining: false }).model;
    expect(worst(predict(multi, test), xgboostPredict(multi, test, 'multi').pred)).toBeLessThan(1e-6);
    const y01 = data.train.y.subarray(0, 4000);
    for (const objective of ['binary:logitraw', 'reg:logistic']) {
      const m = train({ x, y: y01, featureNames: data.featureNames }, { objective, max_depth: 4, num_round: 10 }, { evaluateTraining: false }).model;
      expect(worst(predict(m, test), xgboostPredict(m, test, objective.replace(':', '-')).pred), objective).toBeLessThan(1e-6);
    }
  });
});

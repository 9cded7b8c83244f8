import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, goldenCase, readJson, readNumericCsv } from '../../../test/support/golden.js';
import { creditDefault, germanCreditPurpose } from '../../../test/support/gbdt-data.js';
import { evalMetric, rocAuc } from './eval-metrics.js';
import type { TreeEnsemble } from './index.js';
import { featureImportance, IMPORTANCE_TYPES, parseXgboostModel, predict, predictMargin, serializeXgboostModel, train } from './index.js';

interface CaseJson {
  params: Record<string, unknown>;
  num_boost_round: number;
  features: string[];
  importance: Record<string, Record<string, number>>;
  evals_result: Record<string, Record<string, number[]>>;
  note: string;
}

function caseParams(c: CaseJson): Record<string, unknown> {
  const { eval_metric, ...rest } = c.params;
  return { ...rest, eval_metric: (eval_metric as string[]).join(','), num_round: c.num_boost_round };
}

const parityDir = goldenCase('credit_default_training_parity');
const parityCsv = readNumericCsv(join(parityDir, 'train.csv'));
const parityCols = parityCsv.cols - 1;
const parityX = new Float32Array(parityCsv.rows * parityCols);
const parityY = new Float32Array(parityCsv.rows);
for (let r = 0; r < parityCsv.rows; r++) {
  for (let f = 0; f < parityCols; f++) parityX[r * parityCols + f] = parityCsv.values[r * parityCsv.cols + f]!;
  parityY[r] = parityCsv.values[r * parityCsv.cols + parityCols]!;
}
const parityNames = parityCsv.header.slice(0, parityCols);

/** Same structure, split features, thresholds and default directions; leaves within 1e-6; loss and cover loosely. */
function expectSameTrees(ours: TreeEnsemble, theirs: TreeEnsemble): void {
  expect(ours.trees.length).toBe(theirs.trees.length);
  for (let t = 0; t < theirs.trees.length; t++) {
    const a = ours.trees[t]!;
    const b = theirs.trees[t]!;
    expect(a.numNodes, `tree ${t}`).toBe(b.numNodes);
    expect(Array.from(a.left), `tree ${t} left`).toEqual(Array.from(b.left));
    expect(Array.from(a.right), `tree ${t} right`).toEqual(Array.from(b.right));
    expect(Array.from(a.parent), `tree ${t} parents`).toEqual(Array.from(b.parent));
    expect(Array.from(a.defaultLeft), `tree ${t} default_left`).toEqual(Array.from(b.defaultLeft));
    for (let i = 0; i < a.numNodes; i++) {
      if (a.left[i] === -1) {
        expect(Math.abs(a.value[i]! - b.value[i]!), `tree ${t} leaf ${i}`).toBeLessThan(1e-6);
      } else {
        expect(a.splitFeature[i], `tree ${t} node ${i} feature`).toBe(b.splitFeature[i]);
        expect(a.threshold[i], `tree ${t} node ${i} threshold`).toBe(b.threshold[i]);
      }
      // loss_chg is a float32 difference of large structure scores: allow for that cancellation.
      expect(Math.abs(a.lossChange[i]! - b.lossChange[i]!)).toBeLessThanOrEqual(1e-3 + 1e-4 * Math.abs(b.lossChange[i]!));
      expect(Math.abs(a.cover[i]! - b.cover[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, b.cover[i]!));
      expect(Math.abs(a.baseWeight[i]! - b.baseWeight[i]!)).toBeLessThan(1e-6);
    }
  }
}

describe('training parity with XGBoost 1.7.4 hist (credit_default_training_parity)', () => {
  const c = readJson<CaseJson>(join(parityDir, 'case.json'));
  const result = train({ x: { rows: parityCsv.rows, cols: parityCols, values: parityX }, y: parityY, featureNames: parityNames }, caseParams(c));
  const ours = result.model;
  const theirs = parseXgboostModel(readFileSync(join(parityDir, 'model.json'), 'utf8'));

  it('grows the same 30 trees: split features, thresholds, default directions, leaf values within 1e-6', () => {
    expect(ours.trees.length).toBe(30);
    expectSameTrees(ours, theirs);
  });

  it('reports the same per-round training logloss', () => {
    const expected = c.evals_result.train!.logloss!;
    const got = result.evalLog.train!.logloss!;
    expect(got.length).toBe(expected.length);
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - expected[i]!)).toBeLessThan(1e-6);
  });

  it('computes feature importance of the trained model like Booster.get_score', () => {
    for (const type of IMPORTANCE_TYPES) {
      const got = featureImportance(ours, type);
      const expected = c.importance[type]!;
      expect(Object.keys(got).sort(), type).toEqual(Object.keys(expected).sort());
      for (const [name, value] of Object.entries(expected)) {
        expect(Math.abs(got[name]! - value), `${type} ${name}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(value)));
      }
    }
  });

  it('writes best_iteration like xgb.train', () => {
    expect(ours.attributes).toEqual(theirs.attributes);
  });
});

describe.each(['max_delta_step', 'missing_values', 'scale_pos_weight', 'squarederror', 'softprob', 'weighted'])('training parity, extra case %s', (name) => {
  it('grows XGBoost 1.7.4 trees', () => {
    const dir = join(FIXTURES_DIR, 'gbdt-parity');
    const c = readJson<{ params: Record<string, unknown>; num_boost_round: number; missing_mask: string | null; weight: string | null }>(join(dir, `${name}.case.json`));
    const x = parityX.slice();
    if (c.missing_mask !== null) {
      for (let r = 0; r < parityCsv.rows; r++) for (let f = 0; f < parityCols; f++) if ((r * 31 + f * 17) % 10 === 0) x[r * parityCols + f] = Number.NaN;
    }
    const age = parityNames.indexOf('AGE');
    const pay2 = parityNames.indexOf('PAY_2');
    const y =
      c.params.objective === 'reg:squarederror'
        ? Float32Array.from(parityY, (v, r) => Math.fround(Math.fround(parityX[r * parityCols + age]! / 10) + v * 2))
        : c.params.objective === 'multi:softprob'
          ? Float32Array.from(parityY, (_, r) => Math.min(3, Math.max(0, parityX[r * parityCols + pay2]! + 1)))
          : parityY;
    const weight = c.weight === null ? undefined : Float32Array.from({ length: parityCsv.rows }, (_, r) => 1 + (r % 7) / 4);
    const rows = { x: { rows: parityCsv.rows, cols: parityCols, values: x }, y, featureNames: parityNames };
    const { model } = train(weight === undefined ? rows : { ...rows, weight }, { ...c.params, num_round: c.num_boost_round }, { evaluateTraining: false });
    expectSameTrees(model, parseXgboostModel(readFileSync(join(dir, `${name}.model.json`), 'utf8')));
    if (c.missing_mask !== null) expect(model.trees.some((t) => t.defaultLeft.includes(1))).toBe(true);
  });
});

describe('the whitepaper setup on the credit default data', () => {
  const data = creditDefault('default');
  const params = { objective: 'binary:logistic', max_depth: 5, eta: 0.2, gamma: 4, min_child_weight: 6, subsample: 0.8, seed: 0, num_round: 100, eval_metric: 'logloss,auc' };

  it('reaches test ROC AUC >= 0.777 (XGBoost 1.7.4: 0.780) and logs validation metrics', () => {
    const rounds: number[] = [];
    const result = train({ ...data.train, featureNames: data.featureNames }, params, {
      validation: data.validation,
      evaluateTraining: false,
      onRound: (round, metrics) => {
        expect(Object.keys(metrics)).toEqual(['validation-logloss', 'validation-auc']);
        rounds.push(round);
      },
    });
    expect(rounds).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const auc = rocAuc(predict(result.model, data.test.x), data.test.y, undefined);
    expect(auc).toBeGreaterThanOrEqual(0.777);
    const golden = readJson<CaseJson>(join(goldenCase('credit_default_whitepaper'), 'case.json'));
    const valAuc = result.evalLog.validation!.auc!;
    expect(Math.abs(valAuc[99]! - golden.evals_result.validation!.auc![99]!)).toBeLessThan(0.01);
  });

  it('stops early on the validation metric and records best_iteration', () => {
    const result = train({ ...data.train, featureNames: data.featureNames }, { ...params, eta: 0.6, num_round: 200, early_stopping_rounds: 5, eval_metric: 'auc' }, { validation: data.validation, evaluateTraining: false });
    const log = result.evalLog.validation!.auc!;
    expect(log.length).toBeLessThan(200);
    expect(log.length - 1 - result.bestIteration).toBe(5);
    expect(Math.max(...log)).toBe(log[result.bestIteration]);
    expect(result.model.attributes.best_iteration).toBe(String(result.bestIteration));
    expect(result.model.trees.length).toBe(log.length);
  });
});

describe('regression and multiclass', () => {
  it('reg:squarederror on the credit limit case reaches XGBoost-like validation RMSE', () => {
    const c = readJson<CaseJson>(join(goldenCase('credit_limit_regression'), 'case.json'));
    const data = creditDefault('limit');
    expect(data.featureNames).toEqual(c.features);
    const result = train({ ...data.train, featureNames: data.featureNames }, caseParams(c), { validation: data.validation });
    const ours = result.evalLog.validation!.rmse!;
    const theirs = c.evals_result.validation!.rmse!;
    expect(ours.length).toBe(theirs.length);
    // >256 distinct values in several columns: cut points come from an exact rather than streaming sketch.
    expect(Math.abs(ours.at(-1)! - theirs.at(-1)!) / theirs.at(-1)!).toBeLessThan(0.02);
    expect(Math.abs(ours[0]! - theirs[0]!) / theirs[0]!).toBeLessThan(0.005);
  });

  it('multi:softprob on German credit purpose matches XGBoost mlogloss closely', () => {
    const c = readJson<CaseJson>(join(goldenCase('german_credit_purpose_multiclass'), 'case.json'));
    const classes = JSON.parse(c.note.slice(c.note.indexOf('['))) as string[];
    const data = germanCreditPurpose(c.features, classes);
    const result = train({ ...data.train, featureNames: data.featureNames }, caseParams(c), { validation: data.validation });
    expect(result.model.trees.length).toBe(200);
    expect(Array.from(result.model.treeGroup.subarray(0, 10))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const train0 = result.evalLog.train!.mlogloss!;
    expect(Math.abs(train0.at(-1)! - c.evals_result.train!.mlogloss!.at(-1)!)).toBeLessThan(0.02);
    expect(Math.abs(train0[0]! - c.evals_result.train!.mlogloss![0]!)).toBeLessThan(1e-3);
    const probs = predict(result.model, data.test.x);
    for (let r = 0; r < data.test.x.rows; r++) {
      let s = 0;
      for (let k = 0; k < 10; k++) s += probs[r * 10 + k]!;
      expect(Math.abs(s - 1)).toBeLessThan(1e-5);
    }
    const softmax = train({ ...data.train, featureNames: data.featureNames }, { ...caseParams(c), objective: 'multi:softmax', eval_metric: 'merror' }, { evaluateTraining: false });
    const labels = predict(softmax.model, data.test.x);
    expect(labels.every((v) => Number.isInteger(v) && v >= 0 && v < 10)).toBe(true);
    expect(evalMetric('merror', predict(result.model, data.test.x), data.test.y, undefined, 10)).toBeLessThan(0.75);
  });
});

describe('determinism', () => {
  const data = creditDefault('default');
  const small = { rows: 3000, cols: data.train.x.cols, values: data.train.x.values.subarray(0, 3000 * data.train.x.cols) };
  const y = data.train.y.subarray(0, 3000);
  const params = { objective: 'binary:logistic', max_depth: 4, subsample: 0.7, colsample_bytree: 0.8, colsample_bylevel: 0.9, colsample_bynode: 0.9, seed: 7, num_round: 8 };

  it('gives a byte-identical model file for the same data, parameters and seed', () => {
    const a = serializeXgboostModel(train({ x: small, y, featureNames: data.featureNames }, params).model);
    const b = serializeXgboostModel(train({ x: small, y, featureNames: data.featureNames }, params).model);
    expect(a).toBe(b);
    const c = serializeXgboostModel(train({ x: small, y, featureNames: data.featureNames }, { ...params, seed: 8 }).model);
    expect(c).not.toBe(a);
  });

  it('builds the same model on one thread and with a histogram worker', () => {
    const big = { x: data.train.x, y: data.train.y, featureNames: data.featureNames };
    const one = serializeXgboostModel(train(big, { ...params, num_round: 5 }, { threads: 1, evaluateTraining: false }).model);
    const two = serializeXgboostModel(train(big, { ...params, num_round: 5 }, { threads: 2, evaluateTraining: false }).model);
    expect(two).toBe(one);
  });

  it('binary:logitraw and reg:logistic grow the binary:logistic trees and differ only in output', () => {
    const base = { x: small, y, featureNames: data.featureNames };
    const logistic = train(base, { ...params, objective: 'binary:logistic' }).model;
    const regLogistic = train(base, { ...params, objective: 'reg:logistic' }).model;
    expect(regLogistic.trees).toEqual(logistic.trees);
    // logitraw's base_score is a margin (identity link): 0 matches logistic's logit(0.5).
    const raw = train(base, { ...params, objective: 'binary:logitraw', base_score: 0 }).model;
    expect(raw.trees).toEqual(logistic.trees);
    expect(predict(raw, small)).toEqual(predictMargin(logistic, small));
  });

  it('trains margins that equal the predictor on the saved model', () => {
    const result = train({ x: small, y, featureNames: data.featureNames }, { ...params, objective: 'reg:squarederror', eval_metric: 'rmse' });
    const again = parseXgboostModel(serializeXgboostModel(result.model));
    const rmse = evalMetric('rmse', predictMargin(again, small), y, undefined, 1);
    expect(rmse).toBeCloseTo(result.evalLog.train!.rmse!.at(-1)!, 9);
  });
});

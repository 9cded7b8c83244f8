import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenCase, readNumericCsv, XGB_CASES } from '../../../test/support/golden.js';
import { parseXgboostModel, predict, predictMargin, serializeXgboostModel, train } from './index.js';
import type { TreeEnsemble } from './model.js';
import { baseMargin } from './model.js';
import { leafIndex } from './predict.js';

describe.each(XGB_CASES)('XGBoost golden case %s', (name) => {
  const dir = goldenCase(name);
  const model = parseXgboostModel(readFileSync(join(dir, 'model.json'), 'utf8'));
  const input = readNumericCsv(join(dir, 'input.csv'));
  const x = { rows: input.rows, cols: input.cols, values: Float32Array.from(input.values) };

  it('predicts XGBoost margins within 1e-5', () => {
    expect(input.header).toEqual(model.featureNames);
    const expected = readNumericCsv(join(dir, 'expected_margin.csv'), false);
    const margins = predictMargin(model, x);
    expect(margins.length).toBe(expected.values.length);
    let worst = 0;
    for (let i = 0; i < margins.length; i++) worst = Math.max(worst, Math.abs(margins[i]! - expected.values[i]!));
    expect(worst).toBeLessThan(1e-5);
  });

  it('predicts XGBoost transformed outputs within 1e-6', () => {
    const expected = readNumericCsv(join(dir, 'expected_pred.csv'), false);
    const preds = predict(model, x);
    let worst = 0;
    for (let i = 0; i < preds.length; i++) worst = Math.max(worst, Math.abs(preds[i]! - expected.values[i]!));
    expect(worst).toBeLessThan(1e-6);
  });

  it('round-trips through the JSON writer without changing predictions', () => {
    const again = parseXgboostModel(serializeXgboostModel(model));
    expect(predictMargin(again, x)).toEqual(predictMargin(model, x));
  });
});

describe('XGBoost JSON loader', () => {
  it('accepts base_score written as an array (XGBoost 3.1+)', () => {
    const doc = JSON.parse(readFileSync(join(goldenCase('credit_default_whitepaper'), 'model.json'), 'utf8'));
    doc.learner.learner_model_param.base_score = '[5E-1]';
    expect(parseXgboostModel(doc).baseScore).toBe(0.5);
  });
  it('refuses malformed documents with MODEL_INVALID', () => {
    expect(() => parseXgboostModel('{')).toThrowError(expect.objectContaining({ code: 'MODEL_INVALID' }));
    expect(() => parseXgboostModel({ learner: {} })).toThrowError(expect.objectContaining({ code: 'MODEL_INVALID' }));
  });
});

describe('blocked prediction against a node-by-node walk', () => {
  it('agree for shallow and deep (> 12 levels), lopsided trees, with and without missing values', () => {
    // Labels from a threshold on x0 plus noise in x1 make deep, lopsided trees under max_depth 16.
    const rows = 3000;
    const cols = 4;
    const values = new Float32Array(rows * cols);
    const y = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) values[r * cols + c] = Math.fround(Math.sin(r * (c + 1) * 0.37) * 100 + ((r * 7919) % (c + 13)));
      y[r] = values[r * cols]! > 20 !== (r % 11 === 0) ? 1 : 0;
    }
    for (const depth of [3, 16]) {
      const model = train({ x: { rows, cols, values }, y, featureNames: ['a', 'b', 'c', 'd'] }, { objective: 'binary:logistic', max_depth: depth, num_round: 8, min_child_weight: 0, eta: 0.3 }, { evaluateTraining: false, threads: 1 }).model;
      const deepest = Math.max(...model.trees.map((t) => treeDepth(t, 0)));
      expect(depth === 3 ? deepest <= 3 : deepest > 12).toBe(true);
      for (const withMissing of [false, true]) {
        const x = { rows, cols, values: Float32Array.from(values, (v, i) => (withMissing && i % 7 === 3 ? Number.NaN : v)) };
        const margins = predictMargin(model, x);
        for (let r = 0; r < rows; r++) {
          let expected = Math.fround(baseMargin(model));
          for (const tree of model.trees) expected = Math.fround(expected + tree.value[leafIndex(tree, x.values, r * cols)]!);
          expect(margins[r]).toBe(expected);
        }
      }
    }
  });
});

function treeDepth(tree: TreeEnsemble['trees'][number], node: number): number {
  return tree.left[node] === -1 ? 0 : 1 + Math.max(treeDepth(tree, tree.left[node]!), treeDepth(tree, tree.right[node]!));
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenCase, readNumericCsv, XGB_CASES } from '../../../test/support/golden.js';
import { parseXgboostModel, predict, predictMargin, serializeXgboostModel } from './index.js';

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

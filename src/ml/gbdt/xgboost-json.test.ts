/**
 * A categorical XGBoost model (enable_categorical=True) as XGBoost writes it: split_type 1 on the
 * categorical node, its categories listed, and the node's split condition written as a bare NaN,
 * which is not JSON. It must be refused as MODEL_UNSUPPORTED, not as "not valid JSON".
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../../../test/support/cli.js';
import { goldenCase } from '../../../test/support/golden.js';
import { AppError } from '../../kernel/index.js';
import { parseXgboostModel } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'attest-xgb-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface RawTree {
  split_type: number[];
  split_conditions: number[];
  categories: number[];
  categories_nodes: number[];
  categories_segments: number[];
  categories_sizes: number[];
}

/** The whitepaper model with tree 0's root turned into a categorical split, serialised as XGBoost does. */
function categoricalModelText(): string {
  const doc = JSON.parse(readFileSync(join(goldenCase('credit_default_whitepaper'), 'model.json'), 'utf8')) as {
    learner: { gradient_booster: { model: { trees: RawTree[] } } };
  };
  const tree = doc.learner.gradient_booster.model.trees[0]!;
  tree.split_type = tree.split_type.map((_, i) => (i === 0 ? 1 : 0));
  tree.categories = [1, 3];
  tree.categories_nodes = [0];
  tree.categories_segments = [0];
  tree.categories_sizes = [2];
  tree.split_conditions[0] = 123456789;
  return JSON.stringify(doc).replace('123456789', 'NaN');
}

function errorOf(f: () => unknown): AppError {
  try {
    f();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('XGBoost JSON with non-finite tokens', () => {
  it('refuses a categorical model as MODEL_UNSUPPORTED (its NaN split condition notwithstanding)', () => {
    const text = categoricalModelText();
    expect(() => JSON.parse(text)).toThrow();
    const error = errorOf(() => parseXgboostModel(text));
    expect(error.code).toBe('MODEL_UNSUPPORTED');
    expect(error.message).toMatch(/tree 0 has categorical splits/);
  });

  it('reports a NaN where a number is required as MODEL_INVALID, and broken text as not valid JSON', () => {
    const text = readFileSync(join(goldenCase('credit_default_whitepaper'), 'model.json'), 'utf8');
    const withNaN = text.replace(/"split_conditions":\[[^,\]]+/, '"split_conditions":[NaN');
    expect(withNaN).not.toBe(text);
    const nan = errorOf(() => parseXgboostModel(withNaN));
    expect(nan.code).toBe('MODEL_INVALID');
    expect(nan.message).toMatch(/split_conditions holds a non-number/);
    const broken = errorOf(() => parseXgboostModel(text.slice(0, 100)));
    expect(broken.message).toBe('XGBoost model: not valid JSON');
  });

  it('makes `attest model predict` exit 2 with MODEL_UNSUPPORTED', async () => {
    const model = join(dir, 'categorical.json');
    writeFileSync(model, categoricalModelText());
    const r = await cli(['model', 'predict', '--model', model, '--input', join(goldenCase('credit_default_whitepaper'), 'input.csv'), '--output', join(dir, 'p.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^attest: error MODEL_UNSUPPORTED: .*categorical splits/);
  });
});

describe('model train --param eval_metric repeated', () => {
  it('evaluates every metric given', async () => {
    const data = join(goldenCase('credit_default_training_parity'), 'train.csv');
    const r = await cli(['model', 'train', '--data', data, '--validation', data, '--label', 'default', '--param', 'objective=binary:logistic', '--param', 'eval_metric=auc', '--param', 'eval_metric=logloss', '--rounds', '2', '--output', join(dir, 'm.json'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout).evalLog.validation)).toEqual(['auc', 'logloss']);
  });
});

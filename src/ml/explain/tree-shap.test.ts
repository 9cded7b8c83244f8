import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goldenCase, readNumericCsv, XGB_CASES } from '../../../test/support/golden.js';
import type { FeatureMatrix, TreeEnsemble } from '../gbdt/index.js';
import { baseMargin, leafIndex, parseXgboostModel } from '../gbdt/index.js';
import { treeShap } from './tree-shap.js';
import { treeShapParallel } from './tree-shap-parallel.js';

function load(name: string): { model: TreeEnsemble; x: FeatureMatrix } {
  const dir = goldenCase(name);
  const model = parseXgboostModel(readFileSync(join(dir, 'model.json'), 'utf8'));
  const input = readNumericCsv(join(dir, 'input.csv'));
  return { model, x: { rows: input.rows, cols: input.cols, values: Float32Array.from(input.values) } };
}

/** Margin as the exact (double) sum of the leaf values reached, which SHAP values add up to. */
function exactMargins(model: TreeEnsemble, x: FeatureMatrix): Float64Array {
  const out = new Float64Array(x.rows * model.numGroups).fill(baseMargin(model));
  model.trees.forEach((tree, t) => {
    for (let r = 0; r < x.rows; r++) out[r * model.numGroups + model.treeGroup[t]!]! += tree.value[leafIndex(tree, x.values, r * x.cols)]!;
  });
  return out;
}

describe.each(XGB_CASES)('TreeSHAP on golden case %s', (name) => {
  const { model, x } = load(name);

  it("equals XGBoost's pred_contribs within 1e-4", () => {
    const expected = readNumericCsv(join(goldenCase(name), 'expected_contribs.csv'));
    const shap = treeShap(model, x);
    expect(shap.values.length).toBe(expected.values.length);
    let worst = 0;
    for (let i = 0; i < shap.values.length; i++) worst = Math.max(worst, Math.abs(shap.values[i]! - expected.values[i]!));
    expect(worst).toBeLessThan(1e-4);
  });

  it('is additive: each block sums to the margin within 1e-6', () => {
    const shap = treeShap(model, x);
    const margins = exactMargins(model, x);
    for (let b = 0; b < x.rows * shap.groups; b++) {
      let sum = 0;
      for (let j = 0; j < shap.width; j++) sum += shap.values[b * shap.width + j]!;
      expect(Math.abs(sum - margins[b]!)).toBeLessThan(1e-6);
    }
  });
});

function randomRows(model: TreeEnsemble, x: FeatureMatrix) {
  const columns = Array.from({ length: model.numFeature }, (_, j) => {
    const seen: number[] = [];
    for (let r = 0; r < x.rows; r++) seen.push(x.values[r * x.cols + j]!);
    return seen;
  });
  const cell = (j: number) => fc.oneof(fc.constant(Number.NaN), fc.constantFrom(...columns[j]!), fc.double({ min: -1e6, max: 1e6, noNaN: true }));
  return fc.tuple(...columns.map((_, j) => cell(j)));
}

describe('TreeSHAP properties', () => {
  const { model, x } = load('credit_default_missing');

  it('is additive per class block on a multiclass model (fast-check rows with NaN)', () => {
    const multi = load('german_credit_purpose_multiclass');
    fc.assert(
      fc.property(randomRows(multi.model, multi.x), (row) => {
        const m: FeatureMatrix = { rows: 1, cols: row.length, values: Float32Array.from(row) };
        const shap = treeShap(multi.model, m);
        const margins = exactMargins(multi.model, m);
        for (let g = 0; g < shap.groups; g++) {
          let sum = 0;
          for (let j = 0; j < shap.width; j++) sum += shap.values[g * shap.width + j]!;
          if (Math.abs(sum - margins[g]!) >= 1e-6) return false;
        }
        return true;
      }),
      { numRuns: 100, seed: 11 },
    );
  });

  it('is additive on random rows with missing values (fast-check)', () => {
    fc.assert(
      fc.property(randomRows(model, x), (row) => {
        const m: FeatureMatrix = { rows: 1, cols: row.length, values: Float32Array.from(row) };
        const shap = treeShap(model, m);
        const margin = exactMargins(model, m)[0]!;
        let sum = 0;
        for (const v of shap.values) sum += v;
        return Math.abs(sum - margin) < 1e-6;
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('gives bit-identical values on two threads', async () => {
    const big: FeatureMatrix = { rows: x.rows * 3, cols: x.cols, values: new Float32Array(x.values.length * 3) };
    for (let k = 0; k < 3; k++) big.values.set(x.values, k * x.values.length);
    const one = treeShap(model, big);
    const two = await treeShapParallel(model, big, { threads: 2 });
    expect(Buffer.from(two.values.buffer).equals(Buffer.from(one.values.buffer))).toBe(true);
    const [a, b] = await Promise.all([treeShapParallel(model, big, { threads: 2 }), treeShapParallel(model, big, { threads: 3 })]);
    expect(a.values).toEqual(one.values);
    expect(b.values).toEqual(one.values);
  });

  it('refuses a matrix with the wrong number of columns', () => {
    expect(() => treeShap(model, { rows: 1, cols: 2, values: new Float32Array(2) })).toThrowError(
      expect.objectContaining({ code: 'DATA_SCHEMA_MISMATCH' }),
    );
  });
});

describe('TreeSHAP deep-leaf path', () => {
  it('gives the tabulated values when every leaf is evaluated per row', async () => {
    const { buildShapTables } = await import('./tree-shap-tables.js');
    const { treeShapKernel } = await import('./tree-shap-kernel.js');
    const { model, x } = load('credit_default_whitepaper');
    const tabulated = treeShap(model, x).values;
    const direct = new Float64Array(tabulated.length);
    treeShapKernel(buildShapTables(model, 0), x.values, x.cols, 0, x.rows, direct);
    let worst = 0;
    for (let i = 0; i < direct.length; i++) worst = Math.max(worst, Math.abs(direct[i]! - tabulated[i]!));
    expect(worst).toBeLessThan(1e-12);
  });
});

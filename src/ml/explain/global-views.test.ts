import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenCase, readJson, readNumericCsv } from '../../../test/support/golden.js';
import { createRandom } from '../../kernel/index.js';
import type { FeatureMatrix } from '../gbdt/index.js';
import { parseXgboostModel } from '../gbdt/index.js';
import { gainImportance } from './gain-importance.js';
import { featureGrid, partialDependence } from './partial-dependence.js';
import { permutationImportance } from './permutation-importance.js';
import { approximateInteraction, shapDependence } from './shap-dependence.js';
import { beeswarmData, meanAbsShap } from './shap-importance.js';
import { fitSurrogateTree, predictSurrogate, surrogateRules } from './surrogate-tree.js';
import { treeShap } from './tree-shap.js';

function randomMatrix(rows: number, cols: number, seed: number): FeatureMatrix {
  const random = createRandom(seed);
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < values.length; i++) values[i] = Math.fround(random.nextNormal());
  return { rows, cols, values };
}

const linear = (w: number[]) => (m: FeatureMatrix) => {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) for (let j = 0; j < m.cols; j++) out[r]! += (w[j] ?? 0) * m.values[r * m.cols + j]!;
  return out;
};

describe('global views', () => {
  const dir = goldenCase('credit_default_whitepaper');
  const model = parseXgboostModel(readFileSync(join(dir, 'model.json'), 'utf8'));
  const input = readNumericCsv(join(dir, 'input.csv'));
  const x: FeatureMatrix = { rows: input.rows, cols: input.cols, values: Float32Array.from(input.values) };
  const shap = treeShap(model, x);

  it('ranks features by mean |SHAP| and gives beeswarm points for the top features', () => {
    const ranking = meanAbsShap(shap, model.featureNames);
    let manual = 0;
    for (let r = 0; r < x.rows; r++) manual += Math.abs(shap.values[r * shap.width + ranking[0]!.feature]!) / x.rows;
    expect(ranking[0]!.value).toBeCloseTo(manual, 12);
    for (let i = 1; i < ranking.length; i++) expect(ranking[i - 1]!.value).toBeGreaterThanOrEqual(ranking[i]!.value);
    const swarm = beeswarmData(shap, x, model.featureNames, { topK: 5, maxPoints: 100, seed: 1 });
    expect(swarm.map((s) => s.feature)).toEqual(ranking.slice(0, 5).map((r) => r.feature));
    expect(swarm[0]!.shap).toHaveLength(100);
  });

  it("reproduces XGBoost's weight, gain and cover importances", () => {
    const expected = readJson<{ importance: Record<string, Record<string, number>> }>(join(dir, 'case.json')).importance;
    for (const imp of gainImportance(model)) {
      if (imp.weight === 0) continue;
      expect(imp.weight).toBe(expected.weight![imp.name]);
      expect(imp.gain).toBeCloseTo(expected.gain![imp.name]!, 3);
      expect(imp.totalGain / expected.total_gain![imp.name]!).toBeCloseTo(1, 5);
      expect(imp.cover / expected.cover![imp.name]!).toBeCloseTo(1, 5);
      expect(imp.totalCover / expected.total_cover![imp.name]!).toBeCloseTo(1, 5);
    }
  });

  it('picks the interacting feature for dependence-plot colour', () => {
    const data = randomMatrix(500, 4, 3);
    const values = new Float64Array(500 * 5);
    for (let r = 0; r < 500; r++) values[r * 5] = data.values[r * 4]! * data.values[r * 4 + 2]!;
    const attributions = { rows: 500, width: 5, values };
    expect(approximateInteraction(attributions, data, 0)).toBe(2);
    const dep = shapDependence(attributions, data, 0, ['a', 'b', 'c', 'd'], { maxPoints: 50 });
    expect(dep.colorName).toBe('c');
    expect(dep.value).toHaveLength(50);
  });

  it('computes PD and ICE curves on a 15-point grid', () => {
    const data = randomMatrix(400, 3, 5);
    const curves = partialDependence(linear([2, 1, 0]), data, ['a', 'b', 'c'], { ranking: [0, 2, 1], topK: 2, iceRows: 5 });
    expect(curves.map((c) => c.feature)).toEqual([0, 2]);
    const c0 = curves[0]!;
    expect(c0.grid).toHaveLength(15);
    let meanB = 0;
    for (let r = 0; r < 400; r++) meanB += data.values[r * 3 + 1]! / 400;
    c0.grid.forEach((g, k) => {
      expect(c0.average[k]!).toBeCloseTo(2 * g + meanB, 5);
    });
    expect(c0.ice).toHaveLength(5);
    expect(curves[1]!.average.every((v) => Math.abs(v - curves[1]!.average[0]!) < 1e-12)).toBe(true);
    expect(featureGrid({ rows: 3, cols: 1, values: Float32Array.of(2, Number.NaN, 1) }, 0, 15)).toEqual([1, 2]);
  });

  it('computes seeded permutation importance (unused features score exactly 0)', () => {
    const data = randomMatrix(300, 3, 7);
    const labels = linear([1, 0.1, 0])(data);
    const mse = (y: Float64Array, p: Float64Array) => y.reduce((s, v, i) => s + (v - p[i]!) ** 2, 0) / y.length;
    const run = () => permutationImportance(linear([1, 0.1, 0]), data, labels, mse, ['a', 'b', 'c'], { repeats: 3, seed: 2, greaterIsBetter: false });
    const result = run();
    expect(result.baseline).toBe(0);
    expect(result.features[0]!.mean).toBeGreaterThan(result.features[1]!.mean);
    expect(result.features[2]!.mean).toBe(0);
    expect(run()).toEqual(result);
  });

  it('fits a surrogate tree with its fidelity', () => {
    const data = randomMatrix(300, 2, 9);
    data.values[0] = Number.NaN;
    const step = new Float64Array(300);
    for (let r = 0; r < 300; r++) step[r] = Number.isNaN(data.values[r * 2]!) || data.values[r * 2]! >= 0.25 ? 3 : 1;
    const tree = fitSurrogateTree(data, step, ['a', 'b'], { maxDepth: 2 });
    expect(tree.fidelityR2).toBeCloseTo(1, 12);
    expect(tree.nodes[0]!.name).toBe('a');
    expect(tree.nodes[0]!.missingLeft).toBe(false);
    expect(Array.from(predictSurrogate(tree, data))).toEqual(Array.from(step));
    expect(surrogateRules(tree)[0]).toMatch(/^if a < /);
    const margins = new Float64Array(x.rows);
    for (let r = 0; r < x.rows; r++) for (let j = 0; j < shap.width; j++) margins[r]! += shap.values[r * shap.width + j]!;
    const real = fitSurrogateTree(x, margins, model.featureNames, { maxDepth: 3 });
    expect(real.fidelityR2).toBeGreaterThan(0.3);
    expect(real.nodes.length).toBeLessThanOrEqual(15);
  });
});

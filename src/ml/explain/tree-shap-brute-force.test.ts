/**
 * Checks TreeSHAP, its interaction values and interventional TreeSHAP against Shapley values
 * computed by brute-force enumeration of all 2^M coalitions on an 11-feature golden model.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenCase, readNumericCsv } from '../../../test/support/golden.js';
import type { FeatureMatrix, Tree, TreeEnsemble } from '../gbdt/index.js';
import { baseMargin, parseXgboostModel } from '../gbdt/index.js';
import { interventionalTreeShap } from './interventional-tree-shap.js';
import { treeShap } from './tree-shap.js';
import { treeShapInteractions } from './tree-shap-interactions.js';

const dir = goldenCase('credit_default_training_parity');
const model = parseXgboostModel(readFileSync(join(dir, 'model.json'), 'utf8'));
const input = readNumericCsv(join(dir, 'input.csv'));
const M = model.numFeature;
const rowsToCheck = 3;
const x: FeatureMatrix = { rows: rowsToCheck, cols: M, values: Float32Array.from(input.values.subarray(0, rowsToCheck * M)) };

function goesLeft(tree: Tree, n: number, v: number): boolean {
  return Number.isNaN(v) ? tree.defaultLeft[n] === 1 : Math.fround(v) < tree.threshold[n]!;
}

/** Path-dependent value function E[f(x) | x_S] (Lundberg et al. 2018, Algorithm 1). */
function pathValue(m: TreeEnsemble, row: ArrayLike<number>, inS: (f: number) => boolean): number {
  let total = baseMargin(m);
  for (const tree of m.trees) {
    const rec = (n: number): number => {
      if (tree.left[n] === -1) return tree.value[n]!;
      const f = tree.splitFeature[n]!;
      const l = tree.left[n]!;
      const r = tree.right[n]!;
      if (inS(f)) return rec(goesLeft(tree, n, row[f]!) ? l : r);
      return (rec(l) * tree.cover[l]! + rec(r) * tree.cover[r]!) / tree.cover[n]!;
    };
    total += rec(0);
  }
  return total;
}

function exactMargin(m: TreeEnsemble, row: ArrayLike<number>): number {
  let total = baseMargin(m);
  for (const tree of m.trees) {
    let n = 0;
    while (tree.left[n] !== -1) n = goesLeft(tree, n, row[tree.splitFeature[n]!]!) ? tree.left[n]! : tree.right[n]!;
    total += tree.value[n]!;
  }
  return total;
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

function popcount(v: number): number {
  let c = 0;
  for (let s = v; s; s &= s - 1) c++;
  return c;
}

function gameValues(value: (mask: number) => number): Float64Array {
  const v = new Float64Array(1 << M);
  for (let mask = 0; mask < 1 << M; mask++) v[mask] = value(mask);
  return v;
}

function shapley(v: Float64Array): Float64Array {
  const phi = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    for (let mask = 0; mask < 1 << M; mask++) {
      if (mask & (1 << i)) continue;
      const s = popcount(mask);
      phi[i]! += ((factorial(s) * factorial(M - s - 1)) / factorial(M)) * (v[mask | (1 << i)]! - v[mask]!);
    }
  }
  return phi;
}

describe('TreeSHAP against brute-force Shapley values', () => {
  const shap = treeShap(model, x);
  const inter = treeShapInteractions(model, x);
  const W = M + 1;

  for (let r = 0; r < rowsToCheck; r++) {
    const row = x.values.subarray(r * M, (r + 1) * M);
    const v = gameValues((mask) => pathValue(model, row, (f) => (mask & (1 << f)) !== 0));

    it(`row ${r}: SHAP values equal the path-dependent game's Shapley values`, () => {
      const phi = shapley(v);
      for (let i = 0; i < M; i++) expect(shap.values[r * W + i]!).toBeCloseTo(phi[i]!, 9);
      expect(shap.values[r * W + M]!).toBeCloseTo(v[0]!, 9);
    });

    it(`row ${r}: interaction values equal the Shapley interaction index and sum to SHAP values`, () => {
      const block = r * W * W;
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < M; j++) {
          if (i === j) continue;
          let sii = 0;
          for (let mask = 0; mask < 1 << M; mask++) {
            if (mask & ((1 << i) | (1 << j))) continue;
            const s = popcount(mask);
            const w = (factorial(s) * factorial(M - s - 2)) / (2 * factorial(M - 1));
            sii += w * (v[mask | (1 << i) | (1 << j)]! - v[mask | (1 << i)]! - v[mask | (1 << j)]! + v[mask]!);
          }
          expect(inter.values[block + i * W + j]!).toBeCloseTo(sii, 9);
        }
        let rowSum = 0;
        for (let j = 0; j < W; j++) rowSum += inter.values[block + i * W + j]!;
        expect(rowSum).toBeCloseTo(shap.values[r * W + i]!, 9);
      }
      expect(inter.values[block + M * W + M]!).toBeCloseTo(shap.values[r * W + M]!, 12);
    });
  }

  it('interventional TreeSHAP equals the Shapley values of the background-averaged game', () => {
    const R = 4;
    const bg: FeatureMatrix = { rows: R, cols: M, values: Float32Array.from(input.values.subarray(100 * M, (100 + R) * M)) };
    const result = interventionalTreeShap(model, x, bg);
    let meanBg = 0;
    for (let b = 0; b < R; b++) meanBg += exactMargin(model, bg.values.subarray(b * M, (b + 1) * M)) / R;
    const hybrid = new Float64Array(M);
    for (let r = 0; r < rowsToCheck; r++) {
      const row = x.values.subarray(r * M, (r + 1) * M);
      const v = gameValues((mask) => {
        let total = 0;
        for (let b = 0; b < R; b++) {
          for (let f = 0; f < M; f++) hybrid[f] = mask & (1 << f) ? row[f]! : bg.values[b * M + f]!;
          total += exactMargin(model, hybrid) / R;
        }
        return total;
      });
      const phi = shapley(v);
      let sum = 0;
      for (let i = 0; i < M; i++) {
        expect(result.values[r * W + i]!).toBeCloseTo(phi[i]!, 9);
        sum += result.values[r * W + i]!;
      }
      expect(result.values[r * W + M]!).toBeCloseTo(meanBg, 9);
      expect(sum).toBeCloseTo(exactMargin(model, row) - meanBg, 9);
    }
  });
});

describe('treeShap with a background', () => {
  it('gives interventional values that sum to f(x) − mean f(background) (fast-check rows)', async () => {
    const fc = (await import('fast-check')).default;
    const bg: FeatureMatrix = { rows: 20, cols: M, values: Float32Array.from(input.values.subarray(200 * M, 220 * M)) };
    let meanBg = 0;
    for (let b = 0; b < bg.rows; b++) meanBg += exactMargin(model, bg.values.subarray(b * M, (b + 1) * M)) / bg.rows;
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(Number.NaN), fc.integer({ min: -3, max: 8 }), fc.double({ min: -1e5, max: 1e6, noNaN: true })), { minLength: M, maxLength: M }), (row) => {
        const one: FeatureMatrix = { rows: 1, cols: M, values: Float32Array.from(row) };
        const result = treeShap(model, one, { background: bg });
        let sum = 0;
        for (let i = 0; i < M; i++) sum += result.values[i]!;
        return Math.abs(result.values[M]! - meanBg) < 1e-9 && Math.abs(sum - (exactMargin(model, one.values) - meanBg)) < 1e-9;
      }),
      { numRuns: 100, seed: 3 },
    );
  });
});

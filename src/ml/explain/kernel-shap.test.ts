import { describe, expect, it } from 'vitest';
import { createRandom } from '../../kernel/index.js';
import type { FeatureMatrix } from '../gbdt/index.js';
import { kernelShap } from './kernel-shap.js';
import { kmeansSummary } from './kmeans-summary.js';

function randomMatrix(rows: number, cols: number, seed: number): FeatureMatrix {
  const random = createRandom(seed);
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < values.length; i++) values[i] = Math.fround(random.nextNormal());
  return { rows, cols, values };
}

function popcount(v: number): number {
  let c = 0;
  for (let s = v; s; s &= s - 1) c++;
  return c;
}

/** Exact Shapley values of v(S) = link(mean_b f(x_S, b_S̄)) by enumerating all 2^M coalitions. */
function bruteForce(f: (row: Float64Array) => number, x: Float32Array, bg: FeatureMatrix, link: (p: number) => number): Float64Array {
  const M = x.length;
  const v = new Float64Array(1 << M);
  const row = new Float64Array(M);
  for (let mask = 0; mask < 1 << M; mask++) {
    let s = 0;
    for (let b = 0; b < bg.rows; b++) {
      for (let j = 0; j < M; j++) row[j] = mask & (1 << j) ? x[j]! : bg.values[b * M + j]!;
      s += f(row);
    }
    v[mask] = link(s / bg.rows);
  }
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const phi = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    for (let mask = 0; mask < 1 << M; mask++) {
      if (mask & (1 << i)) continue;
      const s = popcount(mask);
      phi[i]! += ((fact(s) * fact(M - s - 1)) / fact(M)) * (v[mask | (1 << i)]! - v[mask]!);
    }
  }
  return phi;
}

const rowModel = (f: (row: Float64Array) => number) => (m: FeatureMatrix) => {
  const out = new Float64Array(m.rows);
  const row = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) {
    for (let j = 0; j < m.cols; j++) row[j] = m.values[r * m.cols + j]!;
    out[r] = f(row);
  }
  return out;
};

describe('KernelSHAP', () => {
  it('reproduces the closed form w_j (x_j − E x_j) on a linear model, even when sampling', () => {
    const cols = 23;
    const w = Array.from({ length: cols }, (_, j) => (j % 3) - 1 + j / 10);
    const f = (row: Float64Array) => 0.5 + row.reduce((s, v, j) => s + w[j]! * v, 0);
    const bg = randomMatrix(20, cols, 1);
    const x = randomMatrix(3, cols, 2);
    const result = kernelShap(rowModel(f), x, { background: bg, nsamples: 500, seed: 3 });
    expect(result.exact[0]).toBe(0);
    for (let r = 0; r < x.rows; r++) {
      for (let j = 0; j < cols; j++) {
        let mean = 0;
        for (let b = 0; b < bg.rows; b++) mean += bg.values[b * cols + j]! / bg.rows;
        expect(result.values[r * (cols + 1) + j]!).toBeCloseTo(w[j]! * (x.values[r * cols + j]! - mean), 8);
      }
    }
  });

  it.each(['identity', 'logit'] as const)('equals brute-force Shapley values on a 9-feature nonlinear model (%s link)', (link) => {
    const M = 9;
    const raw = (r: Float64Array) => r[0]! * r[1]! + Math.sin(r[2]!) + Math.max(r[3]!, r[4]!) * r[5]! - r[6]! * r[7]! * r[8]! + r[0]!;
    const f = link === 'logit' ? (r: Float64Array) => 1 / (1 + Math.exp(-raw(r))) : raw;
    const bg = randomMatrix(6, M, 11);
    const x = randomMatrix(2, M, 12);
    const result = kernelShap(rowModel(f), x, { background: bg, link, seed: 5 });
    const linkFn = link === 'logit' ? (p: number) => Math.log(p / (1 - p)) : (p: number) => p;
    for (let r = 0; r < x.rows; r++) {
      expect(result.exact[r]).toBe(1);
      const phi = bruteForce(f, x.values.subarray(r * M, (r + 1) * M), bg, linkFn);
      for (let j = 0; j < M; j++) expect(Math.abs(result.values[r * (M + 1) + j]! - phi[j]!)).toBeLessThan(1e-6);
    }
  });

  it('treats features equal to every background row as non-players and is seed-deterministic', () => {
    const M = 12;
    const f = (r: Float64Array) => r.reduce((s, v, j) => s + v * v * (j + 1), 0);
    const bg = randomMatrix(10, M, 21);
    const x = randomMatrix(1, M, 22);
    for (let b = 0; b < bg.rows; b++) bg.values[b * M + 4] = x.values[4]!;
    const a = kernelShap(rowModel(f), x, { background: bg, nsamples: 200, seed: 9 });
    const b = kernelShap(rowModel(f), x, { background: bg, nsamples: 200, seed: 9 });
    expect(a.values).toEqual(b.values);
    expect(a.values[4]).toBe(0);
    const total = a.values.subarray(0, M).reduce((s, v) => s + v, 0);
    expect(total).toBeCloseTo(f(Float64Array.from(x.values)) - a.expectedValue, 8);
  });

  it('summarises background data with seeded, weighted k-means', () => {
    const data = randomMatrix(300, 4, 31);
    const one = kmeansSummary(data, 5, { seed: 1 });
    const two = kmeansSummary(data, 5, { seed: 1 });
    expect(one.background.values).toEqual(two.background.values);
    expect(one.weights.reduce((s, v) => s + v, 0)).toBe(300);
    const observed = new Set(data.values);
    for (const v of one.background.values) expect(observed.has(v)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { categoricalColumn, numericColumn } from '../data/index.js';
import { createRandom } from '../kernel/index.js';
import { benjaminiHochberg, defaultStatTest, driftReport, predictionDrift } from './drift-report.js';
import { distributionFromColumn } from './feature-distribution.js';

const normal = (n: number, seed: number, shift = 0) => {
  const r = createRandom(seed);
  return Float64Array.from({ length: n }, () => r.nextNormal() + shift);
};

describe('drift report', () => {
  it("chooses Evidently's default test by reference size, type and unique values", () => {
    expect(defaultStatTest('numeric', 1000, 50)).toBe('ks');
    expect(defaultStatTest('numeric', 1000, 4)).toBe('chisquare');
    expect(defaultStatTest('categorical', 500, 2)).toBe('z');
    expect(defaultStatTest('numeric', 1001, 50)).toBe('wasserstein');
    expect(defaultStatTest('numeric', 5000, 5)).toBe('jensenshannon');
    expect(defaultStatTest('categorical', 5000, 30)).toBe('jensenshannon');
  });

  it('Benjamini–Hochberg adjusted p-values', () => {
    const adj = benjaminiHochberg([0.01, 0.04, 0.03, 0.5, Number.NaN]);
    expect(adj.slice(0, 4).map((x) => Number(x.toFixed(6)))).toEqual([0.04, 0.053333, 0.053333, 0.5]);
    expect(adj[4]).toBeNaN();
  });

  it('the effect-size floor keeps huge samples from flagging negligible shifts', () => {
    const ref = distributionFromColumn(numericColumn('x', normal(200_000, 1)));
    const cur = distributionFromColumn(numericColumn('x', normal(200_000, 2, 0.03)));
    const r = driftReport([ref], [cur], { stattest: { x: 'ks' } });
    const f = r.features[0]!;
    expect(f.test.evidentlyDrift).toBe(true);
    expect(f.ks!.pValue).toBeLessThan(1e-6);
    expect(f.effectSize).toBeLessThan(0.05);
    expect(f.drifted).toBe(false);
    expect(driftReport([ref], [cur], { stattest: { x: 'ks' }, effectSizeFloor: 0 }).features[0]!.drifted).toBe(true);
  });

  it('small samples use KS / chi-square / z with correction; the dataset drifts past the share', () => {
    const r = createRandom(9);
    const ref = [
      numericColumn('a', normal(800, 3)),
      numericColumn('b', normal(800, 4)),
      categoricalColumn('c', Array.from({ length: 800 }, () => (r.next() < 0.5 ? 'x' : r.next() < 0.5 ? 'y' : 'z'))),
      categoricalColumn('d', Array.from({ length: 800 }, () => (r.next() < 0.5 ? 'yes' : 'no'))),
    ].map(distributionFromColumn);
    const cur = [
      numericColumn('a', normal(400, 5, 0.8)),
      numericColumn('b', normal(400, 6)),
      categoricalColumn('c', Array.from({ length: 400 }, () => (r.next() < 0.2 ? 'x' : r.next() < 0.5 ? 'y' : 'z'))),
      categoricalColumn('d', Array.from({ length: 400 }, () => (r.next() < 0.5 ? 'yes' : 'no'))),
    ].map(distributionFromColumn);
    const rep = driftReport(ref, cur);
    expect(rep.features.map((f) => f.test.name)).toEqual(['ks', 'ks', 'chisquare', 'z']);
    expect(rep.driftedFeatures).toEqual(['a', 'c']);
    expect(rep.driftShare).toBe(0.5);
    expect(rep.datasetDrift).toBe(true);
    for (const f of rep.features) expect(f.adjustedPValue).toBeGreaterThanOrEqual(f.test.value);
  });

  it('prediction drift on model scores', () => {
    const r = createRandom(4);
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    const ref = distributionFromColumn(numericColumn('score', Float64Array.from({ length: 5000 }, () => sig(r.nextNormal() - 1.5))));
    const same = distributionFromColumn(numericColumn('score', Float64Array.from({ length: 2000 }, () => sig(r.nextNormal() - 1.5))));
    const moved = distributionFromColumn(numericColumn('score', Float64Array.from({ length: 2000 }, () => sig(r.nextNormal() - 0.8))));
    expect(predictionDrift(ref, same).drifted).toBe(false);
    const d = predictionDrift(ref, moved);
    expect(d.test.name).toBe('wasserstein');
    expect(d.drifted).toBe(true);
    expect(d.psi!.band).not.toBe('stable');
  });
});

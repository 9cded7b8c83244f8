/**
 * The validation analytics against scikit-learn 1.2 / numpy (test/fixtures/challenge, made by
 * make_reference.py there) and by their properties: a model compared with itself differs by
 * nothing, a stress scenario of ×1 flips nothing, the bootstrap is reproducible per seed.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, readJson } from '../../../test/support/golden.js';
import { categoricalColumn, numericColumn } from '../../data/index.js';
import type { FeatureMatrix } from '../../data/index.js';
import { rocAuc } from '../metrics/index.js';
import { applyTransforms, assignPeriods, backtest, compareChallenger, pairedAucBootstrap, rankScores, scorePercentiles, stressTest, summarizeScores, weightedAuc } from './index.js';

interface Summary {
  auc: number;
  ks: number;
  log_loss: number;
  brier: number;
  accuracy: number;
}
interface Reference {
  labels: number[];
  candidate: number[];
  champion: number[];
  weights: number[][];
  weighted_auc_candidate: number[];
  weighted_auc_champion: number[];
  percentiles_candidate: Record<string, number>;
  candidate_summary: Summary;
  champion_summary: Summary;
}
const ref = readJson<Reference>(join(FIXTURES_DIR, 'challenge', 'sklearn_reference.json'));
const labels = Float64Array.from(ref.labels);
const candidate = Float64Array.from(ref.candidate);
const champion = Float64Array.from(ref.champion);

const close = (actual: number | null, expected: number, tol = 1e-12) => expect(Math.abs((actual ?? Number.NaN) - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));

describe('against scikit-learn', () => {
  it('weighted AUC equals roc_auc_score(sample_weight=…)', () => {
    ref.weights.forEach((w, k) => {
      close(weightedAuc(labels, rankScores(candidate), w), ref.weighted_auc_candidate[k]!);
      close(weightedAuc(labels, rankScores(champion), w), ref.weighted_auc_champion[k]!);
    });
    close(weightedAuc(labels, rankScores(candidate)), ref.candidate_summary.auc);
  });

  it('the challenger summary equals sklearn metrics and numpy percentiles', () => {
    const c = compareChallenger(labels, candidate, champion, { threshold: 0.5, replicates: 200, seed: 7 });
    for (const [side, expected] of [
      [c.candidate, ref.candidate_summary],
      [c.champion, ref.champion_summary],
    ] as const) {
      close(side.metrics.auc, expected.auc);
      close(side.metrics.ks, expected.ks);
      close(side.metrics.logLoss, expected.log_loss);
      close(side.metrics.brier, expected.brier);
      close(side.metrics.accuracy, expected.accuracy);
    }
    close(c.difference.auc, ref.candidate_summary.auc - ref.champion_summary.auc);
    close(c.aucDifference.difference, ref.candidate_summary.auc - ref.champion_summary.auc);
    for (const [p, v] of Object.entries(ref.percentiles_candidate)) close(scorePercentiles(candidate)[p]!, v);
  });
});

describe('paired bootstrap of the AUC difference', () => {
  it('is reproducible per seed, covers the point estimate and agrees with expanding rows by multiplicity', () => {
    const a = pairedAucBootstrap(labels, candidate, champion, { replicates: 300, seed: 11 });
    const b = pairedAucBootstrap(labels, candidate, champion, { replicates: 300, seed: 11 });
    expect(a).toEqual(b);
    expect(pairedAucBootstrap(labels, candidate, champion, { replicates: 300, seed: 12 }).lower).not.toBe(a.lower);
    expect(a.lower).toBeLessThan(a.difference);
    expect(a.upper).toBeGreaterThan(a.difference);
    expect(a.lower).toBeGreaterThan(0);
    expect(a.skipped).toBe(0);
    // A weighting by multiplicities is the AUC of the rows repeated that many times.
    const w = ref.weights[0]!;
    const ys: number[] = [];
    const ss: number[] = [];
    w.forEach((m, i) => {
      for (let k = 0; k < m; k++) {
        ys.push(labels[i]!);
        ss.push(candidate[i]!);
      }
    });
    close(weightedAuc(labels, rankScores(candidate), w), rocAuc(ys, ss));
  });

  it('property: a model compared with itself has zero difference, full agreement and a zero interval', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 20 })), { minLength: 4, maxLength: 60 }), fc.integer(), (rows, seed) => {
        const y = Float64Array.from([0, 1, ...rows.map((r) => r[0])]);
        const s = Float64Array.from([0.3, 0.6, ...rows.map((r) => r[1] / 20)]);
        const c = compareChallenger(y, s, s, { threshold: 0.5, replicates: 20, seed });
        expect(c.difference.auc).toBe(0);
        expect(c.difference.logLoss).toBe(0);
        expect(c.aucDifference.lower).toBe(0);
        expect(c.aucDifference.upper).toBe(0);
        expect(c.agreement.flips).toBe(0);
        expect(c.agreement.agreementRate).toBe(1);
      }),
      { numRuns: 50 },
    );
  });

  it('property: weighted AUC with unit weights is rocAuc', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 9 })), { minLength: 2, maxLength: 80 }), (rows) => {
        const y = Float64Array.from([0, 1, ...rows.map((r) => r[0])]);
        const s = Float64Array.from([0.5, 0.5, ...rows.map((r) => r[1] / 10)]);
        close(weightedAuc(y, rankScores(s)), rocAuc(y, s), 1e-12);
      }),
    );
  });
});

describe('decision agreement', () => {
  it('counts flips in each direction at score ≥ threshold', () => {
    const c = compareChallenger(Float64Array.of(0, 1, 0, 1), Float64Array.of(0.6, 0.5, 0.2, 0.4), Float64Array.of(0.4, 0.5, 0.7, 0.4), { threshold: 0.5, replicates: 10, seed: 1 });
    expect(c.agreement).toMatchObject({ bothPositive: 1, bothNegative: 1, candidateOnlyPositive: 1, championOnlyPositive: 1, flips: 2, agreementRate: 0.5 });
  });
});

describe('back-testing', () => {
  const month = (y: number, m: number, d = 1) => Date.UTC(y, m - 1, d);
  const dates = numericColumn('application_date', Float64Array.of(month(2024, 1, 3), month(2024, 1, 20), month(2024, 2, 1), month(2024, 2, 28), month(2024, 4, 5), Number.NaN, month(2024, 4, 9)), 'datetime');
  const y = Float64Array.of(0, 1, 1, 0, 0, 1, 1);
  const s = Float64Array.of(0.2, 0.8, 0.4, 0.6, 0.1, 0.9, 0.3);

  it('assigns months, quarters, values and windows, in time order', () => {
    expect(assignPeriods(dates, { granularity: 'month' }).periods.map((p) => [p.name, [...p.rows]])).toEqual([
      ['2024-01', [0, 1]],
      ['2024-02', [2, 3]],
      ['2024-04', [4, 6]],
    ]);
    expect(assignPeriods(dates, { granularity: 'quarter' }).periods.map((p) => p.name)).toEqual(['2024-Q1', '2024-Q2']);
    expect(assignPeriods(dates, { granularity: 'year' }).unassigned).toBe(1);
    const w = assignPeriods(dates, { windows: [{ name: 'h1', from: '2024-01-01', to: '2024-02-15' }, { name: 'late', from: '2024-02-01', to: '2024-07-01' }] });
    expect(w.periods.map((p) => [p.name, p.rows.length])).toEqual([
      ['h1', 3],
      ['late', 4],
    ]);
    expect(w.unassigned).toBe(1);
    expect(assignPeriods(categoricalColumn('vintage', ['b', 'a', 'b', null]), { granularity: 'value' }).periods.map((p) => p.name)).toEqual(['a', 'b']);
    expect(() => assignPeriods(numericColumn('n', Float64Array.of(1, 2), 'integer'), { granularity: 'month' })).toThrow(/datetime/);
  });

  it('computes metrics per period with row counts and flags the weak ones', () => {
    const b = backtest(y, s, dates, { granularity: 'month' }, { threshold: 0.5, flag: { metric: 'auc', below: 0.75 } });
    expect(b.periods.map((p) => [p.period, p.rows, p.metrics.auc])).toEqual([
      ['2024-01', 2, 1],
      ['2024-02', 2, 0],
      ['2024-04', 2, 1],
    ]);
    expect(b.flaggedPeriods).toEqual(['2024-02']);
    expect(b.periods[1]!.reasons[0]).toMatch(/auc 0.0000 < 0.75/);
    // Each period's summary is the summary of its rows alone.
    expect(b.periods[0]!.metrics).toEqual(summarizeScores(Float64Array.of(0, 1), Float64Array.of(0.2, 0.8), 0.5).metrics);
    expect(b.unassignedRows).toBe(1);
  });
});

describe('stress tests', () => {
  const x: FeatureMatrix = { rows: 4, cols: 2, values: Float32Array.of(100, 0.2, 50, 0.9, Number.NaN, 0.5, 30, 0.1) };
  const names = ['income', 'utilisation'];
  // A score rising with utilisation and falling with income.
  const score = (m: FeatureMatrix) => Float64Array.from({ length: m.rows }, (_, i) => 1 / (1 + Math.exp(-(4 * m.values[i * 2 + 1]! - (Number.isNaN(m.values[i * 2]!) ? 60 : m.values[i * 2]!) / 50))));

  it('transforms a copy: multiply, add, set, clip; missing values stay missing', () => {
    const t = applyTransforms(x, names, [{ feature: 'income', multiply: 0.8 }, { feature: 'utilisation', add: 0.3 }, { feature: 'utilisation', clip: { max: 1 } }]);
    expect([...t.values]).toEqual([...Float32Array.of(80, 0.5, 40, 1, Number.NaN, 0.8, 24, 0.4)]);
    expect(x.values[0]).toBe(100);
    expect([...applyTransforms(x, names, [{ feature: 'income', set: 10 }]).values].filter((_, i) => i % 2 === 0)).toEqual([10, 10, 10, 10]);
    expect(() => applyTransforms(x, names, [{ feature: 'age', add: 1 }])).toThrow(/no feature age/);
  });

  it('reports score shifts, flips and percentiles per scenario', () => {
    const r = stressTest(x, names, score, [{ name: 'income -20%', feature: 'income', multiply: 0.8 }, { name: 'utilisation +30%', transforms: [{ feature: 'utilisation', multiply: 1.3 }, { feature: 'utilisation', clip: { min: 0, max: 1 } }] }], { threshold: 0.5, labels: Float64Array.of(0, 1, 1, 0) });
    const [income, util] = r.scenarios;
    expect(income!.meanShift).toBeGreaterThan(0);
    expect(util!.meanShift).toBeGreaterThan(0);
    expect(income!.flippedToNegative).toBe(0);
    expect(income!.flipped).toBe(income!.flippedToPositive);
    expect(income!.flippedShare).toBe(income!.flipped / 4);
    expect(income!.percentilesAfter.p50).toBeGreaterThanOrEqual(income!.percentilesBefore.p50!);
    expect(income!.aucBefore).not.toBeNull();
  });

  it('property: multiply 1.0 and add 0 shift nothing and flip nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.float({ min: 0, max: 200, noNaN: true }), fc.float({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 40 }), fc.double({ min: 0.05, max: 0.95, noNaN: true }), (rows, threshold) => {
        const m: FeatureMatrix = { rows: rows.length, cols: 2, values: Float32Array.from(rows.flat()) };
        const r = stressTest(m, names, score, [{ name: 'identity', feature: 'income', multiply: 1 }, { name: 'zero', feature: 'utilisation', add: 0 }], { threshold });
        for (const s of r.scenarios) {
          expect(s.flipped).toBe(0);
          expect(s.meanAbsoluteShift).toBe(0);
          expect(s.percentilesAfter).toEqual(s.percentilesBefore);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('stress scenario schema', () => {
  it('takes one transform or a list, each with exactly one operation', async () => {
    const { StressScenarioSchema } = await import('./index.js');
    expect(StressScenarioSchema.safeParse({ name: 'a', feature: 'income', multiply: 0.8 }).success).toBe(true);
    expect(StressScenarioSchema.safeParse({ name: 'b', transforms: [{ feature: 'u', clip: { max: 1 } }] }).success).toBe(true);
    expect(StressScenarioSchema.safeParse({ name: 'c', feature: 'income', multiply: 1, add: 2 }).success).toBe(false);
    expect(StressScenarioSchema.safeParse({ name: 'd', feature: 'income' }).success).toBe(false);
    expect(StressScenarioSchema.safeParse({ name: 'e', transforms: [{ feature: 'u', set: 1, add: 1 }] }).success).toBe(false);
  });
});

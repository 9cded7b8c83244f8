import { describe, expect, it } from 'vitest';
import { categoricalColumn, numericColumn, profileFrame } from '../data/index.js';
import { completenessLowerBound, monitorCheck, parseStatistics, suggestBaseline, suggestConstraints, suggestDomain } from './index.js';

describe('Deequ suggestion rules', () => {
  it('RetainCompleteness: Wald lower bound truncated to 2 decimals', () => {
    // p = 0.9, n = 1000: 0.9 − 1.96·√(0.09/1000) = 0.88140… → 0.88
    expect(completenessLowerBound(0.9, 1000)).toBe(0.88);
    const values = Float64Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? Number.NaN : i));
    const c = suggestConstraints(profileFrame({ rowCount: 1000, columns: [numericColumn('x', values)] }));
    expect(c.features[0]!.completeness).toBe(0.88);
    const sparse = Float64Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? i : Number.NaN));
    expect(suggestConstraints(profileFrame({ rowCount: 100, columns: [numericColumn('x', sparse)] })).features[0]!.completeness).toBeUndefined();
  });
  it('CategoricalRange needs few singletons; FractionalCategoricalRange keeps the top 90 %', () => {
    const many = Array.from({ length: 1000 }, (_, i) => (i < 500 ? 'a' : i < 900 ? 'b' : `rare${i}`));
    const p = profileFrame({ rowCount: 1000, columns: [categoricalColumn('s', many)] }).columns[0]!;
    if (p.kind !== 'categorical') throw new Error('categorical expected');
    // 100 singletons of 102 distinct: ratio > 0.4, no domain
    expect(suggestDomain(p)).toBeUndefined();
    const spec: [string, number][] = [['a', 600], ['b', 300], ['c', 50], ['d', 40], ['e', 8], ['x', 1], ['y', 1]];
    const some = spec.flatMap(([v, k]) => Array.from({ length: k }, () => v));
    const q = profileFrame({ rowCount: 1000, columns: [categoricalColumn('s', some)] }).columns[0]!;
    if (q.kind !== 'categorical') throw new Error('categorical expected');
    // 2 singletons of 7 distinct (0.29 ≤ 0.4): the top values covering 90 % are kept.
    expect(suggestDomain(q)).toEqual(['a', 'b']);
    const few = profileFrame({ rowCount: 6, columns: [categoricalColumn('s', ['u', 'v', 'u', 'v', 'w', 'w'])] }).columns[0]!;
    if (few.kind !== 'categorical') throw new Error('categorical expected');
    expect(suggestDomain(few)).toEqual(['u', 'v', 'w']);
  });
});

describe('degenerate inputs', () => {
  it('all-missing and empty columns give Unknown types and valid files', () => {
    const frame = { rowCount: 3, columns: [numericColumn('nothing', Float64Array.from([Number.NaN, Number.NaN, Number.NaN])), categoricalColumn('blank', [null, null, null])] };
    const base = suggestBaseline(frame);
    expect(base.statistics.features.map((f) => f.inferred_type)).toEqual(['Unknown', 'Unknown']);
    parseStatistics(JSON.parse(JSON.stringify(base.statistics)));
    expect(base.constraints.features[0]!.completeness).toBeUndefined();
    const res = monitorCheck(base, frame);
    expect(res.violations.violations).toEqual([]);
    expect(res.driftReport.features).toEqual([]);
  });
  it('an empty window only reports nothing it cannot measure', () => {
    const base = suggestBaseline({ rowCount: 4, columns: [numericColumn('x', Float64Array.from([1, 2, 3, 4]))] });
    const res = monitorCheck(base, { rowCount: 0, columns: [numericColumn('x', new Float64Array(0))] });
    expect(res.violations.violations).toEqual([]);
    expect(res.statistics.dataset.item_count).toBe(0);
  });
  it('a constant column has ten buckets with every value in the last', () => {
    const base = suggestBaseline({ rowCount: 5, columns: [numericColumn('k', Float64Array.from([7, 7, 7, 7, 7]))] });
    const b = base.statistics.features[0]!.numerical_statistics!.distribution.kll.buckets;
    expect(b.map((x) => x.count)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 5]);
  });
});

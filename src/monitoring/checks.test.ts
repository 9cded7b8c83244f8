import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN_DIR, readNumericCsv } from '../../test/support/golden.js';
import type { Column, ColumnFrame } from '../data/index.js';
import { categoricalColumn, numericColumn } from '../data/index.js';
import { createRandom } from '../kernel/index.js';
import type { Baseline, ConstraintCheckType } from './index.js';
import { monitorCheck, parseConstraints, parseStatistics, suggestBaseline, withOverrides } from './index.js';

const CATEGORICAL = new Set(['SEX', 'EDUCATION', 'MARRIAGE']);

function creditFrame(file: string, from = 0, to?: number): ColumnFrame {
  const csv = readNumericCsv(join(GOLDEN_DIR, 'stats', file));
  const end = to ?? csv.rows;
  const columns: Column[] = csv.header.map((name, c) => {
    const vals: number[] = [];
    for (let r = from; r < end; r++) vals.push(csv.values[r * csv.cols + c]!);
    return CATEGORICAL.has(name) ? categoricalColumn(name, vals.map(String)) : numericColumn(name, Float64Array.from(vals), 'integer');
  });
  return { rowCount: end - from, columns };
}

/** A seeded synthetic population; `shift` moves named columns. */
function synthetic(rows: number, seed: number, shift: Record<string, number> = {}): ColumnFrame {
  const r = createRandom(seed);
  const num = (name: string, f: () => number, dtype: 'fractional' | 'integer' = 'fractional') => numericColumn(name, Float64Array.from({ length: rows }, () => f() + (shift[name] ?? 0)), dtype);
  const cats = ['A', 'B', 'C', 'D'];
  const catShift = shift.segment ?? 0;
  return {
    rowCount: rows,
    columns: [
      num('income', () => 50 + 10 * r.nextNormal()),
      num('balance', () => Math.exp(r.nextNormal())),
      num('age', () => Math.floor(20 + r.next() * 50), 'integer'),
      num('score', () => r.next()),
      categoricalColumn(
        'segment',
        Array.from({ length: rows }, () => (r.next() < catShift ? 'D' : cats[Math.min(3, Math.floor(r.next() ** 2 * 4))]!)),
      ),
      categoricalColumn('region', Array.from({ length: rows }, () => (r.next() < 0.5 ? 'north' : 'south'))),
    ],
  };
}

function kinds(result: ReturnType<typeof monitorCheck>, type: ConstraintCheckType): string[] {
  return result.violations.violations.filter((v) => v.constraint_check_type === type).map((v) => v.feature_name).sort();
}

function replace(frame: ColumnFrame, column: Column): ColumnFrame {
  return { ...frame, columns: frame.columns.map((c) => (c.name === column.name ? column : c)) };
}

describe('baseline suggest', () => {
  const base = suggestBaseline(synthetic(5000, 1));
  it('writes statistics.json and constraints.json in Model Monitor shapes', () => {
    const json = JSON.parse(JSON.stringify(base.statistics));
    const stats = parseStatistics(json);
    expect(stats.dataset.item_count).toBe(5000);
    const income = stats.features.find((f) => f.name === 'income')!;
    expect(income.inferred_type).toBe('Fractional');
    const kll = income.numerical_statistics!.distribution.kll;
    expect(kll.buckets).toHaveLength(10);
    expect(kll.buckets.reduce((s, b) => s + b.count, 0)).toBe(5000);
    expect(kll.sketch.parameters).toEqual({ c: 0.64, k: 2048 });
    expect(kll.buckets[0]!.lower_bound).toBe(income.numerical_statistics!.min);
    expect(kll.buckets[9]!.upper_bound).toBe(income.numerical_statistics!.max);
    const age = stats.features.find((f) => f.name === 'age')!;
    expect(age.inferred_type).toBe('Integral');
    const seg = stats.features.find((f) => f.name === 'segment')!;
    expect(seg.inferred_type).toBe('String');
    expect(seg.string_statistics!.distinct_count).toBe(4);
    const cons = parseConstraints(JSON.parse(JSON.stringify(base.constraints)));
    expect(cons.monitoring_config.distribution_constraints).toMatchObject({ perform_comparison: 'Enabled', comparison_threshold: 0.1, comparison_method: 'Robust', categorical_drift_method: 'LInfinity' });
    const segC = cons.features.find((f) => f.name === 'segment')!;
    expect(segC.completeness).toBe(1);
    expect([...segC.string_constraints!.domains!].sort()).toEqual(['A', 'B', 'C', 'D']);
    expect(cons.features.find((f) => f.name === 'balance')!.num_constraints).toEqual({ is_non_negative: true });
    expect(cons.features.find((f) => f.name === 'income')!.num_constraints).toEqual({ is_non_negative: true });
  });
  it('rejects malformed baseline files with INVALID_INPUT', () => {
    expect(() => parseStatistics({ version: 0 })).toThrow(/statistics.json is not valid/);
    expect(() => parseConstraints({ version: 0, features: [], monitoring_config: { evaluate_constraints: 'Maybe' } })).toThrow(/constraints.json is not valid/);
    expect(() => parseConstraints({ version: 0, monitoring_config: {} })).toThrow(/constraints.json is not valid/);
  });
});

describe('monitor check on synthetic windows', () => {
  const base: Baseline = suggestBaseline(synthetic(20_000, 1));
  it('a window from the same population has no violations at all', () => {
    for (const seed of [2, 3, 4]) {
      const res = monitorCheck(base, synthetic(3000, seed));
      expect(res.violations.violations).toEqual([]);
      expect(res.driftReport.driftedFeatures).toEqual([]);
    }
  });
  it('shifting three known columns flags exactly those', () => {
    const res = monitorCheck(base, synthetic(3000, 5, { income: 4, score: 0.15, segment: 0.3 }));
    expect(kinds(res, 'baseline_drift_check')).toEqual(['income', 'score', 'segment']);
    expect(res.driftReport.driftedFeatures.sort()).toEqual(['income', 'score', 'segment']);
    expect(res.driftReport.datasetDrift).toBe(true);
  });
  it('missing, extra, wrong-type, incomplete and unseen-category columns each yield their violation', () => {
    let w = synthetic(2000, 6);
    w = { ...w, columns: w.columns.filter((c) => c.name !== 'region') };
    w = { ...w, columns: [...w.columns, numericColumn('new_feature', new Float64Array(2000))] };
    w = replace(w, categoricalColumn('age', Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? 'unknown' : String(30 + (i % 20))))));
    const bal = (w.columns.find((c) => c.name === 'balance')! as { values: Float64Array }).values.slice();
    for (let i = 0; i < bal.length; i += 4) bal[i] = Number.NaN;
    w = replace(w, numericColumn('balance', bal));
    w = replace(w, categoricalColumn('segment', Array.from({ length: 2000 }, (_, i) => (i % 4 === 0 ? 'Z' : 'A'))));
    const res = monitorCheck(base, w);
    expect(kinds(res, 'missing_column_check')).toEqual(['region']);
    expect(kinds(res, 'extra_column_check')).toEqual(['new_feature']);
    expect(kinds(res, 'data_type_check')).toEqual(['age']);
    expect(kinds(res, 'completeness_check')).toEqual(['balance']);
    expect(kinds(res, 'categorical_values_check')).toEqual(['segment']);
    const cv = res.violations.violations.find((v) => v.constraint_check_type === 'categorical_values_check')!;
    expect(cv.description).toMatch(/^Value: 0\.75 does not meet the constraint requirement! /);
    expect(res.violations.violations.find((v) => v.constraint_check_type === 'completeness_check')!.description).toMatch(/^Value: 0\.75 does not meet/);
  });
  it('per-feature overrides change one feature only, without code', () => {
    const w = synthetic(3000, 7, { income: 4 });
    expect(kinds(monitorCheck(base, w), 'baseline_drift_check')).toEqual(['income']);
    const relaxed = { ...base, constraints: withOverrides(base.constraints, { income: { comparison_threshold: 0.5 } }) };
    expect(kinds(monitorCheck(relaxed, w), 'baseline_drift_check')).toEqual([]);
    expect(() => withOverrides(base.constraints, { nope: {} })).toThrow(/No feature named nope/);
  });
});

describe('monitor check on the credit data (golden drift split)', () => {
  const reference = creditFrame('drift_reference.csv');
  it('a window from the reference population raises no drift; the shifted current window flags LIMIT_BAL, AGE, EDUCATION', () => {
    const base = suggestBaseline(creditFrame('drift_reference.csv', 0, 15_000));
    const same = monitorCheck(base, creditFrame('drift_reference.csv', 15_000));
    expect(kinds(same, 'baseline_drift_check')).toEqual([]);
    const simple = { ...base, constraints: structuredClone(base.constraints) };
    simple.constraints.monitoring_config.distribution_constraints.comparison_method = 'Simple';
    const shifted = monitorCheck(simple, creditFrame('drift_current.csv'));
    expect(kinds(shifted, 'baseline_drift_check')).toEqual(['AGE', 'EDUCATION', 'LIMIT_BAL']);
    expect(reference.rowCount).toBe(21_000);
  });
});

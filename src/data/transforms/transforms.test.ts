import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/index.js';
import type { ColumnFrame, NumericColumn } from '../frame/column-frame.js';
import { labelVector, toFeatureMatrix } from '../frame/feature-matrix.js';
import { frameDifference } from '../frame/frame-equality.js';
import { parseCsvFrame } from '../io/csv-reader.js';
import { applyPipeline, applyTransform, fitPipeline, fitTransform } from './pipeline.js';
import { resampleFrame, splitFrame } from './row-sampling.js';
import type { TransformSpec } from './transform-spec.js';
import { FittedPipelineSchema } from './transform-spec.js';

const train = parseCsvFrame('age,city,income,y\n20,A,100,0\n30,B,,1\n,A,300,0\n50,C,400,1\n30,A,500,0\n');
const inference = parseCsvFrame('age,city,income\n,Z,\n40,B,200\n');

function numeric(frame: ColumnFrame, name: string): number[] {
  const c = frame.columns.find((x) => x.name === name);
  if (c?.kind !== 'numeric') throw new Error(`${name} is not numeric`);
  return Array.from(c.values);
}

const credit = parseCsvFrame(readFileSync(new URL('../../../datasets/uci_credit_card_default.csv', import.meta.url)));

describe('fitted transforms', () => {
  it('impute learns mean, median, most frequent and constant values', () => {
    expect(fitTransform(train, { kind: 'impute', columns: ['age', 'income'], strategy: 'mean' })).toEqual({
      kind: 'impute',
      strategy: 'mean',
      fills: [
        { column: 'age', value: 32.5 },
        { column: 'income', value: 325 },
      ],
    });
    expect(fitTransform(train, { kind: 'impute', columns: ['age'], strategy: 'median' })).toMatchObject({ fills: [{ value: 30 }] });
    expect(fitTransform(train, { kind: 'impute', columns: ['age', 'city'], strategy: 'most_frequent' })).toMatchObject({ fills: [{ value: 30 }, { value: 'A' }] });
    const fitted = fitTransform(train, { kind: 'impute', columns: ['age'], strategy: 'constant', value: -1 });
    expect(numeric(applyTransform(inference, fitted), 'age')).toEqual([-1, 40]);
    const mean = applyTransform(inference, fitTransform(train, { kind: 'impute', columns: ['income'], strategy: 'mean' }));
    expect(numeric(mean, 'income')).toEqual([325, 200]);
    expect(mean.columns.find((c) => c.name === 'income')?.dtype).toBe('integer');
    expect(() => fitTransform(train, { kind: 'impute', columns: ['city'], strategy: 'mean' })).toThrow(AppError);
  });

  it('one-hot encodes with an unknown bucket and keeps missing values missing', () => {
    const fitted = fitTransform(train, { kind: 'one_hot', columns: ['city'] });
    expect(fitted).toEqual({ kind: 'one_hot', encodings: [{ column: 'city', categories: ['A', 'B', 'C'], outputs: ['city=A', 'city=B', 'city=C', 'city=__unknown__'] }] });
    const out = applyTransform(inference, fitted);
    expect(out.columns.map((c) => c.name)).toEqual(['age', 'city=A', 'city=B', 'city=C', 'city=__unknown__', 'income']);
    expect(numeric(out, 'city=__unknown__')).toEqual([1, 0]);
    expect(numeric(out, 'city=B')).toEqual([0, 1]);
    const rare = fitTransform(train, { kind: 'one_hot', columns: ['city'], minFrequency: 2 });
    expect(rare).toMatchObject({ encodings: [{ categories: ['A'] }] });
    const withMissing = applyTransform(parseCsvFrame('city,k\n,1\nA,2\n'), fitted);
    expect(numeric(withMissing, 'city=A')).toEqual([Number.NaN, 1]);
  });

  it('one-hot encodes integer code columns by their values', () => {
    const fitted = fitTransform(credit, { kind: 'one_hot', columns: ['EDUCATION'] });
    expect(fitted).toMatchObject({ encodings: [{ categories: ['0', '1', '2', '3', '4', '5', '6'] }] });
    const out = applyTransform(parseCsvFrame('EDUCATION\n2\n9\n'), fitted);
    expect(numeric(out, 'EDUCATION=2')).toEqual([1, 0]);
    expect(numeric(out, 'EDUCATION=__unknown__')).toEqual([0, 1]);
    expect(() => fitTransform(train, { kind: 'one_hot', columns: ['income'] })).not.toThrow();
    expect(() => fitTransform(parseCsvFrame('x\n0.5\n'), { kind: 'one_hot', columns: ['x'] })).toThrow(/fractional/);
  });

  it('standard and min-max scaling match scikit-learn', () => {
    const std = fitTransform(train, { kind: 'standard_scale', columns: ['income'] });
    // sklearn StandardScaler on [100, 300, 400, 500] (NaN ignored): mean 325, scale sqrt(21875).
    expect(std).toEqual({ kind: 'standard_scale', stats: [{ column: 'income', mean: 325, std: Math.sqrt(21875) }] });
    expect(numeric(applyTransform(train, std), 'income')[0]).toBeCloseTo(-225 / Math.sqrt(21875), 12);
    const mm = fitTransform(train, { kind: 'min_max_scale', columns: ['income'], range: [-1, 1] });
    expect(numeric(applyTransform(inference, mm), 'income')).toEqual([Number.NaN, -0.5]);
    const constant = fitTransform(parseCsvFrame('x\n5\n5\n'), { kind: 'standard_scale', columns: ['x'] });
    expect(numeric(applyTransform(parseCsvFrame('x\n5\n7\n'), constant), 'x')).toEqual([0, 2]);
  });

  it('drops, renames and derives columns', () => {
    const { frame } = fitPipeline(train, [
      { kind: 'drop', columns: ['y'] },
      { kind: 'rename', mapping: { income: 'income_k' } },
      { kind: 'derive', name: 'ratio', expression: 'income_k / max(age, 1)' },
    ]);
    expect(frame.columns.map((c) => c.name)).toEqual(['age', 'city', 'income_k', 'ratio']);
    expect(numeric(frame, 'ratio')).toEqual([5, Number.NaN, Number.NaN, 8, 500 / 30]);
    expect(() => fitTransform(train, { kind: 'derive', name: 'bad', expression: 'city + 1' })).toThrow(/categorical/);
    expect(() => fitTransform(train, { kind: 'rename', mapping: { age: 'city' } })).toThrow(/second column named "city"/);
  });

  it('a pipeline re-applies exactly from its JSON, and complains about missing inputs', () => {
    const specs: TransformSpec[] = [
      { kind: 'impute', columns: ['age', 'income'], strategy: 'median' },
      { kind: 'impute', columns: ['city'], strategy: 'most_frequent' },
      { kind: 'one_hot', columns: ['city'] },
      { kind: 'derive', name: 'log_income', expression: 'log(income + 1)' },
      { kind: 'standard_scale', columns: ['age', 'log_income'] },
      { kind: 'drop', columns: ['y'] },
    ];
    const fit = fitPipeline(train, specs);
    const json = JSON.parse(JSON.stringify(fit.pipeline)) as unknown;
    const pipeline = FittedPipelineSchema.parse(json);
    expect(frameDifference(applyPipeline(train, pipeline), fit.frame)).toBeUndefined();
    expect(JSON.stringify(fitPipeline(train, specs).pipeline)).toBe(JSON.stringify(fit.pipeline));
    const scored = applyPipeline(inference, pipeline);
    expect(scored.columns.map((c) => c.name)).toEqual(fit.frame.columns.map((c) => c.name));
    expect(() => applyPipeline(parseCsvFrame('age,income\n1,2\n'), pipeline)).toThrow(/Column "city" is required/);
    expect(() => FittedPipelineSchema.parse({ version: 1, steps: [{ kind: 'impute', strategy: 'mean' }] })).toThrow();
  });
});

describe('splits and resampling', () => {
  const spec = { label: 'default', fractions: { train: 0.7, validation: 0.15, test: 0.15 }, seed: 7 };

  it('a stratified 70/15/15 split keeps the default rate in every part', () => {
    const split = splitFrame(credit, spec);
    const total = split.train.rowCount + split.validation.rowCount + split.test.rowCount;
    expect(total).toBe(30000);
    expect(split.train.rowCount).toBe(21000);
    const all = new Set([...split.indices.train, ...split.indices.validation, ...split.indices.test]);
    expect(all.size).toBe(30000);
    const rate = (f: ColumnFrame): number => {
      const y = labelVector(f, 'default');
      return y.reduce((a, b) => a + b, 0) / y.length;
    };
    for (const part of [split.train, split.validation, split.test]) expect(Math.abs(rate(part) - 6636 / 30000)).toBeLessThan(0.0005);
    // Per class: round(23,364 × 0.7) = 16,355 and round(6,636 × 0.7) = 4,645.
    expect(split.record.train.byClass).toEqual({ '0': 16355, '1': 4645 });
  });

  it('splits without a label at random by the fractions', () => {
    const split = splitFrame(credit, { fractions: { train: 0.8, validation: 0, test: 0.2 }, seed: 3 });
    expect([split.train.rowCount, split.validation.rowCount, split.test.rowCount]).toEqual([24000, 0, 6000]);
    expect(() => splitFrame(credit, { fractions: { train: 0.8, validation: 0.1, test: 0.2 }, seed: 3 })).toThrow(/sum to 1/);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = splitFrame(credit, spec);
    const b = splitFrame(credit, spec);
    expect(Buffer.from(a.indices.test.buffer).equals(Buffer.from(b.indices.test.buffer))).toBe(true);
    const c = splitFrame(credit, { ...spec, seed: 8 });
    expect(Buffer.from(a.indices.test.buffer).equals(Buffer.from(c.indices.test.buffer))).toBe(false);
  });

  it('over- and under-sampling balance the label, deterministically', () => {
    const over = resampleFrame(credit, { label: 'default', strategy: 'oversample', seed: 1 });
    expect(over.record.after.byClass).toEqual({ '0': 23364, '1': 23364 });
    const under = resampleFrame(credit, { label: 'default', strategy: 'undersample', seed: 1 });
    expect(under.record.after.byClass).toEqual({ '0': 6636, '1': 6636 });
    expect(new Set(under.indices).size).toBe(13272);
    const again = resampleFrame(credit, { label: 'default', strategy: 'undersample', seed: 1 });
    expect(Array.from(again.indices)).toEqual(Array.from(under.indices));
    const half = resampleFrame(credit, { label: 'default', strategy: 'oversample', seed: 1, ratio: 0.5 });
    expect(half.record.after.byClass).toEqual({ '0': 23364, '1': 11682 });
  });
});

describe('feature matrix bridge', () => {
  it('builds a row-major float32 matrix in the given feature order', () => {
    const m = toFeatureMatrix(train, ['income', 'age']);
    expect([m.rows, m.cols]).toEqual([5, 2]);
    expect(Array.from(m.values.subarray(0, 6))).toEqual([100, 20, Number.NaN, 30, 300, Number.NaN]);
    const limit = (credit.columns[1] as NumericColumn).values[0]!;
    expect(toFeatureMatrix(credit, ['LIMIT_BAL']).values[0]).toBe(Math.fround(limit));
  });

  it('names missing and categorical features', () => {
    expect(() => toFeatureMatrix(train, ['age', 'PAY_0', 'BILL'])).toThrow(/lacks features "PAY_0", "BILL"/);
    expect(() => toFeatureMatrix(train, ['city'])).toThrow(/"city" is a string column/);
  });

  it('makes label vectors from numeric and string labels', () => {
    expect(Array.from(labelVector(train, 'y'))).toEqual([0, 1, 0, 1, 0]);
    expect(Array.from(labelVector(train, 'city', { positive: 'A' }))).toEqual([1, 0, 1, 0, 1]);
    expect(() => labelVector(train, 'city')).toThrow(/name its positive value/);
    expect(() => labelVector(train, 'age')).toThrow(/missing in row 3/);
  });
});

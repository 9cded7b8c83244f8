import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenCase, readNumericCsv } from '../../../test/support/golden.js';
import { parseXgboostModel } from '../gbdt/index.js';
import { contributionsCsv } from './contributions-csv.js';
import { parseCsvFrame, toFeatureMatrix } from '../../data/index.js';
import { reasonCodes, reasonCodesForRows } from './reason-codes.js';
import { treeShap } from './tree-shap.js';

describe('reason codes', () => {
  const x = { rows: 1, cols: 4, values: Float32Array.of(1, Number.NaN, 3, 4) };
  const a = { rows: 1, width: 5, values: Float64Array.of(0.5, 0.5, -0.2, 0.1, -1) };
  const names = ['a', 'b', 'c', 'd'];

  it('ranks adverse contributions, breaking ties by column order', () => {
    const out = reasonCodes(a, x, names, 0, { topK: 2, featureLabels: { b: 'Months since delinquency' } });
    expect(out.reasons.map((r) => r.name)).toEqual(['a', 'b']);
    expect(out.reasons[1]!.value).toBeNull();
    expect(out.reasons[1]!.sentence).toBe('Months since delinquency (missing) raised the score by 0.500 log-odds compared with the average case.');
    expect(out.score).toBeCloseTo(-0.1, 12);
    expect(out.notice).toContain('(1) a, value 1');
  });

  it('supports scores where lower is adverse', () => {
    const out = reasonCodes(a, x, names, 0, { adverse: 'lower' });
    expect(out.reasons.map((r) => r.name)).toEqual(['c']);
    expect(out.reasons[0]!.sentence).toContain('lowered');
  });
});

describe('CLI-ready text', () => {
  it.each(['credit_default_whitepaper', 'german_credit_purpose_multiclass'])('writes the contributions CSV of %s in the golden layout', (name) => {
    const dir = goldenCase(name);
    const model = parseXgboostModel(readFileSync(join(dir, 'model.json'), 'utf8'));
    const x = toFeatureMatrix(parseCsvFrame(readFileSync(join(dir, 'input.csv'))), model.featureNames);
    const csv = contributionsCsv(model, x);
    const expectedText = readFileSync(join(dir, 'expected_contribs.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe(expectedText.split('\n')[0]);
    const ours = csv.split('\n').slice(1, -1);
    const theirs = readNumericCsv(join(dir, 'expected_contribs.csv'));
    expect(ours).toHaveLength(theirs.rows);
    let worst = 0;
    ours.forEach((line, r) => {
      line.split(',').forEach((cell, c) => {
        worst = Math.max(worst, Math.abs(Number(cell) - theirs.values[r * theirs.cols + c]!));
      });
    });
    expect(worst).toBeLessThan(1e-4);
  });

  it('writes reasons for every row as JSON-ready objects', () => {
    const dir = goldenCase('credit_default_whitepaper');
    const model = parseXgboostModel(readFileSync(join(dir, 'model.json'), 'utf8'));
    const x = toFeatureMatrix(parseCsvFrame(readFileSync(join(dir, 'input.csv'))), model.featureNames);
    const reasons = reasonCodesForRows(treeShap(model, x), x, model.featureNames);
    expect(reasons).toHaveLength(400);
    expect(JSON.parse(JSON.stringify(reasons))).toEqual(reasons);
    expect(reasons.every((r) => r.reasons.length <= 4 && r.reasons.every((c) => c.contribution > 0))).toBe(true);
  });

  it('refuses data that lacks a model column or holds text in one', () => {
    expect(() => toFeatureMatrix(parseCsvFrame('a,b\n1,2\n'), ['a', 'c'])).toThrowError(expect.objectContaining({ code: 'DATA_SCHEMA_MISMATCH' }));
    expect(() => toFeatureMatrix(parseCsvFrame('a\nx\n'), ['a'])).toThrowError(expect.objectContaining({ code: 'DATA_SCHEMA_MISMATCH' }));
  });
});

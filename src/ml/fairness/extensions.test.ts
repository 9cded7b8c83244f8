import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { categoricalColumn, type ColumnFrame, numericColumn } from '../../data/index.js';
import { readFrameCsv } from '../../../test/support/frame-csv.js';
import { GOLDEN_DIR } from '../../../test/support/golden.js';
import { biasReport, biasReportJson, intersectFacets, parseClarifyValues, pythonFloatRepr, runBiasCommand } from './index.js';

const credit = readFrameCsv(join(GOLDEN_DIR, 'fairness', 'credit_default_sex.csv'));
const base = { label: 'default', positive: [1], facet: 'SEX', sensitive: [2], group: 'EDUCATION', predicted: 'predicted_label' } as const;

function tinyFrame(): ColumnFrame {
  return {
    rowCount: 8,
    columns: [
      categoricalColumn('g', ['x', 'x', 'x', 'x', 'y', 'y', 'y', 'y']),
      // Text labels: with 8 rows a 0/1 integer label would be "continuous" by Clarify's 5% rule.
      categoricalColumn('label', ['yes', 'no', 'yes', 'no', 'yes', 'no', 'no', 'no']),
      numericColumn('score', Float64Array.of(0.9, 0.2, 0.6, 0.7, 0.4, 0.1, 0.8, 0.3)),
      numericColumn('f', Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8)),
    ],
  };
}

describe('bias report beyond Clarify', () => {
  it('gives byte-identical reports for the same seed, different intervals for another', () => {
    const a = biasReportJson(biasReport(credit, { ...base, bootstrap: { replicates: 40, seed: 3 } }));
    const b = biasReportJson(biasReport(credit, { ...base, bootstrap: { replicates: 40, seed: 3 } }));
    const c = biasReportJson(biasReport(credit, { ...base, bootstrap: { replicates: 40, seed: 4 } }));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('puts the point estimate of DPL inside its 95% interval', () => {
    const report = biasReport(credit, { ...base, bootstrap: { replicates: 200, seed: 11 } });
    const dpl = report.pre_training_bias_metrics.facets.SEX![0]!.metrics.find((m) => m.name === 'DPL')!.value as number;
    const ci = report.attest.pre_training[0]!.metrics.DPL!.confidence_interval!;
    expect(ci.lower!).toBeLessThan(dpl);
    expect(ci.upper!).toBeGreaterThan(dpl);
  });

  it('flags metrics that rest on fewer rows than the minimum group size', () => {
    const report = biasReport(credit, { ...base, bootstrap: false, minGroupSize: 600 });
    const ext = report.attest.post_training![0]!;
    // Facet d has 2,680 rows but far fewer predicted positives, so DCA's support is small.
    expect(ext.metrics.DI!.reliable).toBe(true);
    expect(ext.metrics.DCA!.support).toBeLessThan(600);
    expect(ext.metrics.DCA!.reliable).toBe(false);
    expect(ext.n_a + ext.n_d).toBe(credit.rowCount);
  });

  it('uses score > probability threshold for predictions given as scores', () => {
    const report = biasReport(tinyFrame(), { label: 'label', positive: ['yes'], facet: 'g', sensitive: ['y'], predicted: 'score', probabilityThreshold: 0.5, bootstrap: false });
    const dppl = report.post_training_bias_metrics!.facets.g![0]!.metrics.find((m) => m.name === 'DPPL')!;
    // a: 0.9, 0.6, 0.7 above 0.5 → 3/4; d: 0.8 → 1/4.
    expect(dppl.value).toBe(0.5);
  });

  it('takes a fractional column of probabilities as scores at the default 0.5', () => {
    const withThreshold = biasReport(tinyFrame(), { label: 'label', positive: ['yes'], facet: 'g', sensitive: ['y'], predicted: 'score', probabilityThreshold: 0.5, bootstrap: false });
    const byDefault = biasReport(tinyFrame(), { label: 'label', positive: ['yes'], facet: 'g', sensitive: ['y'], predicted: 'score', bootstrap: false });
    expect(byDefault.post_training_bias_metrics).toEqual(withThreshold.post_training_bias_metrics);
    expect(byDefault.attest.notes[0]).toMatch(/holds scores/);
  });

  it('serialises infinite metrics as "Infinity" like Clarify', () => {
    const frame = tinyFrame();
    // Facet d then has a false negative and no false positive: FN/FP = 1/0 = +∞ in TE.
    (frame.columns[2]! as { values: Float64Array }).values[6] = 0.45;
    const report = biasReport(frame, { label: 'label', positive: ['yes'], facet: 'g', sensitive: ['y'], predicted: 'score', probabilityThreshold: 0.5, bootstrap: false });
    const json = biasReportJson(report);
    expect(JSON.parse(json).post_training_bias_metrics.facets.g[0].metrics.find((m: { name: string }) => m.name === 'TE').value).toBe('Infinity');
  });

  it('reports Clarify-level errors for invalid configurations', () => {
    expect(() => biasReport(credit, { ...base, facet: 'NOPE' })).toThrow('Facet column NOPE is not present in the dataset');
    expect(() => biasReport(credit, { ...base, positive: [] })).toThrow('Positive label values or thresholds are empty for Label column');
    expect(() => biasReport(credit, { ...base, positive: [7] })).toThrow(/No Label values are present in the predicted Label Column/);
    expect(() => biasReport(credit, { ...base, facet: 'BILL_AMT1', sensitive: undefined })).toThrow('Threshold values must be provided for continuous features');
    expect(() => biasReport(credit, { ...base, metrics: ['XYZ' as 'CI'] })).toThrow(/Invalid metric_name/);
  });

  it('notes when a threshold is matched as a value because Clarify finds the facet categorical', () => {
    const { sensitive: _s, ...rest } = base;
    const report = biasReport(credit, { ...rest, facet: 'AGE', threshold: 40, bootstrap: false });
    expect(report.pre_training_bias_metrics.facets.AGE![0]!.value_or_threshold).toBe('40');
    expect(report.attest.warnings[0]).toMatch(/categorical by Clarify's rule/);
  });
});

describe('intersectional facets', () => {
  it('joins facet values and age bands into one facet column', () => {
    const { frame, column } = intersectFacets(credit, [{ column: 'SEX' }, { column: 'AGE', bands: [40] }]);
    expect(column).toBe('SEX×AGE');
    const report = biasReport(frame, { ...base, facet: column, sensitive: ['SEX=2 & AGE=(40, inf]'], bootstrap: false });
    const ext = report.attest.pre_training[0]!;
    let expected = 0;
    const sex = credit.columns.find((c) => c.name === 'SEX')!;
    const age = credit.columns.find((c) => c.name === 'AGE')!;
    for (let i = 0; i < credit.rowCount; i++) if (sex.kind === 'numeric' && age.kind === 'numeric' && sex.values[i] === 2 && age.values[i]! > 40) expected++;
    expect(ext.n_d).toBe(expected);
    const oneVsRest = biasReport(frame, { ...base, facet: column, sensitive: undefined, bootstrap: false });
    expect(oneVsRest.pre_training_bias_metrics.facets[column]!.length).toBe(4);
  });

  it('is reachable from the CLI flags with "A,B"', () => {
    const report = runBiasCommand(credit, { label: 'default', positive: '1', facet: 'SEX,EDUCATION', predicted: 'predicted_label', bootstrap: '0' });
    expect(report.pre_training_bias_metrics.facets['SEX×EDUCATION']!.length).toBeGreaterThan(4);
  });
});

describe('CLI helpers', () => {
  it('parses values as Clarify config numbers when they round-trip', () => {
    expect(parseClarifyValues('1, 2,Female,01, 2.5')).toEqual([1, 2, 'Female', '01', 2.5]);
  });

  it('runs the golden credit case from flag strings', () => {
    const report = runBiasCommand(credit, { label: 'default', positive: '1', facet: 'SEX', sensitive: '2', group: 'EDUCATION', predicted: 'predicted_label', bootstrap: '0' });
    const di = report.post_training_bias_metrics!.facets.SEX![0]!.metrics.find((m) => m.name === 'DI')!;
    expect(di.value).toBeCloseTo(0.7150994145878382, 12);
    expect(() => runBiasCommand(credit, { label: 'default', positive: '1', facet: 'SEX', sensitive: '2', threshold: '1' })).toThrow(/not both/);
  });

  it('prints floats as Python does (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const text = pythonFloatRepr(x);
        expect(Object.is(Number(text), x)).toBe(true);
        expect(text).toMatch(/\.|e|inf|nan/);
      }),
    );
  });
});

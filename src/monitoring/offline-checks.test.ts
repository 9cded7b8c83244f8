/**
 * The pure parts behind the file-based monitor commands: bias drift between two bias reports,
 * global attributions from contribution tables, and the model-quality constraint documents.
 */
import { describe, expect, it } from 'vitest';
import { categoricalColumn } from '../data/index.js';
import type { ColumnFrame } from '../data/index.js';
import { attributionDriftCheck, attributionsFromContributions, biasDrift, checkModelQualityConstraints, modelQualityStatistics, qualityMetricValues } from './index.js';

function report(values: Record<string, number | string | null>, facetValue = '2') {
  return {
    version: '1.0',
    pre_training_bias_metrics: {
      label: 'default',
      label_value_or_threshold: '1',
      facets: { SEX: [{ value_or_threshold: facetValue, metrics: Object.entries(values).map(([name, value]) => ({ name, description: name, value })) }] },
    },
  };
}

describe('biasDrift', () => {
  it('compares every defined baseline metric; per-metric tolerances; infinities and missing values are violations', () => {
    const r = biasDrift(report({ CI: 0.1, DPL: 0.05, DI: 1.2, KL: null }), report({ CI: 0.35, DPL: 0.1, DI: 'Infinity', KL: 0.4 }), { tolerance: 0.1, metricTolerances: { CI: 0.3 } });
    expect(r.comparisons.map((c) => c.metric_name)).toEqual(['CI', 'DPL', 'DI']);
    expect(r.violations.map((v) => v.metric_name)).toEqual(['DI']);
    expect(r.violations[0]).toMatchObject({ facet: 'SEX', facet_value: '2', stage: 'pre_training_bias_metrics', constraint_check_type: 'bias_drift_check' });
  });

  it('relative mode divides by the baseline; a facet value absent from the window violates every metric', () => {
    expect(biasDrift(report({ DI: 0.8 }), report({ DI: 0.95 }), { tolerance: 0.1, mode: 'relative' }).violations).toHaveLength(1);
    expect(biasDrift(report({ DI: 0.8 }), report({ DI: 0.85 }), { tolerance: 0.1, mode: 'relative' }).violations).toHaveLength(0);
    expect(biasDrift(report({ CI: 0.1, DPL: 0.2 }), report({ CI: 0.1, DPL: 0.2 }, '1')).violations).toHaveLength(2);
  });
});

describe('attributions from contributions', () => {
  it('mean |SHAP| per feature and output group, BIAS left out', () => {
    const frame: ColumnFrame = {
      rowCount: 2,
      columns: [
        { kind: 'numeric', name: '0:a', dtype: 'fractional', values: Float64Array.of(1, -3) },
        { kind: 'numeric', name: '0:b', dtype: 'fractional', values: Float64Array.of(0.5, 0.5) },
        { kind: 'numeric', name: '0:BIAS', dtype: 'fractional', values: Float64Array.of(9, 9) },
        { kind: 'numeric', name: '1:a', dtype: 'fractional', values: Float64Array.of(0, 0) },
        { kind: 'numeric', name: '1:b', dtype: 'fractional', values: Float64Array.of(2, Number.NaN) },
        { kind: 'numeric', name: '1:BIAS', dtype: 'fractional', values: Float64Array.of(1, 1) },
      ],
    };
    const g = attributionsFromContributions(frame);
    expect(g).toEqual({ label0: { a: 2, b: 0.5 }, label1: { a: 0, b: 2 } });
    const swapped = { label0: { a: 0.5, b: 2 }, label1: { a: 0, b: 2 } };
    const r = attributionDriftCheck(g, swapped);
    expect(r.labels.map((l) => l.label)).toEqual(['label0', 'label1']);
    expect(r.violations.map((v) => v.label)).toEqual(['label0']);
  });
});

describe('model-quality constraints', () => {
  const frame: ColumnFrame = {
    rowCount: 4,
    columns: [categoricalColumn('truth', ['yes', 'no', 'yes', 'no']), categoricalColumn('pred', ['yes', 'yes', 'yes', 'no'])],
  };
  const stats = modelQualityStatistics(frame, 'binary', { label: 'truth', predicted: 'pred', positive: 'yes' });

  it('codes string labels by the positive value', () => {
    expect(qualityMetricValues(stats)).toMatchObject({ accuracy: 0.75, recall: 1, precision: 2 / 3 });
  });

  it('takes Model Monitor\'s sectioned document or the bare map, and refuses anything else', () => {
    const rule = { recall: { threshold: 0.9, comparison_operator: 'LessThanThreshold' }, precision: { threshold: 0.7, comparison_operator: 'LessThanThreshold' } };
    expect(checkModelQualityConstraints(stats, 'binary', { version: 0, binary_classification_constraints: rule }).map((v) => v.metric_name)).toEqual(['precision']);
    expect(checkModelQualityConstraints(stats, 'binary', rule).map((v) => v.metric_name)).toEqual(['precision']);
    expect(() => checkModelQualityConstraints(stats, 'binary', { recall: { threshold: 'high' } })).toThrow(/binary_classification_constraints/);
    expect(() => modelQualityStatistics(frame, 'binary', { label: 'truth', predicted: 'pred' })).toThrow(/code it 0\/1 or name the positive value/);
  });
});

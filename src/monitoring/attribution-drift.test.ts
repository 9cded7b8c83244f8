import { describe, expect, it } from 'vitest';
import { attributionDrift, metricDrift, ndcg } from './attribution-drift.js';

describe('attribution drift (nDCG as Model Monitor)', () => {
  it('equals scikit-learn ndcg_score', () => {
    // sklearn.metrics.ndcg_score([[10, 0, 0, 1, 5]], [[.1, .2, .3, 4, 70]]) = 0.6956940443813076
    expect(ndcg([10, 0, 0, 1, 5], [0.1, 0.2, 0.3, 4, 70])).toBeCloseTo(0.6956940443813076, 14);
    // Ties average the gains of a group over its discounts: (7.5·(1 + 1/log₂3) + ⅓·(1/log₂4 + 1/log₂5 + 1/log₂6)) / (10 + 5/log₂3 + 1/2).
    const dcg = 7.5 * (1 + 1 / Math.log2(3)) + (1 / 3) * (1 / Math.log2(4) + 1 / Math.log2(5) + 1 / Math.log2(6));
    expect(ndcg([10, 0, 0, 1, 5], [1, 0, 0, 0, 1])).toBeCloseTo(dcg / (10 + 5 / Math.log2(3) + 0.5), 14);
  });
  it('flags a reshuffled ranking below 0.9 and not a stable one', () => {
    const base = { a: 0.5, b: 0.3, c: 0.1, d: 0.05 };
    expect(attributionDrift(base, { a: 0.45, b: 0.33, c: 0.12, d: 0.04 }).violation).toBeUndefined();
    const r = attributionDrift(base, { a: 0.01, b: 0.02, c: 0.4, d: 0.5 }, { label: 'default' });
    expect(r.ndcg).toBeLessThan(0.9);
    expect(r.violation).toMatchObject({ label: 'default', metric_name: 'shap', constraint_check_type: 'feature_attribution_drift_check' });
  });
});

describe('bias / metric drift', () => {
  it('reports metrics beyond tolerance, per metric or globally', () => {
    const base = { CI: 0.1, DPL: 0.05, DI: 0.9 };
    expect(metricDrift(base, { CI: 0.12, DPL: 0.3, DI: 0.88 }).map((v) => v.metric_name)).toEqual(['DPL']);
    expect(metricDrift(base, { CI: 0.12, DPL: 0.06, DI: 0.5 }, { DI: { tolerance: 0.1, mode: 'relative' } }).map((v) => v.metric_name)).toEqual(['DI']);
    expect(metricDrift(base, { CI: 0.1, DPL: Number.NaN, DI: 0.9 }).map((v) => v.metric_name)).toEqual(['DPL']);
  });
});

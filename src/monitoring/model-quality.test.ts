import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN_DIR, readJson, readNumericCsv } from '../../test/support/golden.js';
import { binaryClassificationMetrics, checkModelQuality, multiclassMetrics, regressionMetrics } from './model-quality.js';

describe('model-quality metric sets', () => {
  it('binary metrics equal scikit-learn on the golden scores, with subsample standard deviations', () => {
    const csv = readNumericCsv(join(GOLDEN_DIR, 'stats', 'binary_scores.csv'));
    const labels = Float64Array.from({ length: csv.rows }, (_, r) => csv.values[r * 2]!);
    const scores = Float64Array.from({ length: csv.rows }, (_, r) => csv.values[r * 2 + 1]!);
    const predicted = scores.map((s) => (s >= 0.5 ? 1 : 0));
    const g = readJson<Record<string, number> & { confusion_matrix_rows_true_cols_pred: number[][] }>(join(GOLDEN_DIR, 'stats', 'binary_metrics.json'));
    const m = binaryClassificationMetrics(labels, predicted, scores);
    for (const k of ['accuracy', 'precision', 'recall', 'f1', 'f0_5', 'f2'] as const) expect(m[k].value).toBeCloseTo(g[k]!, 12);
    expect(m.auc!.value).toBeCloseTo(g.roc_auc!, 12);
    expect(m.confusion_matrix).toEqual({ '0': { '0': 3296, '1': 186 }, '1': { '0': 623, '1': 395 } });
    expect(m.accuracy.standard_deviation).toBeGreaterThan(0);
    expect(m.accuracy.standard_deviation).toBeLessThan(0.01);
    expect(m.accuracy_best_constant_classifier.value).toBeCloseTo(3482 / 4500, 12);
    expect(m.recall_best_constant_classifier.value).toBe(1);
    const tpr = m.receiver_operating_characteristic_curve!.true_positive_rates;
    expect(tpr[tpr.length - 1]).toBe(1);
    expect(binaryClassificationMetrics([1, 0, 1], [1, 0, 0]).accuracy.standard_deviation).toBe('NaN');
    const v = checkModelQuality(m as unknown as Record<string, unknown>, { recall: { threshold: 0.5, comparison_operator: 'LessThanThreshold' }, accuracy: { threshold: 0.7, comparison_operator: 'LessThanThreshold' } });
    expect(v.map((x) => x.metric_name)).toEqual(['recall']);
  });
  it('regression metrics equal scikit-learn on the golden regression case', () => {
    const dir = join(GOLDEN_DIR, 'xgboost', 'credit_limit_regression');
    const y = readNumericCsv(join(dir, 'labels.csv')).values;
    const p = readNumericCsv(join(dir, 'expected_pred.csv'), false).values;
    const g = readJson<{ rmse: number; mae: number; r2: number }>(join(GOLDEN_DIR, 'stats', 'regression_metrics.json'));
    const m = regressionMetrics(y, p);
    // Predictions are stored with 9 significant digits, hence 1e-6 rather than 1e-12.
    expect(m.rmse.value).toBeCloseTo(g.rmse, 6);
    expect(m.mae.value).toBeCloseTo(g.mae, 6);
    expect(m.r2.value).toBeCloseTo(g.r2, 6);
  });
  it('multiclass weighted metrics and majority baselines', () => {
    const y = ['a', 'a', 'a', 'b', 'b', 'c'];
    const p = ['a', 'a', 'b', 'b', 'c', 'c'];
    const m = multiclassMetrics(y, p);
    expect(m.accuracy.value).toBeCloseTo(4 / 6, 12);
    // per class recall a 2/3, b 1/2, c 1 → weighted (3·2/3 + 2·1/2 + 1)/6
    expect(m.weighted_recall.value).toBeCloseTo(4 / 6, 12);
    // precision a 1, b 1/2, c 1/2 → (3 + 1 + 0.5)/6
    expect(m.weighted_precision.value).toBeCloseTo(4.5 / 6, 12);
    expect(m.accuracy_best_constant_classifier.value).toBeCloseTo(0.5, 12);
    expect(m.confusion_matrix).toEqual({ a: { a: 2, b: 1 }, b: { b: 1, c: 1 }, c: { c: 1 } });
  });
});

import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, GOLDEN_DIR, goldenCase, readJson, readNumericCsv } from '../../../test/support/golden.js';
import {
  averagePrecision,
  binaryLogLoss,
  binaryMetrics,
  brierScore,
  calibrationTable,
  evaluateModel,
  evaluationSummaryLines,
  multiclassMetrics,
  regressionMetrics,
  rocAuc,
  rocCurve,
  taskForObjective,
} from './index.js';

function close(actual: number, expected: number, tol = 1e-9): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}

interface Reference {
  multiclass: Record<string, number>;
  binary_curves: { roc_points: number; roc_fpr_sum: number; roc_tpr_sum: number; roc_thresholds_tail_sum: number; calibration_prob_true: number[]; calibration_prob_pred: number[] };
  tie_cases: { labels: number[]; scores: number[]; roc_auc: number; average_precision: number; log_loss: number; brier: number }[];
}
const reference = readJson<Reference>(join(FIXTURES_DIR, 'metrics', 'sklearn_reference.json'));

function binaryScores(): { labels: Float64Array; scores: Float64Array } {
  const csv = readNumericCsv(join(GOLDEN_DIR, 'stats', 'binary_scores.csv'));
  const labels = new Float64Array(csv.rows);
  const scores = new Float64Array(csv.rows);
  for (let i = 0; i < csv.rows; i++) {
    labels[i] = csv.values[2 * i]!;
    scores[i] = csv.values[2 * i + 1]!;
  }
  return { labels, scores };
}

describe('binary metrics against scikit-learn (golden binary_metrics.json)', () => {
  const golden = readJson<Record<string, number | number[][]>>(join(GOLDEN_DIR, 'stats', 'binary_metrics.json'));
  const { labels, scores } = binaryScores();
  const m = binaryMetrics(labels, scores, golden.threshold as number);
  const g = (k: string): number => golden[k] as number;

  it('matches every scalar within 1e-9 (log loss 1e-7)', () => {
    close(m.rocAuc, g('roc_auc'));
    close(m.averagePrecision, g('average_precision'));
    close(m.logLoss, g('log_loss'), 1e-7);
    close(m.brier, g('brier'));
    close(m.accuracy, g('accuracy'));
    close(m.precision, g('precision'));
    close(m.recall, g('recall'));
    close(m.f1, g('f1'));
    close(m.f0_5, g('f0_5'));
    close(m.f2, g('f2'));
    close(m.balancedAccuracy, g('balanced_accuracy'));
    close(m.matthewsCorrcoef, g('matthews_corrcoef'));
    close(m.ks, g('ks_statistic_max_tpr_minus_fpr'));
    close(m.gini, g('gini'));
    expect(m.confusionMatrix).toEqual(golden.confusion_matrix_rows_true_cols_pred);
  });

  it('returns the ROC points of roc_curve(drop_intermediate=True)', () => {
    const roc = rocCurve(labels, scores);
    const ref = reference.binary_curves;
    expect(roc.fpr.length).toBe(ref.roc_points);
    close(roc.fpr.reduce((s, v) => s + v, 0), ref.roc_fpr_sum);
    close(roc.tpr.reduce((s, v) => s + v, 0), ref.roc_tpr_sum);
    close(roc.thresholds.slice(1).reduce((s, v) => s + v, 0), ref.roc_thresholds_tail_sum);
    expect(roc.thresholds[0]).toBe(Number.POSITIVE_INFINITY);
  });

  it('builds the decile calibration table of calibration_curve(strategy="quantile")', () => {
    const table = calibrationTable(labels, scores, 10);
    expect(table.length).toBe(10);
    table.forEach((bin, i) => {
      close(bin.observedRate, reference.binary_curves.calibration_prob_true[i]!);
      close(bin.meanPredicted, reference.binary_curves.calibration_prob_pred[i]!);
    });
    expect(table.reduce((s, b) => s + b.count, 0)).toBe(labels.length);
  });

  it('handles tied scores exactly as sklearn', () => {
    for (const c of reference.tie_cases) {
      close(rocAuc(c.labels, c.scores), c.roc_auc);
      close(averagePrecision(c.labels, c.scores), c.average_precision);
      close(binaryLogLoss(c.labels, c.scores), c.log_loss, 1e-7);
      close(brierScore(c.labels, c.scores), c.brier);
    }
  });

  it('ROC AUC equals the Mann–Whitney probability with half credit for ties (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 6 })), { minLength: 2, maxLength: 60 }), (rows) => {
        const y = rows.map(([b]) => (b ? 1 : 0));
        const s = rows.map(([, v]) => v / 6);
        const pos = rows.filter(([b]) => b).map(([, v]) => v);
        const neg = rows.filter(([b]) => !b).map(([, v]) => v);
        if (pos.length === 0 || neg.length === 0) return;
        let wins = 0;
        for (const p of pos) for (const q of neg) wins += p > q ? 1 : p === q ? 0.5 : 0;
        close(rocAuc(y, s), wins / (pos.length * neg.length), 1e-12);
      }),
    );
  });

  it('returns NaN for ranking metrics when only one class is present', () => {
    expect(rocAuc([1, 1, 1], [0.2, 0.5, 0.9])).toBeNaN();
    expect(averagePrecision([0, 0], [0.2, 0.5])).toBeNaN();
  });

  it('rejects labels other than 0/1 and mismatched lengths', () => {
    expect(() => rocAuc([0, 2], [0.1, 0.2])).toThrow(/binary labels/);
    expect(() => binaryMetrics([0, 1], [0.1])).toThrow(/differ in length/);
  });
});

describe('regression metrics against scikit-learn (golden regression_metrics.json)', () => {
  it('matches RMSE, MAE, R², MAPE and explained variance within 1e-9', () => {
    const dir = goldenCase('credit_limit_regression');
    const y = readNumericCsv(join(dir, 'labels.csv')).values;
    const p = readNumericCsv(join(dir, 'expected_pred.csv'), false).values;
    const golden = readJson<Record<string, number>>(join(GOLDEN_DIR, 'stats', 'regression_metrics.json'));
    const m = regressionMetrics(y, p);
    close(m.rmse, golden.rmse!);
    close(m.mae, golden.mae!);
    close(m.r2, golden.r2!);
    close(m.mape, golden.mape!);
    close(m.explainedVariance, golden.explained_variance!);
  });
});

describe('multiclass metrics against scikit-learn (committed sklearn_reference.json)', () => {
  it('matches accuracy, macro/weighted precision, recall, F1, MCC and log loss', () => {
    const dir = goldenCase('german_credit_purpose_multiclass');
    const y = readNumericCsv(join(dir, 'labels.csv')).values;
    const p = readNumericCsv(join(dir, 'expected_pred.csv'), false).values;
    const ref = reference.multiclass;
    const m = multiclassMetrics(y, p, ref.class_count!);
    close(m.accuracy, ref.accuracy!);
    close(m.macroPrecision, ref.macro_precision!);
    close(m.macroRecall, ref.macro_recall!);
    close(m.macroF1, ref.macro_f1!);
    close(m.weightedPrecision, ref.weighted_precision!);
    close(m.weightedRecall, ref.weighted_recall!);
    close(m.weightedF1, ref.weighted_f1!);
    close(m.matthewsCorrcoef, ref.matthews_corrcoef!);
    close(m.logLoss, ref.log_loss!, 1e-7);
    const viaEvaluate = evaluateModel({ task: 'multiclass', labels: y, predictions: p, classCount: 10 });
    expect(viaEvaluate.task).toBe('multiclass');
  });
});

describe('evaluateModel for `attest model evaluate`', () => {
  it('maps XGBoost objectives to tasks and prints one line per metric', () => {
    expect(taskForObjective('binary:logistic')).toBe('binary');
    expect(taskForObjective('reg:squarederror')).toBe('regression');
    expect(taskForObjective('multi:softprob')).toBe('multiclass');
    expect(() => taskForObjective('rank:pairwise')).toThrow(/Cannot evaluate/);
    const { labels, scores } = binaryScores();
    const report = evaluateModel({ task: 'binary', labels, predictions: scores });
    const lines = evaluationSummaryLines(report);
    expect(lines[0]).toBe('task  binary (4500 rows)');
    expect(lines.some((l) => /^roc_auc\s+0\.779960$/.test(l))).toBe(true);
  });
});

/**
 * @module ml/metrics/regression-metrics
 * Regression metrics defined as scikit-learn 1.2 defines them (golden reference:
 * test/fixtures/golden/stats/regression_metrics.json).
 */
import { ensure } from '../../kernel/index.js';
import { FLOAT64_EPS } from './binary-metrics.js';

export interface RegressionMetrics {
  readonly rows: number;
  readonly rmse: number;
  readonly mae: number;
  /** Coefficient of determination; 1 for a perfect fit of constant data, 0 for an imperfect one (sklearn `force_finite`). */
  readonly r2: number;
  /** Mean absolute percentage error as a fraction, |y − ŷ| / max(|y|, eps) (sklearn). */
  readonly mape: number;
  /** 1 − Var(y − ŷ) / Var(y), with the same finite conventions as R². */
  readonly explainedVariance: number;
}

function finiteScore(numerator: number, denominator: number): number {
  if (denominator === 0) return numerator === 0 ? 1 : 0;
  return 1 - numerator / denominator;
}

/**
 * RMSE, MAE, R², MAPE and explained variance of predictions against observed values.
 * @example regressionMetrics(Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 4)).mae // 1/3
 */
export function regressionMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>): RegressionMetrics {
  const n = actual.length;
  ensure(n === predicted.length, `actual (${n}) and predicted (${predicted.length}) differ in length`);
  ensure(n > 0, 'no rows to evaluate');
  let sumY = 0;
  let sumDiff = 0;
  for (let i = 0; i < n; i++) {
    ensure(Number.isFinite(actual[i]) && Number.isFinite(predicted[i]), `row ${i} has a missing or non-finite value`, 'INVALID_INPUT', { row: i });
    sumY += actual[i]!;
    sumDiff += actual[i]! - predicted[i]!;
  }
  const meanY = sumY / n;
  const meanDiff = sumDiff / n;
  let sse = 0;
  let sae = 0;
  let sape = 0;
  let sst = 0;
  let sDiffVar = 0;
  for (let i = 0; i < n; i++) {
    const y = actual[i]!;
    const e = y - predicted[i]!;
    sse += e * e;
    sae += Math.abs(e);
    sape += Math.abs(e) / Math.max(Math.abs(y), FLOAT64_EPS);
    sst += (y - meanY) * (y - meanY);
    sDiffVar += (e - meanDiff) * (e - meanDiff);
  }
  return {
    rows: n,
    rmse: Math.sqrt(sse / n),
    mae: sae / n,
    r2: finiteScore(sse, sst),
    mape: sape / n,
    explainedVariance: finiteScore(sDiffVar / n, sst / n),
  };
}

import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, goldenCase, readJson, readNumericCsv } from '../../../test/support/golden.js';
import { type DesignMatrix, fitLogisticRegression, type LogisticPenalty, logisticScorer, predictLogistic } from './index.js';

interface ReferenceCase {
  penalty: 'l2' | 'l1' | 'none';
  C: number | null;
  intercept_standardized: number;
  coef_standardized: number[];
  sklearn_intercept_standardized: number;
  sklearn_coef_standardized: number[];
  intercept?: number;
  coef?: number[];
  se?: number[];
  se_standardized?: number[];
  p_values?: number[];
  se_direct_original_design?: number[];
  predict_proba_first_rows: number[];
}
interface Reference {
  features: string[];
  mean: number[];
  std: number[];
  cases: Record<string, ReferenceCase>;
}

const ref = readJson<Reference>(join(FIXTURES_DIR, 'linear', 'logistic_reference.json'));
const input = readNumericCsv(join(goldenCase('credit_default_whitepaper'), 'input.csv'));
const labels = readNumericCsv(join(goldenCase('credit_default_whitepaper'), 'labels.csv')).values;
const columns = ref.features.map((f) => input.header.indexOf(f));
const x: DesignMatrix = {
  rows: input.rows,
  cols: columns.length,
  values: Float64Array.from({ length: input.rows * columns.length }, (_, k) => input.values[Math.floor(k / columns.length) * input.cols + columns[k % columns.length]!]!),
};

function near(actual: number, expected: number, tol: number, what: string): void {
  expect(Math.abs(actual - expected), what).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}

describe.each(Object.entries(ref.cases))('logistic regression against scikit-learn: %s', (_name, c) => {
  const model = fitLogisticRegression(x, labels, ref.features, { penalty: c.penalty as LogisticPenalty, C: c.C ?? 1 });

  it('standardises with the population mean and standard deviation', () => {
    model.means.forEach((m, j) => {
      near(m, ref.mean[j]!, 1e-12, 'mean');
    });
    model.scales.forEach((s, j) => {
      near(s, ref.std[j]!, 1e-12, 'std');
    });
  });

  it('finds the optimum of sklearn’s objective (C·Σ logloss + penalty)', () => {
    // L2/none: the reference is sklearn's fit polished by Newton steps, so agreement is tight;
    // L1: saga's own fit at tol 1e-12.
    const tol = c.penalty === 'l1' ? 1e-6 : 1e-8;
    near(model.interceptStandardized, c.intercept_standardized, tol, 'intercept');
    model.coefficientsStandardized.forEach((w, j) => {
      near(w, c.coef_standardized[j]!, tol, ref.features[j]!);
    });
    // Raw lbfgs output stops ~1e-5 short of the optimum.
    model.coefficientsStandardized.forEach((w, j) => {
      near(w, c.sklearn_coef_standardized[j]!, 1e-4, `${ref.features[j]} vs raw sklearn`);
    });
  });

  it('predicts sklearn’s probabilities', () => {
    const firstRows: DesignMatrix = { rows: 5, cols: x.cols, values: x.values.subarray(0, 5 * x.cols) };
    predictLogistic(model, firstRows).forEach((p, i) => {
      near(p, c.predict_proba_first_rows[i]!, c.penalty === 'l1' ? 1e-6 : 1e-8, `row ${i}`);
    });
  });

  it('reports original-unit coefficients and inverse-Hessian standard errors', () => {
    if (c.penalty === 'l1') {
      expect(model.standardErrors).toBeNull();
      for (const [j, w] of model.coefficientsStandardized.entries()) expect(w === 0).toBe(c.coef_standardized[j] === 0);
      return;
    }
    near(model.intercept, c.intercept!, 1e-7, 'intercept (original units)');
    model.coefficients.forEach((b, j) => {
      near(b, c.coef![j]!, 1e-7, `${ref.features[j]} (original units)`);
    });
    model.standardErrors!.forEach((s, j) => {
      near(s, c.se![j]!, 1e-7, `SE ${j}`);
    });
    model.standardErrorsStandardized!.forEach((s, j) => {
      near(s, c.se_standardized![j]!, 1e-7, `SE std ${j}`);
    });
    model.statistics.forEach((st, j) => {
      near(st.pValue!, c.p_values![j + 1]!, 1e-6, `p-value ${st.name}`);
      near(st.oddsRatio, Math.exp(c.coef![j]!), 1e-7, 'odds ratio');
      expect(st.oddsRatioLower!).toBeLessThan(st.oddsRatio);
      expect(st.oddsRatioUpper!).toBeGreaterThan(st.oddsRatio);
    });
    if (c.se_direct_original_design) model.standardErrors!.forEach((s, j) => {
      near(s, c.se_direct_original_design![j]!, 1e-7, `statsmodels SE ${j}`);
    });
  });
});

describe('logistic regression properties', () => {
  it('is deterministic and its scorer matches predictLogistic', () => {
    const a = fitLogisticRegression(x, labels, ref.features, { C: 0.5 });
    const b = fitLogisticRegression(x, labels, ref.features, { C: 0.5 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const score = logisticScorer(a);
    expect(score(x)).toEqual(predictLogistic(a, x));
    const logit = logisticScorer(a, 'logit')(x);
    near(1 / (1 + Math.exp(-logit[0]!)), predictLogistic(a, x)[0]!, 1e-14, 'logit link');
  });

  it('sets the gradient of the penalised objective to zero (property, random small problems)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(0.1, 1, 10), (seed, C) => {
        let s = seed;
        const rnd = (): number => {
          s = (s * 16807) % 2147483647;
          return s / 2147483647;
        };
        const n = 60;
        const values = Float64Array.from({ length: n * 3 }, () => rnd() * 4 - 2);
        const y = Float64Array.from({ length: n }, (_, i) => (values[i * 3]! + rnd() * 2 - 1 > 0 ? 1 : 0));
        if (y.every((v) => v === y[0])) return;
        const m = fitLogisticRegression({ rows: n, cols: 3, values }, y, ['a', 'b', 'c'], { C, standardize: false });
        const p = predictLogistic(m, { rows: n, cols: 3, values });
        for (let j = -1; j < 3; j++) {
          let g = j < 0 ? 0 : m.coefficients[j]! / C;
          for (let i = 0; i < n; i++) g += (p[i]! - y[i]!) * (j < 0 ? 1 : values[i * 3 + j]!);
          expect(Math.abs(g)).toBeLessThan(1e-8);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('rejects bad input with clear errors', () => {
    expect(() => fitLogisticRegression({ rows: 2, cols: 1, values: Float64Array.of(0, Number.NaN) }, [0, 1], ['a'])).toThrow(/row 1, column a/);
    expect(() => fitLogisticRegression({ rows: 2, cols: 1, values: Float64Array.of(0, 1) }, [0, 2], ['a'])).toThrow(/0 or 1/);
    expect(() => fitLogisticRegression({ rows: 2, cols: 1, values: Float64Array.of(0, 1) }, [0, 1], ['a'], { C: 0 })).toThrow(/C must be/);
    expect(() => fitLogisticRegression({ rows: 4, cols: 1, values: Float64Array.of(0, 1, 2, 3) }, [0, 0, 1, 1], ['a'], { penalty: 'none' })).toThrow(/did not converge.*separated/);
  });
});

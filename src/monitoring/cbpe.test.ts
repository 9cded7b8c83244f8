import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN_DIR, readJson, readNumericCsv } from '../../test/support/golden.js';
import { createRandom } from '../kernel/index.js';
import { fitIsotonic } from './calibration.js';
import { estimateCbpe, fitCbpe, realisedMetrics } from './cbpe.js';

const csv = readNumericCsv(join(GOLDEN_DIR, 'stats', 'binary_scores.csv'));
const labels = new Float64Array(csv.rows);
const scores = new Float64Array(csv.rows);
for (let r = 0; r < csv.rows; r++) {
  labels[r] = csv.values[r * 2]!;
  scores[r] = csv.values[r * 2 + 1]!;
}

describe('CBPE on the credit data (golden model scores)', () => {
  it('realised metrics equal scikit-learn', () => {
    const g = readJson<{ roc_auc: number; accuracy: number; precision: number; recall: number; f1: number }>(join(GOLDEN_DIR, 'stats', 'binary_metrics.json'));
    const r = realisedMetrics(scores, labels);
    expect(r.roc_auc).toBeCloseTo(g.roc_auc, 12);
    expect(r.accuracy).toBeCloseTo(g.accuracy, 12);
    expect(r.precision).toBeCloseTo(g.precision, 12);
    expect(r.recall).toBeCloseTo(g.recall, 12);
    expect(r.f1).toBeCloseTo(g.f1, 12);
  });
  /** 5-fold cross-estimation: fit on 80 % of the rows, estimate the other 20 %; the mean estimate−realised gap is the bias. */
  function crossEstimate(transform: (s: number) => number, calibration: 'auto' | 'isotonic' | 'platt') {
    const gaps = { accuracy: 0, roc_auc: 0 };
    const warnings: string[] = [];
    for (let k = 0; k < 5; k++) {
      const fit = [...scores.keys()].filter((i) => i % 5 !== k);
      const held = [...scores.keys()].filter((i) => i % 5 === k);
      const model = fitCbpe(Float64Array.from(fit, (i) => transform(scores[i]!)), Float64Array.from(fit, (i) => labels[i]!), { calibration });
      warnings.push(...model.warnings);
      const est = estimateCbpe(model, Float64Array.from(held, (i) => transform(scores[i]!)), Float64Array.from(held, (i) => labels[i]!));
      expect(est.realised).toBeDefined();
      gaps.accuracy += est.difference!.accuracy / 5;
      gaps.roc_auc += est.difference!.roc_auc / 5;
    }
    return { gaps, warnings };
  }

  it('estimated accuracy and AUC are within 0.02 of realised on held-out rows', () => {
    for (const calibration of ['auto', 'isotonic', 'platt'] as const) {
      const { gaps, warnings } = crossEstimate((s) => s, calibration);
      expect(Math.abs(gaps.accuracy)).toBeLessThan(0.02);
      expect(Math.abs(gaps.roc_auc)).toBeLessThan(0.02);
      expect(warnings).toEqual([]);
    }
  });
  it('warns when scores are poorly calibrated and still estimates well after calibration', () => {
    const { gaps, warnings } = crossEstimate((s) => s ** 3, 'auto');
    expect(warnings.join(' ')).toMatch(/poorly calibrated/);
    expect(Math.abs(gaps.accuracy)).toBeLessThan(0.02);
    expect(Math.abs(gaps.roc_auc)).toBeLessThan(0.02);
  });
  it('alerts when a window leaves the ±3σ band of the reference chunks', () => {
    const model = fitCbpe(scores, labels);
    expect(model.bands.accuracy.lower).toBeLessThan(model.bands.accuracy.mean);
    const confident = scores.map((s) => (s > 0.5 ? 0.99 : 0.01));
    expect(estimateCbpe(model, confident).alerts).toContain('accuracy');
  });
});

describe('isotonic calibration', () => {
  it('is monotone and fits a step function exactly', () => {
    const r = createRandom(3);
    const s = Float64Array.from({ length: 500 }, () => r.next());
    const y = s.map((x) => (x > 0.5 ? 1 : 0));
    const cal = fitIsotonic(s, y);
    expect(cal.predict(0.1)).toBe(0);
    expect(cal.predict(0.9)).toBe(1);
    let prev = -1;
    for (let x = 0; x <= 1; x += 0.01) {
      expect(cal.predict(x)).toBeGreaterThanOrEqual(prev);
      prev = cal.predict(x);
    }
  });
});

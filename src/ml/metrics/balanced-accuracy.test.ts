/**
 * Balanced accuracy as scikit-learn 1.2 `balanced_accuracy_score` computes it:
 *   C = confusion_matrix(y_true, y_pred); per_class = diag(C) / C.sum(axis=1)
 *   if any(isnan(per_class)): warn("y_pred contains classes not in y_true"); drop the NaNs
 *   score = mean(per_class)
 * The expected values below follow those lines by hand (sklearn is not installed here).
 */
import { describe, expect, it } from 'vitest';
import { BALANCED_ACCURACY_ABSENT_CLASS_WARNING, balancedAccuracyFromCounts, binaryMetrics } from './index.js';

describe('balanced accuracy (sklearn balanced_accuracy_score)', () => {
  it('is 1.0 without a warning for a single-class label predicted right (C is 1×1)', () => {
    const m = binaryMetrics(Float64Array.of(1, 1, 1, 1), Float64Array.of(0.9, 0.8, 0.7, 0.6));
    expect(m.balancedAccuracy).toBe(1);
    expect(m.warnings).toEqual([]);
    const negatives = binaryMetrics(Float64Array.of(0, 0, 0), Float64Array.of(0.1, 0.2, 0.3));
    expect(negatives.balancedAccuracy).toBe(1);
  });

  it('is the recall of the only true class, with sklearn\'s warning, when the other class is predicted', () => {
    // y_true = [1,1,1,1], y_pred = [1,1,1,0]: C = [[0,0],[1,3]], per_class = [nan, 0.75] → 0.75.
    const m = binaryMetrics(Float64Array.of(1, 1, 1, 1), Float64Array.of(0.9, 0.8, 0.7, 0.2));
    expect(m.balancedAccuracy).toBe(0.75);
    expect(m.warnings).toEqual([BALANCED_ACCURACY_ABSENT_CLASS_WARNING]);
    expect(BALANCED_ACCURACY_ABSENT_CLASS_WARNING).toBe('y_pred contains classes not in y_true');
  });

  it('is the mean of recall and specificity when both classes are present', () => {
    // y_true = [0,0,1,1,1], y_pred = [0,1,1,1,0]: recalls 1/2 and 2/3.
    const m = binaryMetrics(Float64Array.of(0, 0, 1, 1, 1), Float64Array.of(0.1, 0.6, 0.7, 0.8, 0.3));
    expect(m.balancedAccuracy).toBeCloseTo((0.5 + 2 / 3) / 2, 15);
    expect(m.warnings).toEqual([]);
    expect(balancedAccuracyFromCounts({ tp: 2, fn: 1, tn: 1, fp: 1 }).value).toBe(m.balancedAccuracy);
  });
});

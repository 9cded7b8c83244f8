import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boosterParamsFromPairs, formatXgbFloat, parseBoosterParams, predictMargin, train } from './index.js';
import { rocAuc } from './eval-metrics.js';
import { quantize } from './quantize.js';
import { argsortFloat32, sortFloat32 } from './radix-sort.js';

/** Index of the first element of `sorted` strictly greater than `v` (the bin rule, by binary search). */
function upperBound(sorted: Float32Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

describe('parseBoosterParams', () => {
  it('applies XGBoost 1.7 defaults', () => {
    const p = parseBoosterParams({});
    expect(p).toMatchObject({
      objective: 'reg:squarederror',
      eta: 0.3,
      max_depth: 6,
      min_child_weight: 1,
      gamma: 0,
      lambda: 1,
      alpha: 0,
      max_delta_step: 0,
      subsample: 1,
      colsample_bytree: 1,
      scale_pos_weight: 1,
      base_score: 0.5,
      max_bin: 256,
      seed: 0,
    });
  });

  it('keeps every repeated eval_metric, in order, as XGBoost does; other repeats keep the last value', () => {
    const raw = boosterParamsFromPairs([
      ['eval_metric', 'auc'],
      ['max_depth', '3'],
      ['eval_metric', 'logloss,error'],
      ['eval_metric', 'auc'],
      ['max_depth', '5'],
    ]);
    expect(raw).toEqual({ eval_metric: 'auc,logloss,error', max_depth: '5' });
    expect(parseBoosterParams({ objective: 'binary:logistic', ...raw }).eval_metric).toEqual(['auc', 'logloss', 'error']);
  });

  it('reads --param strings, aliases and metric lists', () => {
    const p = parseBoosterParams({ objective: 'binary:logistic', learning_rate: '0.2', reg_lambda: '2', reg_alpha: '0.5', max_depth: '5', eval_metric: 'logloss,auc', tree_method: 'hist', nthread: '1' });
    expect(p).toMatchObject({ objective: 'binary:logistic', eta: 0.2, lambda: 2, alpha: 0.5, max_depth: 5, eval_metric: ['logloss', 'auc'] });
  });

  it('accepts its own output again (as TrainResult.params)', () => {
    const p = parseBoosterParams({ objective: 'multi:softprob', num_class: '3', eval_metric: 'mlogloss' });
    expect(parseBoosterParams(p)).toEqual(p);
    expect(parseBoosterParams({ ...parseBoosterParams({}), eval_metric: undefined })).toEqual(parseBoosterParams({}));
  });

  it('refuses bad values with INVALID_INPUT naming the parameter', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ eta: 'fast' }, /eta must be a number/],
      [{ max_depth: '2.5' }, /max_depth/],
      [{ subsample: '0' }, /subsample/],
      [{ colsample_bytree: '1.5' }, /colsample_bytree/],
      [{ objective: 'rank:ndcg' }, /objective/],
      [{ objective: 'multi:softprob' }, /num_class/],
      [{ objective: 'binary:logistic', base_score: '1' }, /base_score/],
      [{ max_leaves: '4' }, /Unknown booster parameter.*max_leaves/],
      [{ tree_method: 'gpu_hist' }, /tree_method=gpu_hist is not supported/],
      [{ eta: '0.1', learning_rate: '0.2' }, /given twice/],
      [{ eval_metric: 'ndcg' }, /eval_metric/],
    ];
    for (const [raw, message] of cases) {
      expect(() => parseBoosterParams(raw), JSON.stringify(raw)).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(message) }));
    }
  });

  it('trainer rejects labels the objective cannot learn', () => {
    const x = { rows: 2, cols: 1, values: Float32Array.from([1, 2]) };
    expect(() => train({ x, y: Float32Array.from([0, 2]), featureNames: ['a'] }, { objective: 'binary:logistic', num_round: 1 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/row 2/) }),
    );
    expect(() => train({ x, y: Float32Array.from([0, 1]), featureNames: ['a', 'b'] }, { num_round: 1 })).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => train({ x, y: Float32Array.from([0, 1]), featureNames: ['a'] }, { num_round: 1, early_stopping_rounds: 2 })).toThrowError(/validation set/);
  });
});

describe('formatXgbFloat', () => {
  it('writes floats as XGBoost does', () => {
    expect(formatXgbFloat(0.5)).toBe('5E-1');
    expect(formatXgbFloat(2)).toBe('2E0');
    expect(formatXgbFloat(100000)).toBe('1E5');
    expect(formatXgbFloat(44)).toBe('4.4E1');
    expect(formatXgbFloat(-0.45074117)).toBe('-4.5074117E-1');
    expect(formatXgbFloat(0)).toBe('0E0');
  });

  it('round-trips every float32', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (v) => {
        const f = Math.fround(v);
        expect(Math.fround(Number(formatXgbFloat(f)))).toBe(f);
      }),
    );
  });
});

describe('quantize', () => {
  it('uses the distinct values except the smallest as cuts when there are at most max_bin of them', () => {
    const values = Float32Array.from([3, 1, 2, 2, Number.NaN, 8, 6, 1]);
    const q = quantize({ rows: values.length, cols: 1, values }, 256);
    // Sentinel max + (|max| + 1e-5) and min - (|min| + 1e-5), in float32 as XGBoost computes them.
    const eps = Math.fround(1e-5);
    expect(Array.from(q.cuts)).toEqual([2, 3, 6, 8, Math.fround(8 + Math.fround(8 + eps))]);
    expect(q.minValues[0]).toBe(Math.fround(1 - Math.fround(1 + eps)));
    expect(Array.from(q.bins)).toEqual([2, 0, 1, 1, 5, 4, 3, 0]);
    expect(q.dense).toBe(false);
  });

  it('radix-sorts float32 values like a numeric sort', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true }), { maxLength: 500 }), (raw) => {
        const values = Float32Array.from(raw);
        const expected = Array.from(values).sort((a, b) => a - b);
        expect(Array.from(sortFloat32(values)).map((v) => v + 0)).toEqual(expected.map((v) => v + 0));
      }),
    );
  });

  it('radix-sorts a payload alongside, stably', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant(-0)), { maxLength: 300 }), (raw) => {
        const values = Float32Array.from(raw);
        const payload = Int32Array.from(values.keys());
        const sorted = sortFloat32(values, payload);
        const expected = Array.from(values.keys()).sort((a, b) => values[a]! - values[b]! || (Object.is(values[a], -0) ? 0 : 1) - (Object.is(values[b], -0) ? 0 : 1) || a - b);
        expect(Array.from(payload)).toEqual(expected);
        expect(Array.from(sorted, (v) => Object.is(v, -0))).toEqual(expected.map((r) => Object.is(values[r], -0)));
      }),
    );
  });

  it('argsorts stably and computes ROC AUC like the pairwise definition', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -3, max: 3 }), fc.boolean()), { minLength: 2, maxLength: 200 }), (pairs) => {
        const score = Float32Array.from(pairs, ([s]) => s / 2);
        const y = Float32Array.from(pairs, ([, l]) => (l ? 1 : 0));
        const order = Array.from(argsortFloat32(score));
        const expected = Array.from(score.keys()).sort((a, b) => score[a]! - score[b]! || a - b);
        expect(order).toEqual(expected);
        let pos = 0;
        let neg = 0;
        let wins = 0;
        for (let i = 0; i < score.length; i++) {
          for (let j = 0; j < score.length; j++) {
            if (y[i] === 1 && y[j] === 0) wins += score[i]! > score[j]! ? 1 : score[i] === score[j] ? 0.5 : 0;
          }
          if (y[i] === 1) pos++;
          else neg++;
        }
        const auc = rocAuc(score, y, undefined);
        if (pos === 0 || neg === 0) expect(auc).toBeNaN();
        else expect(auc).toBeCloseTo(wins / (pos * neg), 12);
      }),
    );
  });

  it('keeps at most max_bin bins, and bin <= s exactly when value < cut[s]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -50, max: 50 }), fc.float({ min: -1e4, max: 1e4, noNaN: true }), fc.constant(Number.NaN)), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 2, max: 40 }),
        fc.boolean(),
        (raw, maxBin, weighted) => {
          const values = Float32Array.from(raw);
          const weights = weighted ? Float32Array.from(raw, (_, r) => 1 + (r % 3)) : undefined;
          const q = quantize({ rows: values.length, cols: 1, values }, maxBin, weights);
          const cuts = q.cuts;
          expect(cuts.length).toBeLessThanOrEqual(maxBin);
          for (let i = 1; i < cuts.length; i++) expect(cuts[i]!).toBeGreaterThan(cuts[i - 1]!);
          for (let r = 0; r < values.length; r++) {
            const v = values[r]!;
            const b = q.bins[r]!;
            if (Number.isNaN(v)) {
              expect(b).toBe(cuts.length);
              continue;
            }
            expect(b).toBe(Math.min(upperBound(cuts, v), cuts.length - 1));
            for (let s = 0; s < cuts.length - 1; s++) expect(b <= s).toBe(v < cuts[s]!);
            expect(v < q.minValues[0]!).toBe(false);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('training margins agree with the predictor on random data with missing values', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 120 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        (rows, cols, seed) => {
          let s = seed + 1;
          const rnd = () => {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            return s / 4294967296;
          };
          const values = Float32Array.from({ length: rows * cols }, () => (rnd() < 0.15 ? Number.NaN : Math.round(rnd() * 20) / 4));
          const y = Float32Array.from({ length: rows }, (_, r) => (Number.isNaN(values[r * cols]!) ? 1 : values[r * cols]! + rnd()));
          const names = Array.from({ length: cols }, (_, i) => `f${i}`);
          const result = train({ x: { rows, cols, values }, y, featureNames: names }, { max_depth: 3, num_round: 3, min_child_weight: 0.5, eval_metric: 'rmse' });
          const rmseLog = result.evalLog.train!.rmse!.at(-1)!;
          let sum = 0;
          const m = predictMargin(result.model, { rows, cols, values });
          for (let r = 0; r < rows; r++) sum += (m[r]! - y[r]!) ** 2;
          expect(Math.sqrt(sum / rows)).toBeCloseTo(rmseLog, 9);
        },
      ),
      { numRuns: 60 },
    );
  });
});

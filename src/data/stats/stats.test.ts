import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../kernel/index.js';
import { categoricalColumn, numericColumn } from '../frame/column-frame.js';
import {
  cdfRank,
  classifyString,
  determineType,
  finalizeColumnProfile,
  finalizeFrequentItems,
  finalizeHll,
  finalizeKll,
  finalizeMoments,
  initColumnProfile,
  initFrequentItems,
  addItem,
  initHll,
  initKll,
  initMoments,
  kllCdf,
  kllQuantile,
  kllRankErrorBound,
  mergeColumnProfiles,
  mergeFrequentItems,
  mergeHll,
  mergeKll,
  mergeMoments,
  updateColumnProfile,
  updateHllNumbers,
  updateKll,
  updateMoments,
} from './index.js';
import type { ColumnProfileState, KllState, MomentsState } from './index.js';
import { addNumericValue, addNumericValues, initNumericHistogram, numericHistogramEntries } from './numeric-histogram.js';
import { radixSortFloat64, sortFloat64Runs } from './radix-sort.js';
import { selectRanks } from './rank-select.js';

/** Cuts [0, n) into `parts` contiguous ranges at the given (unsorted) cut points. */
function ranges(n: number, cuts: number[]): [number, number][] {
  const points = [0, ...cuts.map((c) => Math.floor(c * n)).sort((a, b) => a - b), n];
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < points.length; i++) out.push([points[i]!, points[i + 1]!]);
  return out;
}

const values = fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: -1000, max: 1000 }), fc.constant(Number.NaN)), { minLength: 0, maxLength: 400 });
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 7, maxLength: 7 });

function close(a: number, b: number, scale: number, tol = 1e-12): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  // The absolute 1e-300 floor covers subnormal inputs, whose arithmetic has no relative precision.
  return Math.abs(a - b) <= tol * Math.max(scale, Math.abs(a), Math.abs(b)) + 1e-300;
}

describe('moments', () => {
  it('8 partitions merged equal one pass (counts exact, moments to 1e-12 relative)', () => {
    fc.assert(
      fc.property(values, cuts, (xs, cs) => {
        const data = Float64Array.from(xs);
        const one = finalizeMoments(updateMoments(initMoments(), data));
        const parts = ranges(data.length, cs).map(([s, e]) => updateMoments(initMoments(), data, s, e));
        const merged = finalizeMoments(parts.reduce((a, b) => mergeMoments(a, b), initMoments()));
        const scale = Math.max(0, ...xs.filter((x) => !Number.isNaN(x)).map(Math.abs));
        expect(merged.count).toBe(one.count);
        expect(merged.missing).toBe(one.missing);
        expect(merged.min).toBe(one.min);
        expect(merged.max).toBe(one.max);
        expect(close(merged.mean, one.mean, scale)).toBe(true);
        expect(close(merged.sum, one.sum, scale)).toBe(true);
        // Relative to the variance, plus the conditioning floor every algorithm has: rounding the
        // mean costs ~ε·max|x|, i.e. ~(ε·max|x|)² in the variance when values are nearly equal.
        if (one.count === 0) expect(merged.variance).toBeNaN();
        else expect(Math.abs(merged.variance - one.variance)).toBeLessThanOrEqual(1e-12 * one.variance + 1e3 * (Number.EPSILON * scale) ** 2 + 1e-300);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 200) },
    );
  });

  it('merge is associative and commutative to rounding', () => {
    fc.assert(
      fc.property(values, values, values, (x, y, z) => {
        const [a, b, c] = [x, y, z].map((v) => updateMoments(initMoments(), Float64Array.from(v))) as [MomentsState, MomentsState, MomentsState];
        const left = finalizeMoments(mergeMoments(mergeMoments(a, b), c));
        const right = finalizeMoments(mergeMoments(a, mergeMoments(c, b)));
        expect(left.count).toBe(right.count);
        const scale = Math.max(0, ...[...x, ...y, ...z].filter((v) => !Number.isNaN(v)).map(Math.abs));
        // Merging rounds the mean to ~ε·max|x| whatever the order, so that is the scale.
        expect(close(left.mean, right.mean, scale)).toBe(true);
        if (left.count > 0) expect(Math.abs(left.variance - right.variance)).toBeLessThanOrEqual(1e-12 * left.variance + 1e3 * (Number.EPSILON * scale) ** 2 + 1e-300);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 100) },
    );
  });

  it('matches a textbook two-pass computation', () => {
    const m = finalizeMoments(updateMoments(initMoments(), Float64Array.from([1, 2, 3, 4, Number.NaN])));
    expect(m).toMatchObject({ count: 4, missing: 1, sum: 10, mean: 2.5, variance: 1.25, min: 1, max: 4 });
    expect(m.sampleVariance).toBeCloseTo(5 / 3, 14);
  });
});

function trueRank(sorted: Float64Array, x: number): number {
  let n = 0;
  while (n < sorted.length && sorted[n]! <= x) n++;
  return n;
}

describe('KLL sketch', () => {
  const small = { k: 32, c: 0.64, seed: 7 };
  it('is exact while nothing is compacted, and partitioned = one pass', () => {
    const data = Float64Array.from({ length: 500 }, (_, i) => (i * 7919) % 500);
    const one = finalizeKll(updateKll(initKll(), data));
    const parts = ranges(data.length, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]).map(([s, e]) => updateKll(initKll(), data, s, e));
    const merged = finalizeKll(parts.reduce((a, b) => mergeKll(a, b)));
    expect(merged.data[0]).toEqual(one.data[0]);
    expect(one.worstCaseError).toBe(0);
    expect(kllQuantile(kllCdf(one), 0.5)).toBe(249);
  });

  it('8 partitions merged stay within the certain rank-error bound (compacting sketches)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 50, maxLength: 3000 }), cuts, (xs, cs) => {
        const data = Float64Array.from(xs);
        const sorted = data.slice().sort();
        const one = finalizeKll(updateKll(initKll(small), data));
        const merged = finalizeKll(ranges(data.length, cs).map(([s, e]) => updateKll(initKll(small), data, s, e)).reduce((a, b) => mergeKll(a, b)));
        for (const sk of [one, merged]) {
          expect(sk.n).toBe(data.length);
          const cdf = kllCdf(sk);
          expect(cdf.total).toBe(data.length);
          const bound = kllRankErrorBound(sk).worst;
          for (const q of [0.05, 0.25, 0.5, 0.75, 0.95]) {
            const x = sorted[Math.floor(q * (sorted.length - 1))]!;
            expect(Math.abs(cdfRank(cdf, x) - trueRank(sorted, x))).toBeLessThanOrEqual(bound);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('merge order does not change the item count or the bound guarantee (associativity within the bound)', () => {
    const gen = (seed: number, n: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i) * 100);
    const [a, b, c] = [gen(1, 900), gen(2, 1300), gen(3, 700)].map((d) => updateKll(initKll(small), d)) as [KllState, KllState, KllState];
    const all = Float64Array.from([...gen(1, 900), ...gen(2, 1300), ...gen(3, 700)]).sort();
    const left = finalizeKll(mergeKll(mergeKll(a, b), c));
    const right = finalizeKll(mergeKll(a, mergeKll(b, c)));
    for (const sk of [left, right]) {
      const cdf = kllCdf(sk);
      expect(cdf.total).toBe(2900);
      for (const x of [-50, 0, 50]) expect(Math.abs(cdfRank(cdf, x) - trueRank(all, x))).toBeLessThanOrEqual(sk.worstCaseError);
    }
  });

  it('is deterministic for a seed and has a small error with Deequ defaults on 200k values', () => {
    const data = Float64Array.from({ length: 200_000 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453));
    const a = finalizeKll(updateKll(initKll({ seed: 3 }), data));
    const b = finalizeKll(updateKll(initKll({ seed: 3 }), data));
    expect(a).toEqual(b);
    const sorted = data.slice().sort();
    const cdf = kllCdf(a);
    const bound = kllRankErrorBound(a);
    let worst = 0;
    for (let q = 0.01; q < 1; q += 0.01) {
      const x = sorted[Math.floor(q * sorted.length)]!;
      worst = Math.max(worst, Math.abs(cdfRank(cdf, x) - trueRank(sorted, x)));
    }
    expect(worst).toBeLessThanOrEqual(bound.probabilistic);
    expect(worst / data.length).toBeLessThan(0.005);
  });
  it('weighted CDF of sorted levels (merged) equals the stable sort of the same levels unsorted (±0 equal)', () => {
    const value = fc.oneof(fc.constantFrom(0, -0, 1, -1, 2.5), fc.double({ noNaN: true }));
    const unsignedZero = (xs: Float64Array) => Array.from(xs, (v) => (v === 0 ? 0 : v));
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 30 }), { maxLength: 6 }), (levels) => {
        const sorted = levels.map((l) => Float64Array.from(l).sort());
        // Reversed, a level with two distinct values is unsorted, which sends kllCdf down its stable-sort path.
        const reversed = sorted.map((l) => Float64Array.from(l).reverse());
        const total = levels.reduce((n, l, h) => n + l.length * 2 ** h, 0);
        const sketch = (data: Float64Array[]) => ({ k: 8, c: 0.5, n: total, data: data.map((l) => Array.from(l)), worstCaseError: 0, errorVariance: 0 });
        const merged = kllCdf(sketch(sorted));
        const stable = kllCdf(sketch(reversed));
        expect(merged.total).toBe(total);
        expect(stable.total).toBe(total);
        expect(unsignedZero(merged.values)).toEqual(unsignedZero(stable.values));
        expect(Array.from(merged.cumulative)).toEqual(Array.from(stable.cumulative));
      }),
    );
  });
});

describe('HyperLogLog', () => {
  it('partition registers merge to exactly the one-pass registers; estimate within 3 %', () => {
    const data = Float64Array.from({ length: 50_000 }, (_, i) => i % 20_000);
    const one = updateHllNumbers(initHll(), data);
    const merged = ranges(data.length, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]).map(([s, e]) => updateHllNumbers(initHll(), data, s, e)).reduce((a, b) => mergeHll(a, b));
    expect(merged.registers).toEqual(one.registers);
    expect(Math.abs(finalizeHll(one) - 20_000) / 20_000).toBeLessThan(0.03);
    expect(finalizeHll(updateHllNumbers(initHll(), Float64Array.from([1, 2, 3, 3, 2])))).toBe(3);
  });
});

describe('frequent items', () => {
  it('is exact below the cap and within the Misra–Gries bound above it', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 600 }), cuts, (xs, cs) => {
        const truth = new Map<string, number>();
        for (const x of xs) truth.set(String(x), (truth.get(String(x)) ?? 0) + 1);
        const parts = ranges(xs.length, cs).map(([s, e]) => {
          const st = initFrequentItems<string>(10);
          for (let i = s; i < e; i++) addItem(st, String(xs[i]));
          return st;
        });
        const merged = finalizeFrequentItems(parts.reduce((a, b) => mergeFrequentItems(a, b)));
        expect(merged.n).toBe(xs.length);
        if (truth.size <= 10) expect(merged.exact).toBe(true);
        for (const { value, count } of merged.items) {
          const t = truth.get(value)!;
          expect(count).toBeLessThanOrEqual(t);
          expect(t - count).toBeLessThanOrEqual(merged.errorBound + 1e-9);
        }
        for (const [value, t] of truth) if (t > merged.errorBound) expect(merged.items.some((i) => i.value === value)).toBe(true);
      }),
    );
  });
});

describe('data types (Deequ rules)', () => {
  it('classifies strings like Deequ 2.0.2', () => {
    expect(classifyString('12')).toBe('Integral');
    expect(classifyString('-3')).toBe('Integral');
    expect(classifyString('1.5')).toBe('Fractional');
    expect(classifyString('true')).toBe('Boolean');
    expect(classifyString('abc')).toBe('String');
    expect(determineType({ missing: 1, fractional: 0, integral: 0, boolean: 0, string: 0 })).toBe('Unknown');
    expect(determineType({ missing: 0, fractional: 1, integral: 5, boolean: 0, string: 0 })).toBe('Fractional');
    expect(determineType({ missing: 0, fractional: 0, integral: 5, boolean: 1, string: 0 })).toBe('String');
    expect(determineType({ missing: 0, fractional: 0, integral: 0, boolean: 3, string: 0 })).toBe('Boolean');
  });
});

describe('column profiles', () => {
  it('8 partitions merged equal one pass for numeric and categorical columns', () => {
    fc.assert(
      fc.property(values, cuts, fc.array(fc.option(fc.constantFrom('a', 'b', 'c', '1', '2.5')), { maxLength: 300 }), (xs, cs, ss) => {
        const num = numericColumn('x', Float64Array.from(xs));
        const cat = categoricalColumn('s', ss);
        for (const col of [num, cat]) {
          const n = col.kind === 'numeric' ? col.values.length : col.codes.length;
          const one = finalizeColumnProfile(updateColumnProfile(initColumnProfile(col), col));
          const merged = finalizeColumnProfile(
            ranges(n, cs)
              .map(([s, e]) => updateColumnProfile(initColumnProfile(col), col, s, e))
              .reduce((a: ColumnProfileState, b) => mergeColumnProfiles(a, b)),
          );
          expect(merged.rows).toBe(one.rows);
          expect(merged.missing).toBe(one.missing);
          expect(merged.typeCounts).toEqual(one.typeCounts);
          expect(merged.inferredType).toBe(one.inferredType);
          expect(merged.distinct).toBe(one.distinct);
          if (merged.kind === 'categorical' && one.kind === 'categorical') expect(merged.frequentItems).toEqual(one.frequentItems);
          if (merged.kind === 'numeric' && one.kind === 'numeric') {
            expect(merged.histogram).toEqual(one.histogram);
            expect(merged.kll.data).toEqual(one.kll.data);
            // The profile's fused one-pass moments agree with the two-pass reference and across partitions.
            const twoPass = finalizeMoments(updateMoments(initMoments(), Float64Array.from(xs)));
            const scale = Math.max(0, ...xs.filter((v) => !Number.isNaN(v)).map(Math.abs));
            for (const m of [merged.moments, one.moments]) {
              expect(m.count).toBe(twoPass.count);
              expect(m.min).toBe(twoPass.min);
              expect(m.max).toBe(twoPass.max);
              expect(close(m.mean, twoPass.mean, scale)).toBe(true);
              expect(close(m.sum, twoPass.sum, scale * 8)).toBe(true);
              if (m.count > 0) expect(Math.abs(m.variance - twoPass.variance)).toBeLessThanOrEqual(1e-12 * twoPass.variance + 1e3 * (Number.EPSILON * scale) ** 2 + 1e-300);
            }
          }
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 100) },
    );
  });
});

describe('numeric histogram', () => {
  it('bulk adds (small integers counted directly) equal one-by-one adds: entries, zero sign, overflow', () => {
    const value = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(0, -0, 1.5, -3, 255, 256, 1e300, Number.NaN, Number.POSITIVE_INFINITY));
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 200 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 40 }), (chunks, cap) => {
        const bulk = initNumericHistogram(cap);
        const single = initNumericHistogram(cap);
        for (const chunk of chunks) {
          addNumericValues(bulk, Float64Array.from(chunk), 0, chunk.length);
          for (const x of chunk) if (!Number.isNaN(x)) addNumericValue(single, x);
        }
        expect(bulk.overflowed).toBe(single.overflowed);
        if (single.overflowed) return;
        const sorted = (h: typeof bulk) => numericHistogramEntries(h).sort((p, q) => p[0] - q[0] || (Object.is(p[0], -0) ? -1 : 1));
        expect(sorted(bulk)).toEqual(sorted(single));
      }),
    );
  });
});

describe('radix sort', () => {
  it('sorts float64 exactly like a numeric sort', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true }), { minLength: 0, maxLength: 700 }), (xs) => {
        const a = Float64Array.from(xs);
        radixSortFloat64(a, new Uint32Array(2 * a.length));
        const b = Float64Array.from(xs).sort();
        expect(Array.from(a)).toEqual(Array.from(b));
      }),
    );
  });
  it('sorts arrays of a few ascending runs (merged) and of many (radix sorted) like a numeric sort', () => {
    const value = fc.oneof(fc.constantFrom(0, -0, 1, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY), fc.double({ noNaN: true }));
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 60 }), { minLength: 1, maxLength: 12 }), (runs) => {
        const xs = runs.flatMap((r) => Array.from(Float64Array.from(r).sort()));
        const a = Float64Array.from(xs);
        sortFloat64Runs(a, new Uint32Array(2 * a.length));
        expect(Array.from(a)).toEqual(Array.from(Float64Array.from(xs).sort()));
      }),
    );
  });
  it('sorts values that share their high word (runs finished on the low word)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4000 }), { minLength: 64, maxLength: 3000 }), (ks) => {
        const xs = ks.map((k) => (k % 2 ? -1 : 1) * (1 + k * 2 ** -44));
        const a = Float64Array.from(xs);
        radixSortFloat64(a, new Uint32Array(2 * a.length));
        expect(Array.from(a)).toEqual(Array.from(Float64Array.from(xs).sort()));
      }),
      { numRuns: 50 },
    );
  });
});

describe('rank selection', () => {
  const check = (xs: number[], pick: boolean[]) => {
    const sorted = Float64Array.from(xs).sort();
    const ranks = Int32Array.from(xs.map((_, i) => i).filter((i) => pick[i % pick.length]));
    const out = new Float64Array(ranks.length);
    selectRanks(Float64Array.from(xs), ranks, out, new Uint32Array(2 * xs.length));
    expect(Array.from(out)).toEqual(Array.from(ranks, (r) => sorted[r]!));
  };
  it('picks the values a full numeric sort puts at the wanted ranks', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 700 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), check),
    );
  });
  it('finishes long runs of near-equal values and skips runs of one repeated value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4000 }), { minLength: 64, maxLength: 3000 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
        fc.constantFrom(2 ** -44, 2 ** -30, 0, 1),
        (ks, pick, step) => check(ks.map((k) => (k % 3 ? 1 : -1) * (1 + (k % 500) * step) + (k % 7 === 0 ? 1e6 : 0)), pick),
      ),
      { numRuns: 50 },
    );
  });
  it('selects from large batches by bucketing (value or key map, zeros, infinities, wide ranges)', () => {
    const pool = [0, -0, 1, -1, 0.5, 1e-300, -1e300, 1e300, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** -1074];
    fc.assert(
      fc.property(
        fc.integer({ min: 4096, max: 12000 }),
        fc.constantFrom('normal', 'lognormal', 'integers', 'wide', 'clustered', 'special'),
        fc.integer({ min: 1, max: 2 ** 30 }),
        fc.integer({ min: 1, max: 300 }),
        (n, shape, seed, stride) => {
          const r = createRandom(seed);
          const xs = Array.from({ length: n }, (_, i) => {
            if (shape === 'normal') return 50 + 10 * r.nextNormal();
            if (shape === 'lognormal') return Math.exp(3 * r.nextNormal());
            if (shape === 'integers') return r.nextInt(3000) - 1000;
            if (shape === 'wide') return (r.next() < 0.5 ? -1 : 1) * 10 ** (600 * r.next() - 300);
            if (shape === 'clustered') return (i % 3) * 1e6 + r.next() * 2 ** -30;
            return r.next() < 0.7 ? pool[r.nextInt(pool.length)]! : r.nextNormal();
          });
          // Sparse ranks (every stride-th, as KLL halvings want) keep the wanted buckets few.
          check(xs, Array.from({ length: stride }, (_, i) => i === stride >> 1));
        },
      ),
      { numRuns: 60 },
    );
  });
  it('counts low-cardinality batches exactly (small integers counted directly, other values hashed)', () => {
    const value = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(0, -0, 0.5, 1.5, 255.5, 256, -1, -7, 1e300));
    fc.assert(
      fc.property(fc.array(value, { minLength: 64, maxLength: 2000 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), fc.integer({ min: 2, max: 130 }), (pool, pick, distinct) =>
        check(
          pool.map((_, i) => pool[i % distinct]!),
          pick,
        ),
      ),
      { numRuns: 60 },
    );
  });
  it('counts low-cardinality batches exactly, −0 before +0', () => {
    const xs = Array.from({ length: 400 }, (_, i) => [0, -0, 1, -1, 2.5][(i * 7) % 5]!);
    check(xs, [true, false, false]);
    check(xs, [true]);
  });
});

describe('frame profiles across workers', () => {
  it('states survive structured cloning (postMessage) and merge to the one-pass profile', async () => {
    const { initFrameProfile, updateFrameProfile, mergeFrameProfiles, finalizeFrameProfile, profileFrame } = await import('./index.js');
    const r = fc.sample(fc.double({ min: -100, max: 100, noNaN: true }), { numRuns: 5000, seed: 11 });
    const frame = (from: number, to: number) => ({
      rowCount: to - from,
      columns: [numericColumn('x', Float64Array.from(r.slice(from, to))), categoricalColumn('s', r.slice(from, to).map((v) => (v > 0 ? 'pos' : 'neg')))],
    });
    const whole = frame(0, 5000);
    const parts = [frame(0, 2000), frame(2000, 5000)].map((f) => structuredClone(updateFrameProfile(initFrameProfile(f.columns), f)));
    const merged = finalizeFrameProfile(parts.reduce((a, b) => mergeFrameProfiles(a, b)));
    const one = profileFrame(whole);
    expect(merged.rowCount).toBe(5000);
    expect(merged.columns[1]).toEqual(one.columns[1]);
    const [m, o] = [merged.columns[0]!, one.columns[0]!];
    if (m.kind !== 'numeric' || o.kind !== 'numeric') throw new Error('numeric expected');
    expect(m.moments.count).toBe(o.moments.count);
    expect(m.moments.mean).toBeCloseTo(o.moments.mean, 10);
    expect(m.kll.n).toBe(5000);
  });
});

describe('numeric distinct counts can be turned off', () => {
  it('keeps exact low-cardinality counts and reports NaN otherwise', async () => {
    const { profileFrame } = await import('./index.js');
    const frame = {
      rowCount: 1000,
      columns: [numericColumn('low', Float64Array.from({ length: 1000 }, (_, i) => i % 7)), numericColumn('high', Float64Array.from({ length: 1000 }, (_, i) => i / 3))],
    };
    const off = profileFrame(frame, { numericDistinct: false });
    const on = profileFrame(frame);
    expect(off.columns[0]!.distinct).toBe(7);
    expect(off.columns[1]!.distinct).toBeNaN();
    expect(Math.abs(on.columns[1]!.distinct - 1000)).toBeLessThan(30);
    expect(off.columns.map((c) => c.kind === 'numeric' && c.moments.mean)).toEqual(on.columns.map((c) => c.kind === 'numeric' && c.moments.mean));
  });
});

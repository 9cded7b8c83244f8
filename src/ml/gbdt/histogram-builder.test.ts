import { describe, expect, it } from 'vitest';
import { createRandom } from '../../kernel/index.js';
import { HistogramBuilder } from './histogram-builder.js';

/** Row-major offset table (2 · slot) with `binsPerFeature` slots per feature, a few categorical-like columns repeating bins. */
function offsetTable(rows: number, F: number, binsPerFeature: number, seed: number): Uint16Array {
  const random = createRandom(seed);
  const offsets = new Uint16Array(rows * F);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < F; f++) offsets[r * F + f] = 2 * (f * binsPerFeature + Math.floor(random.next() * (f % 3 === 0 ? 2 : binsPerFeature)));
  }
  return offsets;
}

describe('HistogramBuilder', () => {
  // 130 features exercise the generated kernel's loop over 64-feature blocks and its remainder.
  for (const F of [1, 23, 64, 130]) {
    for (const threads of [1, 2]) {
      it(`sums gradient pairs per slot in row order (F=${F}, ${threads} thread(s))`, () => {
        const rows = 500;
        const binsPerFeature = 9;
        const offsets = offsetTable(rows, F, binsPerFeature, F);
        const histSize = 2 * F * binsPerFeature;
        const builder = new HistogramBuilder(offsets, F, histSize, 4, threads);
        try {
          const random = createRandom(7);
          for (let r = 0; r < rows; r++) {
            builder.grad[r] = Math.fround(random.next() - 0.5);
            builder.hess[r] = Math.fround(random.next());
            builder.rowIndex[r] = rows - 1 - r;
          }
          const a = builder.acquire();
          const b = builder.acquire();
          builder.build([
            { hist: a, begin: 0, end: 300 },
            { hist: b, begin: 300, end: rows },
          ]);
          for (const [hist, begin, end] of [
            [a, 0, 300],
            [b, 300, rows],
          ] as const) {
            const expected = new Float64Array(histSize);
            for (let i = begin; i < end; i++) {
              const r = builder.rowIndex[i]!;
              for (let f = 0; f < F; f++) {
                const o = offsets[r * F + f]!;
                expected[o] = expected[o]! + builder.grad[r]!;
                expected[o + 1] = expected[o + 1]! + builder.hess[r]!;
              }
            }
            expect(hist).toEqual(expected);
          }
        } finally {
          builder.close();
        }
      });
    }
  }
});

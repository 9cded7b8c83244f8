import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildKdTree, kdNearest } from './kd-tree.js';

/** Brute force: all reference rows ordered by (squared distance, row id). */
function bruteForce(points: Float64Array, width: number, ids: number[], query: number, k: number): number[] {
  const dist = (r: number): number => {
    let d = 0;
    for (let j = 0; j < width; j++) {
      const diff = points[query * width + j]! - points[r * width + j]!;
      d += diff * diff;
    }
    return d;
  };
  return [...ids].sort((a, b) => dist(a) - dist(b) || a - b).slice(0, k);
}

describe('k-d tree nearest neighbours', () => {
  it('equals a brute-force scan ordered by (distance, row), ties included (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 6, maxLength: 300 }),
        fc.constantFrom(1, 5),
        (width, cells, k) => {
          const rows = Math.floor(cells.length / width);
          if (rows < 2) return;
          const points = Float64Array.from(cells.slice(0, rows * width));
          const ids = Array.from({ length: rows }, (_, i) => i).filter((i) => i % 3 !== 0);
          if (ids.length === 0) return;
          const tree = buildKdTree(points, width, ids);
          const outIds = new Int32Array(k);
          const outDist = new Float64Array(k);
          for (let q = 0; q < rows; q += 3) {
            const found = kdNearest(tree, points, q, k, outIds, outDist);
            expect(Array.from(outIds.subarray(0, found))).toEqual(bruteForce(points, width, ids, q, k));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('handles continuous coordinates', () => {
    let s = 7;
    const rnd = (): number => {
      s = (s * 16807) % 2147483647;
      return s / 2147483647;
    };
    const width = 4;
    const rows = 2000;
    const points = Float64Array.from({ length: rows * width }, rnd);
    const ids = Array.from({ length: rows / 2 }, (_, i) => 2 * i);
    const tree = buildKdTree(points, width, ids);
    const outIds = new Int32Array(5);
    const outDist = new Float64Array(5);
    for (let q = 1; q < rows; q += 50) {
      kdNearest(tree, points, q, 5, outIds, outDist);
      expect(Array.from(outIds)).toEqual(bruteForce(points, width, ids, q, 5));
    }
  });
});

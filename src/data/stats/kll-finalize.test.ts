import { describe, expect, it } from 'vitest';
import { createRandom } from '../../kernel/index.js';
import { finalizeKll, initKll, updateKll } from './kll-sketch.js';

describe('finalizeKll level order', () => {
  it('equals a stable comparator sort of each level, zeros of either sign in their original order', () => {
    const r = createRandom(9);
    for (const n of [10, 3000, 200_000]) {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = r.nextInt(4) === 0 ? (r.nextInt(2) === 0 ? -0 : 0) : r.nextInt(50) - 25 + (r.nextInt(3) === 0 ? 0.5 : 0);
      const state = updateKll(initKll({ k: 64 }), values);
      const copy = structuredClone(state);
      const sketch = finalizeKll(state);
      // Finalising the copy flushes its batch into its levels as it did for the original; its levels stay unsorted.
      finalizeKll(copy);
      const reference = copy.levels.map((b, h) => Array.from(b.subarray(0, copy.sizes[h]!)).sort((x, y) => x - y));
      expect(sketch.data.length).toBe(reference.length);
      sketch.data.forEach((level, h) => {
        expect(level.length).toBe(reference[h]!.length);
        for (let i = 0; i < level.length; i++) expect(Object.is(level[i], reference[h]![i])).toBe(true);
      });
    }
  });
});

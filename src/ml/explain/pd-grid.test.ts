/**
 * The partial-dependence grid against scikit-learn's `_grid_from_X` (default percentiles 5–95,
 * mquantiles then linspace), golden values from test/fixtures/explain/make_pd_grid.py (SciPy, numpy).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, readJson } from '../../../test/support/golden.js';
import { featureGrid } from './index.js';
import { mquantile } from './partial-dependence.js';

interface Reference {
  columns: Record<string, number[]>;
  grids: Record<string, Record<string, number[]>>;
}
const reference = readJson<Reference>(join(FIXTURES_DIR, 'explain', 'pd_grid_reference.json'));

describe('partial-dependence grid (scikit-learn _grid_from_X)', () => {
  for (const [name, column] of Object.entries(reference.columns)) {
    it(`equals scikit-learn's grid for column ${name} at grid resolutions 5, 15 and 100`, () => {
      const x = { rows: column.length, cols: 1, values: Float32Array.from(column) };
      for (const [resolution, expected] of Object.entries(reference.grids[name]!)) {
        const grid = featureGrid(x, 0, Number(resolution));
        expect(grid.length, `${name}@${resolution}`).toBe(expected.length);
        grid.forEach((g, k) => {
          expect(Math.abs(g - expected[k]!), `${name}@${resolution}[${k}]`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected[k]!)));
        });
      }
    });
  }

  it('spaces the grid evenly between the percentiles (not at quantiles)', () => {
    const x = { rows: 1000, cols: 1, values: Float32Array.from(reference.columns.lognormal!) };
    const grid = featureGrid(x, 0, 15);
    const steps = grid.slice(1).map((g, k) => g - grid[k]!);
    for (const s of steps) expect(s).toBeCloseTo(steps[0]!, 6);
  });

  it('uses mquantiles plotting positions (alphap = betap = 0.4)', () => {
    // scipy.stats.mstats.mquantiles([1, 2, 3, 4], prob=[0.05, 0.5, 0.95]) = [1.0, 2.5, 4.0]
    const sorted = [1, 2, 3, 4];
    expect([0.05, 0.5, 0.95].map((p) => mquantile(sorted, p))).toEqual([1, 2.5, 4]);
  });

  it('spreads over the range where scikit-learn would refuse coinciding percentiles', () => {
    const values = new Float32Array(1000);
    for (let i = 0; i < 20; i++) values[i] = i + 1;
    const grid = featureGrid({ rows: 1000, cols: 1, values }, 0, 5);
    expect(grid).toEqual([0, 5, 10, 15, 20]);
  });
});

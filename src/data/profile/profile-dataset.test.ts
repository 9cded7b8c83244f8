import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsvFrame } from '../io/csv-reader.js';
import { DatasetProfileSchema } from './dataset-profile.js';
import { profileDataset } from './profile-dataset.js';

describe('profileDataset', () => {
  it('profiles german credit exactly (1,000 rows fit in the sketches)', () => {
    const frame = parseCsvFrame(readFileSync(new URL('../../../datasets/german_credit.csv', import.meta.url)));
    const profile = DatasetProfileSchema.parse(JSON.parse(JSON.stringify(profileDataset(frame))));
    expect(profile.rowCount).toBe(1000);
    const duration = profile.columns.find((c) => c.name === 'duration_months')!;
    expect(duration).toMatchObject({ type: 'integer', count: 1000, missing: 0, distinctApproximate: false });
    expect(duration.numeric).toMatchObject({ min: 4, max: 72, quantilesApproximate: false });
    // Python statistics.mean = 20.903 and statistics.pstdev = 12.052783537424041 on the same column.
    expect(duration.numeric!.mean).toBeCloseTo(20.903, 12);
    expect(duration.numeric!.std).toBeCloseTo(12.052783, 5);
    expect(duration.numeric!.quantiles.find((q) => q.q === 0.5)?.value).toBe(18);
    const cls = profile.columns.find((c) => c.name === 'class')!;
    expect(cls.topCategories).toEqual([
      { value: 'good', count: 700 },
      { value: 'bad', count: 300 },
    ]);
  });

  it('gives exact quantiles from the histogram when a column has few distinct values (credit LIMIT_BAL, 81 values)', () => {
    const frame = parseCsvFrame(readFileSync(new URL('../../../datasets/uci_credit_card_default.csv', import.meta.url)));
    const limit = profileDataset(frame).columns.find((c) => c.name === 'LIMIT_BAL')!;
    expect(limit.distinct).toBe(81);
    // Reference: Python, sorted(x)[ceil(q·n) − 1]; statistics.mean and statistics.pstdev.
    expect(limit.numeric).toMatchObject({ quantilesApproximate: false });
    expect(limit.numeric!.quantiles.map((q) => q.value)).toEqual([10000, 10000, 20000, 50000, 140000, 240000, 430000, 500000, 1000000]);
    expect(limit.numeric!.mean).toBeCloseTo(167484.32266666667, 8);
    expect(limit.numeric!.std).toBeCloseTo(129745.49908815547, 6);
    const id = profileDataset(frame).columns.find((c) => c.name === 'ID')!;
    expect(id).toMatchObject({ distinctApproximate: true, numeric: { quantilesApproximate: true } });
    expect(Math.abs(id.numeric!.quantiles.find((q) => q.q === 0.5)!.value - 15000)).toBeLessThan(300);
  });

  it('reports booleans as rates and categories, datetimes as epoch milliseconds', () => {
    const profile = profileDataset(parseCsvFrame('b,d\ntrue,2024-01-01\nfalse,2024-01-03\ntrue,\n'));
    expect(profile.columns[0]).toMatchObject({ type: 'boolean', topCategories: [{ value: 'true', count: 2 }, { value: 'false', count: 1 }] });
    expect(profile.columns[0]!.numeric!.mean).toBeCloseTo(2 / 3, 12);
    expect(profile.columns[1]).toMatchObject({ type: 'datetime', count: 2, missing: 1, numeric: { min: Date.UTC(2024, 0, 1), max: Date.UTC(2024, 0, 3) } });
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenCase, readJson, XGB_CASES } from '../../../test/support/golden.js';
import { featureImportance, IMPORTANCE_TYPES, parseXgboostModel } from './index.js';

describe.each(XGB_CASES)('feature importance of golden model %s', (name) => {
  it('equals Booster.get_score for every importance type', () => {
    const dir = goldenCase(name);
    const model = parseXgboostModel(readFileSync(join(dir, 'model.json'), 'utf8'));
    const expected = readJson<{ importance: Record<string, Record<string, number>> }>(join(dir, 'case.json')).importance;
    for (const type of IMPORTANCE_TYPES) {
      const got = featureImportance(model, type);
      const want = expected[type]!;
      expect(Object.keys(got).sort(), type).toEqual(Object.keys(want).sort());
      for (const [feature, value] of Object.entries(want)) {
        expect(Math.abs(got[feature]! - value), `${type} ${feature}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(value)));
      }
    }
  });
});

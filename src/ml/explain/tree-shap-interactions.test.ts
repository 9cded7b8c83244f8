import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, goldenCase, readNumericCsv } from '../../../test/support/golden.js';
import { parseXgboostModel } from '../gbdt/index.js';
import { contributionsCsv } from './contributions-csv.js';
import { parseCsvFrame, toFeatureMatrix } from '../../data/index.js';
import { treeShapInteractions } from './tree-shap-interactions.js';

// Fixture made with XGBoost 1.7.4 `predict(pred_interactions=True)` on 30 rows of the
// training-parity case (two cells blanked to exercise default directions).
describe("SHAP interaction values against XGBoost's pred_interactions", () => {
  const model = parseXgboostModel(readFileSync(join(goldenCase('credit_default_training_parity'), 'model.json'), 'utf8'));
  const x = toFeatureMatrix(parseCsvFrame(readFileSync(join(FIXTURES_DIR, 'explain', 'parity_interactions_input.csv'))), model.featureNames);
  const expectedPath = join(FIXTURES_DIR, 'explain', 'parity_expected_interactions.csv');

  it('match within 1e-4, layout included', () => {
    const expected = readNumericCsv(expectedPath);
    const inter = treeShapInteractions(model, x);
    expect(inter.values.length).toBe(expected.values.length);
    let worst = 0;
    for (let i = 0; i < inter.values.length; i++) worst = Math.max(worst, Math.abs(inter.values[i]! - expected.values[i]!));
    expect(worst).toBeLessThan(1e-4);
    const csv = contributionsCsv(model, x, { interactions: true });
    expect(csv.split('\n')[0]).toBe(readFileSync(expectedPath, 'utf8').split('\n')[0]);
  });
});

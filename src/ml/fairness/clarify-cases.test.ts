import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFrameCsv } from '../../../test/support/frame-csv.js';
import { FIXTURES_DIR, readJson } from '../../../test/support/golden.js';
import { biasReport, type ClarifyFacetReport } from './index.js';

/** Edge cases computed by smclarify itself (test/fixtures/fairness/make_clarify_cases.py). */
interface ClarifyCase {
  facet: string;
  sensitive_values_or_threshold: (string | number)[] | null;
  label: string;
  positive_label_values: (string | number)[];
  group_variable: string | null;
  predicted: string;
  pre_training: ClarifyFacetReport[];
  post_training: ClarifyFacetReport[];
}

const DIR = join(FIXTURES_DIR, 'fairness');
const CASES = readJson<string[]>(join(DIR, 'cases.json'));

function expectSame(actual: readonly ClarifyFacetReport[], expected: readonly ClarifyFacetReport[]): void {
  expect(actual.map((f) => f.value_or_threshold)).toEqual(expected.map((f) => f.value_or_threshold));
  actual.forEach((facet, f) => {
    facet.metrics.forEach((m, k) => {
      const w = expected[f]!.metrics[k]!;
      expect(m.name).toBe(w.name);
      expect(m.description).toBe(w.description);
      if ('error' in w || typeof w.value !== 'number') expect(m).toEqual(w);
      else expect(Math.abs((m.value as number) - w.value), `${facet.value_or_threshold} ${m.name}`).toBeLessThanOrEqual(1e-9);
    });
  });
}

describe.each(CASES)('smclarify reference case %s', (name) => {
  const c = readJson<ClarifyCase>(join(DIR, `${name}.json`));
  const frame = readFrameCsv(join(DIR, `${name}.csv`));
  const report = biasReport(frame, {
    label: c.label,
    positive: c.positive_label_values,
    facet: c.facet,
    ...(c.sensitive_values_or_threshold ? { sensitive: c.sensitive_values_or_threshold } : {}),
    ...(c.group_variable ? { group: c.group_variable } : {}),
    predicted: c.predicted,
    bootstrap: false,
  });

  it('matches Clarify before training', () => {
    expectSame(report.pre_training_bias_metrics.facets[c.facet]!, c.pre_training);
  });

  it('matches Clarify after training', () => {
    expectSame(report.post_training_bias_metrics!.facets[c.facet]!, c.post_training);
  });
});

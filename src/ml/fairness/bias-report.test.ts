import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN_DIR, readJson } from '../../../test/support/golden.js';
import { readFrameCsv } from '../../../test/support/frame-csv.js';
import { biasReport, type ClarifyFacetReport } from './index.js';

interface GoldenCase {
  facet: string;
  sensitive_values_or_threshold: (string | number)[];
  facet_is_continuous_threshold: boolean;
  label: string;
  positive_label_values: (string | number)[];
  group_variable: string;
  pre_training: ClarifyFacetReport[];
  post_training: ClarifyFacetReport[];
}

function expectSameReport(actual: readonly ClarifyFacetReport[], expected: readonly ClarifyFacetReport[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((facet, f) => {
    const want = expected[f]!;
    expect(facet.value_or_threshold).toBe(want.value_or_threshold);
    expect(facet.metrics.map((m) => m.name)).toEqual(want.metrics.map((m) => m.name));
    facet.metrics.forEach((m, k) => {
      const w = want.metrics[k]!;
      expect(m.description).toBe(w.description);
      if ('error' in w) {
        expect(m).toEqual(w);
      } else {
        expect('error' in m ? m.error : undefined).toBeUndefined();
        expect(typeof m.value).toBe('number');
        expect(Math.abs((m.value as number) - (w.value as number)), `${m.name}`).toBeLessThanOrEqual(1e-9);
      }
    });
  });
}

describe.each(['credit_default_sex', 'credit_default_age_over_40', 'adult_sex'])('Clarify golden case %s', (name) => {
  const golden = readJson<GoldenCase>(join(GOLDEN_DIR, 'fairness', `${name}.json`));
  const frame = readFrameCsv(join(GOLDEN_DIR, 'fairness', `${name}.csv`));
  const report = biasReport(frame, {
    label: golden.label,
    positive: golden.positive_label_values,
    facet: golden.facet,
    ...(golden.facet_is_continuous_threshold
      ? { threshold: golden.sensitive_values_or_threshold[0] as number }
      : { sensitive: golden.sensitive_values_or_threshold }),
    group: golden.group_variable,
    predicted: 'predicted_label',
    bootstrap: { replicates: 50, seed: 7 },
  });

  it('equals Clarify on every pre-training metric within 1e-9', () => {
    expectSameReport(report.pre_training_bias_metrics.facets[golden.facet]!, golden.pre_training);
  });

  it('equals Clarify on every post-training metric within 1e-9, errors included', () => {
    expectSameReport(report.post_training_bias_metrics!.facets[golden.facet]!, golden.post_training);
  });

  it('brackets each finite metric with a bootstrap interval', () => {
    for (const facet of report.attest.post_training!) {
      const ge = facet.metrics.GE!.confidence_interval!;
      expect(ge.replicates).toBe(50);
      expect(ge.lower!).toBeLessThanOrEqual(ge.upper!);
    }
  });
});

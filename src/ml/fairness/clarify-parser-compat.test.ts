/**
 * The bias report file against the SageMaker Python SDK's `ClarifyBiasParser` (model card
 * evaluation metrics, sagemaker/model_card/evaluation_metric_parsers.py), ported line for line
 * below: `_validate` requires every top-level object to carry `facets`; `_parse` reads `label`,
 * `label_value_or_threshold` and `facets` of each, and `value_or_threshold` / `metrics` of each
 * facet entry. Attest's extras must be where it does not look.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFrameCsv } from '../../../test/support/frame-csv.js';
import { GOLDEN_DIR } from '../../../test/support/golden.js';
import { biasReport, biasReportJson, readBiasReportDocument } from './index.js';

type Json = Record<string, unknown>;

/** ClarifyBiasParser.run = _validate then _parse. */
function clarifyBiasParser(json: Json): { metric_groups: { name: string; metric_data: { name: string; value: unknown; type: string }[] }[] } {
  for (const facets of Object.values(json)) {
    if (typeof facets === 'object' && facets !== null && !Array.isArray(facets) && !('facets' in facets)) throw new Error(`Missing facets value from the clarify bias ${JSON.stringify(facets).slice(0, 80)}.`);
  }
  const result: { metric_groups: { name: string; metric_data: { name: string; value: unknown; type: string }[] }[] } = { metric_groups: [] };
  for (const [metricGroup, facets] of Object.entries(json)) {
    if (typeof facets !== 'object' || facets === null || Array.isArray(facets)) continue;
    const f = facets as { facets: Record<string, { value_or_threshold: unknown; metrics: { name: string; value: unknown }[] }[]>; label: unknown; label_value_or_threshold: unknown };
    for (const [facetName, facet] of Object.entries(f.facets)) {
      const groups = new Map<string, { name: string; value: unknown; type: string }[]>();
      for (const item of facet) {
        const name = `${metricGroup} - label ${String(f.label)} = ${String(f.label_value_or_threshold)} and facet ${facetName}=${String(item.value_or_threshold)}`;
        groups.set(name, [...(groups.get(name) ?? []), ...item.metrics.filter((i) => i.value !== null).map((i) => ({ name: i.name, value: i.value, type: 'number' }))]);
      }
      for (const [name, data] of groups) result.metric_groups.push({ name, metric_data: data });
    }
  }
  return result;
}

const credit = readFrameCsv(join(GOLDEN_DIR, 'fairness', 'credit_default_sex.csv'));

describe("the bias report file and the SageMaker SDK's ClarifyBiasParser", () => {
  const report = biasReport(credit, { label: 'default', positive: [1], facet: 'SEX', sensitive: [2], group: 'EDUCATION', predicted: 'predicted_label', bootstrap: { replicates: 20, seed: 1 } });
  const file = JSON.parse(biasReportJson(report)) as Json;

  it('parses: no top-level object without facets; every metric group present', () => {
    expect(Object.keys(file)).toEqual(['version', 'pre_training_bias_metrics', 'post_training_bias_metrics']);
    const parsed = clarifyBiasParser(file);
    expect(parsed.metric_groups.map((g) => g.name)).toEqual([
      'pre_training_bias_metrics - label default = 1 and facet SEX=2',
      'post_training_bias_metrics - label default = 1 and facet SEX=2',
    ]);
    expect(parsed.metric_groups[0]!.metric_data.map((m) => m.name)).toContain('DPL');
    // The earlier layout, with `attest` at the top, is what the parser refused.
    expect(() => clarifyBiasParser({ ...file, attest: { notes: [] } })).toThrow(/Missing facets value/);
  });

  it("keeps Attest's extras (intervals, counts, notes) inside the stage sections and reads them back", () => {
    const pre = file.pre_training_bias_metrics as { attest: { report: { bootstrap: unknown }; facets: { metrics: Record<string, { confidence_interval?: unknown }> }[] } };
    expect(pre.attest.report.bootstrap).toMatchObject({ replicates: 20, seed: 1, method: 'percentile' });
    expect(pre.attest.facets[0]!.metrics.DPL!.confidence_interval).toBeDefined();
    const back = readBiasReportDocument(file);
    expect(back.attest).toEqual(report.attest);
    expect(back.pre_training_bias_metrics).toEqual(report.pre_training_bias_metrics);
    expect(JSON.stringify(back)).toBe(JSON.stringify(report));
    expect(() => readBiasReportDocument({ version: '1.0', pre_training_bias_metrics: { facets: {} } })).toThrow(/no Attest extensions/);
  });
});

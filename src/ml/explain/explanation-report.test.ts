import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenCase, readNumericCsv } from '../../../test/support/golden.js';
import type { FeatureMatrix, TreeEnsemble } from '../gbdt/index.js';
import { parseXgboostModel } from '../gbdt/index.js';
import { explanationReportFiles, formatReasonsJson, formatReasonsText, reasonsForFrame } from './explanation-files.js';
import { parseCsvFrame } from '../../data/index.js';
import { buildExplanationReport, explanationReportSchema } from './explanation-report.js';
import { renderExplanationHtml, renderExplanationHtmlFromJson } from './report-html.js';
import { escapeHtml } from './svg-charts.js';

function load(name: string): { model: TreeEnsemble; x: FeatureMatrix; labels: Float64Array } {
  const dir = goldenCase(name);
  const model = parseXgboostModel(readFileSync(join(dir, 'model.json'), 'utf8'));
  const input = readNumericCsv(join(dir, 'input.csv'));
  const labels = readNumericCsv(join(dir, 'labels.csv')).values;
  return { model, x: { rows: input.rows, cols: input.cols, values: Float32Array.from(input.values) }, labels };
}

describe('explanation report', () => {
  const { model, x, labels } = load('credit_default_whitepaper');

  it('is valid against its schema, JSON-safe and reproducible', () => {
    const report = buildExplanationReport(model, x, { labels, seed: 3, maxPoints: 200, permutationRepeats: 2 });
    expect(explanationReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(JSON.stringify(buildExplanationReport(model, x, { labels, seed: 3, maxPoints: 200, permutationRepeats: 2 }))).toBe(JSON.stringify(report));
    expect(report.partialDependence).toHaveLength(10);
    expect(report.partialDependence[0]!.grid.length).toBeLessThanOrEqual(15);
    expect(report.importance.permutation!.features).toHaveLength(23);
    expect(report.surrogate.fidelityR2).toBeGreaterThan(0);
  });

  it('renders a self-contained HTML page with charts and escaped text', () => {
    const evil: TreeEnsemble = { ...model, featureNames: model.featureNames.map((n, i) => (i === 5 ? '<script>alert("x")</script>' : n)) };
    const report = buildExplanationReport(evil, x, { maxPoints: 100, title: 'Credit <model> & "co"' });
    const html = renderExplanationHtml(report);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toContain('<script');
    expect(html).toContain(escapeHtml('<script>alert("x")</script>'));
    expect(html).toContain('Credit &lt;model&gt; &amp; &quot;co&quot;');
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(2 + 3 + 10);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(renderExplanationHtmlFromJson(JSON.stringify(report))).toBe(html);
    expect(() => renderExplanationHtmlFromJson('{"kind":"other"}')).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('explains a chosen class of a multiclass model', () => {
    const multi = load('german_credit_purpose_multiclass');
    const report = buildExplanationReport(multi.model, multi.x, { group: 2, labels: multi.labels, maxPoints: 100, permutationRepeats: 1, topK: 5 });
    expect(report.data.explainedGroup).toBe(2);
    expect(report.expectedValue).toHaveLength(10);
    expect(report.partialDependence).toHaveLength(5);
  });
});

describe('CLI text outputs', () => {
  const dir = goldenCase('credit_default_whitepaper');
  const model = parseXgboostModel(readFileSync(join(dir, 'model.json'), 'utf8'));
  const input = readFileSync(join(dir, 'input.csv'), 'utf8').split('\n');
  const labels = readFileSync(join(dir, 'labels.csv'), 'utf8').split('\n');
  // Features plus a label column, as `explain report --data CSV --label default` receives them.
  const frame = parseCsvFrame(
    input
      .filter((l) => l.length > 0)
      .slice(0, 101)
      .map((l, i) => `${l},${i === 0 ? 'default' : labels[i]}`)
      .join('\n'),
  );

  it('builds the report pair from a frame with a label column', () => {
    const files = explanationReportFiles(model, frame, 'default', { maxPoints: 50, permutationRepeats: 1 });
    expect(JSON.parse(files.json)).toEqual(files.report);
    expect(files.report.data.rows).toBe(100);
    expect(files.report.importance.permutation).not.toBeNull();
    expect(files.html).toContain('<svg');
    expect(() => explanationReportFiles(model, frame, 'nope')).toThrowError(expect.objectContaining({ code: 'DATA_SCHEMA_MISMATCH' }));
  });

  it('formats reasons as JSON and text', () => {
    const rows = reasonsForFrame(model, frame, { topK: 2 });
    const json = JSON.parse(formatReasonsJson(rows)) as { row: number }[];
    expect(json).toHaveLength(100);
    const text = formatReasonsText(rows.slice(0, 1));
    expect(text.startsWith('row 1: score ')).toBe(true);
    // One numbering: the first data row is row 1 in the JSON as in the text.
    expect(json[0]!.row).toBe(1);
    expect(json.map((r) => r.row)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(formatReasonsText(rows.slice(41, 42)).startsWith(`row ${json[41]!.row}: score `)).toBe(true);
    expect(text.split('\n').length).toBeLessThanOrEqual(4);
  });
});

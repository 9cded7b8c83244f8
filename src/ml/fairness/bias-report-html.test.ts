import { describe, expect, it } from 'vitest';
import { categoricalColumn } from '../../data/index.js';
import type { ColumnFrame } from '../../data/index.js';
import { renderBiasReportHtml, runBiasCommand } from './index.js';

describe('bias report HTML', () => {
  const n = 120;
  const frame: ColumnFrame = {
    rowCount: n,
    columns: [
      categoricalColumn('group', Array.from({ length: n }, (_, i) => (i % 3 === 0 ? '<script>x</script>' : 'other'))),
      { kind: 'numeric', name: 'label', dtype: 'integer', values: Float64Array.from({ length: n }, (_, i) => (i % 5 < 2 ? 1 : 0)) },
      { kind: 'numeric', name: 'pred', dtype: 'integer', values: Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0)) },
    ],
  };
  const report = runBiasCommand(frame, { label: 'label', positive: '1', facet: 'group', predicted: 'pred', bootstrap: '30', seed: '5' });

  it('draws one chart per metric with interval bars, escapes data text, loads nothing from outside', () => {
    const html = renderBiasReportHtml(report, 'Bias <report>');
    expect(html).toContain('<title>Bias &lt;report&gt;</title>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    const metrics = report.pre_training_bias_metrics.facets.group![0]!.metrics.length + report.post_training_bias_metrics!.facets.group![0]!.metrics.length;
    expect((html.match(/<figure>/g) ?? []).length).toBe(metrics);
    expect(html).toMatch(/stroke="#1e88e5"/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('is deterministic for a seeded report', () => {
    const again = runBiasCommand(frame, { label: 'label', positive: '1', facet: 'group', predicted: 'pred', bootstrap: '30', seed: '5' });
    expect(renderBiasReportHtml(again)).toBe(renderBiasReportHtml(report));
  });
});

import { describe, expect, it } from 'vitest';
import { categoricalColumn, numericColumn } from '../data/index.js';
import { createRandom } from '../kernel/index.js';
import { monitorCheck, suggestBaseline } from './baseline.js';
import { buildReport, chartBars, renderReportHtml } from './report.js';

function frame(rows: number, seed: number, shift = 0) {
  const r = createRandom(seed);
  return {
    rowCount: rows,
    columns: [
      numericColumn('amount', Float64Array.from({ length: rows }, () => 100 + 20 * r.nextNormal() + shift)),
      categoricalColumn('channel', Array.from({ length: rows }, () => (r.next() < 0.7 ? 'web' : '<app>'))),
    ],
  };
}

describe('reports', () => {
  const base = suggestBaseline(frame(3000, 1));
  const res = monitorCheck(base, frame(1000, 2, 15));
  const input = { title: 'Credit model — window 2026-11-28T10', runAt: '2026-11-28T11:00:00Z', baseline: base.statistics, current: res.statistics, violations: res.violations, drift: res.driftReport };
  it('JSON report summarises violations and drift', () => {
    const r = buildReport(input);
    expect(r.summary.driftedFeatures).toEqual(['amount']);
    expect(r.summary.violations).toBe(1);
    expect(JSON.parse(JSON.stringify(r)).summary.currentItems).toBe(1000);
  });
  it('HTML is self-contained, escaped and deterministic, with one chart per feature', () => {
    const html = renderReportHtml(input);
    expect(html).toBe(renderReportHtml(input));
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html).toContain('&lt;app&gt;');
    expect(html).toContain('Credit model — window');
  });
  it('chart shares sum to one for both series', () => {
    const bars = chartBars(base.statistics.features[0]!, res.statistics.features[0]!)!;
    expect(bars.labels).toHaveLength(10);
    expect(bars.baseline.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(bars.current.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
  });
});

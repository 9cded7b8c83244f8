/**
 * @module ml/fairness/bias-report-html
 * The bias report as one self-contained HTML page (inline CSS and SVG, no scripts, no external
 * requests), like the explanation report: per stage, one chart per metric with a row per facet
 * value, the value as a dot and its bootstrap confidence interval as a bar, the no-bias value
 * (1 for DI, 0 for the others) as a dashed line; hollow dots mark values resting on fewer rows
 * than the minimum group size. A table lists every number the charts show. All text is escaped.
 */
import { escapeHtml } from '../explain/index.js';
import type { BiasReport, ClarifyMetricEntry, ClarifyStageReport, FacetExtension, MetricExtension } from './bias-report.js';

/** The value of a metric meaning "no bias": Disparate Impact is a ratio, the rest differences or distances. */
function neutralValue(name: string): number {
  return name === 'DI' ? 1 : 0;
}

function numeric(value: ClarifyMetricEntry['value']): number | null {
  if (typeof value === 'number') return value;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return null;
}

function fmt(v: number | null): string {
  if (v === null) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  return String(Number(v.toPrecision(4)));
}

function px(v: number): string {
  return String(Math.round(v * 10) / 10);
}

interface ChartRow {
  readonly label: string;
  readonly value: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  readonly reliable: boolean;
}

/** One metric across facet values: dots with interval bars on a shared axis. */
function intervalChart(metric: string, description: string, rows: readonly ChartRow[]): string {
  const width = 560;
  const left = 170;
  const right = width - 24;
  const rowH = 24;
  const height = 44 + rowH * rows.length;
  const finite = rows.flatMap((r) => [r.value, r.lower, r.upper]).filter((v): v is number => v !== null && Number.isFinite(v));
  const neutral = neutralValue(metric);
  let min = Math.min(neutral, ...finite);
  let max = Math.max(neutral, ...finite);
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const pad = (max - min) * 0.05;
  min -= pad;
  max += pad;
  const sx = (v: number) => left + ((v - min) / (max - min)) * (right - left);
  const axisY = 10 + rowH * rows.length;
  const parts: string[] = [];
  parts.push(`<line x1="${px(sx(neutral))}" x2="${px(sx(neutral))}" y1="6" y2="${px(axisY)}" stroke="#888" stroke-dasharray="4 3"/>`);
  rows.forEach((r, i) => {
    const y = 10 + i * rowH + rowH / 2;
    parts.push(`<text x="${left - 8}" y="${px(y + 4)}" text-anchor="end">${escapeHtml(r.label)}</text>`);
    if (r.lower !== null && r.upper !== null && Number.isFinite(r.lower) && Number.isFinite(r.upper)) {
      parts.push(`<line x1="${px(sx(r.lower))}" x2="${px(sx(r.upper))}" y1="${px(y)}" y2="${px(y)}" stroke="#1e88e5" stroke-width="3"><title>${escapeHtml(`${r.label}: interval ${fmt(r.lower)} to ${fmt(r.upper)}`)}</title></line>`);
    }
    if (r.value !== null && Number.isFinite(r.value)) {
      const fill = r.reliable ? '#ff0d57' : '#fff';
      parts.push(`<circle cx="${px(sx(r.value))}" cy="${px(y)}" r="5" fill="${fill}" stroke="#ff0d57" stroke-width="2"><title>${escapeHtml(`${r.label}: ${fmt(r.value)}${r.reliable ? '' : ' (small group)'}`)}</title></circle>`);
    } else {
      parts.push(`<text x="${left + 4}" y="${px(y + 4)}" fill="#777">${escapeHtml(r.value === null ? 'undefined' : fmt(r.value))}</text>`);
    }
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => min + t * (max - min));
  parts.push(`<line x1="${left}" x2="${right}" y1="${px(axisY)}" y2="${px(axisY)}" stroke="#555"/>`);
  for (const t of ticks) parts.push(`<line x1="${px(sx(t))}" x2="${px(sx(t))}" y1="${px(axisY)}" y2="${px(axisY + 4)}" stroke="#555"/><text x="${px(sx(t))}" y="${px(axisY + 16)}" text-anchor="middle">${escapeHtml(fmt(t))}</text>`);
  const title = `${metric}: ${description}`;
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}" font-family="sans-serif" font-size="11"><title>${escapeHtml(title)}</title>${parts.join('')}</svg><figcaption>${escapeHtml(title)}</figcaption></figure>`;
}

function stageSection(heading: string, stage: ClarifyStageReport, extensions: readonly FacetExtension[] | undefined): string {
  const extensionOf = (value: string) => extensions?.find((e) => e.value_or_threshold === value);
  const byMetric = new Map<string, { description: string; rows: ChartRow[] }>();
  const tableRows: string[] = [];
  for (const [facet, entries] of Object.entries(stage.facets)) {
    for (const entry of entries) {
      const ext = extensionOf(entry.value_or_threshold);
      const label = `${facet} = ${entry.value_or_threshold}`;
      for (const m of entry.metrics) {
        const me: MetricExtension | undefined = ext?.metrics[m.name];
        const ci = me?.confidence_interval ?? null;
        const row: ChartRow = { label, value: numeric(m.value), lower: ci?.lower ?? null, upper: ci?.upper ?? null, reliable: me?.reliable ?? true };
        const chart = byMetric.get(m.name) ?? { description: m.description, rows: [] };
        chart.rows.push(row);
        byMetric.set(m.name, chart);
        const error = 'error' in m ? m.error : '';
        tableRows.push(
          `<tr>${[label, ext === undefined ? '—' : `${ext.n_d} / ${ext.n_a}`, m.name, fmt(row.value), ci === null ? '—' : `${fmt(ci.lower)} … ${fmt(ci.upper)} (${ci.replicates})`, me === undefined ? '—' : String(me.support), row.reliable ? 'yes' : 'no', error]
            .map((c) => `<td>${escapeHtml(c)}</td>`)
            .join('')}</tr>`,
        );
      }
    }
  }
  const charts = [...byMetric].map(([name, c]) => intervalChart(name, c.description, c.rows)).join('');
  const table = `<table><thead><tr>${['Facet value', 'Rows d / a', 'Metric', 'Value', 'Interval (replicates)', 'Support', 'Reliable', 'Note'].map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${tableRows.join('')}</tbody></table>`;
  return `<section><h2>${escapeHtml(heading)}</h2><p>Label ${escapeHtml(stage.label)}, positive ${escapeHtml(stage.label_value_or_threshold)}.</p><div class="grid">${charts}</div>${table}</section>`;
}

/** Renders the HTML page of a bias report. */
export function renderBiasReportHtml(report: BiasReport, title = 'Bias report'): string {
  const a = report.attest;
  const settings = a.bootstrap === null ? 'no bootstrap intervals' : `${Math.round(a.bootstrap.confidenceLevel * 100)} % percentile bootstrap intervals, ${a.bootstrap.replicates} replicates, seed ${a.bootstrap.seed}`;
  const sections = [
    `<section><h2>Settings</h2><p>Facet type ${escapeHtml(a.facet_type)}, label type ${escapeHtml(a.label_type)}; ${escapeHtml(settings)}; values resting on fewer than ${a.min_group_size} rows are drawn hollow. The dashed line is the no-bias value (1 for DI, 0 otherwise).</p>${
      a.notes.length > 0 ? `<ul>${a.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''
    }</section>`,
    stageSection('Pre-training bias', report.pre_training_bias_metrics, a.pre_training),
  ];
  if (report.post_training_bias_metrics !== undefined) sections.push(stageSection('Post-training bias', report.post_training_bias_metrics, a.post_training));
  const style =
    'body{font-family:sans-serif;margin:2em;color:#222;max-width:1180px}h1{font-size:1.6em}h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}.grid{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}figcaption{font-size:.85em;color:#555}';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>${escapeHtml(title)}</title><style>${style}</style></head><body><h1>${escapeHtml(title)}</h1>${sections.join('')}</body></html>\n`;
}

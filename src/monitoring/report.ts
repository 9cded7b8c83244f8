/**
 * @module monitoring/report
 * Monitoring reports: one JSON document (violations, drift, summary) and a self-contained HTML page
 * (no scripts, no external assets) with a baseline-vs-window distribution chart per feature drawn
 * as inline SVG. Pure functions: the same inputs give the same bytes.
 */
import { kllCdf } from '../data/index.js';
import type { ConstraintViolations } from './constraint-checks.js';
import { histogramCounts } from './drift-statistics.js';
import type { DriftReport, FeatureDrift } from './drift-report.js';
import type { FeatureStatistics, Statistics } from './statistics-format.js';
import { sketchOf } from './statistics-format.js';

export interface ReportInput {
  title: string;
  /** ISO time of the monitoring run (supplied by the caller, so rendering stays pure). */
  runAt: string;
  baseline: Statistics;
  current: Statistics;
  violations: ConstraintViolations;
  drift: DriftReport;
}

export interface MonitoringReport {
  title: string;
  runAt: string;
  summary: { features: number; violations: number; driftedFeatures: string[]; driftShare: number; datasetDrift: boolean; baselineItems: number; currentItems: number };
  violations: ConstraintViolations['violations'];
  drift: DriftReport;
}

/** The JSON report: summary, violations and the full drift report. */
export function buildReport(input: ReportInput): MonitoringReport {
  return {
    title: input.title,
    runAt: input.runAt,
    summary: {
      features: input.baseline.features.length,
      violations: input.violations.violations.length,
      driftedFeatures: input.drift.driftedFeatures,
      driftShare: input.drift.driftShare,
      datasetDrift: input.drift.datasetDrift,
      baselineItems: input.baseline.dataset.item_count,
      currentItems: input.current.dataset.item_count,
    },
    violations: input.violations.violations,
    drift: input.drift,
  };
}

/** Bars of the chart: a label and the baseline and window shares. */
export interface ChartBars {
  labels: string[];
  baseline: number[];
  current: number[];
}

function shares(counts: ArrayLike<number>): number[] {
  let t = 0;
  for (let i = 0; i < counts.length; i++) t += counts[i]!;
  return Array.from(counts, (c) => (t > 0 ? c / t : 0));
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4).replace(/\.?0+$/, '');
}

/** Shares per bin (numeric: 10 equal-width bins over both ranges; categorical: top 12 categories). */
export function chartBars(base: FeatureStatistics, cur: FeatureStatistics): ChartBars | undefined {
  if (base.numerical_statistics && cur.numerical_statistics) {
    const b = base.numerical_statistics;
    const c = cur.numerical_statistics;
    if (b.common.num_present === 0 || c.common.num_present === 0) return undefined;
    const lo = Math.min(b.min, c.min);
    const hi = Math.max(b.max, c.max);
    const edges = Float64Array.from({ length: 11 }, (_, i) => (i === 10 ? hi : lo + ((hi - lo) * i) / 10));
    const labels = Array.from({ length: 10 }, (_, i) => `${fmt(edges[i]!)}–${fmt(edges[i + 1]!)}`);
    return { labels, baseline: shares(histogramCounts(kllCdf(sketchOf(b)), edges)), current: shares(histogramCounts(kllCdf(sketchOf(c)), edges)) };
  }
  if (base.string_statistics && cur.string_statistics) {
    const bm = new Map(base.string_statistics.distribution.categorical.buckets.map((x) => [x.value, x.count]));
    const cm = new Map(cur.string_statistics.distribution.categorical.buckets.map((x) => [x.value, x.count]));
    const bt = base.string_statistics.common.num_present || 1;
    const ct = cur.string_statistics.common.num_present || 1;
    const all = [...new Set([...bm.keys(), ...cm.keys()])];
    all.sort((x, y) => Math.max((bm.get(y) ?? 0) / bt, (cm.get(y) ?? 0) / ct) - Math.max((bm.get(x) ?? 0) / bt, (cm.get(x) ?? 0) / ct) || (x < y ? -1 : 1));
    const top = all.slice(0, 12);
    return { labels: top, baseline: top.map((k) => (bm.get(k) ?? 0) / bt), current: top.map((k) => (cm.get(k) ?? 0) / ct) };
  }
  return undefined;
}

/** Escapes text for HTML element and attribute content. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const BASE_COLOUR = '#4e79a7';
const CUR_COLOUR = '#f28e2b';

/** A grouped bar chart (baseline vs window shares) as an inline SVG string. */
export function barChartSvg(bars: ChartBars, title: string): string {
  const w = 560;
  const h = 220;
  const left = 40;
  const bottom = 60;
  const top = 20;
  const plotH = h - bottom - top;
  const plotW = w - left - 10;
  const max = Math.max(1e-12, ...bars.baseline, ...bars.current);
  const slot = plotW / Math.max(1, bars.labels.length);
  const bw = Math.max(1, slot * 0.38);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeHtml(title)}">`);
  parts.push(`<line x1="${left}" y1="${top + plotH}" x2="${w - 10}" y2="${top + plotH}" stroke="#999"/>`);
  parts.push(`<text x="${left - 4}" y="${top + 4}" font-size="10" text-anchor="end">${fmt(Math.round(max * 1000) / 10)}%</text>`);
  bars.labels.forEach((label, i) => {
    const x0 = left + i * slot + slot * 0.1;
    const hb = (bars.baseline[i]! / max) * plotH;
    const hc = (bars.current[i]! / max) * plotH;
    parts.push(`<rect x="${x0.toFixed(1)}" y="${(top + plotH - hb).toFixed(1)}" width="${bw.toFixed(1)}" height="${hb.toFixed(1)}" fill="${BASE_COLOUR}"><title>baseline ${escapeHtml(label)}: ${(bars.baseline[i]! * 100).toFixed(2)}%</title></rect>`);
    parts.push(`<rect x="${(x0 + bw).toFixed(1)}" y="${(top + plotH - hc).toFixed(1)}" width="${bw.toFixed(1)}" height="${hc.toFixed(1)}" fill="${CUR_COLOUR}"><title>window ${escapeHtml(label)}: ${(bars.current[i]! * 100).toFixed(2)}%</title></rect>`);
    const lx = x0 + bw;
    parts.push(`<text x="${lx.toFixed(1)}" y="${top + plotH + 12}" font-size="9" text-anchor="end" transform="rotate(-35 ${lx.toFixed(1)} ${top + plotH + 12})">${escapeHtml(label.length > 18 ? `${label.slice(0, 17)}…` : label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function driftRow(f: FeatureDrift): string {
  const cell = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : escapeHtml(x.toPrecision(4)));
  return `<tr class="${f.drifted ? 'drift' : ''}"><td>${escapeHtml(f.feature)}</td><td>${f.kind}</td><td>${cell(f.linfSimple)}</td><td>${cell(f.linfRobust)}</td><td>${cell(f.ks?.pValue)}</td><td>${cell(f.psi?.value)}${f.psi ? ` (${f.psi.band})` : ''}</td><td>${cell(f.jensenShannon)}</td><td>${cell(f.wasserstein?.normed)}</td><td>${cell(f.chiSquare?.pValue)}</td><td>${f.test.name} = ${cell(f.test.value)}</td><td>${cell(f.adjustedPValue)}</td><td>${f.drifted ? 'yes' : 'no'}</td></tr>`;
}

/** The self-contained HTML page. */
export function renderReportHtml(input: ReportInput): string {
  const r = buildReport(input);
  const curByName = new Map(input.current.features.map((f) => [f.name, f]));
  const driftByName = new Map(input.drift.features.map((f) => [f.feature, f]));
  const violationsByFeature = new Map<string, string[]>();
  for (const v of r.violations) violationsByFeature.set(v.feature_name, [...(violationsByFeature.get(v.feature_name) ?? []), v.constraint_check_type]);
  const sections = input.baseline.features.map((b) => {
    const c = curByName.get(b.name);
    const bars = c ? chartBars(b, c) : undefined;
    const d = driftByName.get(b.name);
    const vs = violationsByFeature.get(b.name) ?? [];
    return `<section><h3>${escapeHtml(b.name)} <small>${escapeHtml(b.inferred_type)}</small>${vs.length ? ` <span class="bad">${escapeHtml(vs.join(', '))}</span>` : ''}${d?.drifted ? ' <span class="bad">drift</span>' : ''}</h3>${bars ? barChartSvg(bars, `${b.name}: baseline vs window`) : '<p>No comparable distribution in the window.</p>'}</section>`;
  });
  const violationRows = r.violations.map((v) => `<tr><td>${escapeHtml(v.feature_name)}</td><td>${v.constraint_check_type}</td><td>${escapeHtml(v.description)}</td></tr>`).join('');
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(r.title)}</title>`,
    '<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}tr.drift{background:#fde2e1}.bad{color:#b00020;font-size:12px}section{display:inline-block;vertical-align:top;margin:0 1em 1em 0}h3{font-size:14px;margin:.2em 0}small{color:#666}.key span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px}</style>',
    '</head><body>',
    `<h1>${escapeHtml(r.title)}</h1>`,
    `<p>Run at ${escapeHtml(r.runAt)} · baseline ${r.summary.baselineItems} rows · window ${r.summary.currentItems} rows · ${r.summary.violations} violation(s) · drift share ${(r.summary.driftShare * 100).toFixed(1)}% (${r.summary.datasetDrift ? 'dataset drift' : 'no dataset drift'})</p>`,
    '<h2>Violations</h2>',
    r.violations.length ? `<table><tr><th>feature</th><th>check</th><th>description</th></tr>${violationRows}</table>` : '<p>None.</p>',
    '<h2>Drift</h2>',
    `<table><tr><th>feature</th><th>kind</th><th>L∞</th><th>L∞ robust</th><th>KS p</th><th>PSI</th><th>JS</th><th>W₁/σ</th><th>χ² p</th><th>default test</th><th>BH p</th><th>drift</th></tr>${input.drift.features.map(driftRow).join('')}</table>`,
    `<h2>Distributions</h2><p class="key"><span style="background:${BASE_COLOUR}"></span>baseline<span style="background:${CUR_COLOUR}"></span>window</p>`,
    sections.join(''),
    '</body></html>',
  ].join('\n');
}

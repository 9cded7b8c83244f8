/**
 * @module ml/explain/svg-charts
 * Small self-contained SVG charts for explanation reports: string in, string out, every text
 * escaped, no scripts, no external resources (a report must open offline and cannot run code).
 * Colours follow shap's summary-plot convention: low feature values blue, high values red.
 */

/** Escapes text for HTML and SVG content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return '';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(3)));
}

function px(v: number): string {
  return String(Math.round(v * 10) / 10);
}

interface Range {
  min: number;
  max: number;
}

function range(values: Iterable<number | null>): Range {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (min > max) return { min: 0, max: 1 };
  if (min === max) return { min: min - 0.5, max: max + 0.5 };
  return { min, max };
}

function scale(r: Range, from: number, to: number): (v: number) => number {
  return (v) => from + ((v - r.min) / (r.max - r.min)) * (to - from);
}

function ticks(r: Range, count = 5): number[] {
  return Array.from({ length: count }, (_, i) => r.min + ((r.max - r.min) * i) / (count - 1));
}

/** Blue → red for t in [0, 1]; grey for missing. */
export function valueColour(t: number | null): string {
  if (t === null || !Number.isFinite(t)) return '#9e9e9e';
  const c = Math.min(1, Math.max(0, t));
  const lerp = (a: number, b: number) => Math.round(a + (b - a) * c);
  return `rgb(${lerp(0x1e, 0xff)},${lerp(0x88, 0x0d)},${lerp(0xe5, 0x57)})`;
}

/** Ranks of values in [0, 1] (5th–95th percentile clipped), null for missing: the colour scale. */
export function colourPositions(values: readonly (number | null)[]): (number | null)[] {
  const present = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (present.length === 0) return values.map(() => null);
  const lo = present[Math.floor(0.05 * (present.length - 1))]!;
  const hi = present[Math.ceil(0.95 * (present.length - 1))]!;
  return values.map((v) => (v === null ? null : hi > lo ? (v - lo) / (hi - lo) : 0.5));
}

function frame(width: number, height: number, title: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}" font-family="sans-serif" font-size="11"><title>${escapeHtml(title)}</title>${body}</svg>`;
}

function xAxis(r: Range, sx: (v: number) => number, y: number, label: string, centre: number): string {
  const parts = ticks(r).map((t) => `<line x1="${px(sx(t))}" x2="${px(sx(t))}" y1="${px(y)}" y2="${px(y + 4)}" stroke="#555"/><text x="${px(sx(t))}" y="${px(y + 15)}" text-anchor="middle">${escapeHtml(fmt(t))}</text>`);
  return `<line x1="${px(sx(r.min))}" x2="${px(sx(r.max))}" y1="${px(y)}" y2="${px(y)}" stroke="#555"/>${parts.join('')}<text x="${px(centre)}" y="${px(y + 30)}" text-anchor="middle">${escapeHtml(label)}</text>`;
}

function yAxis(r: Range, sy: (v: number) => number, x: number, label: string, centre: number): string {
  const parts = ticks(r).map((t) => `<line x1="${px(x - 4)}" x2="${px(x)}" y1="${px(sy(t))}" y2="${px(sy(t))}" stroke="#555"/><text x="${px(x - 6)}" y="${px(sy(t) + 4)}" text-anchor="end">${escapeHtml(fmt(t))}</text>`);
  return `<line x1="${px(x)}" x2="${px(x)}" y1="${px(sy(r.min))}" y2="${px(sy(r.max))}" stroke="#555"/>${parts.join('')}<text transform="translate(${px(x - 48)},${px(centre)}) rotate(-90)" text-anchor="middle">${escapeHtml(label)}</text>`;
}

/** Horizontal bars, one per label, in the given order (largest first reads best). */
export function barChart(title: string, labels: readonly string[], values: readonly number[], valueLabel: string): string {
  const width = 640;
  const left = 220;
  const rowH = 22;
  const height = 50 + rowH * labels.length;
  const r = range([0, ...values]);
  const sx = scale(r, left, width - 30);
  const bars = labels.map((label, i) => {
    const y = 10 + i * rowH;
    const v = values[i]!;
    const x0 = sx(Math.min(0, v));
    return `<text x="${left - 6}" y="${px(y + 14)}" text-anchor="end">${escapeHtml(label)}</text><rect x="${px(x0)}" y="${px(y + 3)}" width="${px(Math.abs(sx(v) - sx(0)))}" height="${rowH - 6}" fill="#ff0d57"><title>${escapeHtml(`${label}: ${fmt(v)}`)}</title></rect>`;
  });
  return frame(width, height, title, bars.join('') + xAxis(r, sx, 10 + rowH * labels.length, valueLabel, (left + width - 30) / 2));
}

/** A SHAP summary (beeswarm) plot: one row of dots per feature, x = SHAP value, colour = feature value. */
export function beeswarmChart(title: string, features: readonly { name: string; shap: readonly number[]; value: readonly (number | null)[] }[]): string {
  const width = 640;
  const left = 220;
  const rowH = 30;
  const height = 50 + rowH * features.length;
  const r = range(features.flatMap((f) => f.shap));
  const sx = scale(r, left, width - 30);
  const rows = features.map((f, i) => {
    const y = 10 + i * rowH + rowH / 2;
    const colours = colourPositions(f.value);
    const dots = f.shap.map((s, k) => {
      // Deterministic jitter (golden-ratio sequence) spreads overlapping dots vertically.
      const jitter = (((k * 0.6180339887) % 1) - 0.5) * (rowH - 8);
      return `<circle cx="${px(sx(s))}" cy="${px(y + jitter)}" r="2" fill="${valueColour(colours[k] ?? null)}" fill-opacity="0.8"/>`;
    });
    return `<text x="${left - 6}" y="${px(y + 4)}" text-anchor="end">${escapeHtml(f.name)}</text>${dots.join('')}`;
  });
  const zero = r.min <= 0 && r.max >= 0 ? `<line x1="${px(sx(0))}" x2="${px(sx(0))}" y1="10" y2="${px(10 + rowH * features.length)}" stroke="#bbb"/>` : '';
  return frame(width, height, title, zero + rows.join('') + xAxis(r, sx, 10 + rowH * features.length, 'SHAP value (impact on model output)', (left + width - 30) / 2));
}

/** A scatter plot (dependence plot); points with a missing x are left out; optional colour values. */
export function scatterChart(
  title: string,
  x: readonly (number | null)[],
  y: readonly number[],
  labels: { x: string; y: string },
  colour?: readonly (number | null)[],
): string {
  const width = 480;
  const height = 320;
  const rx = range(x);
  const ry = range(y);
  const sx = scale(rx, 70, width - 20);
  const sy = scale(ry, height - 50, 15);
  const colours = colour ? colourPositions(colour) : undefined;
  const dots = x.map((v, i) =>
    v === null ? '' : `<circle cx="${px(sx(v))}" cy="${px(sy(y[i]!))}" r="2.2" fill="${colours ? valueColour(colours[i] ?? null) : '#1e88e5'}" fill-opacity="0.75"/>`,
  );
  return frame(width, height, title, dots.join('') + xAxis(rx, sx, height - 50, labels.x, (70 + width - 20) / 2) + yAxis(ry, sy, 70, labels.y, (height - 50 + 15) / 2));
}

/** A line chart: faint background lines (ICE) and one bold line (PD). */
export function lineChart(title: string, x: readonly number[], main: readonly number[], faint: readonly (readonly number[])[], labels: { x: string; y: string }): string {
  const width = 480;
  const height = 320;
  const rx = range(x);
  const ry = range([...main, ...faint.flat()]);
  const sx = scale(rx, 70, width - 20);
  const sy = scale(ry, height - 50, 15);
  const path = (ys: readonly number[]) => ys.map((v, i) => `${i === 0 ? 'M' : 'L'}${px(sx(x[i]!))},${px(sy(v))}`).join('');
  const lines = faint.map((ys) => `<path d="${path(ys)}" fill="none" stroke="#1e88e5" stroke-opacity="0.18"/>`);
  return frame(
    width,
    height,
    title,
    lines.join('') + `<path d="${path(main)}" fill="none" stroke="#ff0d57" stroke-width="2.5"/>` + xAxis(rx, sx, height - 50, labels.x, (70 + width - 20) / 2) + yAxis(ry, sy, 70, labels.y, (height - 50 + 15) / 2),
  );
}

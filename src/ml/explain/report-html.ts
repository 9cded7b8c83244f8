/**
 * @module ml/explain/report-html
 * The explanation report as one self-contained HTML page (inline CSS and SVG, no scripts, no
 * external requests), built from the report JSON by a pure function. Every piece of text that
 * comes from data (feature names, titles, rules) is escaped.
 */
import { AppError } from '../../kernel/index.js';
import type { ExplanationReport } from './explanation-report.js';
import { explanationReportSchema } from './explanation-report.js';
import { barChart, beeswarmChart, escapeHtml, lineChart, scatterChart } from './svg-charts.js';

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function num(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(5))) : '';
}

/** Renders the HTML page of an explanation report. */
export function renderExplanationHtml(report: ExplanationReport): string {
  const top = report.importance.meanAbsShap.slice(0, report.parameters.topK);
  const outputSpace = report.model.objective.includes('logistic') || report.model.objective.startsWith('multi') ? 'log-odds' : 'model output';
  const sections: string[] = [];
  sections.push(
    `<section><h2>Model and data</h2>${table(
      ['Objective', 'Trees', 'Features', 'Outputs', 'Rows explained', 'Group', 'Expected value'],
      [
        [
          report.model.objective,
          String(report.model.numTrees),
          String(report.model.numFeature),
          String(report.model.numGroups),
          String(report.data.rows),
          String(report.data.explainedGroup),
          report.expectedValue.map(num).join(', '),
        ],
      ],
    )}<p>SHAP values: exact path-dependent TreeSHAP in ${escapeHtml(outputSpace)} space; seed ${report.parameters.seed}.</p></section>`,
  );
  sections.push(
    `<section><h2>Feature importance (mean |SHAP|)</h2>${barChart(
      'Mean absolute SHAP value',
      top.map((t) => t.name),
      top.map((t) => t.value),
      `mean |SHAP value| (${outputSpace})`,
    )}</section>`,
  );
  sections.push(`<section><h2>SHAP summary</h2>${beeswarmChart('SHAP summary (colour: feature value, blue low, red high)', report.beeswarm)}</section>`);
  sections.push(
    `<section><h2>SHAP dependence</h2><div class="grid">${report.dependence
      .map((d) =>
        scatterChart(`SHAP dependence of ${d.name}${d.colorName ? ` (colour: ${d.colorName})` : ''}`, d.value, d.shap, { x: d.name, y: `SHAP value of ${d.name}` }, d.colorName ? d.color : undefined),
      )
      .join('')}</div></section>`,
  );
  sections.push(
    `<section><h2>Partial dependence and ICE</h2><div class="grid">${report.partialDependence
      .map((c) => lineChart(`Partial dependence on ${c.name}`, c.grid, c.average, c.ice, { x: c.name, y: 'prediction' }))
      .join('')}</div></section>`,
  );
  const perm = report.importance.permutation;
  if (perm !== null) {
    const sorted = [...perm.features].sort((a, b) => b.mean - a.mean || a.feature - b.feature);
    sections.push(
      `<section><h2>Permutation importance</h2><p>Metric ${escapeHtml(perm.metric)} (${perm.greaterIsBetter ? 'higher' : 'lower'} is better), baseline ${escapeHtml(num(perm.baseline))}; ${report.parameters.permutationRepeats} seeded repeats.</p>${table(
        ['Feature', 'Mean decrease', 'Std'],
        sorted.map((f) => [f.name, num(f.mean), num(f.std)]),
      )}</section>`,
    );
  }
  const gain = [...report.importance.gain].filter((g) => g.weight > 0).sort((a, b) => b.totalGain - a.totalGain || a.feature - b.feature);
  sections.push(
    `<section><h2>Tree-structure importance</h2>${table(
      ['Feature', 'Splits', 'Gain (mean)', 'Total gain', 'Cover (mean)'],
      gain.map((g) => [g.name, String(g.weight), num(g.gain), num(g.totalGain), num(g.cover)]),
    )}</section>`,
  );
  sections.push(
    `<section><h2>Global surrogate tree</h2><p>Depth ${report.parameters.surrogateDepth} regression tree fitted to the model's predictions; fidelity R² = ${escapeHtml(num(report.surrogate.fidelityR2))}.</p><ol>${report.surrogate.rules
      .map((r) => `<li>${escapeHtml(r)}</li>`)
      .join('')}</ol></section>`,
  );
  const style =
    'body{font-family:sans-serif;margin:2em;color:#222;max-width:1040px}h1{font-size:1.6em}h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}.grid{display:flex;flex-wrap:wrap;gap:12px}';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>${escapeHtml(report.title)}</title><style>${style}</style></head><body><h1>${escapeHtml(report.title)}</h1>${sections.join('')}</body></html>\n`;
}

/** Renders the HTML page from the report's JSON text (validated against its schema first). */
export function renderExplanationHtmlFromJson(json: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new AppError('INVALID_INPUT', { message: `The explanation report is not JSON: ${(error as Error).message}` });
  }
  const result = explanationReportSchema.safeParse(parsed);
  if (!result.success) {
    throw new AppError('INVALID_INPUT', { message: 'The explanation report does not match its schema', details: { issues: result.error.issues.slice(0, 5) } });
  }
  return renderExplanationHtml(result.data);
}

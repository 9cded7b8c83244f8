/**
 * @module registry/card-html
 * The model card and the SR 11-7-style validation report as self-contained HTML (no scripts, no
 * external resources), and PDF by printing that HTML with Debian's Chromium (`--headless
 * --print-to-pdf`, no network) when it is installed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../kernel/index.js';
import type { ModelCard } from './model-card.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const fmt = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : v === null || v === undefined ? '—' : String(v));

export function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  if (rows.length === 0) return '<p class="none">None recorded.</p>';
  return `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(fmt(c))}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222}h1{font-size:1.5em}h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:1.6em}table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left}th{background:#f4f4f4}.none{color:#777}dl{display:grid;grid-template-columns:12em 1fr;gap:4px 12px}dt{font-weight:600}pre{white-space:pre-wrap}</style>
</head><body>${body}</body></html>
`;
}

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(2)} %`);

/**
 * The outcomes-analysis tables of the card and the validation report: each challenger comparison
 * (metrics of both models on the same holdout, the bootstrap interval of the AUC difference,
 * decision agreement), each back-test (metrics per period, flagged periods) and each stress test
 * (per scenario: shift, flips, percentiles before and after). `headings` names the three parts.
 */
export function outcomesHtml(card: ModelCard, headings: { challenger: string; backtest: string; stress: string }, level = 2): string {
  const h = (t: string) => `<h${level}>${escapeHtml(t)}</h${level}>`;
  const parts: string[] = [h(headings.challenger)];
  if (card.challenger.length === 0) parts.push('<p class="none">No challenger comparison attached.</p>');
  for (const c of card.challenger) {
    const champion = c.championVersion !== null ? `${c.championGroup} version ${c.championVersion}` : 'the given champion';
    parts.push(`<p>Candidate ${escapeHtml(`${card.group} version ${card.version}`)} against ${escapeHtml(champion)} on ${escapeHtml(c.holdout ?? '—')} (${c.rows} rows, threshold ${fmt(c.threshold)}; job ${escapeHtml(fmt(c.jobId))}, report ${escapeHtml(c.artifactId)}).</p>`);
    parts.push(table(['metric', 'candidate', 'champion', 'difference'], c.metrics.map((m) => [m.metric, m.candidate, m.champion, m.difference])));
    const b = c.aucDifference;
    parts.push(
      table(
        ['AUC difference', `${fmt(b.confidence === null ? null : b.confidence * 100)} % interval (paired bootstrap)`, 'replicates', 'seed', 'decision flips', 'agreement', 'candidate only positive', 'champion only positive'],
        [[b.difference, `[${fmt(b.lower)}, ${fmt(b.upper)}]`, b.replicates, b.seed, c.agreement.flips, pct(c.agreement.agreementRate), c.agreement.candidateOnlyPositive, c.agreement.championOnlyPositive]],
      ),
    );
  }
  parts.push(h(headings.backtest));
  if (card.backtests.length === 0) parts.push('<p class="none">No back-test attached.</p>');
  for (const b of card.backtests) {
    parts.push(`<p>Periods of ${escapeHtml(b.column)} (job ${escapeHtml(fmt(b.jobId))}, report ${escapeHtml(b.artifactId)}); flagged: ${escapeHtml(b.flaggedPeriods.join(', ') || 'none')}.</p>`);
    parts.push(table(['period', 'rows', 'positive rate', 'AUC', 'KS', 'accuracy', 'Brier', 'flag'], b.periods.map((p) => [p.period, p.rows, pct(p.positiveRate), p.auc, p.ks, p.accuracy, p.brier, p.flagged ? `FLAGGED: ${p.reasons.join('; ')}` : ''])));
  }
  parts.push(h(headings.stress));
  if (card.stressTests.length === 0) parts.push('<p class="none">No stress test attached.</p>');
  for (const st of card.stressTests) {
    parts.push(`<p>${st.rows} rows, decisions at score ≥ ${fmt(st.threshold)} (report ${escapeHtml(st.artifactId)}).</p>`);
    parts.push(
      table(
        ['scenario', 'transforms', 'mean shift', 'mean |shift|', 'decisions flipped', 'positive rate before → after', 'median before → after', 'p95 before → after'],
        st.scenarios.map((s) => [s.name, s.transforms, s.meanShift, s.meanAbsoluteShift, `${s.flipped} (${pct(s.flippedShare)})`, `${pct(s.positiveRateBefore)} → ${pct(s.positiveRateAfter)}`, `${fmt(s.p50Before)} → ${fmt(s.p50After)}`, `${fmt(s.p95Before)} → ${fmt(s.p95After)}`]),
      ),
    );
  }
  return parts.join('\n');
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? `<pre>${escapeHtml(v)}</pre>` : '<p class="none">Not filled in.</p>');

export function renderModelCardHtml(card: ModelCard): string {
  const body = [
    `<h1>Model card: ${escapeHtml(card.group)} version ${card.version}</h1>`,
    `<dl><dt>Status</dt><dd>${escapeHtml(card.status)}</dd><dt>Risk tier</dt><dd>${fmt(card.riskTier)}</dd><dt>Owner</dt><dd>${escapeHtml(fmt(card.fields.owner))}</dd><dt>Aliases</dt><dd>${escapeHtml(card.aliases.join(', ') || '—')}</dd><dt>Registered</dt><dd>${escapeHtml(`${card.registeredBy} at ${card.registeredAt}`)}</dd><dt>Provenance</dt><dd>${escapeHtml(card.provenance)}</dd><dt>Artifact</dt><dd>${escapeHtml(`${card.artifact.artifactId} (sha256 ${card.artifact.sha256})`)}</dd><dt>Card revision</dt><dd>${escapeHtml(card.fields.revision === null ? 'none' : `${card.fields.revision} by ${card.fields.editedBy} at ${card.fields.editedAt}`)}</dd><dt>Generated</dt><dd>${escapeHtml(card.generatedAt)}</dd></dl>`,
    '<h2>Intended use</h2>',
    text(card.fields.intendedUse),
    '<h2>Limitations</h2>',
    text(card.fields.limitations),
    '<h2>Training</h2>',
    `<dl><dt>Job</dt><dd>${escapeHtml(fmt(card.training.jobId))}</dd><dt>Component</dt><dd>${escapeHtml(fmt(card.training.componentId))}</dd><dt>Code commit</dt><dd>${escapeHtml(fmt(card.training.codeCommit))}</dd><dt>Label</dt><dd>${escapeHtml(fmt(card.signature.label))}</dd></dl>`,
    table(['role', 'data version', 'sha256', 'rows', 'columns'], card.training.data.map((d) => [d.role, d.ref, d.sha256, d.rows, d.columns])),
    '<h3>Parameters</h3>',
    table(['parameter', 'value'], Object.entries(card.training.parameters)),
    '<h2>Input signature</h2>',
    table(['feature', 'type'], card.signature.features.map((f) => [f.name, f.type])),
    '<h2>Metrics by split</h2>',
    table(['split', 'metric', 'value'], Object.entries(card.metricsBySplit).flatMap(([split, m]) => Object.entries(m).map(([name, v]) => [split, name, v]))),
    '<h2>Global SHAP importance</h2>',
    table(['feature', 'mean |SHAP|'], card.shapImportance.slice(0, 20).map((f) => [f.name, f.value])),
    '<h2>Bias (post-training)</h2>',
    table(['facet', 'value', 'metric', 'estimate', 'lower', 'upper'], card.bias.map((b) => [b.facet, b.value, b.metric, b.estimate, b.lower, b.upper])),
    outcomesHtml(card, { challenger: 'Challenger comparison', backtest: 'Back-testing', stress: 'Stress tests' }),
    '<h2>Monitoring baseline</h2>',
    table(['artifact', 'sha256'], card.monitoringBaseline.map((b) => [b.artifactId, b.sha256])),
    '<h2>Validation</h2>',
    table(['finding', 'severity', 'status'], card.validation.findings.map((f) => [f.title, f.severity, f.status])),
    table(['signed off by', 'at'], card.validation.signOffs.map((s) => [s.principal, s.at])),
    '<h2>Approvals</h2>',
    table(['decision', 'by', 'at', 'independent', 'comment'], card.approvals.map((a) => [a.decision, a.principal, a.at, a.independent ? 'yes' : 'NO', a.comment])),
  ].join('\n');
  return page(`Model card ${card.group} v${card.version}`, body);
}

/** Chromium's path, when installed (Debian's package puts it at /usr/bin/chromium). */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const p of [env.ATTEST_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (p && existsSync(p)) return p;
  return undefined;
}

/** Prints HTML to PDF with headless Chromium (offline: no network, no extensions, a throwaway profile). */
export async function htmlToPdf(html: string, options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Buffer> {
  const chromium = chromiumPath(options.env);
  if (!chromium) throw new AppError('UNAVAILABLE', { message: 'PDF export needs Chromium (apt-get install chromium); export HTML instead' });
  const dir = mkdtempSync(join(tmpdir(), 'attest-pdf-'));
  try {
    const input = join(dir, 'card.html');
    const output = join(dir, 'card.pdf');
    writeFileSync(input, html);
    const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-extensions', `--user-data-dir=${join(dir, 'profile')}`, '--no-pdf-header-footer', `--print-to-pdf=${output}`, `file://${input}`];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(chromium, args, { stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (!existsSync(output)) throw new AppError('UNAVAILABLE', { message: 'Chromium did not produce a PDF' });
    return readFileSync(output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * @module validation/validation-report
 * An SR 11-7-style validation report assembled from a version's validation workspace and model
 * card: scope and model description, conceptual soundness (data, design, parameters), outcomes
 * analysis (performance by split, evidence of challenger comparison, back-testing and stress
 * tests), findings with severity, status and discussion, ongoing monitoring, and the conclusion
 * (sign-offs and approval decisions with the approvers' independence).
 */
import type { ModelCard } from '../registry/index.js';
import { escapeHtml, outcomesHtml, page, table } from '../registry/index.js';
import type { ValidationWorkspace } from './validation-model.js';

export function renderValidationReportHtml(card: ModelCard, ws: ValidationWorkspace): string {
  const bySeverity = (s: string) => ws.findings.filter((f) => f.severity === s);
  const evidenceOf = (kinds: string[]) => table(['kind', 'artifact', 'sha256', 'job', 'attached by', 'at'], (ws.evidence as { kind: string; artifactId: string; sha256: string; jobId: string | null; attachedBy: string; attachedAt: string }[]).filter((e) => kinds.includes(e.kind)).map((e) => [e.kind, e.artifactId, e.sha256, e.jobId, e.attachedBy, e.attachedAt]));
  const body = [
    `<h1>Model validation report: ${escapeHtml(card.group)} version ${card.version}</h1>`,
    `<p>Prepared from the Attest validation workspace on ${escapeHtml(card.generatedAt)}. Risk tier ${escapeHtml(String(card.riskTier ?? '—'))}; status ${escapeHtml(card.status)}.</p>`,
    '<h2>1. Scope and model description</h2>',
    `<dl><dt>Intended use</dt><dd>${escapeHtml(String(card.fields.intendedUse ?? 'not stated'))}</dd><dt>Owner</dt><dd>${escapeHtml(String(card.fields.owner ?? '—'))}</dd><dt>Registered by</dt><dd>${escapeHtml(card.registeredBy)}</dd><dt>Artifact</dt><dd>${escapeHtml(`${card.artifact.artifactId} sha256 ${card.artifact.sha256}`)}</dd></dl>`,
    '<h2>2. Conceptual soundness</h2>',
    '<h3>Data</h3>',
    table(['role', 'data version', 'rows', 'columns', 'sha256'], card.training.data.map((d) => [d.role, d.ref, d.rows, d.columns, d.sha256])),
    '<h3>Design and parameters</h3>',
    table(['parameter', 'value'], Object.entries(card.training.parameters)),
    table(['feature', 'type'], card.signature.features.map((f) => [f.name, f.type])),
    '<h3>Explainability</h3>',
    table(['feature', 'mean |SHAP|'], card.shapImportance.slice(0, 15).map((f) => [f.name, f.value])),
    '<h2>3. Outcomes analysis</h2>',
    table(['split', 'metric', 'value'], Object.entries(card.metricsBySplit).flatMap(([s, m]) => Object.entries(m).map(([n, v]) => [s, n, v]))),
    outcomesHtml(card, { challenger: 'Challenger against champion', backtest: 'Back-testing per period', stress: 'Stress scenarios' }, 3),
    '<h3>Evidence of the outcomes analysis</h3>',
    evidenceOf(['challenger-comparison', 'backtest', 'stress-test', 'evaluation']),
    '<h3>Fairness</h3>',
    table(['facet', 'value', 'metric', 'estimate', 'lower', 'upper'], card.bias.map((b) => [b.facet, b.value, b.metric, b.estimate, b.lower, b.upper])),
    '<h2>4. Findings</h2>',
    `<p>${ws.findings.length} finding(s): ${bySeverity('high').length} high, ${bySeverity('medium').length} medium, ${bySeverity('low').length} low; ${ws.findings.filter((f) => f.status === 'open').length} open.</p>`,
    table(['severity', 'title', 'status', 'raised by', 'description'], ws.findings.map((f) => [f.severity, f.title, f.status, f.createdBy, f.description])),
    '<h3>Discussion</h3>',
    table(['at', 'by', 'finding', 'comment'], ws.comments.map((c) => [c.at, c.by, c.findingId, c.text])),
    '<h2>5. Ongoing monitoring</h2>',
    evidenceOf(['monitoring-baseline']),
    '<h2>6. Conclusion</h2>',
    table(['signed off by', 'at', 'comment'], ws.signOffs.map((s) => [s.principal, s.at, s.comment])),
    table(['decision', 'by', 'at', 'independent of the makers', 'comment'], card.approvals.map((a) => [a.decision, a.principal, a.at, a.independent ? 'yes' : 'NO', a.comment])),
    '<h3>Limitations</h3>',
    `<pre>${escapeHtml(String(card.fields.limitations ?? 'not stated'))}</pre>`,
  ].join('\n');
  return page(`Validation report ${card.group} v${card.version}`, body);
}

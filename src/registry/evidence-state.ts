/**
 * @module registry/evidence-state
 * Gathers the evidence present for a version now — attachments, findings, sign-offs, the latest
 * model-card revision, metrics (registration plus later evaluations on the model), the champion's
 * metrics and the attached bias reports — for the gates and for the snapshot kept with a decision.
 */
import type { App } from '../app/index.js';
import type { Actor } from '../security/audit/index.js';
import type { EvidenceState } from './gates.js';
import { evaluationMetrics } from './provenance.js';
import type { Severity } from './registry-settings.js';
import type { ModelGroupsTable, ModelVersionsTable } from './registry-tables.js';
import { registryDb } from './registry-tables.js';
import type { RegistryStore } from './registry-store.js';

/** The effective risk tier: the card's (edited) tier, else the group's, else the project default. */
export async function riskTierOf(app: App, group: ModelGroupsTable, versionId: string, defaultTier: number): Promise<number> {
  const card = await latestCard(app, versionId);
  const fromCard = card?.fields.riskTier;
  if (typeof fromCard === 'number') return fromCard;
  return group.risk_tier === null ? defaultTier : Number(group.risk_tier);
}

export async function latestCard(app: App, versionId: string): Promise<{ revision: number; fields: Record<string, unknown>; at: string; by: string } | null> {
  const row = await registryDb(app.db).selectFrom('model_card_revisions').selectAll().where('version_id', '=', versionId).orderBy('revision', 'desc').limit(1).executeTakeFirst();
  return row ? { revision: Number(row.revision), fields: JSON.parse(row.fields) as Record<string, unknown>, at: row.at, by: row.by } : null;
}

export async function gatherEvidence(app: App, store: RegistryStore, actor: Actor, group: ModelGroupsTable, row: ModelVersionsTable, defaultTier: number): Promise<EvidenceState> {
  const k = registryDb(app.db);
  const evidence = await k.selectFrom('model_evidence').selectAll().where('version_id', '=', row.id).orderBy('attached_at').execute();
  const findings = await k.selectFrom('validation_findings').selectAll().where('version_id', '=', row.id).orderBy('created_at').execute();
  const signOffs = await k.selectFrom('validation_signoffs').selectAll().where('version_id', '=', row.id).orderBy('at').execute();
  const openFindings: Record<Severity, number> = { high: 0, medium: 0, low: 0 };
  for (const f of findings) if (f.status === 'open') openFindings[f.severity as Severity]++;
  const metrics = { ...(JSON.parse(row.metrics) as Record<string, number>), ...(await evaluationMetrics(app, row.project_id, row.artifact_id)) };
  let champion: EvidenceState['champion'] = null;
  const championId = await store.aliasTarget(group.id, 'champion').catch(() => undefined);
  if (championId && championId !== row.id) {
    const c = await store.versionRowById(row.project_id, championId);
    champion = { version: Number(c.version), metrics: { ...(JSON.parse(c.metrics) as Record<string, number>), ...(await evaluationMetrics(app, c.project_id, c.artifact_id)) } };
  }
  const reportsOf = async (kind: string): Promise<{ artifactId: string; report: unknown }[]> => {
    const out: { artifactId: string; report: unknown }[] = [];
    for (const e of evidence.filter((x) => x.kind === kind)) {
      try {
        const { bytes } = await app.artifacts.getBytes(actor, e.artifact_id, row.project_id);
        out.push({ artifactId: e.artifact_id, report: JSON.parse(bytes.toString('utf8')) });
      } catch {
        // A report that cannot be read or parsed counts as absent; the gate says none is attached or covers the facet.
      }
    }
    return out;
  };
  const biasReports = await reportsOf('bias-report');
  const challengerReports = await reportsOf('challenger-comparison');
  const card = await latestCard(app, row.id);
  return {
    versionId: row.id,
    version: Number(row.version),
    riskTier: await riskTierOf(app, group, row.id, defaultTier),
    evidence: evidence.map((e) => ({ kind: e.kind, artifactId: e.artifact_id, sha256: e.sha256, jobId: e.job_id, attachedBy: e.attached_by, attachedAt: e.attached_at })),
    openFindings,
    findings: findings.map((f) => ({ findingId: f.id, severity: f.severity, status: f.status, title: f.title })),
    signOffs: signOffs.map((s) => ({ principal: s.principal, at: s.at, independent: (JSON.parse(s.independence) as { independent?: boolean }).independent === true })),
    metrics,
    card: card ? { revision: card.revision, fields: card.fields } : null,
    champion,
    biasReports,
    challengerReports,
  };
}

/** What is kept with a decision or an alias move: the evidence (without report bodies) and the gate verdict. */
export function snapshotOf(state: EvidenceState, gates: unknown): Record<string, unknown> {
  const { biasReports, challengerReports, ...rest } = state;
  return { ...rest, biasReports: biasReports.map((b) => b.artifactId), challengerReports: challengerReports.map((c) => c.artifactId), gates };
}

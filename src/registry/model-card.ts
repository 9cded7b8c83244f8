/**
 * @module registry/model-card
 * The model card of a version, generated from what Attest recorded — not typed by hand: group and
 * risk tier, the registrar, training data versions and their profiles' sizes, parameters, the code
 * commit of the training component, metrics per split, global SHAP importance (from an attached
 * explanation report), bias results with intervals (from attached bias reports), the monitoring
 * baseline, the challenger comparison, back-tests and stress tests (from their attached job
 * reports), validation findings and sign-offs, and the approvals with their independence. The
 * editable fields (intended use, limitations, owner, risk tier) are kept as numbered revisions.
 * Exported as JSON and HTML (and PDF by printing the HTML with Chromium; see card-pdf.ts).
 */
import { z } from 'zod';
import type { App } from '../app/index.js';
import { AppError } from '../kernel/index.js';
import { governed } from '../security/audit/index.js';
import { latestCard } from './evidence-state.js';
import type { RegistryCaller } from './registry-caller.js';
import { authorize, versionResource } from './registry-caller.js';
import type { RegistryService } from './registry-service.js';
import { registryDb, registryTx } from './registry-tables.js';

export const CardFieldsSchema = z
  .object({
    intendedUse: z.string().max(20_000).optional(),
    limitations: z.string().max(20_000).optional(),
    owner: z.string().max(300).optional(),
    riskTier: z.number().int().min(1).max(5).optional(),
  })
  .strict();
export type CardFields = z.infer<typeof CardFieldsSchema>;

export interface CardRevision {
  revision: number;
  fields: CardFields;
  at: string;
  by: string;
}

export interface ModelCard {
  format: 'attest-model-card/1';
  generatedAt: string;
  group: string;
  version: number;
  versionId: string;
  status: string;
  riskTier: number | null;
  fields: CardFields & { revision: number | null; editedBy: string | null; editedAt: string | null };
  registeredBy: string;
  registeredAt: string;
  provenance: string;
  artifact: { artifactId: string; sha256: string; mediaType: string };
  training: { jobId: string | null; componentId: string | null; codeCommit: string | null; parameters: Record<string, unknown>; data: { role: string; ref: string; sha256: string; rows: number | null; columns: number | null }[] };
  signature: { features: { name: string; type: string }[]; label: string | null };
  metricsBySplit: Record<string, Record<string, number>>;
  shapImportance: { name: string; value: number }[];
  bias: { artifactId: string; facet: string; value: string; metric: string; estimate: number | null; lower: number | null; upper: number | null }[];
  monitoringBaseline: { artifactId: string; sha256: string }[];
  /** Attached challenger comparisons (challenger-comparison jobs), oldest first. */
  challenger: CardChallenger[];
  /** Attached back-tests: metrics per period. */
  backtests: CardBacktest[];
  /** Attached stress tests: score and decision shifts per scenario. */
  stressTests: CardStressTest[];
  validation: { findings: { title: string; severity: string; status: string }[]; signOffs: { principal: string; at: string }[] };
  approvals: { decision: string; principal: string; at: string; comment: string; independent: boolean }[];
  aliases: string[];
}

export interface CardChallenger {
  artifactId: string;
  jobId: string | null;
  holdout: string | null;
  championGroup: string | null;
  championVersion: number | null;
  rows: number;
  threshold: number;
  metrics: { metric: string; candidate: number | null; champion: number | null; difference: number | null }[];
  aucDifference: { difference: number | null; lower: number | null; upper: number | null; confidence: number | null; replicates: number | null; seed: number | null };
  agreement: { flips: number; agreementRate: number | null; candidateOnlyPositive: number; championOnlyPositive: number };
}

export interface CardBacktest {
  artifactId: string;
  jobId: string | null;
  column: string;
  periods: { period: string; rows: number; positiveRate: number | null; auc: number | null; ks: number | null; accuracy: number | null; brier: number | null; flagged: boolean; reasons: string[] }[];
  flaggedPeriods: string[];
}

export interface CardStressTest {
  artifactId: string;
  jobId: string | null;
  rows: number;
  threshold: number;
  scenarios: { name: string; transforms: string; meanShift: number; meanAbsoluteShift: number; flipped: number; flippedShare: number; positiveRateBefore: number; positiveRateAfter: number; p50Before: number | null; p50After: number | null; p95Before: number | null; p95After: number | null }[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The card's view of a challenger-comparison report (see jobs/validation-job-types.ts). */
function cardChallenger(artifactId: string, jobId: string | null, r: Record<string, unknown>): CardChallenger | undefined {
  const candidate = r.candidate as { metrics?: Record<string, unknown> } | undefined;
  const champion = r.champion as { metrics?: Record<string, unknown> } | undefined;
  if (!candidate?.metrics || !champion?.metrics) return undefined;
  const models = r.models as { champion?: { group?: string; version?: number } } | undefined;
  const difference = (r.difference ?? {}) as Record<string, unknown>;
  const boot = (r.aucDifference ?? {}) as Record<string, unknown>;
  const agreement = (r.agreement ?? {}) as Record<string, unknown>;
  return {
    artifactId,
    jobId,
    holdout: (r.holdout as { ref?: string } | undefined)?.ref ?? null,
    championGroup: models?.champion?.group ?? null,
    championVersion: models?.champion?.version ?? null,
    rows: Number(r.rows ?? 0),
    threshold: Number(r.threshold ?? 0.5),
    metrics: Object.keys(candidate.metrics).map((metric) => ({ metric, candidate: num(candidate.metrics?.[metric]), champion: num(champion.metrics?.[metric]), difference: num(difference[metric]) })),
    aucDifference: { difference: num(boot.difference), lower: num(boot.lower), upper: num(boot.upper), confidence: num(boot.confidence), replicates: num(boot.replicates), seed: num(boot.seed) },
    agreement: { flips: Number(agreement.flips ?? 0), agreementRate: num(agreement.agreementRate), candidateOnlyPositive: Number(agreement.candidateOnlyPositive ?? 0), championOnlyPositive: Number(agreement.championOnlyPositive ?? 0) },
  };
}

function cardBacktest(artifactId: string, jobId: string | null, r: Record<string, unknown>): CardBacktest | undefined {
  if (!Array.isArray(r.periods)) return undefined;
  const periods = (r.periods as { period: string; rows: number; positiveRate: unknown; metrics: Record<string, unknown>; flagged: boolean; reasons?: string[] }[]).map((p) => ({
    period: String(p.period),
    rows: Number(p.rows),
    positiveRate: num(p.positiveRate),
    auc: num(p.metrics?.auc),
    ks: num(p.metrics?.ks),
    accuracy: num(p.metrics?.accuracy),
    brier: num(p.metrics?.brier),
    flagged: p.flagged === true,
    reasons: p.reasons ?? [],
  }));
  return { artifactId, jobId, column: String(r.column ?? ''), periods, flaggedPeriods: periods.filter((p) => p.flagged).map((p) => p.period) };
}

function cardStressTest(artifactId: string, jobId: string | null, r: Record<string, unknown>): CardStressTest | undefined {
  if (!Array.isArray(r.scenarios)) return undefined;
  const describe = (t: Record<string, unknown>) =>
    t.multiply !== undefined ? `${t.feature} × ${t.multiply}` : t.add !== undefined ? `${t.feature} + ${t.add}` : t.set !== undefined ? `${t.feature} = ${t.set}` : `${t.feature} clipped to [${(t.clip as { min?: number })?.min ?? '−∞'}, ${(t.clip as { max?: number })?.max ?? '∞'}]`;
  const scenarios = (r.scenarios as Record<string, unknown>[]).map((s) => {
    const before = (s.percentilesBefore ?? {}) as Record<string, unknown>;
    const after = (s.percentilesAfter ?? {}) as Record<string, unknown>;
    return {
      name: String(s.name),
      transforms: ((s.transforms ?? []) as Record<string, unknown>[]).map(describe).join('; '),
      meanShift: Number(s.meanShift),
      meanAbsoluteShift: Number(s.meanAbsoluteShift),
      flipped: Number(s.flipped),
      flippedShare: Number(s.flippedShare),
      positiveRateBefore: Number(s.positiveRateBefore),
      positiveRateAfter: Number(s.positiveRateAfter),
      p50Before: num(before.p50),
      p50After: num(after.p50),
      p95Before: num(before.p95),
      p95After: num(after.p95),
    };
  });
  return { artifactId, jobId, rows: Number(r.rows ?? 0), threshold: Number(r.threshold ?? 0.5), scenarios };
}

export class ModelCards {
  readonly #app: App;
  readonly #registry: RegistryService;

  constructor(app: App, registry: RegistryService) {
    this.#app = app;
    this.#registry = registry;
  }

  /** Saves a new revision of the editable fields (merged over the previous revision). */
  async edit(caller: RegistryCaller, project: string, ref: string, input: CardFields): Promise<CardRevision> {
    const parsed = CardFieldsSchema.safeParse(input);
    if (!parsed.success) throw new AppError('INVALID_INPUT', { message: `Invalid model card field ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}` });
    const { group, row } = await this.#registry.locate(project, ref);
    const resource = versionResource(project, group.name, Number(row.version));
    await authorize(this.#app, caller, project, 'model:Register', resource);
    const previous = await latestCard(this.#app, row.id);
    const fields = { ...(previous?.fields ?? {}), ...parsed.data };
    const revision = (previous?.revision ?? 0) + 1;
    const at = new Date().toISOString();
    const by = caller.principal?.auditName ?? caller.actor.principal;
    await governed({ db: this.#app.db, ledger: this.#app.ledger }, caller.actor, 'model:Register', resource, async (tx) => {
      await registryTx(tx).insertInto('model_card_revisions').values({ version_id: row.id, revision, fields: JSON.stringify(fields), at, by }).execute();
      return { result: undefined, details: { modelCardRevision: revision, fields: Object.keys(parsed.data) }, configChanges: [{ resourceType: 'model-card', resourceId: row.id, change: `revision ${revision}`, before: previous?.fields ?? null, after: fields }] };
    });
    return { revision, fields, at, by };
  }

  async revisions(caller: RegistryCaller, project: string, ref: string): Promise<CardRevision[]> {
    const { group, row } = await this.#registry.locate(project, ref);
    await authorize(this.#app, caller, project, 'model:Describe', versionResource(project, group.name, Number(row.version)));
    const rows = await registryDb(this.#app.db).selectFrom('model_card_revisions').selectAll().where('version_id', '=', row.id).orderBy('revision').execute();
    return rows.map((r) => ({ revision: Number(r.revision), fields: JSON.parse(r.fields) as CardFields, at: r.at, by: r.by }));
  }

  /** Generates the card from lineage and the registry's records. */
  async generate(caller: RegistryCaller, project: string, ref: string): Promise<ModelCard> {
    const { projectId, group, row } = await this.#registry.locate(project, ref);
    await authorize(this.#app, caller, project, 'model:Describe', versionResource(project, group.name, Number(row.version)));
    const version = await this.#registry.store.version(group, row);
    const k = registryDb(this.#app.db);
    const card = await latestCard(this.#app, row.id);
    const { settings } = await this.#registry.settings(projectId);
    const riskTier = typeof card?.fields.riskTier === 'number' ? card.fields.riskTier : group.risk_tier === null ? settings.defaultRiskTier : Number(group.risk_tier);
    let codeCommit: string | null = null;
    if (row.source_component_id) {
      const tc = await k.selectFrom('trial_components').select('source').where('id', '=', row.source_component_id).executeTakeFirst();
      codeCommit = tc?.source ? ((JSON.parse(tc.source) as { commit?: string }).commit ?? null) : null;
    }
    const data: ModelCard['training']['data'] = [];
    for (const d of version.signature.trainingData) {
      const dv = await k.selectFrom('dataset_versions').select(['row_count', 'schema']).where('artifact_id', '=', d.artifactId).executeTakeFirst();
      data.push({ role: d.role, ref: d.ref, sha256: d.sha256, rows: dv ? Number(dv.row_count) : null, columns: dv ? ((JSON.parse(dv.schema) as { columns?: unknown[] }).columns?.length ?? null) : null });
    }
    const metricsBySplit: Record<string, Record<string, number>> = {};
    const { evaluationMetrics } = await import('./provenance.js');
    for (const [name, value] of Object.entries({ ...version.metrics, ...(await evaluationMetrics(this.#app, projectId, row.artifact_id)) })) {
      const colon = name.indexOf(':');
      const split = colon > 0 ? name.slice(0, colon) : 'model';
      const bucket = metricsBySplit[split] ?? {};
      bucket[colon > 0 ? name.slice(colon + 1) : name] = value;
      metricsBySplit[split] = bucket;
    }
    const evidence = await k.selectFrom('model_evidence').selectAll().where('version_id', '=', row.id).orderBy('attached_at').execute();
    const readJson = async (artifactId: string): Promise<unknown> => {
      try {
        return JSON.parse((await this.#app.artifacts.getBytes(caller.actor, artifactId, projectId)).bytes.toString('utf8'));
      } catch {
        return undefined;
      }
    };
    let shapImportance: ModelCard['shapImportance'] = [];
    for (const e of evidence.filter((x) => x.kind === 'explanation-report')) {
      const report = (await readJson(e.artifact_id)) as { importance?: { meanAbsShap?: { name: string; value: number }[] } } | undefined;
      if (report?.importance?.meanAbsShap) shapImportance = report.importance.meanAbsShap.map((f) => ({ name: f.name, value: f.value }));
    }
    const bias: ModelCard['bias'] = [];
    for (const e of evidence.filter((x) => x.kind === 'bias-report')) {
      const report = (await readJson(e.artifact_id)) as
        | { post_training_bias_metrics?: { facets?: Record<string, { value_or_threshold: string; metrics: { name: string; value: unknown }[] }[]> }; attest?: { post_training?: { value_or_threshold: string; metrics: Record<string, { confidence_interval: { lower: number | null; upper: number | null } | null }> }[] } }
        | undefined;
      for (const [facet, entries] of Object.entries(report?.post_training_bias_metrics?.facets ?? {})) {
        for (const entry of entries) {
          const ext = report?.attest?.post_training?.find((x) => x.value_or_threshold === entry.value_or_threshold);
          for (const m of entry.metrics) {
            const ci = ext?.metrics[m.name]?.confidence_interval ?? null;
            bias.push({ artifactId: e.artifact_id, facet, value: entry.value_or_threshold, metric: m.name, estimate: typeof m.value === 'number' ? m.value : null, lower: ci?.lower ?? null, upper: ci?.upper ?? null });
          }
        }
      }
    }
    const challenger: CardChallenger[] = [];
    const backtests: CardBacktest[] = [];
    const stressTests: CardStressTest[] = [];
    for (const e of evidence.filter((x) => x.kind === 'challenger-comparison' || x.kind === 'backtest' || x.kind === 'stress-test')) {
      const report = await readJson(e.artifact_id);
      if (typeof report !== 'object' || report === null) continue;
      const r = report as Record<string, unknown>;
      if (e.kind === 'challenger-comparison') {
        const c = cardChallenger(e.artifact_id, e.job_id, r);
        if (c) challenger.push(c);
      } else if (e.kind === 'backtest') {
        const b = cardBacktest(e.artifact_id, e.job_id, r);
        if (b) backtests.push(b);
      } else {
        const st = cardStressTest(e.artifact_id, e.job_id, r);
        if (st) stressTests.push(st);
      }
    }
    const findings = await k.selectFrom('validation_findings').select(['title', 'severity', 'status']).where('version_id', '=', row.id).orderBy('created_at').execute();
    const signOffs = await k.selectFrom('validation_signoffs').select(['principal', 'at']).where('version_id', '=', row.id).orderBy('at').execute();
    const decisions = await k.selectFrom('model_decisions').selectAll().where('version_id', '=', row.id).orderBy('at').execute();
    return {
      format: 'attest-model-card/1',
      generatedAt: new Date().toISOString(),
      group: group.name,
      version: Number(row.version),
      versionId: row.id,
      status: row.status,
      riskTier,
      fields: { ...(card?.fields ?? {}), revision: card?.revision ?? null, editedBy: card?.by ?? null, editedAt: card?.at ?? null },
      registeredBy: row.created_by,
      registeredAt: row.created_at,
      provenance: row.provenance,
      artifact: { artifactId: row.artifact_id, sha256: row.sha256, mediaType: row.media_type },
      training: { jobId: row.source_job_id, componentId: row.source_component_id, codeCommit, parameters: version.parameters, data },
      signature: { features: version.signature.features, label: version.signature.label },
      metricsBySplit,
      shapImportance,
      bias,
      monitoringBaseline: evidence.filter((e) => e.kind === 'monitoring-baseline').map((e) => ({ artifactId: e.artifact_id, sha256: e.sha256 })),
      challenger,
      backtests,
      stressTests,
      validation: { findings, signOffs },
      approvals: decisions.map((d) => ({ decision: d.decision, principal: d.principal, at: d.at, comment: d.comment, independent: (JSON.parse(d.independence) as { independent?: boolean }).independent === true })),
      aliases: version.aliases,
    };
  }
}

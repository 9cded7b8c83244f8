/**
 * @module serving/retrain-trigger
 * The retraining trigger of a monitoring schedule: when an execution finishes with violations that
 * match the rule, a pipeline execution is started as the principal who configured the trigger, with
 * guardrails — a cool-down after the last triggered execution and a maximum per rolling 24 hours.
 * The principal is authorized for `pipeline:Start` when the trigger is configured and again when it
 * fires (the pipeline service also authorizes every job step), so a revoked grant stops retraining.
 * Pipelines can only register model versions as PendingManualApproval, so a trigger never deploys:
 * the registry's approval gate stays in front of serving.
 * Every outcome (started, suppressed, failed, not matched) is written on the monitoring execution's
 * report (`report.retrain`) and in the audit ledger; a started execution is linked in lineage from
 * the monitoring report (artifact, or the check's component) to the pipeline execution's trial.
 */
import { z } from 'zod';
import type { App } from '../app/index.js';
import type { JobService } from '../jobs/index.js';
import { AppError, newId } from '../kernel/index.js';
import { recordAssociation } from '../lineage/index.js';
import type { PipelineService } from '../pipelines/index.js';
import type { Actor } from '../security/audit/index.js';
import { governed, projectResourceName, recordOutcome } from '../security/audit/index.js';
import type { Principal } from '../security/identity-store/index.js';
import type { MonitoringSchedulesTable } from './serving-tables.js';
import { servingDb } from './serving-tables.js';

/** Model Monitor's constraint check types a rule can select. */
export const RETRAIN_VIOLATION_TYPES = [
  'data_type_check',
  'completeness_check',
  'baseline_drift_check',
  'missing_column_check',
  'extra_column_check',
  'categorical_values_check',
  'model_quality_check',
  'bias_drift_check',
  'feature_attribution_drift_check',
] as const;

export const RetrainTriggerSchema = z
  .object({
    /** The pipeline (of the schedule's project) whose latest version is started. */
    pipeline: z.string().regex(/^[a-z][a-z0-9-]{0,99}$/, 'a pipeline name is lower-case letters, digits and -, starting with a letter'),
    /** Parameters over the pipeline's defaults. */
    parameters: z.record(z.string(), z.union([z.string().max(10_000), z.number(), z.boolean()])).default({}),
    /** Only violations of these check types count; all types when absent. */
    onViolations: z.array(z.enum(RETRAIN_VIOLATION_TYPES)).min(1).optional(),
    /** How many counted violations start an execution. */
    minViolations: z.number().int().min(1).max(100_000).default(1),
    /** No new execution within this many minutes of the last triggered one. */
    cooldownMinutes: z.number().min(0).max(366 * 24 * 60).default(60),
    /** At most this many triggered executions in any 24 hours. */
    maxPerDay: z.number().int().min(1).max(1000).default(1),
    /** The principal the execution runs as: the configuring principal (set by the server). */
    runAs: z.string().min(1).max(200).optional(),
  })
  .strict();
export type RetrainTrigger = z.infer<typeof RetrainTriggerSchema>;

export interface RetrainOutcome {
  status: 'Started' | 'Suppressed' | 'NotMatched' | 'Failed';
  pipeline: string;
  at: string;
  /** Counted (matching) violations. */
  matched: number;
  runAs: string;
  reason?: 'cooldown' | 'max-per-day' | string;
  pipelineExecutionId?: string;
  trialId?: string;
  nextAllowedAt?: string;
}

interface Violation {
  constraint_check_type?: string;
  feature_name?: string;
  metric_name?: string;
  description?: string;
}

const DAY_MS = 24 * 3_600_000;

async function projectName(app: App, projectId: string): Promise<string> {
  return (await app.db.kysely.selectFrom('projects').select('name').where('id', '=', projectId).executeTakeFirstOrThrow()).name;
}

async function pipelineService(app: App, jobs: JobService): Promise<PipelineService> {
  // Loaded on use: pipelines depend on the app, which depends on serving.
  const { PipelineService: Service } = await import('../pipelines/index.js');
  return new Service(app, { jobs });
}

/**
 * Validates a trigger at configuration time: the pipeline exists, and the principal it will run as —
 * the caller, or for the local operator (no principal) the named `runAs` — may `pipeline:Start` it.
 * A caller cannot configure a trigger that runs as someone else.
 */
export async function configureRetrain(app: App, actor: Actor, principal: Principal | undefined, projectId: string, input: RetrainTrigger): Promise<RetrainTrigger> {
  const { PipelineStore } = await import('../pipelines/index.js');
  if (!(await new PipelineStore(app.db).pipeline(projectId, input.pipeline))) throw new AppError('PIPELINE_NOT_FOUND', { message: `No pipeline ${input.pipeline} in this project`, details: { field: 'retrain.pipeline', pipeline: input.pipeline } });
  if (principal && input.runAs && input.runAs !== principal.name) throw new AppError('ACCESS_DENIED', { message: `A retraining trigger runs as the principal who configures it (${principal.name}), not ${input.runAs}`, details: { field: 'retrain.runAs' } });
  const runAs = principal ?? (input.runAs ? await app.identity.users.principal(input.runAs) : undefined);
  if (runAs) {
    const resource = await projectResourceName(app.db, projectId, 'pipeline', input.pipeline);
    await app.identity.authorizer.authorize(runAs, actor, 'pipeline:Start', resource, { now: new Date(), sourceIp: actor.sourceIp ?? 'local', project: await projectName(app, projectId) });
  }
  const { runAs: _ignored, ...rest } = input;
  return runAs ? { ...rest, runAs: runAs.name } : rest;
}

export interface RetrainContext {
  readonly app: App;
  readonly jobs: JobService;
  readonly now: () => Date;
  readonly schedulerActor: Actor;
}

/** The execution's violations: in the model-quality report, or the data-quality job's violations output. */
async function violationsOf(ctx: RetrainContext, projectId: string, report: Record<string, unknown>): Promise<Violation[]> {
  if (Array.isArray(report.violations)) return report.violations as Violation[];
  const out = (report.outputs as { role: string; artifactId: string }[] | undefined)?.find((o) => o.role === 'violations');
  if (!out) return [];
  const { bytes } = await ctx.app.artifacts.getBytes(ctx.schedulerActor, out.artifactId, projectId);
  const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as { violations?: Violation[] };
  return parsed.violations ?? [];
}

/** The lineage node the trigger starts from: the report artifact, else the check's component. */
function reportNode(report: Record<string, unknown>): string | null {
  if (typeof report.reportArtifactId === 'string') return report.reportArtifactId;
  const out = (report.outputs as { role: string; artifactId: string }[] | undefined)?.find((o) => o.role === 'violations');
  if (out) return out.artifactId;
  return typeof report.componentId === 'string' ? report.componentId : null;
}

/** Earlier triggered executions of this schedule, from the outcomes recorded on its executions. */
async function startedSince(ctx: RetrainContext, scheduleId: string, executionId: string, sinceIso: string): Promise<string[]> {
  const rows = await servingDb(ctx.app.db).selectFrom('monitoring_executions').select(['id', 'report']).where('schedule_id', '=', scheduleId).where('id', '!=', executionId).where('finished_at', '>=', sinceIso).execute();
  const times: string[] = [];
  for (const r of rows) {
    if (!r.report) continue;
    const outcome = (JSON.parse(r.report) as { retrain?: RetrainOutcome }).retrain;
    if (outcome?.status === 'Started' && outcome.at >= sinceIso) times.push(outcome.at);
  }
  return times.sort();
}

/**
 * Applies the schedule's trigger to a finished execution with violations; records the outcome on
 * the execution (and returns it) — null when the schedule has no trigger or nothing was violated.
 */
export async function applyRetrainTrigger(ctx: RetrainContext, schedule: MonitoringSchedulesTable, trigger: RetrainTrigger | undefined, executionId: string, violations: number | null, report: Record<string, unknown>): Promise<RetrainOutcome | null> {
  if (!trigger || !violations) return null;
  const now = ctx.now();
  const at = now.toISOString();
  const runAsName = trigger.runAs ?? schedule.created_by;
  const outcome = await decide(ctx, schedule, trigger, executionId, report, now).catch((error: unknown): RetrainOutcome => ({ status: 'Failed', pipeline: trigger.pipeline, at, matched: 0, runAs: runAsName, reason: error instanceof Error ? error.message : String(error) }));
  const merged = { ...report, retrain: outcome };
  await servingDb(ctx.app.db).updateTable('monitoring_executions').set({ report: JSON.stringify(merged) }).where('id', '=', executionId).execute();
  return outcome;
}

async function decide(ctx: RetrainContext, schedule: MonitoringSchedulesTable, trigger: RetrainTrigger, executionId: string, report: Record<string, unknown>, now: Date): Promise<RetrainOutcome> {
  const { app } = ctx;
  const at = now.toISOString();
  const project = await projectName(app, schedule.project_id);
  const all = await violationsOf(ctx, schedule.project_id, report);
  const matching = trigger.onViolations ? all.filter((v) => (trigger.onViolations as readonly string[]).includes(v.constraint_check_type ?? '')) : all;
  const principal = trigger.runAs ? await app.identity.users.principal(trigger.runAs) : undefined;
  const runAs = principal?.auditName ?? schedule.created_by;
  const actor: Actor = { principal: runAs, sourceIp: 'local', userAgent: 'attest-monitoring-scheduler', requestId: newId('req') };
  const base = { pipeline: trigger.pipeline, at, matched: matching.length, runAs };
  const pipelineResource = await projectResourceName(app.db, schedule.project_id, 'pipeline', trigger.pipeline);
  const details = { trigger: 'monitoring-violation', schedule: schedule.name, monitoringExecutionId: executionId, violations: matching.slice(0, 20).map((v) => ({ type: v.constraint_check_type, feature: v.feature_name ?? v.metric_name, description: v.description })) };
  if (matching.length < trigger.minViolations) return { ...base, status: 'NotMatched', reason: `${matching.length} matching violation(s), fewer than ${trigger.minViolations}` };

  const since = new Date(now.getTime() - Math.max(DAY_MS, trigger.cooldownMinutes * 60_000)).toISOString();
  const started = await startedSince(ctx, schedule.id, executionId, since);
  const last = started.at(-1);
  const cooldownEnds = last ? Date.parse(last) + trigger.cooldownMinutes * 60_000 : 0;
  const inDay = started.filter((t) => Date.parse(t) > now.getTime() - DAY_MS);
  let suppressed: RetrainOutcome | null = null;
  if (last && cooldownEnds > now.getTime()) suppressed = { ...base, status: 'Suppressed', reason: 'cooldown', nextAllowedAt: new Date(cooldownEnds).toISOString() };
  else if (inDay.length >= trigger.maxPerDay) suppressed = { ...base, status: 'Suppressed', reason: 'max-per-day', nextAllowedAt: new Date(Date.parse(inDay[inDay.length - trigger.maxPerDay]!) + DAY_MS).toISOString() };
  if (suppressed) {
    await recordOutcome({ db: app.db, ledger: app.ledger }, actor, 'pipeline:Start', pipelineResource, 'denied', { ...details, suppressed: suppressed.reason, nextAllowedAt: suppressed.nextAllowedAt });
    return suppressed;
  }

  const pipelines = await pipelineService(app, ctx.jobs);
  let execution: Awaited<ReturnType<PipelineService['start']>>;
  try {
    // Authorized again now, as the configuring principal (pipeline:Start and every step's actions).
    execution = await pipelines.start(principal ? { actor, principal } : { actor }, project, trigger.pipeline, trigger.parameters);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await recordOutcome({ db: app.db, ledger: app.ledger }, actor, 'pipeline:Start', pipelineResource, error instanceof AppError && error.code === 'ACCESS_DENIED' ? 'denied' : 'failed', { ...details, error: reason.slice(0, 500) });
    return { ...base, status: 'Failed', reason };
  }
  const experiment = (await app.tracking.listExperiments([schedule.project_id], { nameEquals: trigger.pipeline }))[0];
  const trial = experiment ? (await app.tracking.listTrials(experiment.experimentId, [schedule.project_id])).find((t) => t.name === execution.executionId) : undefined;
  const source = reportNode(report);
  const linked = { ...details, pipelineExecutionId: execution.executionId, trialId: trial?.trialId ?? null, reportNode: source };
  if (source && trial) {
    await governed({ db: app.db, ledger: app.ledger }, actor, 'lineage:Associate', await projectResourceName(app.db, schedule.project_id, 'lineage', source), async (tx) => {
      const added = await recordAssociation(tx, { sourceId: source, destId: trial.trialId, type: 'ContributedTo', projectId: schedule.project_id, principal: runAs, time: at });
      return { result: undefined, details: { ...linked, type: 'ContributedTo', added } };
    });
  }
  await recordOutcome({ db: app.db, ledger: app.ledger }, actor, 'pipeline:Start', `${pipelineResource}/execution/${execution.executionId}`, 'allowed', linked);
  return { ...base, status: 'Started', pipelineExecutionId: execution.executionId, ...(trial ? { trialId: trial.trialId } : {}) };
}

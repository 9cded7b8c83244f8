/**
 * @module serving/monitoring-schedules
 * Monitoring schedules per endpoint (Model Monitor's MonitoringSchedule): a cron expression in a
 * time zone (croner computes the next run only; nothing relies on an in-process timer), persisted
 * as a row. A scheduler tick, run by whichever process holds the leader lease, turns each due
 * schedule into one execution (unique per schedule and scheduled time, so two processes never run
 * it twice):
 *   - data quality: the window's captured inputs become a dataset version and a durable
 *     `monitor-check` job checks them against the baseline (report, statistics and violations
 *     are the job's outputs, in lineage: capture dataset → job component → reports);
 *   - model quality: captured scores joined with the ground truth that has arrived (late labels,
 *     human review decisions), Model Monitor's metric set checked against the schedule's
 *     constraints, the report stored as an encrypted artifact linked to the endpoint.
 * Each execution's outcome is reconciled from its job, counted in the metrics, and a violation
 * fires the configured (HMAC-signed) webhooks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';
import type { App } from '../app/index.js';
import type { JobService } from '../jobs/index.js';
import { AppError, newId } from '../kernel/index.js';
import { recordAssociation } from '../lineage/index.js';
import { capturedCsv, decodeCaptureContent, mergeGroundTruth } from '../monitoring/index.js';
import { resolveReference } from '../references/index.js';
import type { Actor } from '../security/audit/index.js';
import { governed, projectResourceName } from '../security/audit/index.js';
import type { AlertSink } from '../security/controls/index.js';
import type { Principal } from '../security/identity-store/index.js';
import type { RetrainOutcome } from './retrain-trigger.js';
import { applyRetrainTrigger, configureRetrain, RetrainTriggerSchema } from './retrain-trigger.js';
import type { ServingMetrics } from './serving-metrics.js';
import type { MonitoringExecutionsTable, MonitoringSchedulesTable } from './serving-tables.js';
import { servingDb } from './serving-tables.js';

export const SCHEDULE_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;

export const ScheduleSpecSchema = z.object({
  /** data quality: the governed baseline (NAME or NAME@VERSION). */
  baseline: z.string().min(1).optional(),
  /** Hours of traffic each execution looks at, ending at the scheduled time; default 1. */
  windowHours: z.number().positive().max(24 * 366).default(1),
  /** model quality: scores above this are predicted positive. */
  threshold: z.number().min(0).max(1).default(0.5),
  /** model quality: Model Monitor constraints, e.g. {"auc": {"threshold": 0.7, "comparison_operator": "LessThanThreshold"}}. */
  constraints: z.record(z.string(), z.object({ threshold: z.number(), comparison_operator: z.enum(['GreaterThanThreshold', 'LessThanThreshold', 'GreaterThanOrEqualToThreshold', 'LessThanOrEqualToThreshold']) })).optional(),
  /**
   * bias drift: the baseline bias report (a `bias` job's or `attest bias --output` report);
   * attribution drift: the baseline attributions (a contributions table or a Clarify analysis.json).
   */
  reference: z.string().min(1).optional(),
  /** bias drift: the facet of the window's report; labels come from the joined ground truth. */
  bias: z
    .object({
      facet: z.string().min(1),
      sensitive: z.array(z.union([z.string(), z.number()])).optional(),
      positive: z.array(z.union([z.string(), z.number()])).default(['1']),
      /** Allowed change of each metric (absolute) before it is a bias_drift_check violation. */
      tolerance: z.number().min(0).default(0.1),
    })
    .optional(),
  /** attribution drift: nDCG below this is a feature_attribution_drift_check violation (Model Monitor's 0.9). */
  ndcgThreshold: z.number().gt(0).max(1).default(0.9),
  /** attribution drift: at most this many window rows are explained (exact TreeSHAP). */
  maxRows: z.number().int().min(1).max(100_000).default(2000),
  /** Retraining trigger: violations start a pipeline execution, with a cool-down and a daily cap. */
  retrain: RetrainTriggerSchema.optional(),
});
export type ScheduleSpec = z.infer<typeof ScheduleSpecSchema>;

/** What a schedule checks; bias and attribution drift run their analysis job types per execution. */
export const SCHEDULE_KINDS = ['data-quality', 'model-quality', 'bias-drift', 'attribution-drift'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

export interface MonitoringSchedule {
  scheduleId: string;
  name: string;
  endpoint: string;
  kind: ScheduleKind;
  cron: string;
  timezone: string;
  spec: ScheduleSpec;
  status: 'Scheduled' | 'Stopped';
  nextRunAt: string | null;
  lastRunAt: string | null;
  createdBy: string;
  createdAt: string;
}

export interface MonitoringExecution {
  executionId: string;
  scheduleId: string;
  jobId: string | null;
  scheduledFor: string;
  status: 'Pending' | 'Completed' | 'CompletedWithViolations' | 'Failed';
  window: { from: string; to: string };
  violations: number | null;
  report: Record<string, unknown> | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface CreateScheduleInput {
  name: string;
  endpoint: string;
  kind: ScheduleKind;
  cron: string;
  timezone?: string;
  spec: z.input<typeof ScheduleSpecSchema>;
}

const LEASE = 'monitoring-scheduler';

function nextRun(cron: string, timezone: string, after: Date): number | null {
  let c: Cron;
  try {
    c = new Cron(cron, { timezone, paused: true });
  } catch (error) {
    throw new AppError('INVALID_INPUT', { message: `Invalid cron expression "${cron}" (${timezone}): ${(error as Error).message}`, details: { field: 'cron' } });
  }
  const next = c.nextRun(after);
  return next ? next.getTime() : null;
}

function toSchedule(row: MonitoringSchedulesTable, endpoint: string): MonitoringSchedule {
  return {
    scheduleId: row.id,
    name: row.name,
    endpoint,
    kind: row.kind as MonitoringSchedule['kind'],
    cron: row.cron,
    timezone: row.timezone,
    spec: ScheduleSpecSchema.parse(JSON.parse(row.spec)),
    status: row.status as MonitoringSchedule['status'],
    nextRunAt: row.next_run_at === null ? null : new Date(Number(row.next_run_at)).toISOString(),
    lastRunAt: row.last_run_at === null ? null : new Date(Number(row.last_run_at)).toISOString(),
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

function toExecution(row: MonitoringExecutionsTable): MonitoringExecution {
  return {
    executionId: row.id,
    scheduleId: row.schedule_id,
    jobId: row.job_id,
    scheduledFor: new Date(Number(row.scheduled_for)).toISOString(),
    status: row.status as MonitoringExecution['status'],
    window: { from: row.window_from, to: row.window_to },
    violations: row.violations === null ? null : Number(row.violations),
    report: row.report === null ? null : (JSON.parse(row.report) as Record<string, unknown>),
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

export interface MonitoringSchedulerDeps {
  readonly app: App;
  readonly jobs: JobService;
  readonly metrics?: ServingMetrics;
  readonly sinks?: readonly AlertSink[];
  /** This process's name in the leader lease. */
  readonly owner?: string;
  readonly leaseMs?: number;
  readonly now?: () => Date;
}

export class MonitoringSchedules {
  readonly #d: MonitoringSchedulerDeps;
  readonly #owner: string;
  readonly #now: () => Date;
  readonly #actor: Actor = { principal: 'system:monitoring-scheduler' };
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: MonitoringSchedulerDeps) {
    this.#d = deps;
    this.#owner = deps.owner ?? `${process.pid}-${newId('own')}`;
    this.#now = deps.now ?? (() => new Date());
  }

  get #db() {
    return servingDb(this.#d.app.db);
  }

  async #endpointId(projectId: string, name: string): Promise<string> {
    const current = await this.#d.app.endpoints.currentVersion(projectId, name);
    if (!current) throw new AppError('ENDPOINT_NOT_FOUND', { message: `No endpoint ${name} in this project`, details: { endpoint: name } });
    return current.endpointId;
  }

  async #row(projectId: string, name: string): Promise<MonitoringSchedulesTable> {
    const row = await this.#db.selectFrom('monitoring_schedules').selectAll().where('project_id', '=', projectId).where('name', '=', name).where('deleted_at', 'is', null).executeTakeFirst();
    if (!row) throw new AppError('SCHEDULE_NOT_FOUND', { message: `No monitoring schedule ${name} in this project`, details: { schedule: name } });
    return row;
  }

  async #endpointName(endpointId: string): Promise<string> {
    return (await this.#db.selectFrom('endpoints').select('name').where('id', '=', endpointId).executeTakeFirstOrThrow()).name;
  }

  /** `principal` is the authenticated caller (absent for the local operator); a retraining trigger runs as it. */
  async create(actor: Actor, projectId: string, input: CreateScheduleInput, principal?: Principal): Promise<MonitoringSchedule> {
    if (!SCHEDULE_NAME.test(input.name)) throw new AppError('INVALID_INPUT', { message: `Invalid schedule name "${input.name}"`, details: { field: 'name' } });
    const parsed = ScheduleSpecSchema.safeParse(input.spec);
    if (!parsed.success) throw new AppError('INVALID_INPUT', { message: `Invalid schedule: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}` });
    const spec = parsed.data;
    if (input.kind === 'data-quality' && !spec.baseline) throw new AppError('INVALID_INPUT', { message: 'A data-quality schedule needs a baseline', details: { field: 'baseline' } });
    if (input.kind === 'data-quality') await this.#d.app.baselines.get(actor, projectId, spec.baseline!);
    if (!(SCHEDULE_KINDS as readonly string[]).includes(input.kind)) throw new AppError('INVALID_INPUT', { message: `A schedule kind is one of ${SCHEDULE_KINDS.join(', ')}, not ${input.kind}`, details: { field: 'kind' } });
    if ((input.kind === 'bias-drift' || input.kind === 'attribution-drift') && !spec.reference) throw new AppError('INVALID_INPUT', { message: `A ${input.kind} schedule needs a reference (the baseline ${input.kind === 'bias-drift' ? 'bias report' : 'attributions'})`, details: { field: 'reference' } });
    if (input.kind === 'bias-drift' && !spec.bias) throw new AppError('INVALID_INPUT', { message: 'A bias-drift schedule needs spec.bias.facet', details: { field: 'bias' } });
    if (input.kind === 'bias-drift' || input.kind === 'attribution-drift') await resolveReference(this.#d.app, projectId, spec.reference!);
    if (spec.retrain) spec.retrain = await configureRetrain(this.#d.app, actor, principal, projectId, spec.retrain);
    const timezone = input.timezone ?? 'UTC';
    const next = nextRun(input.cron, timezone, this.#now());
    const endpointId = await this.#endpointId(projectId, input.endpoint);
    const resource = await projectResourceName(this.#d.app.db, projectId, 'monitor', input.name);
    return governed({ db: this.#d.app.db, ledger: this.#d.app.ledger }, actor, 'monitor:Create', resource, async (tx) => {
      const existing = await servingDb(tx).selectFrom('monitoring_schedules').select('id').where('project_id', '=', projectId).where('name', '=', input.name).where('deleted_at', 'is', null).executeTakeFirst();
      if (existing) throw new AppError('CONFLICT', { message: `Monitoring schedule ${input.name} already exists` });
      const row: MonitoringSchedulesTable = {
        id: newId('ms'),
        project_id: projectId,
        name: input.name,
        endpoint_id: endpointId,
        kind: input.kind,
        cron: input.cron,
        timezone,
        spec: JSON.stringify(spec),
        status: 'Scheduled',
        next_run_at: next,
        last_run_at: null,
        created_by: actor.principal,
        created_at: this.#now().toISOString(),
        deleted_at: null,
      };
      await servingDb(tx).insertInto('monitoring_schedules').values(row).execute();
      return { result: toSchedule(row, input.endpoint), details: { scheduleId: row.id, endpoint: input.endpoint, kind: input.kind, cron: input.cron, timezone, spec } };
    });
  }

  async list(projectId: string): Promise<MonitoringSchedule[]> {
    const rows = await this.#db.selectFrom('monitoring_schedules').selectAll().where('project_id', '=', projectId).where('deleted_at', 'is', null).orderBy('name').execute();
    const out: MonitoringSchedule[] = [];
    for (const r of rows) out.push(toSchedule(r, await this.#endpointName(r.endpoint_id)));
    return out;
  }

  async describe(projectId: string, name: string, limit = 20): Promise<MonitoringSchedule & { executions: MonitoringExecution[] }> {
    const row = await this.#row(projectId, name);
    const executions = await this.#db.selectFrom('monitoring_executions').selectAll().where('schedule_id', '=', row.id).orderBy('scheduled_for', 'desc').limit(limit).execute();
    return { ...toSchedule(row, await this.#endpointName(row.endpoint_id)), executions: executions.map(toExecution) };
  }

  async #setStatus(actor: Actor, projectId: string, name: string, action: 'monitor:Stop' | 'monitor:Start' | 'monitor:Delete'): Promise<MonitoringSchedule> {
    const row = await this.#row(projectId, name);
    const resource = await projectResourceName(this.#d.app.db, projectId, 'monitor', name);
    // Read before the transaction: on SQLite the transaction holds the only connection.
    const endpoint = await this.#endpointName(row.endpoint_id);
    return governed({ db: this.#d.app.db, ledger: this.#d.app.ledger }, actor, action, resource, async (tx) => {
      const status = action === 'monitor:Start' ? 'Scheduled' : 'Stopped';
      const next = action === 'monitor:Start' ? nextRun(row.cron, row.timezone, this.#now()) : null;
      const deleted = action === 'monitor:Delete' ? this.#now().toISOString() : null;
      await servingDb(tx).updateTable('monitoring_schedules').set({ status, next_run_at: next, ...(deleted ? { deleted_at: deleted } : {}) }).where('id', '=', row.id).execute();
      return { result: toSchedule({ ...row, status, next_run_at: next, deleted_at: deleted }, endpoint), details: { scheduleId: row.id, status } };
    });
  }

  stop(actor: Actor, projectId: string, name: string): Promise<MonitoringSchedule> {
    return this.#setStatus(actor, projectId, name, 'monitor:Stop');
  }

  start(actor: Actor, projectId: string, name: string): Promise<MonitoringSchedule> {
    return this.#setStatus(actor, projectId, name, 'monitor:Start');
  }

  delete(actor: Actor, projectId: string, name: string): Promise<MonitoringSchedule> {
    return this.#setStatus(actor, projectId, name, 'monitor:Delete');
  }

  /** Runs an execution now (window ending now), outside the cron rhythm. */
  async run(actor: Actor, projectId: string, name: string): Promise<MonitoringExecution> {
    const row = await this.#row(projectId, name);
    const resource = await projectResourceName(this.#d.app.db, projectId, 'monitor', name);
    const execution = await governed({ db: this.#d.app.db, ledger: this.#d.app.ledger }, actor, 'monitor:Run', resource, async () => ({ result: undefined, details: { scheduleId: row.id, manual: true } }));
    void execution;
    return this.#execute(row, this.#now().getTime());
  }

  /** Takes or renews the leader lease; true while this process holds it. */
  async #lease(): Promise<boolean> {
    const now = this.#now().getTime();
    const until = now + (this.#d.leaseMs ?? 30_000);
    const db = this.#db;
    await db.insertInto('serving_leases').values({ name: LEASE, owner: this.#owner, expires_at: until }).onConflict((oc) => oc.column('name').doNothing()).execute();
    const r = await db
      .updateTable('serving_leases')
      .set({ owner: this.#owner, expires_at: until })
      .where('name', '=', LEASE)
      .where((eb) => eb.or([eb('owner', '=', this.#owner), eb('expires_at', '<', now)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** One scheduler round: under the lease, start due executions and reconcile pending ones. */
  async tick(): Promise<{ leader: boolean; started: number; reconciled: number }> {
    if (!(await this.#lease())) return { leader: false, started: 0, reconciled: 0 };
    const now = this.#now().getTime();
    const due = await this.#db.selectFrom('monitoring_schedules').selectAll().where('status', '=', 'Scheduled').where('deleted_at', 'is', null).where('next_run_at', '<=', now).execute();
    let started = 0;
    for (const row of due) {
      const scheduledFor = Number(row.next_run_at);
      // Advance first: a failing execution must not be retried every tick.
      await this.#db.updateTable('monitoring_schedules').set({ next_run_at: nextRun(row.cron, row.timezone, new Date(Math.max(now, scheduledFor))), last_run_at: scheduledFor }).where('id', '=', row.id).execute();
      try {
        await this.#execute(row, scheduledFor);
        started++;
      } catch {
        // Recorded on the execution row by #execute; the schedule goes on.
      }
    }
    return { leader: true, started, reconciled: await this.reconcile() };
  }

  async #execute(row: MonitoringSchedulesTable, scheduledFor: number): Promise<MonitoringExecution> {
    const spec = ScheduleSpecSchema.parse(JSON.parse(row.spec));
    const endpoint = await this.#endpointName(row.endpoint_id);
    const to = new Date(scheduledFor);
    const from = new Date(scheduledFor - spec.windowHours * 3_600_000);
    const exec: MonitoringExecutionsTable = {
      id: newId('mex'),
      schedule_id: row.id,
      job_id: null,
      scheduled_for: scheduledFor,
      status: 'Pending',
      window_from: from.toISOString(),
      window_to: to.toISOString(),
      violations: null,
      report: null,
      created_at: this.#now().toISOString(),
      finished_at: null,
    };
    try {
      await this.#db.insertInto('monitoring_executions').values(exec).execute();
    } catch {
      throw new AppError('CONFLICT', { message: `Schedule ${row.name} already ran for ${to.toISOString()}` });
    }
    const finish = async (status: MonitoringExecution['status'], violations: number | null, report: Record<string, unknown>) => {
      const finishedAt = this.#now().toISOString();
      await this.#db.updateTable('monitoring_executions').set({ status, violations, report: JSON.stringify(report), finished_at: finishedAt }).where('id', '=', exec.id).execute();
      await this.#finished(row, endpoint, exec.id, status, violations, report);
      Object.assign(exec, { status, violations, report: JSON.stringify(report), finished_at: finishedAt });
    };
    try {
      const records = await this.#d.app.capture.captures(this.#actor, row.project_id, endpoint, from.toISOString(), to.toISOString());
      if (records.length === 0) {
        await finish('Failed', null, { reason: `No captured traffic of ${endpoint} in [${from.toISOString()}, ${to.toISOString()})` });
        return toExecution(exec);
      }
      if (row.kind === 'model-quality') {
        const q = await this.#d.app.capture.binaryQuality(this.#actor, row.project_id, { source: endpoint, from: from.toISOString(), to: to.toISOString(), threshold: spec.threshold, ...(spec.constraints ? { constraints: spec.constraints } : {}) });
        const stored = await this.#d.app.artifacts.putBytes(this.#actor, Buffer.from(`${JSON.stringify(q, null, 2)}\n`), { projectId: row.project_id, name: `monitoring/${endpoint}/${row.name}/model_quality.json`, mediaType: 'application/json' });
        await governed({ db: this.#d.app.db, ledger: this.#d.app.ledger }, this.#actor, 'lineage:Associate', await projectResourceName(this.#d.app.db, row.project_id, 'lineage', stored.artifactId), async (tx) => {
          await recordAssociation(tx, { sourceId: row.endpoint_id, destId: stored.artifactId, type: 'Produced', projectId: row.project_id, principal: this.#actor.principal, time: this.#now().toISOString() });
          return { result: undefined };
        });
        await finish(q.violations.length > 0 ? 'CompletedWithViolations' : 'Completed', q.violations.length, { reportArtifactId: stored.artifactId, merged: q.merged, captured: q.captured, metrics: q.binary_classification_metrics, violations: q.violations });
        return toExecution(exec);
      }
      if (row.kind === 'bias-drift' || row.kind === 'attribution-drift') {
        await this.#submitDriftJob(row, spec, endpoint, exec, records);
        return toExecution(exec);
      }
      // Data quality: the window's captured inputs, named as the model's features, become a dataset version.
      const current = await this.#d.app.endpoints.currentVersion(row.project_id, endpoint);
      const featureNames = current ? await this.#featureNames(row.project_id, current.endpointId, current.configVersion) : [];
      const dir = mkdtempSync(join(tmpdir(), 'attest-monitor-'));
      try {
        const file = join(dir, 'window.csv');
        writeFileSync(file, `${featureNames.join(',')}\n${capturedCsv(records, 'input')}`);
        const version = await this.#d.app.datasets.importFile(this.#actor, file, { projectId: row.project_id, name: `capture-${endpoint}-${row.name}`, source: { endpoint, schedule: row.name, window: { from: exec.window_from, to: exec.window_to } } });
        const project = (await this.#d.app.db.kysely.selectFrom('projects').select('name').where('id', '=', row.project_id).executeTakeFirstOrThrow()).name;
        const job = await this.#d.jobs.submit({ actor: this.#actor }, project, { type: 'monitor-check', inputs: { data: version.datasetVersionId }, params: { baseline: spec.baseline!, report_name: `monitoring/${endpoint}/${row.name}/${exec.id}` }, experiment: `monitoring-${endpoint}` });
        await this.#db.updateTable('monitoring_executions').set({ job_id: job.jobId }).where('id', '=', exec.id).execute();
        exec.job_id = job.jobId;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return toExecution(exec);
    } catch (error) {
      await finish('Failed', null, { reason: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }

  async #featureNames(projectId: string, endpointId: string, version: number): Promise<readonly string[]> {
    return (await this.#liveModel(projectId, endpointId, version)).featureNames;
  }

  async #liveModel(projectId: string, endpointId: string, version: number) {
    const { spec } = await this.#d.app.endpoints.config(endpointId, version);
    const live = spec.variants.find((v) => v.role === 'live')!;
    const { bytes } = await this.#d.app.artifacts.getBytes(this.#actor, live.artifactId, projectId);
    const { parseJobModel } = await import('../jobs/index.js');
    return parseJobModel(bytes);
  }

  /**
   * Bias or attribution drift: the window's side of the comparison is computed here from the
   * captures (a bias report over the captures joined with their ground truth; exact TreeSHAP
   * contributions of the window's rows under the live model), stored as an artifact produced by
   * the endpoint, and compared with the schedule's reference by a durable `bias-drift` /
   * `attribution-drift` job (its report and violations are the job's outputs, in lineage).
   */
  async #submitDriftJob(row: MonitoringSchedulesTable, spec: ScheduleSpec, endpoint: string, exec: MonitoringExecutionsTable, records: Awaited<ReturnType<App['capture']['captures']>>): Promise<void> {
    const current = await this.#d.app.endpoints.currentVersion(row.project_id, endpoint);
    if (!current) throw new AppError('ENDPOINT_NOT_FOUND', { message: `No endpoint ${endpoint} in this project`, details: { endpoint } });
    const model = await this.#liveModel(row.project_id, current.endpointId, current.configVersion);
    const names = model.featureNames;
    const { parseCsvFrame } = await import('../data/index.js');
    const base = `monitoring/${endpoint}/${row.name}/${exec.id}`;
    let bytes: Buffer;
    let name: string;
    let mediaType: string;
    const params: Record<string, string | number> = { report_name: base };
    if (row.kind === 'bias-drift') {
      const bias = spec.bias!;
      const merged = mergeGroundTruth(records, await this.#d.app.capture.groundTruth(this.#actor, row.project_id, endpoint)).merged;
      if (merged.length === 0) throw new AppError('METRIC_UNDEFINED', { message: `No captured decision of ${endpoint} in the window has ground truth yet` });
      const text = (c: { data: string; encoding: 'CSV' | 'JSON' | 'BASE64' } | undefined) => (c ? Buffer.from(decodeCaptureContent(c)).toString('utf8').trim() : '');
      const lines = merged.map((m) => `${text(m.capture.captureData.endpointInput)},${text(m.groundTruth.groundTruthData)},${text(m.capture.captureData.endpointOutput).split(',')[0]}`);
      const frame = parseCsvFrame(`${[...names, 'label', 'score'].join(',')}\n${lines.join('\n')}\n`);
      const { biasReport } = await import('../ml/fairness/index.js');
      const report = biasReport(frame, { label: 'label', positive: bias.positive, facet: bias.facet, ...(bias.sensitive ? { sensitive: bias.sensitive } : {}), predicted: 'score', probabilityThreshold: spec.threshold });
      bytes = Buffer.from(`${JSON.stringify(report, null, 2)}\n`);
      name = `${base}/window_bias_report.json`;
      mediaType = 'application/json';
      params.tolerance = bias.tolerance;
    } else {
      if (model.kind !== 'gbdt') throw new AppError('MODEL_UNSUPPORTED', { message: 'Attribution drift explains the window with exact TreeSHAP and needs a tree model' });
      const all = parseCsvFrame(`${names.join(',')}\n${capturedCsv(records, 'input')}`);
      const { takeRows, toFeatureMatrix } = await import('../data/index.js');
      const frame = all.rowCount > spec.maxRows ? takeRows(all, Array.from({ length: spec.maxRows }, (_, i) => i)) : all;
      const { formatContributionsCsv, treeShap } = await import('../ml/explain/index.js');
      bytes = Buffer.from(formatContributionsCsv(treeShap(model.ensemble, toFeatureMatrix(frame, names))));
      name = `${base}/window_contributions.csv`;
      mediaType = 'text/csv';
      params.threshold = spec.ndcgThreshold;
    }
    const stored = await this.#d.app.artifacts.putBytes(this.#actor, bytes, { projectId: row.project_id, name, mediaType });
    await governed({ db: this.#d.app.db, ledger: this.#d.app.ledger }, this.#actor, 'lineage:Associate', await projectResourceName(this.#d.app.db, row.project_id, 'lineage', stored.artifactId), async (tx) => {
      await recordAssociation(tx, { sourceId: row.endpoint_id, destId: stored.artifactId, type: 'Produced', projectId: row.project_id, principal: this.#actor.principal, time: this.#now().toISOString() });
      return { result: undefined };
    });
    const project = (await this.#d.app.db.kysely.selectFrom('projects').select('name').where('id', '=', row.project_id).executeTakeFirstOrThrow()).name;
    const job = await this.#d.jobs.submit({ actor: this.#actor }, project, { type: row.kind as 'bias-drift' | 'attribution-drift', inputs: { baseline: spec.reference!, current: stored.artifactId }, params, experiment: `monitoring-${endpoint}` });
    await this.#db.updateTable('monitoring_executions').set({ job_id: job.jobId }).where('id', '=', exec.id).execute();
    exec.job_id = job.jobId;
  }

  /** Settles pending data-quality executions whose job has finished. */
  async reconcile(): Promise<number> {
    const pending = await this.#db.selectFrom('monitoring_executions').selectAll().where('status', '=', 'Pending').where('job_id', 'is not', null).execute();
    let n = 0;
    for (const exec of pending) {
      const job = await this.#d.jobs.queue.get(exec.job_id!);
      if (!job || !['succeeded', 'failed', 'cancelled'].includes(job.status)) continue;
      const schedule = await this.#db.selectFrom('monitoring_schedules').selectAll().where('id', '=', exec.schedule_id).executeTakeFirstOrThrow();
      const endpoint = await this.#endpointName(schedule.endpoint_id);
      const violations = job.status === 'succeeded' ? (job.metrics.violations ?? 0) : null;
      const status: MonitoringExecution['status'] = job.status !== 'succeeded' ? 'Failed' : violations! > 0 ? 'CompletedWithViolations' : 'Completed';
      const report: Record<string, unknown> = { jobId: job.jobId, componentId: job.componentId, outputs: job.outputs, ...(job.status !== 'succeeded' ? { reason: job.error?.message ?? job.status } : {}) };
      const finishedAt = this.#now().toISOString();
      const r = await this.#db.updateTable('monitoring_executions').set({ status, violations, report: JSON.stringify(report), finished_at: finishedAt }).where('id', '=', exec.id).where('status', '=', 'Pending').executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) continue;
      if (job.status === 'succeeded') await this.#checkMetrics(schedule, endpoint, job).catch(() => undefined);
      await this.#finished(schedule, endpoint, exec.id, status, violations, report);
      n++;
    }
    return n;
  }

  /**
   * The latest execution's figures as gauges: violations per check type (from the job's
   * constraint_violations.json), per-feature drift of a data-quality window (drift_report.json),
   * nDCG per label of an attribution-drift window (the job's metrics).
   */
  async #checkMetrics(schedule: MonitoringSchedulesTable, endpoint: string, job: { outputs: readonly { role: string; artifactId: string }[]; metrics: Record<string, number> }): Promise<void> {
    const metrics = this.#d.metrics;
    if (!metrics) return;
    const series = { endpoint, schedule: schedule.name };
    const read = async (role: string): Promise<unknown> => {
      const output = job.outputs.find((o) => o.role === role);
      return output ? JSON.parse((await this.#d.app.artifacts.getBytes(this.#actor, output.artifactId, schedule.project_id)).bytes.toString('utf8')) : undefined;
    };
    const found = (await read('violations')) as { violations?: { constraint_check_type?: string }[] } | undefined;
    if (found) {
      metrics.checkViolations.clear(series);
      const byCheck = new Map<string, number>();
      for (const v of found.violations ?? []) byCheck.set(v.constraint_check_type ?? 'unknown', (byCheck.get(v.constraint_check_type ?? 'unknown') ?? 0) + 1);
      for (const [check, n] of byCheck) metrics.checkViolations.set({ ...series, check }, n);
    }
    if (schedule.kind === 'data-quality') {
      const report = (await read('report-json')) as { drift?: { features?: { feature: string; linfSimple: number; drifted: boolean; test?: { kind: string; value: number } }[] } } | undefined;
      const drift = report?.drift;
      if (drift?.features) metrics.featureDrift.clear(series);
      for (const d of drift?.features ?? []) {
        metrics.featureDrift.set({ ...series, feature: d.feature, statistic: 'distance' }, d.linfSimple);
        metrics.featureDrift.set({ ...series, feature: d.feature, statistic: 'drifted' }, d.drifted ? 1 : 0);
        if (d.test?.kind === 'p_value') metrics.featureDrift.set({ ...series, feature: d.feature, statistic: 'p_value' }, d.test.value);
      }
    }
    if (schedule.kind === 'attribution-drift') {
      metrics.attributionNdcg.clear(series);
      for (const [name, value] of Object.entries(job.metrics)) if (name.startsWith('ndcg:')) metrics.attributionNdcg.set({ ...series, label: name.slice('ndcg:'.length) }, value);
    }
  }

  /** Metrics, alerts and the retraining trigger of a finished execution (its outcome lands in `report.retrain`). */
  async #finished(row: MonitoringSchedulesTable, endpoint: string, executionId: string, status: MonitoringExecution['status'], violations: number | null, report: Record<string, unknown>): Promise<void> {
    this.#d.metrics?.executions.inc({ endpoint, kind: row.kind, status });
    if (violations) this.#d.metrics?.violations.inc({ endpoint, kind: row.kind }, violations);
    const drift = (report.metrics ?? {}) as Record<string, { value?: number }>;
    for (const [metric, m] of Object.entries(drift)) if (typeof m?.value === 'number') this.#d.metrics?.drift.set({ endpoint, statistic: metric }, m.value);
    if (!violations) return;
    const alert = {
      id: newId('alr'),
      rule: `monitoring-violation/${row.kind}`,
      severity: 'high' as const,
      time: this.#now().toISOString(),
      summary: `Monitoring schedule ${row.name} of endpoint ${endpoint}: ${violations} violation(s) (execution ${executionId}, status ${status})`,
      principal: null,
      events: [],
      actionsTaken: [],
    };
    for (const sink of this.#d.sinks ?? []) await sink.send(alert).catch(() => undefined);
    const { retrain } = ScheduleSpecSchema.parse(JSON.parse(row.spec));
    const outcome: RetrainOutcome | null = await applyRetrainTrigger({ app: this.#d.app, jobs: this.#d.jobs, now: this.#now, schedulerActor: this.#actor }, row, retrain, executionId, violations, report);
    if (outcome) report.retrain = outcome;
  }

  /** Ticks every `intervalMs` until stopped (the server runs it; any number of servers may). */
  startTimer(intervalMs = 15_000, onError: (error: unknown) => void = () => undefined): void {
    this.#timer = setInterval(() => void this.tick().catch(onError), intervalMs);
    this.#timer.unref();
  }

  stopTimer(): void {
    clearInterval(this.#timer);
  }
}

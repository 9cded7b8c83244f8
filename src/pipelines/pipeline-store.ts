/**
 * @module pipelines/pipeline-store
 * The SQL side of pipelines (SQLite and PostgreSQL through Kysely): versions, executions and step
 * executions. Step transitions are conditional on the status they leave, so two drivers advancing
 * the same execution never submit a step twice.
 */
import type { Kysely } from 'kysely';
import type { Database, Db, Tx } from '../platform/db/index.js';
import type { Execution, PipelineSummary, PipelineTables, PipelineVersion, StepExecution, StepResult } from './pipeline-model.js';
import { StepResultSchema } from './pipeline-model.js';

export type PipelineDb = Kysely<Database & PipelineTables>;

export function pipelineDb(db: Db | Tx | Kysely<Database>): PipelineDb {
  const k = 'kysely' in db ? db.kysely : db;
  return (k as Kysely<Database>).withTables<PipelineTables>();
}

type PipelineRow = PipelineTables['pipelines'];
type VersionRow = PipelineTables['pipeline_versions'];
type ExecutionRow = PipelineTables['pipeline_executions'];
type StepRow = PipelineTables['pipeline_step_executions'];

export function toSummary(row: PipelineRow): PipelineSummary {
  return { pipelineId: row.id, name: row.name, description: row.description, latestVersion: Number(row.latest_version), createdAt: row.created_at, createdBy: row.created_by };
}

export function toVersion(p: PipelineRow, v: VersionRow): PipelineVersion {
  return { ...toSummary(p), version: Number(v.version), definitionHash: v.definition_hash, definition: JSON.parse(v.definition) as Record<string, unknown>, versionCreatedAt: v.created_at, versionCreatedBy: v.created_by };
}

export function toStep(row: StepRow): StepExecution {
  return {
    stepExecutionId: row.id,
    step: row.step,
    type: row.type,
    status: row.status as StepExecution['status'],
    attempts: Number(row.attempts),
    jobId: row.job_id,
    cacheHitFrom: row.cache_hit_from,
    result: row.result ? StepResultSchema.parse(JSON.parse(row.result)) : null,
    message: row.message,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

export function toExecution(row: ExecutionRow, pipeline: string, steps: StepRow[]): Execution {
  return {
    executionId: row.id,
    projectId: row.project_id,
    pipeline,
    version: Number(row.version),
    status: row.status as Execution['status'],
    parameters: JSON.parse(row.parameters) as Execution['parameters'],
    principal: row.principal,
    experiment: row.experiment,
    trial: row.trial,
    failure: row.failure,
    startedBy: row.started_by,
    endedBy: row.ended_by,
    createdAt: row.created_at,
    endedAt: row.ended_at,
    steps: steps.map(toStep),
  };
}

export class PipelineStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  get k(): PipelineDb {
    return pipelineDb(this.#db);
  }

  async pipeline(projectId: string, name: string): Promise<PipelineRow | undefined> {
    return this.k.selectFrom('pipelines').selectAll().where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
  }

  async pipelineById(id: string): Promise<PipelineRow | undefined> {
    return this.k.selectFrom('pipelines').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async version(pipelineId: string, version: number): Promise<VersionRow | undefined> {
    return this.k.selectFrom('pipeline_versions').selectAll().where('pipeline_id', '=', pipelineId).where('version', '=', version).executeTakeFirst();
  }

  async versions(pipelineId: string): Promise<VersionRow[]> {
    return this.k.selectFrom('pipeline_versions').selectAll().where('pipeline_id', '=', pipelineId).orderBy('version', 'asc').execute();
  }

  async list(projectId: string): Promise<PipelineRow[]> {
    return this.k.selectFrom('pipelines').selectAll().where('project_id', '=', projectId).orderBy('name', 'asc').execute();
  }

  async executionRow(executionId: string): Promise<ExecutionRow | undefined> {
    return this.k.selectFrom('pipeline_executions').selectAll().where('id', '=', executionId).executeTakeFirst();
  }

  async steps(executionId: string): Promise<StepRow[]> {
    return this.k.selectFrom('pipeline_step_executions').selectAll().where('execution_id', '=', executionId).orderBy('id', 'asc').execute();
  }

  async execution(executionId: string): Promise<Execution | undefined> {
    const row = await this.executionRow(executionId);
    if (!row) return undefined;
    const p = await this.pipelineById(row.pipeline_id);
    return toExecution(row, p?.name ?? row.pipeline_id, await this.steps(executionId));
  }

  async executions(pipelineId: string, limit = 100): Promise<Execution[]> {
    const rows = await this.k.selectFrom('pipeline_executions').selectAll().where('pipeline_id', '=', pipelineId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    const p = await this.pipelineById(pipelineId);
    const out: Execution[] = [];
    for (const row of rows) out.push(toExecution(row, p?.name ?? pipelineId, await this.steps(row.id)));
    return out;
  }

  /** Executions a driver still has to advance. */
  async activeExecutionIds(): Promise<string[]> {
    const rows = await this.k.selectFrom('pipeline_executions').select('id').where('status', 'in', ['running', 'cancelling']).orderBy('created_at', 'asc').execute();
    return rows.map((r) => r.id);
  }

  /** Moves a step from `from` to a new state; false (nothing changed) when it was no longer in `from`. */
  async transition(stepId: string, from: string, set: Partial<Omit<StepRow, 'id' | 'execution_id' | 'step' | 'type' | 'result'>> & { result?: StepResult | null }, tx?: Tx): Promise<boolean> {
    const { result, ...rest } = set;
    const values: Partial<StepRow> = { ...rest, ...(result !== undefined ? { result: result === null ? null : JSON.stringify(result) } : {}) };
    const r = await pipelineDb(tx ?? this.#db).updateTable('pipeline_step_executions').set(values).where('id', '=', stepId).where('status', '=', from).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async finishExecution(executionId: string, status: 'succeeded' | 'failed' | 'cancelled', failure: string | null, endedBy: string | null): Promise<boolean> {
    const r = await this.k
      .updateTable('pipeline_executions')
      .set({ status, failure, ended_at: new Date().toISOString(), ...(endedBy ? { ended_by: endedBy } : {}) })
      .where('id', '=', executionId)
      .where('status', 'in', ['running', 'cancelling'])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** The first completed (not cached) step execution with this cache key in the project. */
  async cached(projectId: string, cacheKey: string, excludeExecution: string): Promise<StepRow | undefined> {
    return this.k
      .selectFrom('pipeline_step_executions as s')
      .innerJoin('pipeline_executions as e', 'e.id', 's.execution_id')
      .selectAll('s')
      .where('e.project_id', '=', projectId)
      .where('s.cache_key', '=', cacheKey)
      .where('s.status', '=', 'succeeded')
      .where('s.cache_hit_from', 'is', null)
      .where('s.execution_id', '!=', excludeExecution)
      .orderBy('s.ended_at', 'desc')
      .executeTakeFirst();
  }

  /** The latest succeeded execution of a pipeline other than `excludeExecution` (the champion's run). */
  async lastSucceeded(pipelineId: string, excludeExecution: string): Promise<ExecutionRow | undefined> {
    return this.k
      .selectFrom('pipeline_executions')
      .selectAll()
      .where('pipeline_id', '=', pipelineId)
      .where('status', '=', 'succeeded')
      .where('id', '!=', excludeExecution)
      .orderBy('ended_at', 'desc')
      .executeTakeFirst();
  }
}

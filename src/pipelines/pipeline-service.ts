/**
 * @module pipelines/pipeline-service
 * Publishing pipeline versions, starting, listing, describing, cancelling and retrying
 * executions. Every call is authorized for the caller with the policy engine (the `pipeline:*`
 * actions) and audited; a start is also authorized, before anything runs, for every job step it
 * may run (`job:Run` and the work's own action, e.g. `model:Train`), so a role that cannot train
 * cannot train through a pipeline either; a `register` step is authorized the same way, as
 * `model:Register` on its model group. The execution, its step rows and its audit entry
 * commit in one transaction; the engine then runs it.
 */
import type { App } from '../app/index.js';
import { projectIdByName } from '../app/index.js';
import type { JobCaller } from '../jobs/index.js';
import { jobTypeDefinition, JobService } from '../jobs/index.js';
import { AppError, newId } from '../kernel/index.js';
import { governed, projectResourceName, recordOutcome } from '../security/audit/index.js';
import type { ChampionSource } from './champion.js';
import { ExecutionChampionSource } from './champion.js';
import type { PipelineRegistry } from './registry-port.js';
import type { PipelineDefinition, PipelineValue } from './pipeline-definition.js';
import { definitionHash, resolveParameters, substitute, topologicalOrder, validateDefinition } from './pipeline-definition.js';
import { PipelineEngine } from './pipeline-engine.js';
import type { Execution, PipelineSummary, PipelineVersion } from './pipeline-model.js';
import { isFinalExecution } from './pipeline-model.js';
import { pipelineDb, PipelineStore, toSummary, toVersion } from './pipeline-store.js';

export interface PipelineServiceOptions {
  jobs?: JobService;
  champion?: ChampionSource;
  /** The model registry: group champions for conditions and `register` steps (the composition passes it). */
  registry?: PipelineRegistry;
  now?: () => number;
}

export class PipelineService {
  readonly #app: App;
  readonly store: PipelineStore;
  readonly jobs: JobService;
  readonly engine: PipelineEngine;
  readonly #registry: PipelineRegistry | undefined;

  constructor(app: App, options: PipelineServiceOptions = {}) {
    this.#app = app;
    this.#registry = options.registry;
    this.store = new PipelineStore(app.db);
    this.jobs = options.jobs ?? new JobService(app);
    this.engine = new PipelineEngine({ app, store: this.store, jobs: this.jobs, champion: options.champion ?? new ExecutionChampionSource(this.store), ...(options.registry ? { registry: options.registry } : {}), ...(options.now ? { now: options.now } : {}) });
  }

  async #authorize(caller: JobCaller, project: string, action: string, resource: string): Promise<void> {
    if (!caller.principal) return;
    await this.#app.identity.authorizer.authorize(caller.principal, caller.actor, action, resource, { now: new Date(), sourceIp: caller.actor.sourceIp ?? 'local', project, ...caller.facts });
  }

  #principal(caller: JobCaller): string {
    return caller.principal?.auditName ?? caller.actor.principal;
  }

  async #pipeline(project: string, name: string) {
    const projectId = await projectIdByName(this.#app, project);
    const row = await this.store.pipeline(projectId, name);
    if (!row) throw new AppError('PIPELINE_NOT_FOUND', { message: `No pipeline ${name} in project ${project}`, details: { pipeline: name } });
    return { projectId, row };
  }

  async #execution(project: string, executionId: string) {
    const projectId = await projectIdByName(this.#app, project);
    const row = await this.store.executionRow(executionId);
    if (!row || row.project_id !== projectId) throw new AppError('PIPELINE_EXECUTION_NOT_FOUND', { message: `No pipeline execution ${executionId} in project ${project}`, details: { executionId } });
    const pipeline = (await this.store.pipelineById(row.pipeline_id))!;
    return { projectId, row, pipeline };
  }

  /**
   * Publishes a definition: a new pipeline (`pipeline:Create`), or a new version of an existing one
   * (`pipeline:Update`) when its hash differs from the latest version; an unchanged definition
   * publishes nothing and returns the latest version.
   */
  async create(caller: JobCaller, project: string, input: unknown): Promise<PipelineVersion> {
    const definition = validateDefinition(input);
    const projectId = await projectIdByName(this.#app, project);
    const hash = definitionHash(definition);
    const existing = await this.store.pipeline(projectId, definition.name);
    const resource = await projectResourceName(this.#app.db, projectId, 'pipeline', definition.name);
    if (existing) {
      await this.#authorize(caller, project, 'pipeline:Update', resource);
      const latest = (await this.store.version(existing.id, Number(existing.latest_version)))!;
      if (latest.definition_hash === hash) return { ...toVersion(existing, latest), changed: false };
    } else {
      await this.#authorize(caller, project, 'pipeline:Create', resource);
    }
    const now = new Date().toISOString();
    const by = this.#principal(caller);
    const pipelineId = await governed({ db: this.#app.db, ledger: this.#app.ledger }, caller.actor, existing ? 'pipeline:Update' : 'pipeline:Create', resource, async (tx) => {
      const k = pipelineDb(tx);
      let id = existing?.id;
      let version = 1;
      if (id) {
        const current = await k.selectFrom('pipelines').select('latest_version').where('id', '=', id).executeTakeFirstOrThrow();
        version = Number(current.latest_version) + 1;
        await k.updateTable('pipelines').set({ latest_version: version, description: definition.description }).where('id', '=', id).execute();
      } else {
        id = newId('pl');
        await k.insertInto('pipelines').values({ id, project_id: projectId, name: definition.name, description: definition.description, latest_version: 1, created_at: now, created_by: by }).execute();
      }
      await k.insertInto('pipeline_versions').values({ pipeline_id: id, version, definition: JSON.stringify(definition), definition_hash: hash, created_at: now, created_by: by }).execute();
      return { result: id, details: { version, definitionHash: hash, steps: definition.steps.map((s) => `${s.name}:${s.type}`) } };
    });
    const p = (await this.store.pipelineById(pipelineId))!;
    return { ...toVersion(p, (await this.store.version(pipelineId, Number(p.latest_version)))!), changed: true };
  }

  async list(caller: JobCaller, project: string): Promise<PipelineSummary[]> {
    const projectId = await projectIdByName(this.#app, project);
    await this.#authorize(caller, project, 'pipeline:List', `attest:${project}:pipeline/*`);
    return (await this.store.list(projectId)).map(toSummary);
  }

  /** The latest version (or `version`) of a pipeline, with its definition. */
  async describe(caller: JobCaller, project: string, name: string, version?: number): Promise<PipelineVersion> {
    await this.#authorize(caller, project, 'pipeline:Describe', `attest:${project}:pipeline/${name}`);
    const { row } = await this.#pipeline(project, name);
    const v = await this.store.version(row.id, version ?? Number(row.latest_version));
    if (!v) throw new AppError('PIPELINE_NOT_FOUND', { message: `Pipeline ${name} has no version ${version}`, details: { pipeline: name, version } });
    return toVersion(row, v);
  }

  /** Starts an execution of the latest version with `parameters` over the defaults. */
  async start(caller: JobCaller, project: string, name: string, parameters: Record<string, PipelineValue> = {}): Promise<Execution> {
    const { projectId, row } = await this.#pipeline(project, name);
    const resource = await projectResourceName(this.#app.db, projectId, 'pipeline', name);
    await this.#authorize(caller, project, 'pipeline:Start', resource);
    const version = (await this.store.version(row.id, Number(row.latest_version)))!;
    const definition = JSON.parse(version.definition) as PipelineDefinition;
    const values = resolveParameters(definition, parameters);
    for (const step of definition.steps) {
      if (step.type === 'register') {
        if (!this.#registry) throw new AppError('UNAVAILABLE', { message: `Pipeline ${name} has a register step (${step.name}) but this pipeline service has no model registry`, details: { step: step.name } });
        await this.#authorize(caller, project, 'model:Register', `attest:${project}:model/${String(substitute(step.group, { parameters: values, steps: undefined }))}`);
        continue;
      }
      if (step.type === 'condition' || step.type === 'fail') continue;
      const work = jobTypeDefinition(step.type);
      await this.#authorize(caller, project, 'job:Run', `attest:${project}:job/*`);
      await this.#authorize(caller, project, work.action, `attest:${project}:${work.resourceType}/*`);
    }
    const executionId = newId('pex');
    const principal = this.#principal(caller);
    const actor = { ...caller.actor, principal };
    // The execution is a trial of the pipeline's experiment; its steps' job components join it.
    const tracking = { actor, projectId };
    const experiment = (await this.#app.tracking.listExperiments([projectId], { nameEquals: name }))[0] ?? (await this.#app.tracking.createExperiment(tracking, { name, description: `Executions of pipeline ${name}` }));
    await this.#app.tracking.createTrial(tracking, { experiment: experiment.experimentId, name: executionId, tags: { pipeline: name, 'pipeline-version': String(version.version) } });
    const order = topologicalOrder(definition);
    const now = new Date().toISOString();
    await governed({ db: this.#app.db, ledger: this.#app.ledger }, caller.actor, 'pipeline:Start', `${resource}/execution/${executionId}`, async (tx) => {
      const k = pipelineDb(tx);
      await k
        .insertInto('pipeline_executions')
        .values({ id: executionId, project_id: projectId, pipeline_id: row.id, version: Number(version.version), status: 'running', parameters: JSON.stringify(values), principal, actor: JSON.stringify(actor), experiment: name, trial: executionId, failure: null, started_by: principal, ended_by: null, cancel_requested: 0, created_at: now, ended_at: null })
        .execute();
      const byName = new Map(definition.steps.map((s) => [s.name, s]));
      await k
        .insertInto('pipeline_step_executions')
        .values(order.map((step, i) => ({ id: `${executionId.replace('pex_', 'pse_')}_${String(i).padStart(3, '0')}`, execution_id: executionId, step, type: byName.get(step)!.type, status: 'pending', attempts: 0, job_id: null, run_after: 0, cache_key: null, cache_hit_from: null, result: null, message: null, started_at: null, ended_at: null })))
        .execute();
      return { result: undefined, details: { pipeline: name, version: Number(version.version), definitionHash: version.definition_hash, parameters: values, trial: executionId } };
    });
    await this.engine.advance(executionId);
    return (await this.store.execution(executionId))!;
  }

  async executions(caller: JobCaller, project: string, name: string, limit = 100): Promise<Execution[]> {
    await this.#authorize(caller, project, 'pipeline:List', `attest:${project}:pipeline/${name}`);
    const { row } = await this.#pipeline(project, name);
    return this.store.executions(row.id, limit);
  }

  async describeExecution(caller: JobCaller, project: string, executionId: string): Promise<Execution> {
    const { pipeline } = await this.#execution(project, executionId);
    await this.#authorize(caller, project, 'pipeline:Describe', `attest:${project}:pipeline/${pipeline.name}/execution/${executionId}`);
    return (await this.store.execution(executionId))!;
  }

  /** Stops an execution: pending steps are cancelled at once, running jobs are asked to stop. */
  async cancel(caller: JobCaller, project: string, executionId: string): Promise<Execution> {
    const { projectId, row, pipeline } = await this.#execution(project, executionId);
    const resource = await projectResourceName(this.#app.db, projectId, 'pipeline', `${pipeline.name}/execution/${executionId}`);
    await this.#authorize(caller, project, 'pipeline:Stop', resource);
    if (isFinalExecution(row.status)) throw new AppError('PIPELINE_EXECUTION_FINISHED', { message: `Pipeline execution ${executionId} has already ${row.status}`, details: { executionId, status: row.status } });
    const principal = this.#principal(caller);
    await governed({ db: this.#app.db, ledger: this.#app.ledger }, caller.actor, 'pipeline:Stop', resource, async (tx) => {
      await pipelineDb(tx).updateTable('pipeline_executions').set({ cancel_requested: 1, status: 'cancelling', ended_by: principal }).where('id', '=', executionId).execute();
      return { result: undefined, details: { pipeline: pipeline.name } };
    });
    for (const step of await this.store.steps(executionId)) {
      if (step.status !== 'running' || !step.job_id) continue;
      const job = await this.jobs.queue.get(step.job_id);
      if (job && !['succeeded', 'failed', 'cancelled'].includes(job.status)) await this.jobs.cancel({ actor: caller.actor }, project, step.job_id);
    }
    await this.engine.advance(executionId);
    return (await this.store.execution(executionId))!;
  }

  /** Runs a failed or cancelled execution again: its failed, cancelled and unrun steps; completed steps are kept. */
  async retry(caller: JobCaller, project: string, executionId: string): Promise<Execution> {
    const { projectId, row, pipeline } = await this.#execution(project, executionId);
    const resource = await projectResourceName(this.#app.db, projectId, 'pipeline', `${pipeline.name}/execution/${executionId}`);
    await this.#authorize(caller, project, 'pipeline:Start', resource);
    if (!isFinalExecution(row.status)) throw new AppError('PIPELINE_EXECUTION_ACTIVE', { message: `Pipeline execution ${executionId} is ${row.status}; retry it once it has failed or been cancelled`, details: { executionId } });
    if (row.status === 'succeeded') throw new AppError('PIPELINE_EXECUTION_FINISHED', { message: `Pipeline execution ${executionId} succeeded; start a new execution instead`, details: { executionId } });
    const again = (await this.store.steps(executionId)).filter((s) => s.status !== 'succeeded').map((s) => s.step);
    await governed({ db: this.#app.db, ledger: this.#app.ledger }, caller.actor, 'pipeline:Start', resource, async (tx) => {
      const k = pipelineDb(tx);
      await k.updateTable('pipeline_executions').set({ status: 'running', cancel_requested: 0, failure: null, ended_at: null, ended_by: null }).where('id', '=', executionId).execute();
      await k
        .updateTable('pipeline_step_executions')
        .set({ status: 'pending', attempts: 0, job_id: null, run_after: 0, result: null, message: null, ended_at: null, cache_hit_from: null })
        .where('execution_id', '=', executionId)
        .where('status', '!=', 'succeeded')
        .execute();
      return { result: undefined, details: { phase: 'retry', pipeline: pipeline.name, steps: again } };
    });
    await this.engine.advance(executionId);
    return (await this.store.execution(executionId))!;
  }

  /** Advances every active execution once (the driver's tick). */
  async advanceAll(): Promise<number> {
    const ids = await this.store.activeExecutionIds();
    for (const id of ids) {
      try {
        await this.engine.advance(id);
      } catch (error) {
        const row = await this.store.executionRow(id);
        if (row) await recordOutcome({ db: this.#app.db, ledger: this.#app.ledger }, JSON.parse(row.actor), 'pipeline:Start', await projectResourceName(this.#app.db, row.project_id, 'pipeline', `${(await this.store.pipelineById(row.pipeline_id))?.name}/execution/${id}`), 'failed', { phase: 'advance', error: (error as Error).message.slice(0, 500) });
        await this.store.finishExecution(id, 'failed', `the engine could not advance the execution: ${(error as Error).message}`, null);
      }
    }
    return ids.length;
  }

  /** Advances `executionId` until it is final (or `timeoutMs` passes), polling its jobs. */
  async wait(executionId: string, options: { pollMs?: number; timeoutMs?: number; onChange?: (execution: Execution) => void } = {}): Promise<Execution> {
    const deadline = Date.now() + (options.timeoutMs ?? 24 * 3600_000);
    let last = '';
    for (;;) {
      const status = await this.engine.advance(executionId);
      const execution = (await this.store.execution(executionId))!;
      const signature = execution.steps.map((s) => `${s.step}:${s.status}:${s.attempts}`).join(',');
      if (signature !== last) {
        last = signature;
        options.onChange?.(execution);
      }
      if (isFinalExecution(status) || Date.now() >= deadline) return execution;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
    }
  }
}


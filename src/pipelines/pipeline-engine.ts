/**
 * @module pipelines/pipeline-engine
 * Advances a pipeline execution one step at a time from what the database records, so any
 * process (the API server's driver, `pipelines start --wait`) can drive it and a restart loses
 * nothing. Each ready job step is submitted as a governed job (authorization, trial component,
 * lineage and audit come from the jobs capability) in the execution's trial; a failed attempt is
 * retried after its backoff while attempts remain; a step whose definition and input contents
 * match a completed step reuses that step's outputs (a cache hit, recorded on the step and in
 * lineage as the reused component joining this execution's trial); conditions choose a branch
 * and skip the other; a fail step fails the execution with its message; a register step registers
 * a model output as a PendingManualApproval version of a model group through the registry port.
 */
import { createHash } from 'node:crypto';
import type { App } from '../app/index.js';
import type { Job, JobCaller, JobService } from '../jobs/index.js';
import { isFinal } from '../jobs/index.js';
import { AppError, canonicalJson, ERROR_CATALOGUE, isAppError } from '../kernel/index.js';
import { resolveReference } from '../references/index.js';
import type { Actor } from '../security/audit/index.js';
import { projectResourceName, recordOutcome } from '../security/audit/index.js';
import type { ChampionSource } from './champion.js';
import type { PipelineRegistry } from './registry-port.js';
import type { ConditionStep, JobStep, PipelineDefinition, PipelineStep, PipelineValue, RegisterStep } from './pipeline-definition.js';
import { dependencies, substitute } from './pipeline-definition.js';
import type { ExecutionStatus, StepResult } from './pipeline-model.js';
import { isFinalStep, StepResultSchema } from './pipeline-model.js';
import type { PipelineStore } from './pipeline-store.js';

/** Error kinds that another attempt cannot fix. */
const PERMANENT = new Set(['invalid_input', 'not_found', 'forbidden', 'unauthenticated', 'precondition']);

export interface EngineDeps {
  app: App;
  store: PipelineStore;
  jobs: JobService;
  champion: ChampionSource;
  /** The model registry (group champions, register steps); without it such steps fail with UNAVAILABLE. */
  registry?: PipelineRegistry;
  now?: () => number;
}

interface StepState {
  id: string;
  step: PipelineStep;
  status: string;
  attempts: number;
  jobId: string | null;
  runAfter: number;
  result: StepResult | null;
  message: string | null;
}

const compare = (a: number, op: string, b: number): boolean =>
  op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : op === '<=' ? a <= b : op === '==' ? a === b : a !== b;

export class PipelineEngine {
  readonly #deps: EngineDeps;
  constructor(deps: EngineDeps) {
    this.#deps = deps;
  }

  #now(): number {
    return this.#deps.now?.() ?? Date.now();
  }

  /** Moves the execution as far as it can go now; returns its status afterwards. */
  async advance(executionId: string): Promise<ExecutionStatus> {
    const { store } = this.#deps;
    const row = await store.executionRow(executionId);
    if (!row) return 'failed';
    if (row.status !== 'running' && row.status !== 'cancelling') return row.status as ExecutionStatus;
    const pipeline = (await store.pipelineById(row.pipeline_id))!;
    const definition = JSON.parse((await store.version(row.pipeline_id, Number(row.version)))!.definition) as PipelineDefinition;
    const actor = JSON.parse(row.actor) as Actor;
    const caller: JobCaller = { actor };
    const project = (await projectResourceName(this.#deps.app.db, row.project_id, 'project', '-')).split(':')[1]!;
    const parameters = JSON.parse(row.parameters) as Record<string, PipelineValue>;
    const byName = new Map(definition.steps.map((s) => [s.name, s]));
    const states = new Map<string, StepState>();
    for (const r of await store.steps(executionId)) {
      states.set(r.step, { id: r.id, step: byName.get(r.step)!, status: r.status, attempts: Number(r.attempts), jobId: r.job_id, runAfter: Number(r.run_after), result: r.result ? StepResultSchema.parse(JSON.parse(r.result)) : null, message: r.message });
    }
    const set = async (s: StepState, from: string, values: Parameters<PipelineStore['transition']>[2]): Promise<boolean> => {
      const ok = await store.transition(s.id, from, values);
      if (ok) {
        if (values.status) s.status = values.status;
        if (values.attempts !== undefined) s.attempts = values.attempts;
        if (values.job_id !== undefined) s.jobId = values.job_id;
        if (values.run_after !== undefined) s.runAfter = Number(values.run_after);
        if (values.result !== undefined) s.result = values.result;
        if (values.message !== undefined) s.message = values.message;
      }
      return ok;
    };
    const now = () => new Date(this.#now()).toISOString();

    // 1. Collect the outcome of running jobs.
    for (const s of states.values()) {
      if (s.status !== 'running' || !s.jobId) continue;
      const job = await this.#deps.jobs.queue.get(s.jobId);
      if (!job || !isFinal(job.status)) continue;
      await this.#collect(s, job, set, now);
    }

    if (row.cancel_requested) {
      for (const s of states.values()) if (s.status === 'pending') await set(s, 'pending', { status: 'cancelled', ended_at: now(), message: 'the execution was cancelled' });
      // A register step runs inside one advance; one still running here was left by a process that stopped mid-way.
      for (const s of states.values()) if (s.status === 'running' && s.step.type === 'register') await set(s, 'running', { status: 'cancelled', ended_at: now(), message: 'the execution was cancelled; see the model:Register audit entries for whether a version was registered' });
      if ([...states.values()].some((s) => s.status === 'running')) return 'cancelling';
      await store.finishExecution(executionId, 'cancelled', null, null);
      await this.#finished(row.project_id, pipeline.name, executionId, actor, 'cancelled');
      return 'cancelled';
    }

    // 2. Start what is ready, until nothing changes (conditions and cache hits finish at once).
    const deps = dependencies(definition);
    const gate = new Map<string, { condition: string; branch: boolean }>();
    for (const step of definition.steps) {
      if (step.type !== 'condition') continue;
      for (const g of step.ifTrue) gate.set(g, { condition: step.name, branch: true });
      for (const g of step.ifFalse) gate.set(g, { condition: step.name, branch: false });
    }
    const failed = () => [...states.values()].find((s) => s.status === 'failed' || s.status === 'cancelled');
    for (let changed = true; changed && !failed(); ) {
      changed = false;
      for (const step of definition.steps) {
        const s = states.get(step.name)!;
        if (s.status !== 'pending' || s.runAfter > this.#now()) continue;
        const needs = [...(deps.get(step.name) ?? [])].map((d) => states.get(d)!);
        if (needs.some((d) => d.status === 'skipped') || (gate.has(step.name) && states.get(gate.get(step.name)!.condition)!.status === 'succeeded' && states.get(gate.get(step.name)!.condition)!.result?.condition?.outcome !== gate.get(step.name)!.branch)) {
          changed = (await set(s, 'pending', { status: 'skipped', ended_at: now(), message: needs.some((d) => d.status === 'skipped') ? 'a step it depends on was skipped' : `condition ${gate.get(step.name)!.condition} chose the other branch` })) || changed;
          continue;
        }
        if (!needs.every((d) => d.status === 'succeeded')) continue;
        const scope = {
          parameters,
          executionId,
          pipelineName: pipeline.name,
          steps: (p: { kind: 'output' | 'metric'; step: string; name: string }) => {
            const r = states.get(p.step)?.result;
            if (p.kind === 'metric') return r?.metrics[p.name];
            const o = r?.outputs.find((x) => x.role === p.name);
            // A dataset version by id; a named artifact as name@version, so a job names what it derives from it.
            if (!o) return undefined;
            return o.datasetVersionId ?? (o.name && o.version ? `${o.name}@${o.version}` : o.artifactId);
          },
        };
        if (step.type === 'fail') {
          const message = substitute(step.message, scope) ?? step.message;
          await set(s, 'pending', { status: 'failed', started_at: now(), ended_at: now(), message: String(message) });
          changed = true;
          continue;
        }
        if (step.type === 'register') {
          changed = (await this.#register(s, step, { project, projectId: row.project_id, experiment: row.experiment, trial: row.trial, actor, scope }, set, now)) || changed;
          continue;
        }
        if (step.type === 'condition') {
          await this.#condition(s, step, row.project_id, row.pipeline_id, executionId, states, parameters, set, now);
          changed = true;
          continue;
        }
        changed = (await this.#startJob(s, step, { project, projectId: row.project_id, executionId, experiment: row.experiment, trial: row.trial, caller, scope }, set, now)) || changed;
      }
    }

    // 3. Finish when nothing runs any more.
    const all = [...states.values()];
    const bad = failed();
    if (all.some((s) => s.status === 'running')) return 'running';
    if (bad) {
      const failure = bad.step.type === 'fail' ? (bad.message ?? `fail step ${bad.step.name}`) : `step ${bad.step.name} ${bad.status}: ${bad.message ?? ''}`;
      for (const s of all) if (s.status === 'pending') await set(s, 'pending', { status: 'skipped', ended_at: now(), message: `not run: step ${bad.step.name} ${bad.status}` });
      await store.finishExecution(executionId, 'failed', failure, null);
      await this.#finished(row.project_id, pipeline.name, executionId, actor, 'failed');
      return 'failed';
    }
    if (all.every((s) => isFinalStep(s.status))) {
      await store.finishExecution(executionId, 'succeeded', null, null);
      await this.#finished(row.project_id, pipeline.name, executionId, actor, 'succeeded');
      return 'succeeded';
    }
    return 'running';
  }

  async #finished(projectId: string, pipeline: string, executionId: string, actor: Actor, status: string): Promise<void> {
    const { app } = this.#deps;
    const resource = await projectResourceName(app.db, projectId, 'pipeline', `${pipeline}/execution/${executionId}`);
    await recordOutcome({ db: app.db, ledger: app.ledger }, actor, 'pipeline:Start', resource, status === 'succeeded' ? 'allowed' : 'failed', { phase: 'finished', status });
  }

  async #collect(s: StepState, job: Job, set: (s: StepState, from: string, v: Parameters<PipelineStore['transition']>[2]) => Promise<boolean>, now: () => string): Promise<void> {
    if (job.status === 'succeeded') {
      await set(s, 'running', { status: 'succeeded', ended_at: now(), result: { outputs: job.outputs, metrics: job.metrics, componentId: job.componentId }, message: null });
      return;
    }
    const step = s.step as JobStep;
    const error = job.error ?? { code: 'JOB_CANCELLED', message: 'the job was cancelled' };
    const kind = (ERROR_CATALOGUE as Record<string, { kind: string } | undefined>)[error.code]?.kind ?? 'internal';
    if (job.status === 'failed' && s.attempts < step.retry.maxAttempts && !PERMANENT.has(kind)) {
      const wait = step.retry.backoffMs * 2 ** (s.attempts - 1);
      await set(s, 'running', { status: 'pending', run_after: this.#now() + wait, message: `attempt ${s.attempts} failed (${error.code}: ${error.message}); retrying in ${wait} ms` });
      return;
    }
    await set(s, 'running', { status: job.status === 'cancelled' ? 'cancelled' : 'failed', ended_at: now(), message: `${error.code}: ${error.message}`, result: { outputs: [], metrics: job.metrics, componentId: job.componentId } });
  }

  async #condition(
    s: StepState,
    step: ConditionStep,
    projectId: string,
    pipelineId: string,
    executionId: string,
    states: Map<string, StepState>,
    parameters: Record<string, PipelineValue>,
    set: (s: StepState, from: string, v: Parameters<PipelineStore['transition']>[2]) => Promise<boolean>,
    now: () => string,
  ): Promise<void> {
    const metricName = `${step.metric.step}.${step.metric.name}`;
    const value = states.get(step.metric.step)?.result?.metrics[step.metric.name];
    if (value === undefined) {
      await set(s, 'pending', { status: 'failed', started_at: now(), ended_at: now(), message: `step ${step.metric.step} recorded no metric "${step.metric.name}"` });
      return;
    }
    let against: number | null = null;
    let champion: string | null = null;
    let outcome: boolean;
    if (step.champion) {
      const group = step.champion.group === undefined ? undefined : substitute(step.champion.group, { parameters, steps: undefined });
      const source = group === undefined ? this.#deps.champion : this.#deps.registry?.champion;
      if (!source) {
        await set(s, 'pending', { status: 'failed', started_at: now(), ended_at: now(), message: `UNAVAILABLE: the champion of model group ${String(group)} comes from the model registry, which this pipeline service was not given` });
        return;
      }
      const c = await source.champion({ projectId, pipelineId, executionId, step: step.metric.step, metric: step.metric.name, ...(group === undefined ? {} : { group: String(group) }) });
      if (c) {
        against = c.value + step.champion.margin;
        champion = c.description;
        outcome = compare(value, step.op, against);
      } else {
        // Recorded as such: the step result says there was no champion and which rule decided.
        champion = group === undefined ? 'none' : `none: model group ${String(group)} has no champion or production version with metric ${step.metric.name}`;
        outcome = step.champion.ifNone === 'pass';
      }
    } else {
      const t = typeof step.threshold === 'number' ? step.threshold : Number(substitute(step.threshold!, { parameters, steps: undefined }));
      if (!Number.isFinite(t)) {
        await set(s, 'pending', { status: 'failed', started_at: now(), ended_at: now(), message: `the threshold ${String(step.threshold)} is not a number` });
        return;
      }
      against = t;
      outcome = compare(value, step.op, t);
    }
    const text = `${metricName} = ${Number(value.toPrecision(6))} ${step.op} ${against === null ? `champion (none yet, ifNone ${step.champion?.ifNone})` : `${champion ? 'champion ' : ''}${Number(against.toPrecision(6))}`}: ${outcome}`;
    await set(s, 'pending', { status: 'succeeded', started_at: now(), ended_at: now(), message: text, result: { outputs: [], metrics: {}, componentId: null, condition: { metric: metricName, value, op: step.op, against, champion, outcome } } });
  }

  /**
   * Registers the model a step produced. The step is claimed (pending → running) before the
   * registry is called, so two processes advancing the same execution register it once.
   */
  async #register(
    s: StepState,
    step: RegisterStep,
    ctx: { project: string; projectId: string; experiment: string; trial: string; actor: Actor; scope: Parameters<typeof substitute>[1] },
    set: (s: StepState, from: string, v: Parameters<PipelineStore['transition']>[2]) => Promise<boolean>,
    now: () => string,
  ): Promise<boolean> {
    if (!(await set(s, 'pending', { status: 'running', attempts: s.attempts + 1, started_at: now() }))) return false;
    try {
      const registry = this.#deps.registry;
      if (!registry) throw new AppError('UNAVAILABLE', { message: 'a register step needs the model registry, which this pipeline service was not given' });
      const model = substitute(step.model, ctx.scope);
      const group = substitute(step.group, ctx.scope);
      if (model === undefined || group === undefined) throw new AppError('INVALID_INPUT', { message: `step ${step.name}: the model or group names something this execution did not record` });
      const description = substitute(step.versionDescription, ctx.scope) ?? step.versionDescription;
      const v = await registry.registrar.register(ctx.actor, ctx.project, { group: String(group), model: String(model), description: String(description), ...(step.riskTier === undefined ? {} : { riskTier: step.riskTier }) });
      // Lineage: the registered version joins this execution's trial (the registry links it to its artifact and training).
      await this.#deps.app.lineage.associate(ctx.actor, { sourceId: v.versionId, destId: await this.#trialId(ctx.projectId, ctx.experiment, ctx.trial), type: 'AssociatedWith', projectId: ctx.projectId });
      await set(s, 'running', {
        status: 'succeeded',
        ended_at: now(),
        result: { outputs: [], metrics: {}, componentId: null, registered: v },
        message: `registered ${v.group} version ${v.version} (${v.versionId}), ${v.status}: approval is an independent validator's decision`,
      });
    } catch (error) {
      await set(s, 'running', { status: 'failed', ended_at: now(), message: `${isAppError(error) ? error.code : 'INTERNAL'}: ${(error as Error).message}` });
    }
    return true;
  }

  async #startJob(
    s: StepState,
    step: JobStep,
    ctx: { project: string; projectId: string; executionId: string; experiment: string; trial: string; caller: JobCaller; scope: Parameters<typeof substitute>[1] },
    set: (s: StepState, from: string, v: Parameters<PipelineStore['transition']>[2]) => Promise<boolean>,
    now: () => string,
  ): Promise<boolean> {
    const { app, store } = this.#deps;
    const inputs: Record<string, string> = {};
    const params: Record<string, PipelineValue> = {};
    for (const [role, v] of Object.entries(step.inputs)) inputs[role] = String(substitute(v, ctx.scope));
    for (const [k, v] of Object.entries(step.params)) {
      const r = substitute(v, ctx.scope);
      if (r !== undefined) params[k] = r;
    }
    let cacheKey: string | null = null;
    try {
      if (step.cache) {
        const contents: Record<string, string> = {};
        for (const [role, ref] of Object.entries(inputs)) contents[role] = (await resolveReference(app, ctx.projectId, ref)).artifact.sha256;
        cacheKey = createHash('sha256').update(canonicalJson({ type: step.type, inputs: contents, params })).digest('hex');
        const hit = await store.cached(ctx.projectId, cacheKey, ctx.executionId);
        if (hit?.result) {
          const result = StepResultSchema.parse(JSON.parse(hit.result));
          if (!(await set(s, 'pending', { status: 'succeeded', cache_key: cacheKey, cache_hit_from: hit.id, started_at: now(), ended_at: now(), job_id: hit.job_id, result, message: `cache hit: reused the outputs of step execution ${hit.id} (job ${hit.job_id})` }))) return false;
          // Lineage: the reused component joins this execution's trial (an AssociatedWith edge, audited as trial:Update).
          if (result.componentId) await app.tracking.addComponentToTrial({ actor: ctx.caller.actor, projectId: ctx.projectId }, result.componentId, await this.#trialId(ctx.projectId, ctx.experiment, ctx.trial));
          return true;
        }
      }
    } catch (error) {
      await set(s, 'pending', { status: 'failed', started_at: now(), ended_at: now(), message: `${isAppError(error) ? error.code : 'INTERNAL'}: ${(error as Error).message}` });
      return true;
    }
    const attempts = s.attempts + 1;
    if (!(await set(s, 'pending', { status: 'running', attempts, cache_key: cacheKey, ...(s.attempts === 0 ? { started_at: now() } : {}) }))) return false;
    try {
      const job = await this.#deps.jobs.submit(ctx.caller, ctx.project, { type: step.type, inputs, params, experiment: ctx.experiment, trial: ctx.trial, maxAttempts: 1 });
      await set(s, 'running', { job_id: job.jobId, message: `attempt ${attempts}: job ${job.jobId}` });
    } catch (error) {
      await set(s, 'running', { status: 'failed', ended_at: now(), message: `${isAppError(error) ? error.code : 'INTERNAL'}: ${(error as Error).message}` });
    }
    return true;
  }

  async #trialId(projectId: string, experiment: string, trial: string): Promise<string> {
    const { app } = this.#deps;
    const exp = await app.tracking.getExperiment(experiment, [projectId], projectId);
    const found = (await app.tracking.listTrials(exp.experimentId, [projectId])).find((t) => t.name === trial);
    return found!.trialId;
  }
}

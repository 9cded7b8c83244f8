/**
 * @module jobs/job-executor
 * Runs one claimed attempt of a job, in the job's child process: keeps the lease alive by
 * heartbeats, resolves the inputs, runs the type's body inside a tracked trial component
 * (parameters, inputs, outputs, metrics, git commit, environment and status recorded by the
 * tracker), and completes the job — conditional on still holding the lease, in one transaction
 * with its audit entry. A failure is retried (with backoff) when it may be transient and attempts
 * remain; a bad input fails at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../app/index.js';
import { AppError, isAppError } from '../kernel/index.js';
import type { ResolvedReference } from '../references/index.js';
import { resolveReference } from '../references/index.js';
import type { Actor } from '../security/audit/index.js';
import { governed, projectResourceName, recordOutcome } from '../security/audit/index.js';
import type { EnvironmentInfo, ParameterValue, SourceInfo } from '../tracking/index.js';
import { InProcessTransport, Tracker } from '../tracking/index.js';
import { JobContext } from './job-context.js';
import type { ClaimedJob, JobQueue } from './job-queue.js';
import { checkJobRequest } from './job-type.js';
import { jobTypeDefinition } from './job-types.js';

export interface ExecuteOptions {
  leaseMs: number;
  /** What isolation the process runs under (recorded on the component). */
  isolation: string;
  log: (line: string) => void;
  /** Resolves when every line logged so far is stored (awaited before the job is finished). */
  flushLog?: () => Promise<void>;
  /** Working directory for git capture. */
  cwd?: string;
  backoffMs?: number;
  /** The limits the process runs under (recorded on the component). */
  limits?: { memoryMb: number; timeoutSeconds: number; memoryEnforcement: string };
  /**
   * How input files (`ctx.inputPath`) are kept read-only: `bind-mount` (a read-only bind mount in
   * the process's own mount namespace; holds also for root) or `file-mode` (mode 0400 only).
   */
  readOnlyInputs?: 'bind-mount' | 'file-mode';
  /**
   * The code's git state and runtime environment, when captured ahead (a warm job process does it
   * while it waits for a job, which takes git's child processes off the job's critical path).
   */
  provenance?: Promise<{ source: SourceInfo | undefined; environment: EnvironmentInfo }>;
}

export type ExecuteOutcome = 'succeeded' | 'retrying' | 'failed' | 'cancelled' | 'lost';

const PERMANENT = new Set(['invalid_input', 'not_found', 'forbidden', 'unauthenticated', 'integrity', 'precondition']);

class Stop extends Error {
  constructor(readonly reason: 'cancelled' | 'lost') {
    super(reason === 'cancelled' ? 'The job was cancelled' : 'The job lease was lost');
  }
}

export async function executeJob(app: App, queue: JobQueue, claimed: ClaimedJob, options: ExecuteOptions): Promise<ExecuteOutcome> {
  const { job, lease } = claimed;
  const began = Date.now();
  const cpuBegan = process.cpuUsage();
  // Wall and CPU time since the attempt began: on a shared machine the CPU figure says what the job cost.
  const log = (line: string) => {
    const cpu = process.cpuUsage(cpuBegan);
    options.log(`[+${((Date.now() - began) / 1000).toFixed(2)} s, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s] ${line}`);
  };
  const actor: Actor = { ...claimed.actor, userAgent: `attest-job/${job.type}`, requestId: job.jobId };
  let stop: Stop | undefined;
  let rejectStop: ((error: Stop) => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    rejectStop = reject;
  });
  stopped.catch(() => undefined);
  const beat = setInterval(() => {
    void queue.heartbeat(lease, options.leaseMs).then(
      (h) => {
        if (!h.held) stop = new Stop('lost');
        else if (h.cancelRequested) stop = new Stop('cancelled');
        if (stop) rejectStop?.(stop);
      },
      () => undefined,
    );
  }, Math.max(50, Math.floor(options.leaseMs / 3)));
  const scratch = mkdtempSync(join(tmpdir(), 'attest-job-'));
  const contexts: JobContext[] = [];
  try {
    const definition = jobTypeDefinition(job.type);
    const params = checkJobRequest(definition, job.inputs, job.params);
    log(`job ${job.jobId} (${job.type}) attempt ${lease.attempt} of ${job.maxAttempts} as ${job.principal}; isolation: ${options.isolation}`);
    if (job.componentId) {
      // The previous attempt's runner died: close its component so the record shows what happened.
      const previous = (await app.tracking.components([job.componentId], [job.projectId]))[0];
      if (previous?.status === 'InProgress') {
        await app.tracking.endComponent({ actor, projectId: job.projectId }, job.componentId, 'Failed', { failureReason: `attempt ${lease.attempt - 1} lost its runner; retried as attempt ${lease.attempt}` });
      }
    }
    const inputs = new Map<string, ResolvedReference>();
    for (const [role, ref] of Object.entries(job.inputs)) inputs.set(role, await resolveReference(app, job.projectId, ref));
    log(`inputs resolved: ${[...inputs.entries()].map(([role, r]) => `${role}=${r.datasetVersion ? `${r.datasetVersion.name}@${r.datasetVersion.version}` : r.artifactId}`).join(' ')}`);
    const provenance = await options.provenance;
    const tracker = new Tracker(new InProcessTransport({ tracking: app.tracking, artifacts: app.artifacts }, { actor, projectId: job.projectId }), {
      cwd: options.cwd ?? process.cwd(),
      ...(provenance ? { source: provenance.source ?? 'none', environment: provenance.environment } : {}),
    });
    const experiment = await tracker.experiment(job.experiment, { description: 'Governed jobs' });
    const trials: string[] = [];
    if (job.trial) {
      const existing = (await app.tracking.listTrials(experiment.experimentId, [job.projectId])).find((t) => t.name === job.trial);
      trials.push(existing ? existing.trialId : (await tracker.trial(experiment, job.trial)).trialId);
    }
    const readOnly = options.readOnlyInputs ?? 'file-mode';
    const parameters: Record<string, ParameterValue> = { job: job.jobId, job_type: job.type, attempt: lease.attempt, isolation: options.isolation, inputs_read_only: readOnly };
    if (options.limits) {
      parameters.limit_memory_mb = options.limits.memoryMb;
      parameters.limit_memory_enforcement = options.limits.memoryEnforcement;
      parameters.limit_wall_seconds = options.limits.timeoutSeconds;
      log(`limits: memory ${options.limits.memoryMb} MiB (${options.limits.memoryEnforcement}), wall time ${options.limits.timeoutSeconds} s; inputs read-only (${readOnly})`);
    }
    for (const [k, v] of Object.entries(job.params)) parameters[k] = v;
    const run = await tracker.component(
      `${job.type}:${job.jobId}`,
      definition.componentType,
      async (component) => {
        await queue.setRunInfo(lease, { componentId: component.componentId, isolation: options.isolation });
        for (const [role, r] of inputs) await component.logInput(role, r.artifactId);
        const ctx = new JobContext({ app, job, actor, component, inputs, scratch, log, readOnlyInputs: readOnly });
        contexts.push(ctx);
        log(`component ${component.componentId} started in experiment ${job.experiment}`);
        await Promise.race([definition.run(ctx, params), stopped]);
        log(`${job.type} finished`);
        if (stop) throw stop;
        return ctx.metrics;
      },
      { trials, parameters },
    );
    const metrics = run.result;
    log(`job ${job.jobId} succeeded`);
    await options.flushLog?.();
    await governed({ db: app.db, ledger: app.ledger }, actor, 'job:Run', await projectResourceName(app.db, job.projectId, 'job', job.jobId), async (tx) => {
      if (!(await queue.complete(lease, { metrics }, tx))) throw new AppError('JOB_LEASE_LOST', { message: `Job ${job.jobId}: another runner holds the job now; this attempt's completion is discarded` });
      return { result: undefined, details: { phase: 'completed', type: job.type, attempt: lease.attempt, component: run.component.componentId } };
    });
    for (const ctx of contexts) await ctx.runSucceeded();
    await options.flushLog?.();
    return 'succeeded';
  } catch (error) {
    const reason = stop?.reason;
    if (reason === 'cancelled') {
      log(`job ${job.jobId} cancelled`);
      await options.flushLog?.();
      await queue.finishCancelled(lease);
      await recordOutcome({ db: app.db, ledger: app.ledger }, actor, 'job:Run', await projectResourceName(app.db, job.projectId, 'job', job.jobId), 'failed', { phase: 'cancelled', attempt: lease.attempt });
      return 'cancelled';
    }
    if (reason === 'lost') {
      log(`job ${job.jobId}: lease lost; another runner took the job over`);
      return 'lost';
    }
    // A buffer allocation refused by the process's data-segment limit (prlimit) is the memory limit
    // speaking, like V8's heap limit the runner detects: a retry would fail the same way.
    const memory = error instanceof RangeError && /allocation failed/i.test(error.message);
    const code = memory ? 'JOB_MEMORY' : isAppError(error) ? error.code : 'INTERNAL';
    const message = memory
      ? `The attempt exceeded its memory limit${options.limits ? ` of ${options.limits.memoryMb} MiB` : ''} (${(error as Error).message})`
      : error instanceof Error
        ? error.message
        : String(error);
    const retryable = !memory && !(isAppError(error) && PERMANENT.has(error.kind));
    log(`job ${job.jobId} attempt ${lease.attempt} failed (${code}: ${message})`);
    await options.flushLog?.();
    const outcome = await queue.fail(lease, { code, message }, { retryable, backoffMs: (options.backoffMs ?? 1000) * 2 ** (lease.attempt - 1) });
    await recordOutcome({ db: app.db, ledger: app.ledger }, actor, 'job:Run', await projectResourceName(app.db, job.projectId, 'job', job.jobId), 'failed', { phase: 'attempt', attempt: lease.attempt, error: code, message: message.slice(0, 500), outcome });
    return outcome;
  } finally {
    clearInterval(beat);
    for (const ctx of contexts) ctx.releaseInputs();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * @module jobs/job-service
 * Submitting, reading and cancelling jobs. A submission is authorized for the caller with the
 * same policy engine as the API server — `job:Run` on the project's jobs and the action of the
 * work itself (training needs `model:Train`, a bias job `bias:Run`, …) — validated (type, input
 * roles, parameters, and every input reference resolved), and queued in one transaction with its
 * audit entry. Bad input is refused before anything is written.
 */
import { projectIdByName } from '../app/index.js';
import type { App } from '../app/index.js';
import { AppError, newId } from '../kernel/index.js';
import { resolveReference } from '../references/index.js';
import type { Actor } from '../security/audit/index.js';
import { governed, projectResourceName, recordOutcome } from '../security/audit/index.js';
import type { Principal, RequestFactsWithoutPrincipal } from '../security/identity-store/index.js';
import { jobEnqueued, sleepUnlessEnded } from './job-events.js';
import type { Job, JobLogLine, JobRequestInput, JobStatus, JobType } from './job-model.js';
import { DEFAULT_EXPERIMENT, DEFAULT_QUEUE, isFinal, JobRequestSchema } from './job-model.js';
import type { JobQueue } from './job-queue.js';
import { checkJobRequest } from './job-type.js';
import { jobTypeDefinition } from './job-types.js';

/**
 * Who asks. With a principal (the API server, a token in the CLI) every call is authorized by
 * policy; without one the caller is the operator of an embedded home, who holds its keyring and
 * so already has every power over it (as for every other embedded CLI command).
 */
export interface JobCaller {
  actor: Actor;
  principal?: Principal;
  facts?: Partial<RequestFactsWithoutPrincipal>;
}

export class JobService {
  readonly #app: App;
  readonly queue: JobQueue;

  constructor(app: App, queue: JobQueue = app.jobQueue) {
    this.#app = app;
    this.queue = queue;
  }

  async #authorize(caller: JobCaller, project: string, action: string, resource: string): Promise<void> {
    if (!caller.principal) return;
    await this.#app.identity.authorizer.authorize(caller.principal, caller.actor, action, resource, { now: new Date(), sourceIp: caller.actor.sourceIp ?? 'local', project, ...caller.facts });
  }

  async #job(project: string, jobId: string): Promise<{ projectId: string; job: Job }> {
    const projectId = await projectIdByName(this.#app, project);
    const job = await this.queue.get(jobId);
    if (!job || job.projectId !== projectId) throw new AppError('JOB_NOT_FOUND', { message: `No job ${jobId} in project ${project}`, details: { jobId } });
    return { projectId, job };
  }

  async submit(caller: JobCaller, project: string, request: JobRequestInput): Promise<Job> {
    const parsed = JobRequestSchema.safeParse(request);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError('INVALID_INPUT', { message: `Invalid job request at ${issue?.path.join('.') || '(root)'}: ${issue?.message}` });
    }
    const r = parsed.data;
    const definition = jobTypeDefinition(r.type);
    const projectId = await projectIdByName(this.#app, project);
    await this.#authorize(caller, project, 'job:Run', `attest:${project}:job/*`);
    await this.#authorize(caller, project, definition.action, `attest:${project}:${definition.resourceType}/*`);
    checkJobRequest(definition, r.inputs, r.params);
    for (const ref of Object.values(r.inputs)) await resolveReference(this.#app, projectId, ref);
    const jobId = newId('job');
    const principal = caller.principal?.auditName ?? caller.actor.principal;
    await governed({ db: this.#app.db, ledger: this.#app.ledger }, caller.actor, 'job:Run', await projectResourceName(this.#app.db, projectId, 'job', jobId), async (tx) => {
      await this.queue.enqueue(
        { jobId, projectId, type: r.type, inputs: r.inputs, params: r.params, experiment: r.experiment ?? DEFAULT_EXPERIMENT, trial: r.trial ?? null, principal, actor: { ...caller.actor, principal }, maxAttempts: r.maxAttempts,
          ...(r.queue !== undefined ? { queue: r.queue } : {}),
          ...(r.timeoutSeconds !== undefined ? { timeoutSeconds: r.timeoutSeconds } : {}),
          ...(r.memoryMb !== undefined ? { memoryMb: r.memoryMb } : {}),
        },
        tx,
      );
      return { result: undefined, details: { phase: 'submitted', type: r.type, inputs: r.inputs, project, queue: r.queue ?? DEFAULT_QUEUE } };
    });
    jobEnqueued();
    return (await this.queue.get(jobId))!;
  }

  async describe(caller: JobCaller, project: string, jobId: string): Promise<Job> {
    await this.#authorize(caller, project, 'job:Describe', `attest:${project}:job/${jobId}`);
    return (await this.#job(project, jobId)).job;
  }

  async list(caller: JobCaller, project: string, filter: { status?: JobStatus; type?: JobType; limit?: number } = {}): Promise<Job[]> {
    await this.#authorize(caller, project, 'job:List', `attest:${project}:job/*`);
    const projectId = await projectIdByName(this.#app, project);
    return this.queue.list({ projectId, ...filter });
  }

  async logs(caller: JobCaller, project: string, jobId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<JobLogLine[]> {
    await this.#authorize(caller, project, 'job:GetLogs', `attest:${project}:job/${jobId}`);
    const { projectId } = await this.#job(project, jobId);
    const lines = await this.queue.logs(jobId, options);
    await recordOutcome({ db: this.#app.db, ledger: this.#app.ledger }, caller.actor, 'job:GetLogs', await projectResourceName(this.#app.db, projectId, 'job', jobId), 'allowed', { lines: lines.length });
    return lines;
  }

  async cancel(caller: JobCaller, project: string, jobId: string): Promise<Job> {
    await this.#authorize(caller, project, 'job:Cancel', `attest:${project}:job/${jobId}`);
    const { projectId, job } = await this.#job(project, jobId);
    if (isFinal(job.status)) throw new AppError('JOB_FINISHED', { message: `Job ${jobId} has already ${job.status}`, details: { jobId, status: job.status } });
    await governed({ db: this.#app.db, ledger: this.#app.ledger }, caller.actor, 'job:Cancel', await projectResourceName(this.#app.db, projectId, 'job', jobId), async (tx) => {
      const outcome = await this.queue.cancel(jobId, tx);
      return { result: undefined, details: { outcome } };
    });
    return (await this.queue.get(jobId))!;
  }

  /** Polls until the job is final (or `timeoutMs` passes, then returns it as it is). */
  async wait(jobId: string, options: { timeoutMs?: number; pollMs?: number } = {}): Promise<Job> {
    const deadline = Date.now() + (options.timeoutMs ?? 24 * 3600_000);
    for (;;) {
      const job = await this.queue.get(jobId);
      if (!job) throw new AppError('JOB_NOT_FOUND', { message: `No job ${jobId}` });
      if (isFinal(job.status) || Date.now() >= deadline) return job;
      await sleepUnlessEnded(options.pollMs ?? 200, jobId);
    }
  }
}

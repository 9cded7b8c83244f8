/**
 * @module jobs/jobs-client
 * The TypeScript SDK for jobs: `new Jobs(transport).run(project, { type, inputs, params }, { wait })`.
 * Two transports, like the tracking SDK's: in-process (the job service directly, for the CLI,
 * the server and embedded scripts) and HTTP (the `/v1/projects/{p}/jobs` routes, with a token).
 */
import { AppError } from '../kernel/index.js';
import type { ApiClientOptions, HttpMethod } from '../platform/http/index.js';
import { ApiClient } from '../platform/http/index.js';
import type { Job, JobLogLine, JobRequestInput, JobStatus, JobType } from './job-model.js';
import { sleepUnlessEnded } from './job-events.js';
import { isFinal } from './job-model.js';
import type { JobCaller, JobService } from './job-service.js';

export interface JobsTransport {
  submit(project: string, request: JobRequestInput): Promise<Job>;
  describe(project: string, jobId: string): Promise<Job>;
  list(project: string, filter?: { status?: JobStatus; type?: JobType; limit?: number }): Promise<Job[]>;
  logs(project: string, jobId: string, afterSeq?: number): Promise<JobLogLine[]>;
  cancel(project: string, jobId: string): Promise<Job>;
}

export class InProcessJobsTransport implements JobsTransport {
  readonly #service: JobService;
  readonly #caller: JobCaller;
  constructor(service: JobService, caller: JobCaller) {
    this.#service = service;
    this.#caller = caller;
  }
  submit(project: string, request: JobRequestInput): Promise<Job> {
    return this.#service.submit(this.#caller, project, request);
  }
  describe(project: string, jobId: string): Promise<Job> {
    return this.#service.describe(this.#caller, project, jobId);
  }
  list(project: string, filter: { status?: JobStatus; type?: JobType; limit?: number } = {}): Promise<Job[]> {
    return this.#service.list(this.#caller, project, filter);
  }
  logs(project: string, jobId: string, afterSeq?: number): Promise<JobLogLine[]> {
    return this.#service.logs(this.#caller, project, jobId, afterSeq === undefined ? {} : { afterSeq });
  }
  cancel(project: string, jobId: string): Promise<Job> {
    return this.#service.cancel(this.#caller, project, jobId);
  }
}

export type HttpJobsTransportOptions = ApiClientOptions & { readonly token: string };

export class HttpJobsTransport implements JobsTransport {
  readonly #client: ApiClient;
  constructor(options: HttpJobsTransportOptions) {
    this.#client = new ApiClient(options);
  }

  #call<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    return this.#client.call<T>(method, path, body);
  }

  #base(project: string): string {
    return `/v1/projects/${encodeURIComponent(project)}/jobs`;
  }
  submit(project: string, request: JobRequestInput): Promise<Job> {
    return this.#call('POST', this.#base(project), request);
  }
  describe(project: string, jobId: string): Promise<Job> {
    return this.#call('GET', `${this.#base(project)}/${encodeURIComponent(jobId)}`);
  }
  list(project: string, filter: { status?: JobStatus; type?: JobType; limit?: number } = {}): Promise<Job[]> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, String(v));
    const s = q.toString();
    return this.#call('GET', `${this.#base(project)}${s ? `?${s}` : ''}`);
  }
  logs(project: string, jobId: string, afterSeq?: number): Promise<JobLogLine[]> {
    return this.#call('GET', `${this.#base(project)}/${encodeURIComponent(jobId)}/logs${afterSeq !== undefined ? `?afterSeq=${afterSeq}` : ''}`);
  }
  cancel(project: string, jobId: string): Promise<Job> {
    return this.#call('POST', `${this.#base(project)}/${encodeURIComponent(jobId)}/cancel`);
  }
}

export class Jobs {
  readonly transport: JobsTransport;
  constructor(transport: JobsTransport) {
    this.transport = transport;
  }

  /** Submits a job; with `wait`, polls until it is final and throws JOB_FAILED / JOB_CANCELLED unless it succeeded. */
  async run(project: string, request: JobRequestInput, options: { wait?: boolean; pollMs?: number; timeoutMs?: number; onLog?: (line: JobLogLine) => void } = {}): Promise<Job> {
    const job = await this.transport.submit(project, request);
    if (!options.wait) return job;
    return this.wait(project, job.jobId, options);
  }

  async wait(project: string, jobId: string, options: { pollMs?: number; timeoutMs?: number; onLog?: (line: JobLogLine) => void } = {}): Promise<Job> {
    const deadline = Date.now() + (options.timeoutMs ?? 24 * 3600_000);
    let seq = 0;
    for (;;) {
      const job = await this.transport.describe(project, jobId);
      if (options.onLog) {
        for (const line of await this.transport.logs(project, jobId, seq)) {
          seq = line.seq;
          options.onLog(line);
        }
      }
      if (isFinal(job.status)) {
        if (job.status === 'failed') throw new AppError('JOB_FAILED', { message: `Job ${jobId} failed: ${job.error?.code ?? ''} ${job.error?.message ?? ''}`.trim(), details: { jobId } });
        if (job.status === 'cancelled') throw new AppError('JOB_CANCELLED', { message: `Job ${jobId} was cancelled`, details: { jobId } });
        return job;
      }
      if (Date.now() >= deadline) throw new AppError('UNAVAILABLE', { message: `Job ${jobId} did not finish within ${options.timeoutMs} ms (status ${job.status})` });
      await sleepUnlessEnded(options.pollMs ?? 250, jobId);
    }
  }

  describe(project: string, jobId: string): Promise<Job> {
    return this.transport.describe(project, jobId);
  }
  list(project: string, filter?: { status?: JobStatus; type?: JobType; limit?: number }): Promise<Job[]> {
    return this.transport.list(project, filter);
  }
  logs(project: string, jobId: string, afterSeq?: number): Promise<JobLogLine[]> {
    return this.transport.logs(project, jobId, afterSeq);
  }
  cancel(project: string, jobId: string): Promise<Job> {
    return this.transport.cancel(project, jobId);
  }
}

/**
 * @module pipelines/pipelines-client
 * The TypeScript SDK for pipelines: `new Pipelines(transport).start(project, name, { params, wait })`.
 * Two transports, like the jobs SDK's: in-process (the pipeline service directly, for the CLI,
 * the server and embedded scripts) and HTTP (the `/v1/projects/{p}/pipelines` routes, with a token).
 */
import type { JobCaller } from '../jobs/index.js';
import { AppError } from '../kernel/index.js';
import type { ApiClientOptions, HttpMethod } from '../platform/http/index.js';
import { ApiClient } from '../platform/http/index.js';
import type { PipelineValue } from './pipeline-definition.js';
import type { Execution, PipelineSummary, PipelineVersion } from './pipeline-model.js';
import { isFinalExecution } from './pipeline-model.js';
import type { PipelineService } from './pipeline-service.js';

export interface PipelinesTransport {
  create(project: string, definition: unknown): Promise<PipelineVersion>;
  list(project: string): Promise<PipelineSummary[]>;
  describe(project: string, name: string, version?: number): Promise<PipelineVersion>;
  start(project: string, name: string, parameters: Record<string, PipelineValue>): Promise<Execution>;
  executions(project: string, name: string): Promise<Execution[]>;
  describeExecution(project: string, executionId: string): Promise<Execution>;
  cancel(project: string, executionId: string): Promise<Execution>;
  retry(project: string, executionId: string): Promise<Execution>;
}

export class InProcessPipelinesTransport implements PipelinesTransport {
  readonly #service: PipelineService;
  readonly #caller: JobCaller;
  constructor(service: PipelineService, caller: JobCaller) {
    this.#service = service;
    this.#caller = caller;
  }
  create(project: string, definition: unknown): Promise<PipelineVersion> {
    return this.#service.create(this.#caller, project, definition);
  }
  list(project: string): Promise<PipelineSummary[]> {
    return this.#service.list(this.#caller, project);
  }
  describe(project: string, name: string, version?: number): Promise<PipelineVersion> {
    return this.#service.describe(this.#caller, project, name, version);
  }
  start(project: string, name: string, parameters: Record<string, PipelineValue>): Promise<Execution> {
    return this.#service.start(this.#caller, project, name, parameters);
  }
  executions(project: string, name: string): Promise<Execution[]> {
    return this.#service.executions(this.#caller, project, name);
  }
  /** In process, reading an execution also advances it, so a caller polling it drives it too. */
  async describeExecution(project: string, executionId: string): Promise<Execution> {
    const e = await this.#service.describeExecution(this.#caller, project, executionId);
    if (!isFinalExecution(e.status)) await this.#service.engine.advance(executionId);
    return this.#service.describeExecution(this.#caller, project, executionId);
  }
  cancel(project: string, executionId: string): Promise<Execution> {
    return this.#service.cancel(this.#caller, project, executionId);
  }
  retry(project: string, executionId: string): Promise<Execution> {
    return this.#service.retry(this.#caller, project, executionId);
  }
}

export type HttpPipelinesTransportOptions = ApiClientOptions & { readonly token: string };

export class HttpPipelinesTransport implements PipelinesTransport {
  readonly #client: ApiClient;
  constructor(options: HttpPipelinesTransportOptions) {
    this.#client = new ApiClient(options);
  }

  #call<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    return this.#client.call<T>(method, path, body);
  }

  #base(project: string): string {
    return `/v1/projects/${encodeURIComponent(project)}/pipelines`;
  }
  create(project: string, definition: unknown): Promise<PipelineVersion> {
    return this.#call('POST', this.#base(project), { definition });
  }
  list(project: string): Promise<PipelineSummary[]> {
    return this.#call('GET', this.#base(project));
  }
  describe(project: string, name: string, version?: number): Promise<PipelineVersion> {
    return this.#call('GET', `${this.#base(project)}/${encodeURIComponent(name)}${version !== undefined ? `?version=${version}` : ''}`);
  }
  start(project: string, name: string, parameters: Record<string, PipelineValue>): Promise<Execution> {
    return this.#call('POST', `${this.#base(project)}/${encodeURIComponent(name)}/executions`, { parameters });
  }
  executions(project: string, name: string): Promise<Execution[]> {
    return this.#call('GET', `${this.#base(project)}/${encodeURIComponent(name)}/executions`);
  }
  describeExecution(project: string, executionId: string): Promise<Execution> {
    return this.#call('GET', `/v1/projects/${encodeURIComponent(project)}/pipeline-executions/${encodeURIComponent(executionId)}`);
  }
  cancel(project: string, executionId: string): Promise<Execution> {
    return this.#call('POST', `/v1/projects/${encodeURIComponent(project)}/pipeline-executions/${encodeURIComponent(executionId)}/cancel`);
  }
  retry(project: string, executionId: string): Promise<Execution> {
    return this.#call('POST', `/v1/projects/${encodeURIComponent(project)}/pipeline-executions/${encodeURIComponent(executionId)}/retry`);
  }
}

export class Pipelines {
  readonly transport: PipelinesTransport;
  constructor(transport: PipelinesTransport) {
    this.transport = transport;
  }

  create(project: string, definition: unknown): Promise<PipelineVersion> {
    return this.transport.create(project, definition);
  }
  list(project: string): Promise<PipelineSummary[]> {
    return this.transport.list(project);
  }
  describe(project: string, name: string, version?: number): Promise<PipelineVersion> {
    return this.transport.describe(project, name, version);
  }

  /** Starts an execution; with `wait`, polls until it is final and throws PIPELINE_FAILED unless it succeeded. */
  async start(project: string, name: string, options: { params?: Record<string, PipelineValue>; wait?: boolean; pollMs?: number; timeoutMs?: number; onChange?: (e: Execution) => void } = {}): Promise<Execution> {
    const execution = await this.transport.start(project, name, options.params ?? {});
    if (!options.wait) return execution;
    return this.wait(project, execution.executionId, options);
  }

  async wait(project: string, executionId: string, options: { pollMs?: number; timeoutMs?: number; onChange?: (e: Execution) => void } = {}): Promise<Execution> {
    const deadline = Date.now() + (options.timeoutMs ?? 24 * 3600_000);
    let last = '';
    for (;;) {
      const e = await this.transport.describeExecution(project, executionId);
      const signature = e.steps.map((s) => `${s.step}:${s.status}:${s.attempts}`).join(',');
      if (signature !== last) {
        last = signature;
        options.onChange?.(e);
      }
      if (isFinalExecution(e.status)) {
        if (e.status === 'failed') throw new AppError('PIPELINE_FAILED', { message: `Pipeline execution ${executionId} failed: ${e.failure ?? ''}`.trim(), details: { executionId } });
        return e;
      }
      if (Date.now() >= deadline) throw new AppError('UNAVAILABLE', { message: `Pipeline execution ${executionId} did not finish within ${options.timeoutMs} ms (status ${e.status})` });
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    }
  }

  executions(project: string, name: string): Promise<Execution[]> {
    return this.transport.executions(project, name);
  }
  describeExecution(project: string, executionId: string): Promise<Execution> {
    return this.transport.describeExecution(project, executionId);
  }
  cancel(project: string, executionId: string): Promise<Execution> {
    return this.transport.cancel(project, executionId);
  }
  retry(project: string, executionId: string): Promise<Execution> {
    return this.transport.retry(project, executionId);
  }
}

/**
 * @module tracking/sdk/http-transport
 * The tracker's transport over Attest's REST API (`trackingRoutes`), authenticated with a bearer
 * token. Errors come back as the server's AppError codes, so SDK callers handle one error type.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ErrorCode } from '../../kernel/index.js';
import { AppError, ERROR_CATALOGUE } from '../../kernel/index.js';
import type { ComponentArtifact, ComponentStatus, Experiment, ParameterValue, Tags, Trial, TrialComponent } from '../tracking-model.js';
import type { MetricInput, StartComponentRequest, TrackingTransport, UploadedArtifact } from './transport.js';

export interface HttpTransportOptions {
  /** The server's base URL, e.g. `https://attest.bank.internal`. */
  baseUrl: string;
  /** An API token (sent as `Authorization: Bearer …`). */
  token: string;
  /** The project to create things in (sent as `X-Attest-Project`). */
  project?: string;
  /** Per-request timeout in milliseconds (default 60 s). */
  timeoutMs?: number;
}

export class HttpTransport implements TrackingTransport {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;

  constructor(options: HttpTransportOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#headers = { authorization: `Bearer ${options.token}`, ...(options.project ? { 'x-attest-project': options.project } : {}) };
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: unknown, init: { headers?: Record<string, string>; raw?: RequestInit['body'] } = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, {
        method,
        headers: { ...this.#headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : init.raw !== undefined ? { body: init.raw, duplex: 'half' } : {}),
        signal: AbortSignal.timeout(this.#timeoutMs),
      } as RequestInit);
    } catch (error) {
      throw new AppError('UNAVAILABLE', { message: `Cannot reach Attest at ${this.#base}: ${(error as Error).message}`, cause: error });
    }
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : {};
    if (!response.ok) {
      const e = (parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } }).error;
      const code = e?.code && e.code in ERROR_CATALOGUE ? (e.code as ErrorCode) : 'INTERNAL';
      throw new AppError(code, { message: e?.message ?? `HTTP ${response.status} from ${path}`, details: e?.details ?? {} });
    }
    return parsed as T;
  }

  ensureExperiment(input: { name: string; description?: string; tags?: Tags }): Promise<Experiment> {
    return this.#call('POST', '/api/v1/tracking/experiments/ensure', input);
  }

  createTrial(input: { experiment: string; name: string; tags?: Tags }): Promise<Trial> {
    return this.#call('POST', '/api/v1/tracking/trials', input);
  }

  startComponent(input: StartComponentRequest): Promise<TrialComponent> {
    return this.#call('POST', '/api/v1/tracking/components', input);
  }

  async addComponentToTrial(componentId: string, trial: string): Promise<void> {
    await this.#call('POST', `/api/v1/tracking/components/${encodeURIComponent(componentId)}/trials`, { trial });
  }

  async logParameters(componentId: string, parameters: Record<string, ParameterValue>): Promise<void> {
    await this.#call('POST', `/api/v1/tracking/components/${encodeURIComponent(componentId)}/parameters`, { parameters });
  }

  logArtifactLink(componentId: string, direction: 'input' | 'output', link: { role: string; ref: string }): Promise<ComponentArtifact> {
    return this.#call('POST', `/api/v1/tracking/components/${encodeURIComponent(componentId)}/${direction}s`, link);
  }

  async logMetrics(componentId: string, points: readonly MetricInput[]): Promise<void> {
    await this.#call('POST', `/api/v1/tracking/components/${encodeURIComponent(componentId)}/metrics`, { points });
  }

  async uploadArtifact(path: string, options: { name?: string; mediaType?: string }): Promise<UploadedArtifact> {
    const { size } = await stat(path);
    const query = new URLSearchParams({ ...(options.name ? { name: options.name } : {}), ...(options.mediaType ? { mediaType: options.mediaType } : {}) }).toString();
    const body = Readable.toWeb(createReadStream(path)) as unknown as RequestInit['body'];
    return this.#call('POST', `/api/v1/tracking/artifacts${query ? `?${query}` : ''}`, undefined, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) }, raw: body });
  }

  endComponent(componentId: string, status: Exclude<ComponentStatus, 'InProgress'>, failureReason?: string): Promise<TrialComponent> {
    return this.#call('POST', `/api/v1/tracking/components/${encodeURIComponent(componentId)}/end`, { status, ...(failureReason !== undefined ? { failureReason } : {}) });
  }

  async setTags(id: string, tags: Tags): Promise<void> {
    await this.#call('POST', `/api/v1/tracking/tags/${encodeURIComponent(id)}`, { tags });
  }

  async addNote(componentId: string, text: string): Promise<void> {
    await this.#call('POST', `/api/v1/tracking/components/${encodeURIComponent(componentId)}/notes`, { text });
  }

  getComponent(componentId: string): Promise<TrialComponent> {
    return this.#call('GET', `/api/v1/tracking/components/${encodeURIComponent(componentId)}`);
  }
}

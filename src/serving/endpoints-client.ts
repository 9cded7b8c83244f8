/**
 * @module serving/endpoints-client
 * The TypeScript SDK for the governance side of endpoints over HTTP, with a bearer token: the
 * auditor's decision lookup. Errors come back as the server's catalogue code and message.
 */
import { AppError, ERROR_CATALOGUE } from '../kernel/index.js';
import type { DecisionQuery, DecisionRecord } from './decision-lookup.js';

export interface EndpointsClientOptions {
  baseUrl: string;
  token: string;
  /** Another fetch (tests, proxies); default the global one. */
  fetch?: typeof fetch;
}

export class EndpointsClient {
  readonly #options: EndpointsClientOptions;
  constructor(options: EndpointsClientOptions) {
    this.#options = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
  }

  async #get<T>(path: string, query: Record<string, string | undefined>): Promise<T> {
    const url = new URL(`${this.#options.baseUrl}${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const response = await (this.#options.fetch ?? fetch)(url, { headers: { authorization: `Bearer ${this.#options.token}` } });
    const text = await response.text();
    if (!response.ok) {
      let parsed: { error?: { code?: string; message?: string } } = {};
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        // not a JSON error body: keep the status line
      }
      const code = parsed.error?.code;
      throw new AppError(code && code in ERROR_CATALOGUE ? (code as keyof typeof ERROR_CATALOGUE) : 'INTERNAL', { message: parsed.error?.message ?? `GET ${path}: HTTP ${response.status}` });
    }
    return JSON.parse(text) as T;
  }

  /** What the endpoint decided for one applicant (exactly one of event, request or inference id), and why. */
  decision(project: string, endpoint: string, query: DecisionQuery): Promise<DecisionRecord[]> {
    return this.#get(`/v1/projects/${encodeURIComponent(project)}/endpoints/${encodeURIComponent(endpoint)}/decisions`, { eventId: query.eventId, requestId: query.requestId, inferenceId: query.inferenceId, date: query.date });
  }
}

/**
 * @module platform/http/api-client
 * The one HTTP client of the platform's own API, used by the remote CLI and by the SDK transports
 * (jobs, pipelines, registry). It sends the bearer token, encodes JSON bodies, and turns an error
 * response back into the server's `AppError` (code, message and details), so that a caller sees
 * the same error whether the work ran embedded or behind a server.
 */
import type { ErrorCode } from '../../kernel/index.js';
import { AppError, ERROR_CATALOGUE } from '../../kernel/index.js';

export interface ApiClientOptions {
  /** The server's base URL; trailing slashes are ignored. */
  readonly baseUrl: string;
  /** A bearer token; omitted for the login call that obtains one. */
  readonly token?: string | undefined;
  /** The fetch implementation (tests inject one); the global fetch by default. */
  readonly fetch?: typeof fetch;
}

export interface ApiRequestInit {
  readonly json?: unknown;
  readonly body?: NonNullable<RequestInit['body']>;
  readonly contentType?: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const USER_AGENT = 'attest-client/0.1.0';

/** The error code a status implies when the body does not carry one of the catalogue's codes. */
function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'ACCESS_DENIED';
  if (status === 404) return 'NOT_FOUND';
  return 'INTERNAL';
}

async function errorFrom(response: Response, method: string, path: string): Promise<AppError> {
  const text = await response.text();
  let code = codeForStatus(response.status);
  let message = `${method} ${path}: HTTP ${response.status}`;
  let details: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string; details?: Record<string, unknown> } };
    if (parsed.error?.code && parsed.error.code in ERROR_CATALOGUE) code = parsed.error.code as ErrorCode;
    if (parsed.error?.message) message = parsed.error.message;
    if (parsed.error?.details && typeof parsed.error.details === 'object') details = parsed.error.details;
  } catch {
    // Not a JSON error body (a proxy's page, say): the status line is all there is to report.
  }
  return new AppError(code, { message, ...(details ? { details } : {}) });
}

export class ApiClient {
  readonly baseUrl: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Sends a request and returns the response when it is 2xx; any other status throws its `AppError`. */
  async fetch(method: HttpMethod, path: string, init: ApiRequestInit = {}): Promise<Response> {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { 'user-agent': USER_AGENT };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    let body = init.body;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.contentType) headers['content-type'] = init.contentType;
    let response: Response;
    try {
      response = await this.#fetch(url, { method, headers, ...(body !== undefined ? { body, duplex: 'half' } : {}) } as RequestInit);
    } catch (error) {
      const cause = (error as Error).cause;
      throw new AppError('UNAVAILABLE', { message: `Cannot reach ${this.baseUrl}: ${cause instanceof Error ? cause.message : (error as Error).message}` });
    }
    if (!response.ok) throw await errorFrom(response, method, path);
    return response;
  }

  /** A request whose answer is JSON. */
  async json<T>(method: HttpMethod, path: string, init: ApiRequestInit = {}): Promise<T> {
    return (await (await this.fetch(method, path, init)).json()) as T;
  }

  /** A JSON request with an optional JSON body: the shape every SDK transport call has. */
  call<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    return this.json<T>(method, path, body === undefined ? {} : { json: body });
  }
}

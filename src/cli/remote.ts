/**
 * @module cli/remote
 * Remote mode: with `--server URL` (or `ATTEST_URL`) a command calls the API with the session
 * token `attest login` stored (an owner-only credentials file, one token per server), or with
 * `ATTEST_TOKEN` for scripts and pipelines. The same command prints the same output in embedded
 * and remote mode; only where the work happens differs.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { App } from '../app/index.js';
import type { ErrorCode } from '../kernel/index.js';
import { AppError, ERROR_CATALOGUE } from '../kernel/index.js';
import type { Actor } from '../security/audit/index.js';
import type { Command } from 'commander';
import type { CliContext, CommonOptions } from './context.js';
import { common } from './context.js';

export interface RemoteOptions extends CommonOptions {
  server?: string;
}

/** Where session tokens are kept: `$ATTEST_CREDENTIALS_FILE`, else `$XDG_CONFIG_HOME/attest/credentials.json`. */
export function credentialsPath(env: NodeJS.ProcessEnv): string {
  return env.ATTEST_CREDENTIALS_FILE ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'attest', 'credentials.json');
}

type Credentials = Record<string, { token: string; principal: string; expiresAt: string | null }>;

function readCredentials(env: NodeJS.ProcessEnv): Credentials {
  const path = credentialsPath(env);
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Credentials;
  } catch {
    throw new AppError('INVALID_CONFIG', { message: `${path} is not valid JSON; delete it and log in again` });
  }
}

const normalise = (url: string) => url.replace(/\/+$/, '');

export async function saveCredentials(env: NodeJS.ProcessEnv, server: string, entry: Credentials[string]): Promise<string> {
  const { writeOwnerOnlyFile } = await import('../security/keys/index.js');
  const path = credentialsPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const all = { ...readCredentials(env), [normalise(server)]: entry };
  writeOwnerOnlyFile(path, `${JSON.stringify(all, null, 2)}\n`, false);
  return path;
}

export async function forgetCredentials(env: NodeJS.ProcessEnv, server: string): Promise<void> {
  const { writeOwnerOnlyFile } = await import('../security/keys/index.js');
  const path = credentialsPath(env);
  const all = readCredentials(env);
  delete all[normalise(server)];
  if (Object.keys(all).length === 0) rmSync(path, { force: true });
  else writeOwnerOnlyFile(path, `${JSON.stringify(all, null, 2)}\n`, false);
}

/** The server URL for this command, if remote. */
export function serverOf(options: RemoteOptions, env: NodeJS.ProcessEnv): string | undefined {
  const url = options.server ?? env.ATTEST_URL;
  return url ? normalise(url) : undefined;
}

/** A thin JSON client for the API; errors come back as the server's AppError code and message. */
export class ApiClient {
  readonly baseUrl: string;
  readonly #token: string | undefined;
  constructor(baseUrl: string, token: string | undefined) {
    this.baseUrl = normalise(baseUrl);
    this.#token = token;
  }

  async fetch(method: string, path: string, init: { json?: unknown; body?: NonNullable<RequestInit["body"]>; contentType?: string; query?: Record<string, string | number | boolean | undefined> } = {}): Promise<Response> {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { 'user-agent': 'attest-cli/0.1.0' };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    let body: NonNullable<RequestInit["body"]> | undefined = init.body;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.contentType) headers['content-type'] = init.contentType;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(body !== undefined ? { body, duplex: 'half' } : {}) } as RequestInit);
    } catch (error) {
      throw new AppError('UNAVAILABLE', { message: `Cannot reach ${this.baseUrl}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}` });
    }
    if (!response.ok) {
      const text = await response.text();
      let code: ErrorCode = response.status === 401 ? 'UNAUTHENTICATED' : response.status === 403 ? 'ACCESS_DENIED' : response.status === 404 ? 'NOT_FOUND' : 'INTERNAL';
      let message = `${method} ${path}: HTTP ${response.status}`;
      try {
        const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
        if (parsed.error?.code && parsed.error.code in ERROR_CATALOGUE) code = parsed.error.code as ErrorCode;
        if (parsed.error?.message) message = parsed.error.message;
      } catch {
        // not a JSON error body: keep the status line
      }
      throw new AppError(code, { message });
    }
    return response;
  }

  async json<T>(method: string, path: string, init: Parameters<ApiClient['fetch']>[2] = {}): Promise<T> {
    return (await (await this.fetch(method, path, init)).json()) as T;
  }
}

/** The stored (or `ATTEST_TOKEN`) credential for `server`. */
export function tokenFor(server: string, env: NodeJS.ProcessEnv): string {
  const token = env.ATTEST_TOKEN ?? readCredentials(env)[server]?.token;
  if (!token) throw new AppError('UNAUTHENTICATED', { message: `Not logged in to ${server}; run: attest login --server ${server} --user NAME` });
  return token;
}

/** The client for `server` with the stored (or `ATTEST_TOKEN`) credential. */
export function clientFor(server: string, env: NodeJS.ProcessEnv): ApiClient {
  return new ApiClient(server, tokenFor(server, env));
}

/**
 * Runs a command embedded (on the home, as the operating-system user who holds the keyring) or
 * remotely (through the API, as the logged-in principal), returning the same data either way.
 */
export async function embeddedOrRemote<T>(ctx: CliContext, options: RemoteOptions, embedded: (app: App, actor: Actor) => Promise<T>, remote: (client: ApiClient) => Promise<T>): Promise<T> {
  const server = serverOf(options, ctx.env);
  if (server) return remote(clientFor(server, ctx.env));
  return ctx.withApp(options, embedded);
}

/** Path segment encoding for ids that may contain `/` (key aliases). */
export const seg = (value: string) => encodeURIComponent(value);

/** Adds the options of a command that works embedded or against a server. */
export function commonRemote(command: Command): Command {
  return common(command).option('--server <url>', 'use the API server at this URL (default $ATTEST_URL) with the token from `attest login`');
}

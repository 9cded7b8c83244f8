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
import { AppError } from '../kernel/index.js';
import { ApiClient } from '../platform/http/index.js';
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

/** The API client the remote commands use (shared with the SDK transports). */
export { ApiClient } from '../platform/http/index.js';

/** The stored (or `ATTEST_TOKEN`) credential for `server`. */
export function tokenFor(server: string, env: NodeJS.ProcessEnv): string {
  const token = env.ATTEST_TOKEN ?? readCredentials(env)[server]?.token;
  if (!token) throw new AppError('UNAUTHENTICATED', { message: `Not logged in to ${server}; run: attest login --server ${server} --user NAME` });
  return token;
}

/** The client for `server` with the stored (or `ATTEST_TOKEN`) credential. */
export function clientFor(server: string, env: NodeJS.ProcessEnv): ApiClient {
  return new ApiClient({ baseUrl: server, token: tokenFor(server, env) });
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

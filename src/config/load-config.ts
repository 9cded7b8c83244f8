/**
 * @module config/load-config
 * Resolves the configuration: defaults ← `<home>/attest.json` ← environment variables, validated
 * at start with errors that name the offending setting.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { AppError } from '../kernel/index.js';
import type { ConfigFile, JobsConfig, ResolvedConfig } from './config-schema.js';
import { ConfigFileSchema } from './config-schema.js';

export const CONFIG_FILE_NAME = 'attest.json';

/** The home directory: `--home`, else `$ATTEST_HOME`, else `./.attest`. */
export function resolveHome(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(explicit ?? env.ATTEST_HOME ?? '.attest');
}

/**
 * Refuses a home whose path cannot be a directory: the home itself, or the nearest existing folder
 * above it, is a file. (Left to mkdir or open, that surfaces as an internal ENOTDIR.)
 */
export function checkHomePath(home: string): void {
  let path = resolve(home);
  for (;;) {
    let isDirectory: boolean | undefined;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        throw new AppError('HOME_PATH_INVALID', { message: `The home ${home} cannot be used: ${path} cannot be read (${code ?? 'error'})`, details: { home, path } });
      }
    }
    if (isDirectory === true) return;
    if (isDirectory === false) {
      const what = path === resolve(home) ? `${path} is a file, not a directory` : `${path} is a file, so no directory can be created under it`;
      throw new AppError('HOME_PATH_INVALID', { message: `The home ${home} cannot be used: ${what}`, details: { home, path } });
    }
    const parent = dirname(path);
    if (parent === path) return;
    path = parent;
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

export function readConfigFile(home: string): ConfigFile | undefined {
  const path = join(home, CONFIG_FILE_NAME);
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new AppError('INVALID_CONFIG', { message: `${path} is not valid JSON: ${(error as Error).message}` });
  }
  const parsed = ConfigFileSchema.safeParse(raw);
  if (!parsed.success) throw new AppError('INVALID_CONFIG', { message: `${path}: ${describeIssues(parsed.error)}` });
  return parsed.data;
}

/** Builds the resolved configuration for `home`; `requireInitialised` demands an existing installation. */
export function loadConfig(home: string, env: NodeJS.ProcessEnv = process.env, requireInitialised = true): ResolvedConfig {
  checkHomePath(home);
  const file = readConfigFile(home);
  if (!file && requireInitialised) {
    throw new AppError('HOME_NOT_INITIALISED', { message: `No Attest installation in ${home}; create one with: attest init --home ${home}` });
  }
  const provider = env.ATTEST_KEY_PROVIDER ?? file?.keys?.provider ?? 'local';
  if (provider !== 'local') {
    throw new AppError('INVALID_CONFIG', { message: `ATTEST_KEY_PROVIDER=${provider} is not available in this build; use local` });
  }
  const databaseUrl = env.ATTEST_DB_URL ?? file?.database?.url ?? `sqlite:${join(home, 'attest.db')}`;
  const storeUrl = env.ATTEST_STORE_URL ?? file?.store?.url ?? pathToFileURL(join(home, 'artifacts')).toString();
  if (!/^(sqlite:|file:|postgres(ql)?:\/\/|\/|\.)/.test(databaseUrl)) {
    throw new AppError('INVALID_CONFIG', { message: 'ATTEST_DB_URL must be sqlite:PATH or postgres://…' });
  }
  if (!/^(file:|s3:\/\/|\/|\.)/.test(storeUrl)) {
    throw new AppError('INVALID_CONFIG', { message: 'ATTEST_STORE_URL must be file:///path or s3://bucket/prefix' });
  }
  const portText = env.ATTEST_PORT;
  const port = portText !== undefined ? Number(portText) : (file?.server?.port ?? 8443);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AppError('INVALID_CONFIG', { message: `ATTEST_PORT must be a port number, not ${portText}` });
  // A webhook without its secret must not stop local commands that never send alerts: the
  // delivery fails instead (recorded in the ledger), and `attest doctor` reports it.
  const webhooks = (file?.alerts?.webhooks ?? []).map((w) => Object.freeze({ url: w.url, secretEnv: w.secretEnv, secret: env[w.secretEnv] || undefined }));
  const jobs = resolveJobsConfig(file, env, databaseUrl);
  return Object.freeze({
    home,
    databaseUrl,
    storeUrl,
    keyProvider: 'local',
    keyringPath: env.ATTEST_KEYRING_FILE ?? file?.keys?.keyringPath ?? join(home, 'keyring.json'),
    keyringPassphrase: env.ATTEST_KEYRING_PASSPHRASE,
    defaultKey: file?.keys?.defaultKey ?? 'alias/attest-default',
    checkpointEveryEntries: file?.audit?.checkpointEveryEntries ?? 1,
    audit: Object.freeze({
      signIntervalMs: file?.audit?.signIntervalMs ?? 1000,
      witness: Object.freeze({
        ...(file?.audit?.witness?.file ? { file: resolve(home, file.audit.witness.file) } : {}),
        ...(file?.audit?.witness?.url ? { url: file.audit.witness.url } : {}),
        ...(file?.audit?.witness?.store ? { store: true } : {}),
      }),
    }),
    server: Object.freeze({ host: file?.server?.host ?? '127.0.0.1', port }),
    oidc: file?.oidc,
    sessionTtlMs: (file?.sessions?.ttlMinutes ?? 60) * 60_000,
    grantBoundaries: Object.freeze({ ...(file?.access?.grantBoundaries ?? {}) }),
    alerts: Object.freeze({ webhooks, auditVerifyIntervalMs: (file?.alerts?.auditVerifyIntervalSeconds ?? 3600) * 1000 }),
    jobs,
  });
}

function resolveJobsConfig(file: ConfigFile | undefined, env: NodeJS.ProcessEnv, databaseUrl: string): JobsConfig {
  const queue = env.ATTEST_JOB_QUEUE ?? file?.jobs?.queue ?? 'sql';
  if (queue !== 'sql' && queue !== 'pg-boss') throw new AppError('INVALID_CONFIG', { message: `ATTEST_JOB_QUEUE must be sql or pg-boss, not ${queue}` });
  if (queue === 'pg-boss' && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new AppError('INVALID_CONFIG', { message: 'The pg-boss job queue needs a PostgreSQL metadata store (ATTEST_DB_URL=postgres://…)' });
  }
  const leaseText = env.ATTEST_JOB_LEASE_SECONDS;
  const leaseSeconds = leaseText !== undefined ? Number(leaseText) : (file?.jobs?.leaseSeconds ?? 30);
  if (!Number.isInteger(leaseSeconds) || leaseSeconds < 1 || leaseSeconds > 3600) throw new AppError('INVALID_CONFIG', { message: `ATTEST_JOB_LEASE_SECONDS must be a whole number of seconds from 1 to 3600, not ${leaseText}` });
  const serverText = env.ATTEST_SERVER_RUNS_JOBS;
  if (serverText !== undefined && serverText !== 'true' && serverText !== 'false') throw new AppError('INVALID_CONFIG', { message: `ATTEST_SERVER_RUNS_JOBS must be true or false, not ${serverText}` });
  return Object.freeze({
    queue,
    pgBossSchema: file?.jobs?.pgBossSchema ?? 'pgboss',
    leaseMs: leaseSeconds * 1000,
    serverRunsJobs: serverText !== undefined ? serverText === 'true' : (file?.jobs?.serverRunsJobs ?? true),
    timeoutSeconds: file?.jobs?.timeoutSeconds ?? 6 * 3600,
    memoryMb: file?.jobs?.memoryMb ?? 4096,
  });
}

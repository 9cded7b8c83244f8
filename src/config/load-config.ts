/**
 * @module config/load-config
 * Resolves the configuration: defaults ← `<home>/attest.json` ← environment variables, validated
 * at start with errors that name the offending setting.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { AppError } from '../kernel/index.js';
import type { ConfigFile, ResolvedConfig } from './config-schema.js';
import { ConfigFileSchema } from './config-schema.js';

export const CONFIG_FILE_NAME = 'attest.json';

/** The home directory: `--home`, else `$ATTEST_HOME`, else `./.attest`. */
export function resolveHome(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(explicit ?? env.ATTEST_HOME ?? '.attest');
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
  const webhooks = (file?.alerts?.webhooks ?? []).map((w) => {
    const secret = env[w.secretEnv];
    if (!secret) throw new AppError('INVALID_CONFIG', { message: `alerts.webhooks: the secret for ${w.url} must be set in the environment variable ${w.secretEnv}` });
    return Object.freeze({ url: w.url, secret });
  });
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
      }),
    }),
    server: Object.freeze({ host: file?.server?.host ?? '127.0.0.1', port }),
    oidc: file?.oidc,
    sessionTtlMs: (file?.sessions?.ttlMinutes ?? 60) * 60_000,
    alerts: Object.freeze({ webhooks, auditVerifyIntervalMs: (file?.alerts?.auditVerifyIntervalSeconds ?? 3600) * 1000 }),
  });
}

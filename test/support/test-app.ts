/**
 * Builds a real installation for tests: a temp home initialised with `initHome`, on the requested
 * metadata store (SQLite or a fresh PostgreSQL database) and artifact store (local directory or a
 * real S3-protocol server on loopback).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../../src/app/index.js';
import { initHome, openApp } from '../../src/app/index.js';
import { loadConfig } from '../../src/config/index.js';
import type { Actor } from '../../src/security/audit/index.js';
import type { DialectName, TestDatabase } from './databases.js';
import { createTestDatabase, testDialects } from './databases.js';
import type { TestS3 } from './s3-server.js';
import { startTestS3 } from './s3-server.js';

export type StoreKind = 'fs' | 's3';

export const TEST_ACTOR: Actor = { principal: 'user:tester', sourceIp: '127.0.0.1', userAgent: 'vitest' };

export interface TestInstallation {
  home: string;
  env: NodeJS.ProcessEnv;
  app: App;
  dialect: DialectName;
  store: StoreKind;
  /** Re-opens the installation (a new process would do the same). */
  reopen(): Promise<App>;
  dispose(): Promise<void>;
}

/** Every (dialect, store) combination the suite covers. */
export function backendMatrix(): { dialect: DialectName; store: StoreKind }[] {
  const stores: StoreKind[] = (process.env.ATTEST_TEST_STORES?.split(',') as StoreKind[] | undefined) ?? ['fs', 's3'];
  return testDialects().flatMap((dialect) => stores.map((store) => ({ dialect, store })));
}

export async function createTestInstallation(dialect: DialectName, store: StoreKind): Promise<TestInstallation> {
  const home = mkdtempSync(join(tmpdir(), 'attest-home-'));
  const database: TestDatabase = await createTestDatabase(dialect);
  const s3: TestS3 | undefined = store === 's3' ? await startTestS3() : undefined;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ATTEST_HOME: home,
    ...(dialect === 'postgres' ? { ATTEST_DB_URL: database.url } : {}),
    ...(s3 ? { ATTEST_STORE_URL: s3.url('artifacts') } : {}),
  };
  delete env.ATTEST_KEYRING_PASSPHRASE;
  if (dialect === 'sqlite') delete env.ATTEST_DB_URL;
  if (!s3) delete env.ATTEST_STORE_URL;
  await initHome(home, TEST_ACTOR, env);
  const opened: App[] = [];
  const reopen = async () => {
    const app = await openApp(loadConfig(home, env));
    opened.push(app);
    return app;
  };
  const app = await reopen();
  return {
    home,
    env,
    app,
    dialect,
    store,
    reopen,
    dispose: async () => {
      for (const a of opened) await a.close().catch(() => undefined);
      await s3?.stop();
      await database.drop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, resolveHome } from './index.js';

describe('configuration', () => {
  const home = mkdtempSync(join(tmpdir(), 'attest-cfg-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('resolves the home from --home, then ATTEST_HOME, then ./.attest', () => {
    expect(resolveHome('/x', { ATTEST_HOME: '/y' })).toBe('/x');
    expect(resolveHome(undefined, { ATTEST_HOME: '/y' })).toBe('/y');
    expect(resolveHome(undefined, {})).toMatch(/\.attest$/);
  });

  it('defaults to the embedded backends and lets the environment override the file', () => {
    writeFileSync(join(home, 'attest.json'), JSON.stringify({ version: 1, store: { url: 's3://bucket/p?region=eu-west-1' } }));
    const c = loadConfig(home, {});
    expect(c.databaseUrl).toBe(`sqlite:${join(home, 'attest.db')}`);
    expect(c.storeUrl).toBe('s3://bucket/p?region=eu-west-1');
    const e = loadConfig(home, { ATTEST_DB_URL: 'postgres://u@h/d', ATTEST_STORE_URL: 'file:///srv/attest' });
    expect(e.databaseUrl).toBe('postgres://u@h/d');
    expect(e.storeUrl).toBe('file:///srv/attest');
  });

  it('names the offending setting when invalid', () => {
    writeFileSync(join(home, 'attest.json'), JSON.stringify({ version: 1, database: { url: 5 } }));
    expect(() => loadConfig(home, {})).toThrowError(/database\.url/);
    writeFileSync(join(home, 'attest.json'), JSON.stringify({ version: 1, extra: true }));
    expect(() => loadConfig(home, {})).toThrowError(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    writeFileSync(join(home, 'attest.json'), JSON.stringify({ version: 1 }));
    expect(() => loadConfig(home, { ATTEST_DB_URL: 'mysql://x' })).toThrowError(/ATTEST_DB_URL/);
    expect(() => loadConfig(home, { ATTEST_KEY_PROVIDER: 'aws-kms' })).toThrowError(/ATTEST_KEY_PROVIDER/);
    expect(() => loadConfig(home, { ATTEST_PORT: 'eighty' })).toThrowError(/ATTEST_PORT/);
  });

  it('reads configured grant boundaries (role → managed policy) and refuses malformed names', () => {
    writeFileSync(join(home, 'attest.json'), JSON.stringify({ version: 1, access: { grantBoundaries: { helpdesk: 'helpdesk-grants' } } }));
    expect(loadConfig(home, {}).grantBoundaries).toEqual({ helpdesk: 'helpdesk-grants' });
    writeFileSync(join(home, 'attest.json'), JSON.stringify({ version: 1, access: { grantBoundaries: { helpdesk: 'Not A Name' } } }));
    expect(() => loadConfig(home, {})).toThrowError(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    writeFileSync(join(home, 'attest.json'), JSON.stringify({ version: 1 }));
    expect(loadConfig(home, {}).grantBoundaries).toEqual({});
  });

  it('reads the execution engine settings: queue, lease, whether the server runs jobs, default limits', () => {
    writeFileSync(join(home, 'attest.json'), JSON.stringify({ version: 1, jobs: { queue: 'pg-boss', leaseSeconds: 5, serverRunsJobs: false, timeoutSeconds: 600, memoryMb: 2048 } }));
    expect(loadConfig(home, { ATTEST_DB_URL: 'postgres://u@h/d' }).jobs).toEqual({ queue: 'pg-boss', pgBossSchema: 'pgboss', leaseMs: 5000, serverRunsJobs: false, timeoutSeconds: 600, memoryMb: 2048 });
    expect(() => loadConfig(home, {})).toThrowError(/pg-boss job queue needs a PostgreSQL/);
    expect(loadConfig(home, { ATTEST_DB_URL: 'postgres://u@h/d', ATTEST_JOB_QUEUE: 'sql', ATTEST_JOB_LEASE_SECONDS: '2', ATTEST_SERVER_RUNS_JOBS: 'true' }).jobs).toMatchObject({ queue: 'sql', leaseMs: 2000, serverRunsJobs: true });
    expect(() => loadConfig(home, { ATTEST_DB_URL: 'postgres://u@h/d', ATTEST_JOB_LEASE_SECONDS: '0' })).toThrowError(/ATTEST_JOB_LEASE_SECONDS/);
    expect(() => loadConfig(home, { ATTEST_DB_URL: 'postgres://u@h/d', ATTEST_JOB_QUEUE: 'redis' })).toThrowError(/ATTEST_JOB_QUEUE/);
    writeFileSync(join(home, 'attest.json'), JSON.stringify({ version: 1, jobs: { memoryMb: 16 } }));
    expect(() => loadConfig(home, {})).toThrowError(/jobs\.memoryMb/);
    writeFileSync(join(home, 'attest.json'), JSON.stringify({ version: 1 }));
    expect(loadConfig(home, {}).jobs).toEqual({ queue: 'sql', pgBossSchema: 'pgboss', leaseMs: 30_000, serverRunsJobs: true, timeoutSeconds: 21_600, memoryMb: 4096 });
  });

  it('requires an initialised home', () => {
    expect(() => loadConfig(join(home, 'missing'), {})).toThrowError(expect.objectContaining({ code: 'HOME_NOT_INITIALISED' }));
  });
});

/**
 * Access hardening from the CLI, embedded and against a server: policies naming unknown actions are
 * refused with one line `attest: error POLICY_INVALID: …` (exit 2) and nothing is stored; a
 * principal changing its own permissions through a server gets PERMISSION_BOUNDARY (exit 3); policy
 * simulate shows a separation-of-duties denial.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation } from '../../test/support/test-app.js';
import { INITIAL_ADMIN_FILE } from '../app/index.js';
import { buildServer } from '../server/index.js';

describe('access commands refuse what the server refuses', () => {
  let t: TestInstallation;
  let dir: string;
  let embedded: NodeJS.ProcessEnv;
  let remote: NodeJS.ProcessEnv;
  let server: FastifyInstance | undefined;
  const file = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };
  const typo = { Version: '2025-01-01', Statement: [{ Effect: 'Allow', Action: ['model:Describe', 'model:Aprove'], Resource: '*' }] };
  const good = { Version: '2025-01-01', Statement: [{ Effect: 'Deny', Action: 'model:Deploy', Resource: '*' }] };

  beforeAll(async () => {
    t = await createTestInstallation('sqlite', 'fs');
    dir = mkdtempSync(join(tmpdir(), 'attest-cli-access-'));
    embedded = { ...t.env };
    delete embedded.ATTEST_URL;
    delete embedded.ATTEST_TOKEN;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await t?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('embedded: an unknown action is refused on create and update, naming it, and nothing is stored', async () => {
    await t.app.close();
    const created = await cli(['policies', 'create', 'typo', '--file', file('typo.json', typo)], embedded);
    expect(created.code).toBe(2);
    expect(created.stderr).toMatch(/^attest: error POLICY_INVALID: Statement 0: "model:Aprove" is not an action Attest exposes/);
    expect(created.stderr.split('\n')).toHaveLength(1);
    expect((await cli(['policies', 'describe', 'typo'], embedded)).code).toBe(4);

    expect((await cli(['policies', 'create', 'guard', '--file', file('good.json', good)], embedded)).code).toBe(0);
    const wildcard = await cli(['policies', 'update', 'guard', '--file', file('wild.json', { Version: '2025-01-01', Statement: [{ Effect: 'Deny', Action: 'registry:*', Resource: '*' }] })], embedded);
    expect(wildcard.code).toBe(2);
    expect(wildcard.stderr).toMatch(/^attest: error POLICY_INVALID: Statement 0: "registry:\*" matches no action Attest exposes/);
    expect(JSON.parse((await cli(['policies', 'describe', 'guard', '--json'], embedded)).stdout)).toMatchObject({ version: 1, document: good });

    const role = await cli(['roles', 'create', 'typo-role', '--scope', 'installation', '--file', join(dir, 'typo.json')], embedded);
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/POLICY_INVALID.*model:Aprove/);
  });

  it('embedded: policy simulate shows the separation-of-duties denial of a checker action', async () => {
    expect((await cli(['users', 'create', 'vic', '--service'], embedded)).code).toBe(0);
    expect((await cli(['roles', 'assign', 'model-validator', '--user', 'vic', '--project', 'default'], embedded)).code).toBe(0);
    const sim = await cli(['policy', 'simulate', '--principal', 'vic', '--action', 'model:Reject', '--resource', 'attest:default:model/mp_1', '--context', 'ResourceCreator=dana', '--context', 'ResourceMakers=vic'], embedded);
    expect(sim.code).toBe(0);
    expect(sim.stdout.split('\n').slice(0, 4)).toEqual([
      'DENIED (separation of duties: the maker cannot be the checker)',
      '  action:      model:Reject',
      '  resource:    attest:default:model/mp_1',
      '  decided by:  separation of duties: vic made attest:default:model/mp_1 or something it was derived from and cannot perform model:Reject on it (maker ≠ checker)',
    ]);
  });

  it('against a server: the same refusals, and no principal changes its own permissions', async () => {
    const app = await t.reopen();
    server = await buildServer(app, { controls: { enabled: false } });
    await server.listen({ port: 0, host: '127.0.0.1' });
    const password = /password: (\S+)/.exec(readFileSync(join(t.home, INITIAL_ADMIN_FILE), 'utf8'))![1]!;
    remote = { ...t.env, ATTEST_URL: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`, ATTEST_CREDENTIALS_FILE: join(dir, 'credentials.json'), ATTEST_PASSWORD: password };
    delete remote.ATTEST_TOKEN;
    expect((await cli(['login', '--user', 'admin'], remote)).code).toBe(0);

    const created = await cli(['policies', 'create', 'typo', '--file', join(dir, 'typo.json')], remote);
    expect(created.code).toBe(2);
    expect(created.stderr).toMatch(/^attest: error POLICY_INVALID: .*"model:Aprove"/);

    const self = await cli(['roles', 'assign', 'auditor', '--user', 'admin'], remote);
    expect(self.code).toBe(3);
    expect(self.stderr).toMatch(/^attest: error PERMISSION_BOUNDARY: user:admin cannot change its own permissions/);
    const attach = await cli(['policies', 'attach', 'guard', '--user', 'admin'], remote);
    expect(attach.code).toBe(3);
    expect(attach.stderr).toMatch(/^attest: error PERMISSION_BOUNDARY/);
    expect(JSON.parse((await cli(['policies', 'describe', 'guard', '--json'], remote)).stdout).attachments).toEqual([]);
  });
});

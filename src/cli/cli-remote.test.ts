/**
 * The CLI against a server: login stores an owner-only token, identity and access commands, policy
 * simulate, the artifact/keys/audit commands in remote mode, documented exit codes; and
 * `attest server` as a real process on a fresh home answering 401 on every documented route.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, spawnCli } from '../../test/support/cli.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation } from '../../test/support/test-app.js';
import { INITIAL_ADMIN_FILE } from '../app/index.js';
import { buildServer } from '../server/index.js';

describe('CLI in remote mode', () => {
  let t: TestInstallation;
  let server: FastifyInstance;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let url: string;

  beforeAll(async () => {
    t = await createTestInstallation('sqlite', 'fs');
    server = await buildServer(t.app, { controls: { enabled: false } });
    await server.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'attest-cli-remote-'));
    const password = /password: (\S+)/.exec(readFileSync(join(t.home, INITIAL_ADMIN_FILE), 'utf8'))![1]!;
    env = { ...t.env, ATTEST_URL: url, ATTEST_CREDENTIALS_FILE: join(dir, 'credentials.json'), ATTEST_PASSWORD: password };
    delete env.ATTEST_TOKEN;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await t?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('login stores the session token owner-only; whoami shows the administrator', async () => {
    const login = await cli(['login', '--user', 'admin'], env);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain('as user:admin');
    expect(statSync(env.ATTEST_CREDENTIALS_FILE!).mode & 0o777).toBe(0o600);
    const who = await cli(['whoami', '--json'], env);
    expect(JSON.parse(who.stdout)).toMatchObject({ principal: 'user:admin', authMethod: 'password', roles: [{ role: 'administrator' }] });
  });

  it('manages users, projects, roles, policies and tokens; simulate prints the deciding statement', async () => {
    expect((await cli(['users', 'create', 'dsci', '--service'], env)).code).toBe(0);
    expect((await cli(['projects', 'add-member', 'default', '--user', 'dsci', '--role', 'data-scientist'], env)).code).toBe(0);
    const members = await cli(['projects', 'members', 'default'], env);
    expect(members.stdout).toMatch(/user:dsci\s+data-scientist\s+default/);
    const policyFile = join(dir, 'guard.json');
    writeFileSync(policyFile, JSON.stringify({ Version: '2025-01-01', Statement: [{ Sid: 'OfficeOnly', Effect: 'Deny', Action: '*', Resource: '*', Condition: { NotIpAddress: { 'attest:SourceIp': '10.0.0.0/8' } } }] }));
    expect((await cli(['policies', 'create', 'office-only', '--file', policyFile], env)).code).toBe(0);
    expect((await cli(['policies', 'attach', 'office-only', '--user', 'dsci'], env)).code).toBe(0);

    const outside = await cli(['policy', 'simulate', '--principal', 'dsci', '--action', 'model:Train', '--resource', 'attest:default:model/m1', '--context', 'SourceIp=192.0.2.7'], env);
    expect(outside.code).toBe(0);
    expect(outside.stdout).toMatch(/^DENIED \(explicit deny\)/);
    expect(outside.stdout).toContain('decided by:  statement 0 "OfficeOnly" (Deny) of policy "policy/office-only@v1"');
    const inside = await cli(['policy', 'simulate', '--principal', 'dsci', '--action', 'model:Train', '--resource', 'attest:default:model/m1', '--context', 'SourceIp=10.2.3.4'], env);
    expect(inside.stdout).toMatch(/^ALLOWED/);
    expect(inside.stdout).toContain('"ModelDevelopment"');
    // The same question on the embedded home gives the same answer.
    const embedded = await cli(['policy', 'simulate', '--principal', 'dsci', '--action', 'model:Train', '--resource', 'attest:default:model/m1', '--context', 'SourceIp=192.0.2.7'], { ...env, ATTEST_URL: '' });
    expect(embedded.stdout).toBe(outside.stdout);

    const token = await cli(['tokens', 'create', 'ci', '--user', 'dsci', '--days', '7'], env);
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^attest_[a-z2-7]{8}_[a-z2-7]{52}$/);
    const dsEnv = { ...env, ATTEST_TOKEN: token.stdout.trim() };
    const denied = await cli(['users', 'list'], dsEnv);
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/^attest: error ACCESS_DENIED: Not authorised to perform user:List/);
    expect((await cli(['audit', 'list'], dsEnv)).code).toBe(3);
  });

  it('artifact, keys and audit commands work through the server with the same output as on the home', async () => {
    const file = join(dir, 'model.bin');
    writeFileSync(file, Buffer.from('remote-marker-7f3a '.repeat(1000)));
    const put = await cli(['artifact', 'put', file, '--name', 'model'], env);
    expect(put.code, put.stderr).toBe(0);
    const id = put.stdout.trim();
    expect(id).toMatch(/^art_/);
    const out = join(dir, 'back.bin');
    const get = await cli(['artifact', 'get', id, '--out', out], env);
    expect(get.code, get.stderr).toBe(0);
    expect(readFileSync(out)).toEqual(readFileSync(file));
    const remoteKeys = await cli(['keys', 'list'], env);
    const embeddedKeys = await cli(['keys', 'list'], { ...env, ATTEST_URL: '' });
    expect(remoteKeys.stdout).toBe(embeddedKeys.stdout);
    const describe = await cli(['artifact', 'describe', 'model', '--json'], env);
    expect(JSON.parse(describe.stdout)).toMatchObject({ artifactId: id, createdBy: 'user:admin' });
    const verify = await cli(['audit', 'verify'], env);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^audit ledger OK/);
    const list = await cli(['audit', 'list', '--action', 'artifact:Put', '--json'], env);
    expect((JSON.parse(list.stdout) as { principal: string }[]).at(-1)?.principal).toBe('user:admin');
    const history = await cli(['config', 'history', '--type', 'policy-attachment'], env);
    expect(history.stdout).toContain('user:dsci');
  });

  it('logout ends the session and forgets the token; later commands exit 3', async () => {
    expect((await cli(['logout'], env)).code).toBe(0);
    expect(existsSync(env.ATTEST_CREDENTIALS_FILE!)).toBe(false);
    const who = await cli(['whoami'], env);
    expect(who.code).toBe(3);
    expect(who.stderr).toMatch(/Not logged in/);
    const wrong = await cli(['login', '--user', 'admin'], { ...env, ATTEST_PASSWORD: 'definitely-not-it' });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/INVALID_CREDENTIALS/);
  });
});

describe('attest server as a process', () => {
  it('serves a fresh home; every documented route but health, login and the document answers 401; SIGTERM shuts down', async () => {
    const home = mkdtempSync(join(tmpdir(), 'attest-server-home-'));
    const env: NodeJS.ProcessEnv = { ...process.env, ATTEST_HOME: home };
    delete env.ATTEST_DB_URL;
    delete env.ATTEST_STORE_URL;
    try {
      expect((await cli(['init', '--home', home], env)).code).toBe(0);
      const child = spawnCli(['server', '--home', home, '--port', '0', '--log-level', 'warn'], env);
      const line = await new Promise<string>((resolve, reject) => {
        const rl = createInterface({ input: child.stdout! });
        rl.on('line', (l) => l.includes('listening on') && resolve(l));
        child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
      });
      const base = /listening on (\S+)/.exec(line)![1]!;
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${base}/health`)).status).toBe(200);
      const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      let checked = 0;
      for (const [path, methods] of Object.entries(doc.paths)) {
        for (const method of Object.keys(methods)) {
          if ((path === '/health' && method === 'get') || (path === '/v1/login' && method === 'post')) continue;
          const response = await fetch(`${base}${path.replace(/\{[^}]+\}/g, 'x')}`, { method: method.toUpperCase() });
          expect(response.status, `${method} ${path}`).toBe(401);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(50);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 90_000);
});

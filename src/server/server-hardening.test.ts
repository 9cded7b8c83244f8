/**
 * Hardening: secrets never reach the log, login is rate-limited, and a presigned URL dies with its
 * signer's access.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';
import { TEST_ACTOR } from '../../test/support/test-app.js';
import { buildServer } from './index.js';

describe('hardening', () => {
  let f: ServerFixture;
  beforeAll(async () => {
    f = await startServerFixture();
  }, 60_000);
  afterAll(async () => f?.dispose());

  it('structured logs carry request ids but never the Authorization header, passwords or tokens', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const server = await buildServer(f.t.app, { logger: { level: 'debug', stream }, controls: { enabled: false } });
    try {
      const token = await f.principal('logged', [{ role: 'viewer', project: 'default' }]);
      await server.inject({ method: 'GET', url: '/v1/whoami', headers: { authorization: `Bearer ${token}` } });
      await server.inject({ method: 'POST', url: '/v1/login', payload: { username: 'logged', password: 'Sup3r-Secret-Passphrase' } });
      const log = lines.join('');
      expect(log).toContain('"reqId":"req_');
      expect(log).not.toContain(token);
      expect(log).not.toContain(token.slice(0, 20));
      expect(log).not.toContain('Sup3r-Secret-Passphrase');
    } finally {
      await server.close();
    }
  });

  it('rate-limits login attempts per client address', async () => {
    const server = await buildServer(f.t.app, { loginRateLimit: 3, controls: { enabled: false } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await server.inject({ method: 'POST', url: '/v1/login', payload: { username: 'nobody', password: 'whatever-it-is' } })).statusCode);
      expect(codes).toEqual([401, 401, 401, 429]);
      const limited = await server.inject({ method: 'POST', url: '/v1/login', payload: { username: 'nobody', password: 'whatever-it-is' } });
      expect(limited.json().error.code).toBe('RATE_LIMITED');
    } finally {
      await server.close();
    }
  });

  it("a presigned URL stops working when its signer loses access or is locked", async () => {
    const token = await f.principal('signer', [{ role: 'data-scientist', project: 'default' }]);
    const headers = { authorization: `Bearer ${token}` };
    const put = await f.server.inject({ method: 'POST', url: '/v1/projects/default/artifacts', payload: Buffer.from('report'), headers: { ...headers, 'content-type': 'application/octet-stream' } });
    const id = put.json().artifactId as string;
    const { url } = (await f.server.inject({ method: 'POST', url: `/v1/projects/default/artifacts/${id}/presign`, headers })).json() as { url: string };
    expect((await f.server.inject({ method: 'GET', url })).statusCode).toBe(200);
    await f.t.app.identity.access.unassignRole(TEST_ACTOR, { subjectType: 'user', subject: 'signer', role: 'data-scientist', project: 'default' });
    expect((await f.server.inject({ method: 'GET', url })).statusCode).toBe(403);
    await f.t.app.identity.access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: 'signer', role: 'data-scientist', project: 'default' });
    expect((await f.server.inject({ method: 'GET', url })).statusCode).toBe(200);
    await f.t.app.identity.users.lock(TEST_ACTOR, 'signer', null, 'test');
    expect((await f.server.inject({ method: 'GET', url })).statusCode).toBe(401);
  });
});

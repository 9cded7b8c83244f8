/**
 * Deny by default over the whole API: every route in the route table and every path and method in
 * /openapi.json answers 401 without a token; a revoked token is refused on its next request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';

// The console's static files are public and not in the document (they are not API).
const PUBLIC = new Set(['GET /health', 'POST /v1/login', 'GET /openapi.json', 'GET /console/*']);

describe('authentication on every route', () => {
  let f: ServerFixture;
  beforeAll(async () => {
    f = await startServerFixture();
  });
  afterAll(async () => f?.dispose());

  it('the route table: every non-public route names a catalogue action and answers 401 without a token', async () => {
    const secured = f.server.attestRoutes.filter((r) => !r.public);
    expect(secured.length).toBeGreaterThan(50);
    for (const route of secured) {
      // Mounted plugin routes (tracking, MLflow — also under the /projects/{p} prefix) authorise
      // each request in their handler.
      if (/^(\/projects\/[^/]+)?\/api\//.test(route.url)) expect(route.action, route.url).toBeNull();
      else expect(route.action, route.url).toMatch(/^[a-z]+:[A-Z][A-Za-z]+$/);
      const url = route.url.replace(/:([a-zA-Z]+)/g, 'x');
      const response = await f.server.inject({ method: route.method as 'GET', url, payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(401);
      // MLflow-compatible routes answer in MLflow's error shape ({ error_code, message }).
      const body = response.json() as { error?: { code: string }; error_code?: string };
      expect(body.error?.code ?? body.error_code, `${route.method} ${route.url}`).toMatch(/UNAUTHENTICATED/);
      expect(response.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('/openapi.json: every path and method except health, login and the document answers 401 without a token, or with a bogus one', async () => {
    const doc = (await f.server.inject({ method: 'GET', url: '/openapi.json' })).json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    let checked = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        const key = `${method.toUpperCase()} ${path}`;
        if (PUBLIC.has(key)) continue;
        const url = path.replace(/\{[^}]+\}/g, 'x');
        for (const headers of [{}, { authorization: 'Bearer attest_aaaaaaaa_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }, { authorization: 'Basic YWRtaW46YWRtaW4=' }]) {
          const response = await f.server.inject({ method: method.toUpperCase() as 'GET', url, headers });
          expect(response.statusCode, key).toBe(401);
        }
        checked++;
      }
    }
    // The route table and the document agree (the presigned download is public in the table: its signature is the credential).
    expect(checked).toBe(f.server.attestRoutes.filter((r) => !PUBLIC.has(`${r.method} ${r.url}`)).length);
  });

  it('every documented route has request and response schemas', async () => {
    const doc = (await f.server.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { responses?: Record<string, unknown>; security?: unknown }>>; components: { securitySchemes: Record<string, unknown> } };
    expect(doc.components.securitySchemes.bearer).toBeDefined();
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        // The tracking plugins (mounted under /api/) declare request schemas only.
        if (!path.startsWith('/api/')) expect(op.responses?.['200'], `${method} ${path}`).toBeDefined();
        if (!path.startsWith('/health') && path !== '/v1/login' && !path.startsWith('/v1/presigned')) expect(op.security, `${method} ${path}`).toEqual([{ bearer: [] }]);
      }
    }
  });

  it('a revoked token is refused on its next request, and so is an expired one', async () => {
    const token = await f.principal('revokee', [{ role: 'viewer', project: 'default' }]);
    const headers = { authorization: `Bearer ${token}` };
    expect((await f.server.inject({ method: 'GET', url: '/v1/whoami', headers })).statusCode).toBe(200);
    const prefix = token.split('_')[1]!;
    const revoke = await f.server.inject({ method: 'DELETE', url: `/v1/users/revokee/tokens/${prefix}`, headers });
    expect(revoke.statusCode).toBe(200);
    const after = await f.server.inject({ method: 'GET', url: '/v1/whoami', headers });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('TOKEN_REVOKED');

    const { token: shortLived } = await f.t.app.identity.tokens.create({ principal: 'user:tester' }, { owner: 'revokee', name: 'short', lifetimeMs: 1 });
    await new Promise((r) => setTimeout(r, 5));
    const expired = await f.server.inject({ method: 'GET', url: '/v1/whoami', headers: { authorization: `Bearer ${shortLived}` } });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('TOKEN_EXPIRED');
  });

  it('sets request ids and security headers, and limits JSON bodies', async () => {
    const response = await f.server.inject({ method: 'GET', url: '/health' });
    expect(response.headers['x-request-id']).toMatch(/^req_/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    const big = await f.server.inject({ method: 'POST', url: '/v1/login', payload: { username: 'x', password: 'y'.repeat(2 * 1024 * 1024) } });
    expect(big.statusCode).toBe(413);
  });

  it("nobody mints a user's tokens but that user; service principals' tokens are minted by administrators", async () => {
    const admin = await f.principal('minter', [{ role: 'administrator' }]);
    const victim = await f.principal('victim', []);
    await f.t.app.identity.users.create({ principal: 'user:tester' }, { name: 'pipeline', kind: 'service' });
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    const stolen = await f.server.inject({ method: 'POST', url: '/v1/users/victim/tokens', payload: { name: 'x' }, headers: as(admin) });
    expect(stolen.statusCode).toBe(403);
    expect((await f.t.app.ledger.list({ action: 'token:Create', outcome: 'denied', principal: 'user:minter' })).length).toBe(1);
    expect((await f.server.inject({ method: 'POST', url: '/v1/users/pipeline/tokens', payload: { name: 'ci', expiresInDays: 30 }, headers: as(admin) })).statusCode).toBe(200);
    const own = await f.server.inject({ method: 'POST', url: '/v1/users/victim/tokens', payload: { name: 'laptop', scope: 'read-only' }, headers: as(victim) });
    expect(own.statusCode).toBe(200);
    expect(own.json().details).toMatchObject({ owner: 'victim', scope: 'read-only' });
  });

  it('bad input gets 400 INVALID_INPUT naming the field, and changes nothing', async () => {
    const admin = await f.principal('validator-admin', [{ role: 'administrator' }]);
    const before = (await f.t.app.identity.users.list()).length;
    const r = await f.server.inject({ method: 'POST', url: '/v1/users', payload: { name: 'Not Valid!', kind: 'robot' }, headers: { authorization: `Bearer ${admin}` } });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('INVALID_INPUT');
    expect(r.json().error.message).toMatch(/name/);
    expect((await f.t.app.identity.users.list()).length).toBe(before);
    const unknown = await f.server.inject({ method: 'GET', url: '/v1/nothing-here', headers: { authorization: `Bearer ${admin}` } });
    expect(unknown.statusCode).toBe(404);
  });

  it('logout ends the session', async () => {
    const token = await f.principal('leaver', []);
    const headers = { authorization: `Bearer ${token}` };
    expect((await f.server.inject({ method: 'POST', url: '/v1/logout', headers })).statusCode).toBe(200);
    expect((await f.server.inject({ method: 'GET', url: '/v1/whoami', headers })).statusCode).toBe(401);
  });
});

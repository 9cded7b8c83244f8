/**
 * How `attest server` serves the console: the built files by exact name with a 'self'-only
 * policy and immutable caching for hashed assets, the page for any other console path, a 404 for
 * a missing asset or a path that tries to leave the folder, a clear 404 when nothing was built;
 * and the one route the console added, `my-permissions`, which answers the checker decisions
 * for the caller (the maker is told why not) and is audited like every read.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryWorld } from '../../test/support/registry-scenario.js';
import { PROJECT, registryWorld } from '../../test/support/registry-scenario.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation } from '../../test/support/test-app.js';
import { HttpRegistryTransport } from '../registry/index.js';
import { buildServer } from '../server/index.js';
import { CONSOLE_CSP } from './index.js';

describe('console files and the permissions route', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attest-console-build-'));
  let t: TestInstallation;
  let w: RegistryWorld;
  let server: FastifyInstance;
  let bare: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, '..', `${dir.split('/').pop()}-secret.txt`), 'outside');
    t = await createTestInstallation('sqlite', 'fs');
    w = await registryWorld(t.app, t.home);
    server = await buildServer(t.app, { controls: { enabled: false }, consoleDir: dir });
    base = await server.listen({ host: '127.0.0.1', port: 0 });
    bare = await buildServer(t.app, { controls: { enabled: false }, consoleDir: join(dir, 'not-built') });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await bare?.close();
    await t?.dispose();
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(dir, '..', `${dir.split('/').pop()}-secret.txt`), { force: true });
  });

  it('serves the build same-origin with a self-only policy and no token', async () => {
    const page = await server.inject({ method: 'GET', url: '/console/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).not.toMatch(/unsafe|https?:|\*/);
    expect(page.headers['cache-control']).toBe('no-cache');
    const asset = await server.inject({ method: 'GET', url: '/console/assets/index-abc123.js' });
    expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
    expect(asset.headers['cache-control']).toMatch(/immutable/);
    expect((await server.inject({ method: 'GET', url: '/console' })).headers.location).toBe('/console/');
    // A console path the browser routes gets the page; a missing file does not.
    expect((await server.inject({ method: 'GET', url: '/console/models/credit-default%401' })).body).toMatch(/<title>console/);
    expect((await server.inject({ method: 'GET', url: '/console/assets/gone-123.js' })).statusCode).toBe(404);
    expect((await server.inject({ method: 'GET', url: '/console/favicon.ico' })).statusCode).toBe(404);
    const secret = `${dir.split('/').pop()}-secret.txt`;
    for (const url of [`/console/../${secret}`, `/console/%2e%2e/${secret}`, `/console/..%2f${secret}`, '/console/..%2f..%2fetc%2fpasswd']) {
      const r = await server.inject({ method: 'GET', url });
      expect(r.body, url).not.toMatch(/outside|root:/);
    }
    // The API keeps its own strict policy.
    expect((await server.inject({ method: 'GET', url: '/health' })).headers['content-security-policy']).toMatch(/default-src 'none'/);
    const missing = await bare.inject({ method: 'GET', url: '/console/' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'NOT_FOUND', message: expect.stringMatching(/not built/) } });
  });

  it('my-permissions: the maker is told why not, the validator may decide; unauthenticated is 401; the read is audited', async () => {
    const trained = await w.trainModel(5);
    await new HttpRegistryTransport({ baseUrl: base, token: w.tokens.dana! }).register(PROJECT, { group: 'console-model', model: trained.ref });
    const ask = async (name: string) => {
      const r = await server.inject({ method: 'GET', url: `/v1/projects/${PROJECT}/model-versions/console-model@1/my-permissions`, headers: { authorization: `Bearer ${w.tokens[name]}` } });
      expect(r.statusCode, name).toBe(200);
      return Object.fromEntries((r.json() as { action: string; allowed: boolean; reason: string | null }[]).map((p) => [p.action, p]));
    };
    const dana = await ask('dana');
    expect(dana['model:Approve']).toMatchObject({ allowed: false, reason: expect.stringMatching(/dana created .*maker ≠ checker/) });
    expect(dana['validation:SignOff']?.allowed).toBe(false);
    const victor = await ask('victor');
    for (const a of ['model:Approve', 'model:Reject', 'validation:SignOff']) expect(victor[a], a).toEqual({ action: a, allowed: true, reason: null });
    const emil = await ask('emil');
    expect(emil['model:Approve']).toMatchObject({ allowed: false, reason: expect.stringMatching(/model:Approve|denied by/) });
    // Asking is not deciding: no approval was attempted, so no denial was recorded for dana.
    expect((await t.app.ledger.list({ action: 'model:Approve', principal: 'user:dana' })).length).toBe(0);
    expect((await t.app.ledger.list({ action: 'model:Describe', principal: 'user:dana' })).some((e) => e.outcome === 'allowed')).toBe(true);
    expect((await server.inject({ method: 'GET', url: `/v1/projects/${PROJECT}/model-versions/console-model@1/my-permissions` })).statusCode).toBe(401);
  });

  it('datasets: the list with schemas and a version\'s stored profile, for those who may describe datasets', async () => {
    const get = (url: string, name?: string) => server.inject({ method: 'GET', url, ...(name ? { headers: { authorization: `Bearer ${w.tokens[name]}` } } : {}) });
    const list = await get(`/v1/projects/${PROJECT}/datasets`, 'dana');
    expect(list.statusCode).toBe(200);
    const train = (list.json() as { name: string; version: number; rowCount: number; schema: { columns: unknown[] } }[]).find((d) => d.name === 'credit-train')!;
    expect(train.rowCount).toBeGreaterThan(0);
    expect(train.schema.columns.length).toBeGreaterThan(1);
    const profile = await get(`/v1/projects/${PROJECT}/datasets/credit-train@${train.version}/profile`, 'victor');
    expect(profile.statusCode).toBe(200);
    const body = profile.json() as { dataset: { name: string }; profile: { rowCount: number; columns: { name: string }[] } };
    expect(body.profile.rowCount).toBe(train.rowCount);
    expect(body.profile.columns.length).toBe(train.schema.columns.length);
    expect((await get(`/v1/projects/${PROJECT}/datasets/credit-train@99/profile`, 'dana')).statusCode).toBe(404);
    expect((await get(`/v1/projects/${PROJECT}/datasets/..%2Fx/profile`, 'dana')).statusCode).toBe(400);
    expect((await get(`/v1/projects/${PROJECT}/datasets`)).statusCode).toBe(401);
    const reads = await t.app.ledger.list({ action: 'dataset:Describe', principal: 'user:victor' });
    expect(reads.some((e) => e.resource === `attest:${PROJECT}:dataset/credit-train` && e.outcome === 'allowed')).toBe(true);
  });
});

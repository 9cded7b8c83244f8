/**
 * MLflow's Model Registry API on the real `attest` server, on SQLite and PostgreSQL: stored
 * policies, API tokens and the audit ledger. Approval stays Attest's (maker ≠ checker): a stage
 * transition MLflow would allow but policy denies is PERMISSION_DENIED (403) — the maker promoting
 * their own unapproved version is refused by the separation-of-duties rule, a data scientist may
 * not deploy — and an evidence-gate refusal is INVALID_STATE listing the missing evidence.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../../test/support/databases.js';
import type { RegistryWorld } from '../../test/support/registry-scenario.js';
import { PROJECT, registryWorld } from '../../test/support/registry-scenario.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation } from '../../test/support/test-app.js';
import { buildServer } from './index.js';

describe.each(testDialects())('MLflow registry API on the attest server (%s)', (dialect) => {
  let t: TestInstallation;
  let w: RegistryWorld;
  let server: FastifyInstance;
  let base = '';

  beforeAll(async () => {
    t = await createTestInstallation(dialect, 'fs');
    w = await registryWorld(t.app, t.home);
    server = await buildServer(t.app, { controls: { pollMs: 60_000, verifyEveryMs: 0 } });
    base = await server.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await t?.dispose();
  });

  const call = async (who: string, method: string, op: string, body?: Record<string, unknown>) => {
    const query = method === 'GET' && body ? `?${new URLSearchParams(body as Record<string, string>)}` : '';
    const res = await fetch(`${base}/projects/${PROJECT}/api/2.0/mlflow/${op}${query}`, {
      method,
      headers: { Authorization: `Bearer ${w.tokens[who]}`, ...(method !== 'GET' && body ? { 'content-type': 'application/json' } : {}) },
      ...(method !== 'GET' && body ? { body: JSON.stringify(body) } : {}),
    });
    // biome-ignore lint/suspicious/noExplicitAny: bodies are asserted field by field against MLflow's shapes.
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  const attest = (who: string, path: string, body: unknown) =>
    fetch(`${base}/v1/projects/${PROJECT}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${w.tokens[who]}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('registers through MLflow, keeps approval with Attest, and answers a denied transition with PERMISSION_DENIED', async () => {
    const trained = await w.trainModel(31);
    const created = await call('dana', 'POST', 'model-versions/create', { name: 'credit-default', source: trained.ref, run_id: trained.componentId, description: 'from MLflow' });
    expect(created.status).toBe(200);
    expect(created.json.model_version).toMatchObject({ name: 'credit-default', version: '1', current_stage: 'None', status: 'READY', user_id: 'user:dana', run_id: trained.componentId });
    expect((await call('emil', 'POST', 'model-versions/create', { name: 'credit-default', source: trained.ref })).json.error_code).toBe('PERMISSION_DENIED');

    // The maker (who also holds the validator role) cannot promote her own unapproved version.
    const mine = await call('dana', 'POST', 'model-versions/transition-stage', { name: 'credit-default', version: '1', stage: 'Production', archive_existing_versions: false });
    expect(mine.status).toBe(403);
    expect(mine.json).toMatchObject({ error_code: 'PERMISSION_DENIED', attest_code: 'SEPARATION_OF_DUTIES' });
    const denied = await t.app.ledger.list({ principal: 'user:dana', action: 'model:Approve', outcome: 'denied' });
    expect(denied.some((e) => e.resource === `attest:${PROJECT}:model/credit-default/1`)).toBe(true);
    // The engineer may not approve either; the validator is told a transition never approves.
    expect((await call('emil', 'POST', 'model-versions/transition-stage', { name: 'credit-default', version: '1', stage: 'Production', archive_existing_versions: false })).json.error_code).toBe('PERMISSION_DENIED');
    const pending = await call('victor', 'POST', 'model-versions/transition-stage', { name: 'credit-default', version: '1', stage: 'Staging', archive_existing_versions: false });
    expect(pending.json.error_code).toBe('INVALID_STATE');
    expect(pending.json.message).toMatch(/attest models approve credit-default@1/);

    expect((await attest('victor', '/model-versions/credit-default@1/approve', { comment: 'independently validated' })).status).toBe(200);
    const status = await call('dana', 'GET', 'model-versions/get', { name: 'credit-default', version: '1' });
    expect(status.json.model_version.tags).toEqual(expect.arrayContaining([{ key: 'attest.approval_status', value: 'Approved' }]));
    // Approved, but deploying is not the data scientist's to do.
    expect((await call('dana', 'POST', 'model-versions/transition-stage', { name: 'credit-default', version: '1', stage: 'Production', archive_existing_versions: false })).json.error_code).toBe('PERMISSION_DENIED');
    const live = await call('emil', 'POST', 'model-versions/transition-stage', { name: 'credit-default', version: '1', stage: 'Production', archive_existing_versions: true });
    expect(live.status).toBe(200);
    expect(live.json.model_version).toMatchObject({ current_stage: 'Production', aliases: ['production'] });
    const moves = await t.app.ledger.list({ principal: 'user:emil', action: 'model:Deploy', outcome: 'allowed' });
    expect(moves.length).toBeGreaterThan(0);
    const model = await call('dana', 'GET', 'registered-models/get', { name: 'credit-default' });
    expect(model.json.registered_model.aliases).toEqual([{ alias: 'production', version: '1' }]);
    const reads = await t.app.ledger.list({ principal: 'user:dana', action: 'model:Describe' });
    expect(reads.some((e) => e.resource === `attest:${PROJECT}:model/credit-default`)).toBe(true);
    // Replacing it and archiving the old one needs model:Register too, which the engineer lacks: nothing moves.
    const second = await w.trainModel(33);
    await call('dana', 'POST', 'model-versions/create', { name: 'credit-default', source: second.ref });
    expect((await attest('victor', '/model-versions/credit-default@2/approve', { comment: 'validated too' })).status).toBe(200);
    const replace = await call('emil', 'POST', 'model-versions/transition-stage', { name: 'credit-default', version: '2', stage: 'Production', archive_existing_versions: true });
    expect(replace.json.error_code).toBe('PERMISSION_DENIED');
    expect((await call('emil', 'GET', 'registered-models/alias', { name: 'credit-default', alias: 'production' })).json.model_version.version).toBe('1');
    expect((await t.app.verifyAudit()).ok).toBe(true);
  });

  it('refuses promotion on missing evidence with INVALID_STATE naming what is missing', async () => {
    const trained = await w.trainModel(32);
    expect((await call('dana', 'POST', 'registered-models/create', { name: 'tier-two' })).status).toBe(200);
    const tier = await fetch(`${base}/v1/projects/${PROJECT}/model-groups/tier-two`, { method: 'PUT', headers: { Authorization: `Bearer ${w.tokens.dana}`, 'content-type': 'application/json' }, body: JSON.stringify({ riskTier: 2 }) });
    expect(tier.status).toBe(200);
    await call('dana', 'POST', 'model-versions/create', { name: 'tier-two', source: trained.ref });
    expect((await attest('victor', '/model-versions/tier-two@1/approve', { comment: 'ok' })).status).toBe(200);
    const refused = await call('emil', 'POST', 'model-versions/transition-stage', { name: 'tier-two', version: '1', stage: 'Production', archive_existing_versions: false });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ error_code: 'INVALID_STATE', attest_code: 'EVIDENCE_MISSING' });
    expect(refused.json.message).toMatch(/validation signed off/);
    expect(refused.json.message).toMatch(/explanation-report attached/);
    expect((await call('emil', 'GET', 'model-versions/get', { name: 'tier-two', version: '1' })).json.model_version.current_stage).toBe('None');
  });

  it('authenticates every registry route and lets a reader read but not write', async () => {
    const anonymous = await fetch(`${base}/api/2.0/mlflow/registered-models/search`);
    expect(anonymous.status).toBe(401);
    expect((await call('victor', 'GET', 'registered-models/search', { filter: "name = 'credit-default'" })).json.registered_models).toHaveLength(1);
    expect((await call('victor', 'POST', 'registered-models/set-tag', { name: 'credit-default', key: 'k', value: 'v' })).json.error_code).toBe('PERMISSION_DENIED');
    expect((await call('dana', 'GET', 'registered-models/get', { name: 'no-such-model' })).json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});

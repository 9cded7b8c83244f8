/**
 * The registry over HTTP through the SDK's HTTP transport: registration, maker ≠ checker at the
 * route (403 SEPARATION_OF_DUTIES for the maker, audited as denied), approval by the independent
 * validator, evidence gate refusal listing what is missing (412), alias history by date, the
 * auditor's questions and the validation workspace; bad input is a 4xx with a stable code.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryWorld } from '../../test/support/registry-scenario.js';
import { PROJECT, registryWorld } from '../../test/support/registry-scenario.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation } from '../../test/support/test-app.js';
import { HttpRegistryTransport } from '../registry/index.js';
import { buildServer } from './index.js';

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code ?? String(e));

describe('registry HTTP API (SQLite)', () => {
  let t: TestInstallation;
  let w: RegistryWorld;
  let server: FastifyInstance;
  let base: string;
  const as = (name: string) => new HttpRegistryTransport({ baseUrl: base, token: w.tokens[name]! });

  beforeAll(async () => {
    t = await createTestInstallation('sqlite', 'fs');
    w = await registryWorld(t.app, t.home);
    server = await buildServer(t.app, { controls: { pollMs: 60_000, verifyEveryMs: 0 } });
    base = await server.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await t?.dispose();
  });

  it('registers, enforces maker ≠ checker and evidence gates, and answers the auditor', async () => {
    const trained = await w.trainModel(21);
    const v = await as('dana').register(PROJECT, { group: 'credit-default', model: trained.ref, riskTier: 2 });
    expect(v).toMatchObject({ version: 1, status: 'PendingManualApproval', provenance: 'component' });
    expect(await code(as('emil').register(PROJECT, { group: 'credit-default', model: trained.ref }))).toBe('ACCESS_DENIED');
    expect(await code(as('dana').register(PROJECT, { group: 'Bad Name', model: trained.ref }))).toBe('INVALID_INPUT');
    expect(await code(as('dana').approve(PROJECT, 'credit-default@1', 'my own'))).toBe('SEPARATION_OF_DUTIES');
    const denied = await t.app.ledger.list({ action: 'model:Approve', outcome: 'denied' });
    expect(denied.some((e) => e.resource === 'attest:credit:model/credit-default/1')).toBe(true);
    expect(await code(as('victor').approve(PROJECT, 'credit-default@9', 'x'))).toBe('MODEL_VERSION_NOT_FOUND');
    const d = await as('victor').approve(PROJECT, 'credit-default@1', 'independently validated');
    expect(d).toMatchObject({ decision: 'Approved', principal: 'user:victor', independence: { independent: true } });
    expect(await code(as('victor').approve(PROJECT, 'credit-default@1', 'again'))).toBe('MODEL_STATUS_CONFLICT');

    // Tier 2 needs a sign-off and an explanation report.
    const refused = await as('emil').setAlias(PROJECT, 'credit-default', 'production', { version: 1 }).catch((e: { code: string; details?: { missing?: string[] } }) => e);
    expect(refused).toMatchObject({ code: 'EVIDENCE_MISSING' });
    expect((refused as { details: { missing: string[] } }).details.missing.length).toBe(2);
    const finding = await as('victor').addFinding(PROJECT, 'credit-default@1', { title: 'Monotonicity not enforced', severity: 'medium' });
    await as('victor').updateFinding(PROJECT, 'credit-default@1', finding.findingId as string, { status: 'accepted', comment: 'business accepts' });
    expect(await code(as('dana').signOff(PROJECT, 'credit-default@1', { comment: 'mine' }))).toBe('SEPARATION_OF_DUTIES');
    await as('victor').signOff(PROJECT, 'credit-default@1', { comment: 'fit for purpose' });
    const explanation = await t.app.artifacts.putBytes(w.callers.dana.actor, Buffer.from('{"importance":{"meanAbsShap":[]}}'), { projectId: w.projectId, name: 'credit-explanation.json', mediaType: 'application/json' });
    await as('dana').attachEvidence(PROJECT, 'credit-default@1', { kind: 'explanation-report', ref: explanation.artifactId });
    expect((await as('emil').gates(PROJECT, 'credit-default@1')).passed).toBe(true);
    const moved = await as('emil').setAlias(PROJECT, 'credit-default', 'production', { version: 1, reason: 'go-live' });
    expect(moved).toMatchObject({ alias: 'production', version: 1, by: 'user:emil' });
    expect(await code(as('dana').setAlias(PROJECT, 'credit-default', 'loop', { alias: 'loop' }))).toBe('MODEL_ALIAS_INVALID');

    const at = await as('emil').aliasAt(PROJECT, 'credit-default', 'production', new Date(Date.now() + 1000).toISOString());
    expect(at.version?.version).toBe(1);
    expect((await as('emil').aliasAt(PROJECT, 'credit-default', 'production', '2020-01-01')).version).toBeNull();
    expect((await as('emil').aliasHistory(PROJECT, 'credit-default')).map((h) => h.alias)).toEqual(['production']);
    const prod = await as('emil').inProduction(PROJECT);
    expect(prod.map((p) => [p.group, p.version.version])).toEqual([['credit-default', 1]]);
    expect((await as('emil').decisions(PROJECT, 'credit-default@1'))[0]).toMatchObject({ principal: 'user:victor', independence: { independent: true } });
    const snap = await as('emil').evidenceAtApproval(PROJECT, 'credit-default@1');
    expect(snap.decision).toBe('Approved');
    const card = await as('emil').card(PROJECT, 'credit-default@1');
    expect(card).toMatchObject({ group: 'credit-default', version: 1, riskTier: 2, aliases: ['production'] });
    const ws = await as('emil').workspace(PROJECT, 'credit-default@1');
    expect((ws.findings as unknown[]).length).toBe(1);
  });
});

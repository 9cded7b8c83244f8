/**
 * The registry on SQLite and PostgreSQL: registration from recorded training (lineage, metrics,
 * signature) and of external models, hash verification at registration, maker ≠ checker on
 * approval (creator, lineage makers, optional same-group rule), status conflicts, aliases with
 * cycles refused, approved-only and gated aliases, override by a named role, and the alias history
 * answering "which version was production on a date, who moved it".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../../test/support/databases.js';
import type { RegistryWorld } from '../../test/support/registry-scenario.js';
import { PROJECT, registryWorld } from '../../test/support/registry-scenario.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';
import { listConfigChanges } from '../security/audit/index.js';
import { RegistryService, resolveApprovedModel } from './index.js';
import { resolveServingModel } from './serving-resolver.js';

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code ?? String(e));

for (const dialect of testDialects()) {
  describe(`model registry (${dialect})`, () => {
    let t: TestInstallation;
    let w: RegistryWorld;
    let clock = new Date('2026-09-01T09:00:00.000Z');
    let registry: RegistryService;

    beforeAll(async () => {
      t = await createTestInstallation(dialect, 'fs');
      w = await registryWorld(t.app, t.home);
      registry = new RegistryService(t.app, { now: () => clock });
    }, 120_000);

    afterAll(async () => {
      await t?.dispose();
    });

    it('registers a trained model with its lineage, metrics and signature, audited and in config history', async () => {
      const trained = await w.trainModel(1);
      const v = await registry.register(w.callers.dana, PROJECT, { group: 'credit-default', model: trained.ref, riskTier: 1, description: 'first' });
      expect(v).toMatchObject({ group: 'credit-default', version: 1, status: 'PendingManualApproval', provenance: 'component', sourceComponentId: trained.componentId, artifactId: trained.artifactId, createdBy: 'user:dana' });
      expect(v.metrics['test:auc']).toBe(0.8);
      expect(v.signature.features).toEqual([{ name: 'income', type: 'integer' }, { name: 'utilisation', type: 'fractional' }]);
      expect(v.signature.label).toBe('default');
      expect(v.signature.trainingData[0]).toMatchObject({ role: 'train', ref: 'credit-train@1' });
      const upstream = await t.app.lineage.upstream(v.versionId, { visibleProjects: [w.projectId] });
      expect(upstream.nodes.map((n) => n.id)).toEqual(expect.arrayContaining([trained.artifactId, trained.componentId]));
      const audit = await t.app.ledger.list({ action: 'model:Register' });
      expect(audit.some((e) => e.resource === 'attest:credit:model/credit-default/1' && e.outcome === 'allowed')).toBe(true);
      const changes = await listConfigChanges(t.app.db, { resourceType: 'model-version', resourceId: v.versionId });
      expect(changes.map((c) => c.change)).toEqual(['register']);
      expect((await registry.describeGroup(w.callers.dana, PROJECT, 'credit-default')).riskTier).toBe(1);
    });

    it('refuses a model whose artifact fails its hash check, and an unrecorded model unless declared external', async () => {
      const trained = await w.trainModel(2);
      const real = (await t.app.db.kysely.selectFrom('artifacts').select('sha256').where('id', '=', trained.artifactId).executeTakeFirstOrThrow()).sha256;
      await t.app.db.kysely.updateTable('artifacts').set({ sha256: 'f'.repeat(64) }).where('id', '=', trained.artifactId).execute();
      const before = await t.app.db.kysely.selectFrom('artifacts').select('id').execute();
      expect(await code(registry.register(w.callers.dana, PROJECT, { group: 'credit-default', model: trained.artifactId }))).toBe('ARTIFACT_INTEGRITY');
      expect((await registry.listVersions(w.callers.dana, PROJECT, 'credit-default')).length).toBe(1);
      expect((await t.app.db.kysely.selectFrom('artifacts').select('id').execute()).length).toBe(before.length);
      await t.app.db.kysely.updateTable('artifacts').set({ sha256: real }).where('id', '=', trained.artifactId).execute();

      const imported = await t.app.artifacts.putBytes(TEST_ACTOR, Buffer.from((await t.app.artifacts.getBytes(TEST_ACTOR, trained.artifactId, w.projectId)).bytes), { projectId: w.projectId, name: 'vendor-model', mediaType: 'application/json' });
      expect(await code(registry.register(w.callers.dana, PROJECT, { group: 'vendor', model: 'vendor-model@1' }))).toBe('MODEL_PROVENANCE_UNKNOWN');
      const ext = await registry.register(w.callers.dana, PROJECT, { group: 'vendor', model: imported.artifactId, provenance: 'external', label: 'default' });
      expect(ext).toMatchObject({ provenance: 'external', version: 1, sourceComponentId: null });
      expect(await code(registry.register(w.callers.dana, PROJECT, { group: 'credit-default', model: trained.ref, provenance: 'external' }))).toBe('INVALID_INPUT');
    });

    it('denies approval to the maker and to anyone in the lineage; an independent validator approves; decided versions stay decided', async () => {
      expect(await code(registry.approve(w.callers.dana, PROJECT, 'credit-default@1', { comment: 'looks good to me' }))).toBe('SEPARATION_OF_DUTIES');
      expect(await code(registry.approve(w.callers.victor, PROJECT, 'credit-default@1', { comment: '' }))).toBe('INVALID_INPUT');
      const denied = (await t.app.ledger.list({ action: 'model:Approve' })).filter((e) => e.outcome === 'denied');
      expect(denied.length).toBeGreaterThan(0);
      const d = await registry.approve(w.callers.victor, PROJECT, 'credit-default@1', { comment: 'validated: discriminatory power adequate' });
      expect(d).toMatchObject({ decision: 'Approved', principal: 'user:victor', version: 1 });
      expect(d.independence.independent).toBe(true);
      expect(d.independence.makers.map((m) => m.principal)).toEqual(expect.arrayContaining(['user:dana']));
      expect(await code(registry.approve(w.callers.victor, PROJECT, 'credit-default@1', { comment: 'again' }))).toBe('MODEL_STATUS_CONFLICT');
      expect(await code(registry.reject(w.callers.victor, PROJECT, 'credit-default@1', { comment: 'changed my mind' }))).toBe('MODEL_STATUS_CONFLICT');
      // The embedded operator is held to the same rule: the tester imported the vendor model and the training data.
      expect(await code(registry.approve({ actor: TEST_ACTOR }, PROJECT, 'vendor@1', { comment: 'ok' }))).toBe('SEPARATION_OF_DUTIES');
      expect(await code(registry.approve({ actor: { principal: 'os:someone-else' } }, PROJECT, 'vendor@1', { comment: 'independent operator' }))).toBe('ok');
      const trained = await w.trainModel(3);
      await registry.register({ actor: TEST_ACTOR }, PROJECT, { group: 'credit-default', model: trained.ref });
      expect(await code(registry.approve({ actor: TEST_ACTOR }, PROJECT, 'credit-default@2', { comment: 'mine' }))).toBe('SEPARATION_OF_DUTIES');
    });

    it('applies the same-group rule when the project turns it on', async () => {
      const settings = (await registry.getSettings(w.callers.emil, PROJECT)).settings;
      await registry.setSettings({ actor: TEST_ACTOR }, PROJECT, { ...settings, independence: { sameGroup: true, ignoreGroups: [] } });
      expect(await code(registry.reject(w.callers.rita, PROJECT, 'credit-default@2', { comment: 'same team' }))).toBe('SEPARATION_OF_DUTIES');
      await registry.setSettings({ actor: TEST_ACTOR }, PROJECT, { ...settings, independence: { sameGroup: false, ignoreGroups: [] } });
      const d = await registry.reject(w.callers.rita, PROJECT, 'credit-default@2', { comment: 'calibration is off' });
      expect(d.decision).toBe('Rejected');
      const history = await listConfigChanges(t.app.db, { resourceType: 'registry-settings' });
      expect(history.length).toBe(2);
    });

    it('moves aliases with checks: rejected and pending versions, cycles, evidence gates and override', async () => {
      expect(await code(registry.setAlias(w.callers.dana, PROJECT, 'credit-default', 'challenger', { version: 2 }))).toBe('MODEL_STATUS_CONFLICT');
      expect(await code(registry.setAlias(w.callers.dana, PROJECT, 'credit-default', 'Bad Alias', { version: 1 }))).toBe('INVALID_INPUT');
      expect(await code(registry.setAlias(w.callers.dana, PROJECT, 'credit-default', '3', { version: 1 }))).toBe('INVALID_INPUT');
      const trained = await w.trainModel(4, { auc: 0.79 });
      await registry.register(w.callers.dana, PROJECT, { group: 'credit-default', model: trained.ref });
      expect(await code(registry.setAlias(w.callers.dana, PROJECT, 'credit-default', 'champion', { version: 3 }))).toBe('MODEL_STATUS_CONFLICT');
      await registry.setAlias(w.callers.dana, PROJECT, 'credit-default', 'challenger', { version: 3 });
      await registry.setAlias(w.callers.dana, PROJECT, 'credit-default', 'champion', { version: 1 });
      await registry.setAlias(w.callers.dana, PROJECT, 'credit-default', 'best', { alias: 'champion' });
      expect(await code(registry.setAlias(w.callers.dana, PROJECT, 'credit-default', 'champion', { alias: 'best' }))).toBe('MODEL_ALIAS_INVALID');
      expect(await code(registry.setAlias(w.callers.dana, PROJECT, 'credit-default', 'best', { alias: 'best' }))).toBe('MODEL_ALIAS_INVALID');
      expect(await code(registry.removeAlias(w.callers.dana, PROJECT, 'credit-default', 'champion'))).toBe('MODEL_ALIAS_INVALID');
      expect((await registry.describeVersion(w.callers.dana, PROJECT, 'credit-default@best')).version).toBe(1);

      // Tier 1 gates: promotion to production lists everything missing, and changes nothing.
      const missing = await registry.setAlias(w.callers.emil, PROJECT, 'credit-default', 'production', { version: 1 }).catch((e: { code: string; details: { missing: string[] } }) => e);
      expect(missing).toMatchObject({ code: 'EVIDENCE_MISSING' });
      const list = (missing as { details: { missing: string[] } }).details.missing.join('\n');
      for (const needed of ['validation signed off', 'validation-report attached', 'bias-report attached', 'monitoring-baseline attached', 'explanation-report attached', 'model card field intendedUse']) expect(list).toContain(needed);
      expect(await code(registry.describeVersion(w.callers.emil, PROJECT, 'credit-default@production'))).toBe('MODEL_ALIAS_NOT_FOUND');
      // Override: only a named role, with a justification.
      expect(await code(registry.setAlias(w.callers.olga, PROJECT, 'credit-default', 'production', { version: 1, overrideJustification: 'regulatory deadline, evidence follows' }))).toBe('ACCESS_DENIED');
      const settings = (await registry.getSettings(w.callers.emil, PROJECT)).settings;
      await registry.setSettings({ actor: TEST_ACTOR }, PROJECT, { ...settings, override: { roles: ['model-risk-officer'] } });
      expect(await code(registry.setAlias(w.callers.emil, PROJECT, 'credit-default', 'production', { version: 1, overrideJustification: 'regulatory deadline, evidence follows' }))).toBe('ACCESS_DENIED');
      expect(await code(registry.setAlias(w.callers.olga, PROJECT, 'credit-default', 'production', { version: 1, overrideJustification: 'short' }))).toBe('INVALID_INPUT');
      clock = new Date('2026-09-15T10:00:00.000Z');
      const moved = await registry.setAlias(w.callers.olga, PROJECT, 'credit-default', 'production', { version: 1, overrideJustification: 'regulatory deadline, evidence follows', reason: 'go-live' });
      expect(moved).toMatchObject({ alias: 'production', version: 1, by: 'user:olga', overrideJustification: 'regulatory deadline, evidence follows' });
      expect((moved.evidence as { gates: { passed: boolean } }).gates.passed).toBe(false);
      const resolved = await resolveApprovedModel(t.app, PROJECT, 'credit-default@production');
      expect(resolved.version.version).toBe(1);
      expect(resolved.artifact.artifactId).toBe(resolved.version.artifactId);
      expect(await code(resolveApprovedModel(t.app, PROJECT, 'credit-default@challenger'))).toBe('MODEL_STATUS_CONFLICT');
      // Endpoints resolve through the same rule; a version that is not Approved cannot be served by its artifact id either.
      const serving = { db: t.app.db, artifacts: t.app.artifacts, datasets: t.app.datasets };
      expect((await resolveServingModel(serving, w.projectId, 'credit-default@production')).artifactId).toBe(resolved.artifact.artifactId);
      expect(await code(resolveServingModel(serving, w.projectId, 'credit-default@challenger'))).toBe('MODEL_STATUS_CONFLICT');
      const pending = await registry.describeVersion({ actor: TEST_ACTOR }, PROJECT, 'credit-default@challenger');
      expect(await code(resolveServingModel(serving, w.projectId, pending.artifactId))).toBe('MODEL_STATUS_CONFLICT');
    });

    it('answers which version was production on a date, who moved it and on what evidence', async () => {
      const tier3 = await registry.register(w.callers.dana, PROJECT, { group: 'credit-default', model: (await w.trainModel(5)).ref });
      await registry.approve(w.callers.victor, PROJECT, tier3.versionId, { comment: 'approved' });
      await registry.updateGroup({ actor: TEST_ACTOR }, PROJECT, 'credit-default', { riskTier: 3 });
      clock = new Date('2026-10-05T08:00:00.000Z');
      await registry.setAlias(w.callers.emil, PROJECT, 'credit-default', 'production', { version: tier3.version, reason: 'quarterly refresh' });
      const onFirst = await registry.aliasAt(w.callers.emil, PROJECT, 'credit-default', 'production', '2026-10-01');
      expect(onFirst.version?.version).toBe(1);
      expect(onFirst.movedBy).toMatchObject({ by: 'user:olga', at: '2026-09-15T10:00:00.000Z', reason: 'go-live' });
      const later = await registry.aliasAt(w.callers.emil, PROJECT, 'credit-default', 'production', '2026-10-06T00:00:00Z');
      expect(later.version?.version).toBe(tier3.version);
      expect((later.movedBy!.evidence as { gates: { passed: boolean } }).gates.passed).toBe(true);
      expect((await registry.aliasAt(w.callers.emil, PROJECT, 'credit-default', 'production', '2026-08-01')).version).toBeNull();
      const history = await registry.aliasHistory(w.callers.emil, PROJECT, 'credit-default', 'production');
      expect(history.map((h) => [h.version, h.previousVersion, h.by])).toEqual([
        [1, null, 'user:olga'],
        [tier3.version, 1, 'user:emil'],
      ]);
      // Archiving: not while an alias names it; archived versions cannot be decided or promoted.
      expect(await code(registry.archive(w.callers.dana, PROJECT, `credit-default@${tier3.version}`))).toBe('MODEL_STATUS_CONFLICT');
      await registry.archive(w.callers.dana, PROJECT, 'credit-default@2', { reason: 'rejected' });
      expect(await code(registry.approve(w.callers.victor, PROJECT, 'credit-default@2', { comment: 'x' }))).toBe('MODEL_STATUS_CONFLICT');
      expect(await code(registry.setAlias(w.callers.dana, PROJECT, 'credit-default', 'old', { version: 2 }))).toBe('MODEL_STATUS_CONFLICT');
    });
  });
}

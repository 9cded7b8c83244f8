/**
 * Independent validation and evidence gates end to end on SQLite and PostgreSQL: findings block
 * the sign-off, the maker cannot sign off, evidence is attached, a tier 1 version with a bias
 * interval outside the band is refused production with that reason, and passes once the evidence
 * is complete; the auditor's questions (who approved and were they independent, what is in
 * production since when, what evidence was present at approval); the model card and the
 * validation report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../../test/support/databases.js';
import type { RegistryWorld } from '../../test/support/registry-scenario.js';
import { PROJECT, registryWorld } from '../../test/support/registry-scenario.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';
import { AuditorQueries, DEFAULT_SETTINGS, EvidenceService, ModelCards, RegistryService, renderModelCardHtml } from '../registry/index.js';
import { renderValidationReportHtml, ValidationService } from './index.js';

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code ?? String(e));

/** A Clarify analysis.json with Attest's interval extension for facet SEX. */
function biasReport(di: number, lower: number, upper: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      version: '1.0',
      pre_training_bias_metrics: { label: 'default', label_value_or_threshold: '1', facets: {} },
      post_training_bias_metrics: { label: 'default', label_value_or_threshold: '1', facets: { SEX: [{ value_or_threshold: '2', metrics: [{ name: 'DI', description: 'Disparate Impact', value: di }] }] } },
      attest: { post_training: [{ value_or_threshold: '2', n_a: 100, n_d: 100, counts: {}, metrics: { DI: { confidence_interval: { lower, upper, replicates: 200 }, support: 100, reliable: true } } }] },
    }),
  );
}

for (const dialect of testDialects()) {
  describe(`validation and evidence gates (${dialect})`, () => {
    let t: TestInstallation;
    let w: RegistryWorld;
    let registry: RegistryService;
    let validation: ValidationService;
    let evidence: EvidenceService;
    let auditor: AuditorQueries;
    let cards: ModelCards;
    const put = async (name: string, bytes: Buffer) => (await t.app.artifacts.putBytes(w.callers.dana.actor, bytes, { projectId: w.projectId, name, mediaType: 'application/json' })).artifactId;

    beforeAll(async () => {
      t = await createTestInstallation(dialect, 'fs');
      w = await registryWorld(t.app, t.home);
      registry = new RegistryService(t.app);
      validation = new ValidationService(t.app, registry);
      evidence = new EvidenceService(t.app, registry);
      auditor = new AuditorQueries(t.app, registry);
      cards = new ModelCards(t.app, registry);
      const tier1 = DEFAULT_SETTINGS.tiers['1']!;
      await registry.setSettings({ actor: TEST_ACTOR }, PROJECT, { ...DEFAULT_SETTINGS, tiers: { ...DEFAULT_SETTINGS.tiers, '1': { ...tier1, bias: [{ facet: 'SEX', metric: 'DI', min: 0.8, max: 1.25, stage: 'post', interval: true }] } } });
      // The champion to compare with: version 1 (AUC 0.80), approved and promoted to champion.
      await registry.register(w.callers.dana, PROJECT, { group: 'scorecard', model: (await w.trainModel(11, { auc: 0.8 })).ref, riskTier: 1 });
      await registry.approve(w.callers.victor, PROJECT, 'scorecard@1', { comment: 'baseline model' });
      await registry.setAlias(w.callers.dana, PROJECT, 'scorecard', 'champion', { version: 1 });
    }, 120_000);

    afterAll(async () => {
      await t?.dispose();
    });

    it('runs a validation to sign-off, gates promotion on the tier 1 evidence and answers the auditor', async () => {
      const v = await registry.register(w.callers.dana, PROJECT, { group: 'scorecard', model: (await w.trainModel(12, { auc: 0.79 })).ref });
      const high = await validation.addFinding(w.callers.victor, PROJECT, 'scorecard@2', { title: 'Unstable on thin-file applicants', severity: 'high', description: 'PSI 0.3 on the 2025 cohort' });
      expect(await code(validation.addFinding(w.callers.victor, PROJECT, 'scorecard@2', { title: 'x', severity: 'critical' }))).toBe('INVALID_INPUT');
      expect(await code(validation.signOff(w.callers.dana, PROJECT, 'scorecard@2', { comment: 'my own model is fine' }))).toBe('SEPARATION_OF_DUTIES');
      expect(await code(validation.signOff(w.callers.victor, PROJECT, 'scorecard@2', { comment: 'ok' }))).toBe('EVIDENCE_MISSING');
      await validation.comment(w.callers.dana, PROJECT, 'scorecard@2', { text: 'Added a thin-file segment model', findingId: high.findingId });
      await validation.updateFinding(w.callers.victor, PROJECT, 'scorecard@2', high.findingId, { status: 'remediated', comment: 'retested: PSI 0.05' });
      expect(await code(validation.updateFinding(w.callers.victor, PROJECT, 'scorecard@2', 'fnd_nope', { status: 'closed' }))).toBe('FINDING_NOT_FOUND');
      await validation.addFinding(w.callers.victor, PROJECT, 'scorecard@2', { title: 'Documentation of overrides thin', severity: 'low' });

      await evidence.attach(w.callers.dana, PROJECT, 'scorecard@2', { kind: 'explanation-report', ref: await put('scorecard-explanation.json', Buffer.from(JSON.stringify({ importance: { meanAbsShap: [{ feature: 1, name: 'utilisation', value: 0.7 }, { feature: 0, name: 'income', value: 0.2 }] } }))) });
      await evidence.attach(w.callers.dana, PROJECT, 'scorecard@2', { kind: 'monitoring-baseline', ref: await put('scorecard-baseline.json', Buffer.from('{"baseline":true}')) });
      await evidence.attach(w.callers.dana, PROJECT, 'scorecard@2', { kind: 'bias-report', ref: await put('scorecard-bias', biasReport(0.9, 0.75, 1.05)) });
      expect(await code(evidence.attach(w.callers.dana, PROJECT, 'scorecard@2', { kind: 'rumour', ref: 'scorecard-bias@1' }))).toBe('INVALID_INPUT');
      const report = await put('scorecard-validation-report.html', Buffer.from('<h1>validation</h1>'));
      const signed = await validation.signOff(w.callers.victor, PROJECT, 'scorecard@2', { comment: 'Model fit for purpose with one low finding', report });
      expect(signed.reportArtifactId).toBe(report);
      await registry.approve(w.callers.victor, PROJECT, 'scorecard@2', { comment: 'approved for production after validation' });

      // The bias interval leaves the band, and the card lacks intended use and limitations.
      const refused = await registry.setAlias(w.callers.emil, PROJECT, 'scorecard', 'production', { version: 2 }).catch((e: { code: string; details: { missing: string[] } }) => e);
      expect((refused as { code: string }).code).toBe('EVIDENCE_MISSING');
      const missing = (refused as { details: { missing: string[] } }).details.missing;
      expect(missing.some((m) => m.startsWith('bias: DI on SEX') && m.includes('interval [0.7500, 1.0500] leaves the band'))).toBe(true);
      expect(missing.some((m) => m.includes('intendedUse'))).toBe(true);
      expect(missing.some((m) => m.includes('validation signed off'))).toBe(false);
      expect(missing.some((m) => m.includes('test:auc'))).toBe(false);

      await evidence.attach(w.callers.dana, PROJECT, 'scorecard@2', { kind: 'bias-report', ref: await put('scorecard-bias', biasReport(0.97, 0.88, 1.08)) });
      await cards.edit(w.callers.dana, PROJECT, 'scorecard@2', { intendedUse: 'Probability of default for retail credit cards', limitations: 'Not for SME lending' });
      await cards.edit(w.callers.dana, PROJECT, 'scorecard@2', { owner: 'Retail Credit Risk' });
      expect((await cards.revisions(w.callers.emil, PROJECT, 'scorecard@2')).map((r) => r.revision)).toEqual([1, 2]);
      const gates = await registry.gates(w.callers.emil, PROJECT, 'scorecard@2');
      expect(gates).toMatchObject({ riskTier: 1, passed: true });
      const moved = await registry.setAlias(w.callers.emil, PROJECT, 'scorecard', 'production', { version: 2, reason: 'validated release' });
      expect(moved.overrideJustification).toBeNull();
      expect(v.version).toBe(2);

      // A challenger 0.05 below the champion fails the performance gate.
      await registry.register(w.callers.dana, PROJECT, { group: 'scorecard', model: (await w.trainModel(13, { auc: 0.75 })).ref });
      const weak = await registry.gates(w.callers.emil, PROJECT, 'scorecard@3');
      expect(weak.missing.some((m) => m.startsWith('test:auc ≥ champion − 0.02') && m.includes('champion version 1 = 0.8'))).toBe(true);

      // The auditor's questions.
      const decisions = await auditor.decisions(w.callers.emil, PROJECT, 'scorecard@2');
      expect(decisions).toHaveLength(1);
      expect(decisions[0]).toMatchObject({ decision: 'Approved', principal: 'user:victor' });
      expect(decisions[0]!.independence).toMatchObject({ independent: true, approver: 'user:victor' });
      const prod = await auditor.inProduction(w.callers.emil, PROJECT);
      expect(prod.map((p) => [p.group, p.version.version, p.movedBy.by])).toEqual([['scorecard', 2, 'user:emil']]);
      expect(prod[0]!.since).toBe(moved.at);
      const atApproval = await auditor.evidenceAtApproval(w.callers.emil, PROJECT, 'scorecard@2');
      const snapshot = atApproval.evidence as { evidence: { kind: string }[]; signOffs: unknown[]; openFindings: Record<string, number>; gates: { missing: string[] } };
      expect(snapshot.evidence.map((e) => e.kind).sort()).toEqual(['bias-report', 'explanation-report', 'monitoring-baseline', 'validation-report']);
      expect(snapshot.signOffs).toHaveLength(1);
      expect(snapshot.openFindings).toEqual({ high: 0, medium: 0, low: 1 });
      expect(snapshot.gates.missing.some((m) => m.includes('intendedUse'))).toBe(true);
      expect(await code(auditor.evidenceAtApproval(w.callers.emil, PROJECT, 'scorecard@3'))).toBe('MODEL_STATUS_CONFLICT');

      // Model card and validation report, generated from lineage and the workspace.
      const card = await cards.generate(w.callers.emil, PROJECT, 'scorecard@2');
      expect(card).toMatchObject({ group: 'scorecard', version: 2, riskTier: 1, status: 'Approved', aliases: ['production'] });
      expect(card.fields).toMatchObject({ intendedUse: 'Probability of default for retail credit cards', owner: 'Retail Credit Risk', revision: 2 });
      expect(card.training.data[0]).toMatchObject({ role: 'train', ref: 'credit-train@1', rows: 200, columns: 3 });
      expect(card.metricsBySplit.test).toEqual({ auc: 0.79 });
      expect(card.shapImportance[0]).toEqual({ name: 'utilisation', value: 0.7 });
      expect(card.bias.some((b) => b.facet === 'SEX' && b.metric === 'DI' && b.lower === 0.88)).toBe(true);
      expect(card.approvals[0]).toMatchObject({ principal: 'user:victor', independent: true });
      const html = renderModelCardHtml(card);
      expect(html).toContain('Probability of default for retail credit cards');
      expect(html).not.toContain('<script');
      const ws = await validation.workspace(w.callers.emil, PROJECT, 'scorecard@2');
      expect(ws.findings.map((f) => f.status)).toEqual(['remediated', 'open']);
      expect(ws.comments).toHaveLength(2);
      const reportHtml = renderValidationReportHtml(card, ws);
      for (const section of ['1. Scope and model description', '2. Conceptual soundness', '3. Outcomes analysis', '4. Findings', '5. Ongoing monitoring', '6. Conclusion']) expect(reportHtml).toContain(section);
      expect(reportHtml).toContain('Unstable on thin-file applicants');
    });
  });
}

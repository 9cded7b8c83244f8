/**
 * The outcomes analysis as jobs, end to end on SQLite and PostgreSQL through `attest jobs run
 * --wait` (real job processes): a challenger comparison against the champion the registry's alias
 * names, a back-test per month and stress scenarios; each with lineage (inputs → component →
 * output), its report stored encrypted, attached as evidence to the candidate's validation
 * workspace; the tier's gates on the comparison and the stress test; and the model card and
 * validation report showing the results.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';
import { testDialects } from '../../test/support/databases.js';
import { writeHoldout } from '../../test/support/validation-holdout.js';
import type { RegistryWorld } from '../../test/support/registry-scenario.js';
import { PROJECT, registryWorld } from '../../test/support/registry-scenario.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';
import type { Job } from '../jobs/index.js';
import { DEFAULT_SETTINGS, ModelCards, RegistryService, renderModelCardHtml } from '../registry/index.js';
import { renderValidationReportHtml, ValidationService } from './index.js';

for (const dialect of testDialects()) {
  describe(`validation jobs (${dialect})`, () => {
    let t: TestInstallation;
    let w: RegistryWorld;
    let registry: RegistryService;
    let candidateRef: string;

    const run = async (type: string, inputs: Record<string, string>, params: Record<string, string | number>): Promise<Job> => {
      const args = ['jobs', 'run', type, '--home', t.home, '--project', PROJECT, '--wait', '--json'];
      for (const [role, ref] of Object.entries(inputs)) args.push('--input', `${role}=${ref}`);
      for (const [k, v] of Object.entries(params)) args.push('--param', `${k}=${v}`);
      const r = await cli(args, t.env);
      if (r.code !== 0) throw new Error(`jobs run ${type} exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout) as Job;
    };
    const report = async <T>(job: Job): Promise<T> => JSON.parse((await t.app.artifacts.getBytes(TEST_ACTOR, job.outputs[0]!.artifactId, w.projectId)).bytes.toString('utf8')) as T;

    beforeAll(async () => {
      t = await createTestInstallation(dialect, 'fs');
      w = await registryWorld(t.app, t.home);
      registry = new RegistryService(t.app);
      const champion = await w.trainModel(21, { auc: 0.8 });
      await registry.register(w.callers.dana, PROJECT, { group: 'scorecard', model: champion.ref, riskTier: 2 });
      await registry.approve(w.callers.victor, PROJECT, 'scorecard@1', { comment: 'baseline' });
      await registry.setAlias(w.callers.dana, PROJECT, 'scorecard', 'champion', { version: 1 });
      candidateRef = (await w.trainModel(22, { auc: 0.81 })).ref;
      await registry.register(w.callers.dana, PROJECT, { group: 'scorecard', model: candidateRef });
      const csv = join(t.home, 'holdout.csv');
      writeHoldout(csv);
      await t.app.datasets.importFile(TEST_ACTOR, csv, { projectId: w.projectId, name: 'holdout' });
    }, 180_000);

    afterAll(async () => {
      await t?.dispose();
    });

    it('runs the three jobs with lineage, stores their reports, attaches them as evidence and gates on them', async () => {
      const challenger = await run('challenger-comparison', { model: candidateRef, data: 'holdout@1' }, { label: 'default', replicates: 200, seed: 5 });
      expect(challenger.status).toBe('succeeded');
      expect(challenger.outputs[0]).toMatchObject({ role: 'challenger-comparison', name: 'validation/scorecard-v2/challenger-comparison.json' });
      const comparison = await report<{ models: { champion: { version: number } }; candidate: { rows: number; metrics: { auc: number } }; champion: { metrics: { auc: number } }; difference: { auc: number }; aucDifference: { lower: number; upper: number; seed: number; replicates: number }; agreement: { flips: number; agreementRate: number } }>(challenger);
      expect(comparison.models.champion.version).toBe(1);
      expect(comparison.candidate.rows).toBe(240);
      expect(comparison.difference.auc).toBeCloseTo(comparison.candidate.metrics.auc - comparison.champion.metrics.auc, 12);
      expect(comparison.aucDifference).toMatchObject({ seed: 5, replicates: 200 });
      expect(comparison.aucDifference.lower).toBeLessThanOrEqual(comparison.aucDifference.upper);
      expect(challenger.metrics.auc_difference).toBeCloseTo(comparison.difference.auc, 12);
      // Stored encrypted; lineage: the holdout and both models → the component → the report.
      expect((await t.app.artifacts.describe(challenger.outputs[0]!.artifactId, w.projectId)).keyId).toBeTruthy();
      const upstream = await t.app.lineage.upstream(challenger.outputs[0]!.artifactId, { visibleProjects: [w.projectId], depth: 2 });
      const ids = upstream.nodes.map((n) => n.id);
      const versions = await registry.listVersions(w.callers.emil, PROJECT, 'scorecard');
      expect(ids).toContain(challenger.componentId);
      expect(ids).toContain(versions[0]!.artifactId);
      expect(ids).toContain(versions[1]!.artifactId);
      expect(ids).toContain((await t.app.datasets.describe(w.projectId, 'holdout@1')).artifactId);

      const backtest = await run('backtest', { model: candidateRef, data: 'holdout@1' }, { label: 'default', period_column: 'application_date', granularity: 'month', flag_below: 0.999 });
      const periods = await report<{ periods: { period: string; rows: number; flagged: boolean }[]; flaggedPeriods: string[] }>(backtest);
      expect(periods.periods.map((p) => [p.period, p.rows])).toEqual(['01', '02', '03', '04', '05', '06'].map((m) => [`2025-${m}`, 40]));
      expect(periods.flaggedPeriods.length).toBe(periods.periods.filter((p) => p.flagged).length);
      expect(backtest.metrics.periods).toBe(6);

      const scenarios = JSON.stringify([
        { name: 'income -20%', feature: 'income', multiply: 0.8 },
        { name: 'utilisation +30%', transforms: [{ feature: 'utilisation', multiply: 1.3 }, { feature: 'utilisation', clip: { max: 1 } }] },
        { name: 'unchanged', feature: 'income', multiply: 1 },
      ]);
      const stress = await run('stress-test', { model: candidateRef, data: 'holdout@1' }, { label: 'default', scenarios });
      const stressed = await report<{ scenarios: { name: string; flipped: number; meanShift: number; percentilesBefore: Record<string, number>; percentilesAfter: Record<string, number> }[] }>(stress);
      expect(stressed.scenarios.map((s) => s.name)).toEqual(['income -20%', 'utilisation +30%', 'unchanged']);
      expect(stressed.scenarios[2]).toMatchObject({ flipped: 0, meanShift: 0 });
      expect(stressed.scenarios[2]!.percentilesAfter).toEqual(stressed.scenarios[2]!.percentilesBefore);
      expect(stressed.scenarios[1]!.meanShift).toBeGreaterThanOrEqual(0);

      // A bad scenario fails the job at once, naming the parameter.
      const bad = await cli(['jobs', 'run', 'stress-test', '--home', t.home, '--project', PROJECT, '--wait', '--json', '--input', `model=${candidateRef}`, '--input', 'data=holdout@1', '--param', 'scenarios=[{"name":"x","feature":"income","multiply":1,"add":2}]'], t.env);
      expect(`${bad.stdout}${bad.stderr}`).toMatch(/scenarios/);

      // Attached to scorecard@2's workspace as evidence, each with its job.
      const ws = await new ValidationService(t.app, registry).workspace(w.callers.emil, PROJECT, 'scorecard@2');
      const evidence = ws.evidence as { kind: string; jobId: string }[];
      expect(evidence.map((e) => [e.kind, e.jobId])).toEqual([
        ['challenger-comparison', challenger.jobId],
        ['backtest', backtest.jobId],
        ['stress-test', stress.jobId],
      ]);

      // Gates: the tier needs a challenger comparison within tolerance of the champion and a stress test.
      const strict = { validationSignOff: false, noOpenFindings: [], evidence: ['stress-test' as const], bias: [], cardFields: [], challenger: { metric: 'auc' as const, tolerance: 0, interval: false } };
      await registry.setSettings({ actor: TEST_ACTOR }, PROJECT, { ...DEFAULT_SETTINGS, tiers: { ...DEFAULT_SETTINGS.tiers, '2': strict } });
      const gates = await registry.gates(w.callers.emil, PROJECT, 'scorecard@2');
      const check = gates.checks.find((c) => c.requirement.startsWith('challenger comparison'))!;
      expect(check.satisfied).toBe(comparison.difference.auc >= 0);
      expect(check.detail).toContain(challenger.outputs[0]!.artifactId);
      await registry.setSettings({ actor: TEST_ACTOR }, PROJECT, { ...DEFAULT_SETTINGS, tiers: { ...DEFAULT_SETTINGS.tiers, '2': { ...strict, challenger: { metric: 'auc' as const, tolerance: 1, interval: false } } } });
      expect(await registry.gates(w.callers.emil, PROJECT, 'scorecard@2')).toMatchObject({ passed: true });
      const v1 = await registry.gates(w.callers.emil, PROJECT, 'scorecard@1');
      expect(v1.missing.some((m) => m.startsWith('challenger comparison') && m.includes('no challenger comparison attached'))).toBe(true);
      expect(v1.missing.some((m) => m.startsWith('stress-test attached'))).toBe(true);

      // The model card and the validation report carry the tables.
      const card = await new ModelCards(t.app, registry).generate(w.callers.emil, PROJECT, 'scorecard@2');
      expect(card.challenger[0]).toMatchObject({ artifactId: challenger.outputs[0]!.artifactId, championVersion: 1 });
      expect(card.backtests[0]!.periods).toHaveLength(6);
      expect(card.stressTests[0]!.scenarios.map((s) => s.name)).toEqual(['income -20%', 'utilisation +30%', 'unchanged']);
      const cardHtml = renderModelCardHtml(card);
      for (const text of ['Challenger comparison', 'Back-testing', 'Stress tests', 'utilisation +30%', '2025-06']) expect(cardHtml).toContain(text);
      const reportHtml = renderValidationReportHtml(card, ws);
      for (const text of ['Challenger against champion', 'Back-testing per period', 'Stress scenarios', 'income -20%']) expect(reportHtml).toContain(text);
    }, 600_000);
  });
}

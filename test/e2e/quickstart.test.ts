/**
 * The main job end to end: `attest quickstart` in a temporary home — the lifecycle run as the
 * shipped pipeline pipelines/credit-default.yaml, each step a governed job in a child process —
 * then every step's outputs are checked in the store itself (not in the printed text): the
 * execution and its steps, dataset versions, tracked components and their lineage edges, the
 * encrypted model, reports, baseline, violations, audit entries, and a verified ledger. A second
 * run into the same home is a new execution whose unchanged steps are cache hits.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openApp } from '../../src/app/index.js';
import { loadConfig } from '../../src/config/index.js';
import { parseXgboostModel } from '../../src/ml/gbdt/index.js';
import type { QuickstartResult } from '../../src/quickstart/index.js';
import { PipelineService } from '../../src/pipelines/index.js';
import { runQuickstart } from '../../src/quickstart/index.js';
import { tryParseResourceName } from '../../src/security/policy/index.js';
import { cli } from '../support/cli.js';

const operator = { principal: 'os:tester', sourceIp: 'local', userAgent: 'vitest' };

describe('attest quickstart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attest-quickstart-'));
  const home = join(dir, 'home');
  const env: NodeJS.ProcessEnv = { ...process.env, ATTEST_HOME: home };
  delete env.ATTEST_DB_URL;
  delete env.ATTEST_STORE_URL;
  delete env.ATTEST_KEYRING_PASSPHRASE;
  const lines: string[] = [];
  let result: QuickstartResult;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the lifecycle and prints a line per step, ending with the summary', async () => {
    result = await runQuickstart({ home, env, operator, out: (l) => lines.push(l) });
    for (const step of [1, 2, 3, 4, 5, 6, 7]) expect(lines.some((l) => l.startsWith(`[${step}/7]`))).toBe(true);
    expect(lines.join('\n')).toMatch(/components that used the holdout: none/);
    expect(lines.join('\n')).toMatch(/step quality-gate \(condition\): evaluate\.test:auc = 0\.\d+ >= 0\.75: true/);
    // A sanity bound only: here the job processes start from the TypeScript sources (tsx), and a
    // shared test machine may be loaded; `time node bin/attest.js quickstart` is the figure that counts.
    expect(result.seconds).toBeLessThan(280);
  }, 300_000);

  it('leaves every step\'s outputs in the store', async () => {
    const app = await openApp(loadConfig(home, env));
    try {
      const projectId = result.projectId;
      const versions = await app.datasets.list(projectId);
      const names = versions.map((v) => v.name);
      for (const n of ['uci-credit-card-default', 'credit-holdout', 'credit-train', 'credit-validation', 'credit-test', 'credit-drifted-sample']) expect(names).toContain(n);
      const raw = versions.find((v) => v.name === 'uci-credit-card-default')!;
      expect(raw.rowCount).toBe(30000);
      expect(raw.sha256).toBe('f6c131c25f5ea6716c1439d986550832a5ba1ed218fbbfc3013bb92bb78dcee2');
      const split = ['credit-train', 'credit-validation', 'credit-test', 'credit-holdout'].map((n) => versions.find((v) => v.name === n)!.rowCount);
      expect(split.reduce((a, b) => a + b, 0)).toBe(30000);

      // The pipeline execution: every step succeeded but the fail step, which its condition skipped.
      const pipelines = new PipelineService(app);
      const execution = (await pipelines.store.execution(result.executionId))!;
      expect(execution.status).toBe('succeeded');
      expect(execution.principal).toBe('user:dana');
      expect(Object.fromEntries(execution.steps.map((s) => [s.step, s.status]))).toEqual({
        split: 'succeeded', train: 'succeeded', evaluate: 'succeeded', 'quality-gate': 'succeeded', 'auc-too-low': 'skipped',
        explain: 'succeeded', 'bias-sex': 'succeeded', 'bias-age': 'succeeded', baseline: 'succeeded', 'drift-check': 'succeeded',
        'beats-champion': 'succeeded', register: 'succeeded',
      });
      // No champion yet: the comparison passed and says so; the model is registered, pending a validator.
      expect(execution.steps.find((s) => s.step === 'beats-champion')!.result?.condition).toMatchObject({ against: null, outcome: true, champion: expect.stringMatching(/^none: model group credit-default/) });
      expect(result.registered).toMatchObject({ group: 'credit-default', version: 1, status: 'PendingManualApproval' });
      // The execution is a trial of the pipeline's experiment; each job step's component is in it.
      const { experiment } = await app.tracking.experimentComponents(result.experimentId, [projectId], projectId);
      expect(experiment.name).toBe(result.experimentName);
      const components = await app.tracking.trialComponents(result.trialId, [projectId]);
      expect(components.map((c) => c.name.split(':')[0]).sort()).toEqual(['baseline', 'bias', 'bias', 'evaluation', 'explanation', 'monitor-check', 'processing', 'training']);
      for (const c of components) expect(c.status).toBe('Completed');
      const training = components.find((c) => c.componentId === result.componentIds.train)!;
      expect(training.parameters).toMatchObject({ max_depth: 5, eta: 0.2, gamma: 4, min_child_weight: 6, subsample: 0.8, num_round: 100, job_type: 'training' });
      const auc = await app.tracking.metricHistory(training.componentId, 'validation:auc', [projectId]);
      expect(auc.length).toBeGreaterThanOrEqual(100);
      const prep = components.find((c) => c.componentId === result.componentIds.split)!;
      expect(prep.parameters).toMatchObject({ seed: 42, holdout: 0.1, train: 0.7, validation: 0.15, test: 0.15 });

      const model = await app.artifacts.getBytes(operator, result.artifacts.model, projectId);
      expect(parseXgboostModel(model.bytes.toString('utf8')).trees.length).toBe(100);
      expect(result.testAuc).toBeGreaterThan(0.76);

      const upstream = await app.lineage.upstream(result.artifacts.model, { visibleProjects: [projectId], depth: 10 });
      const ids = upstream.nodes.map((n) => n.id);
      for (const id of [result.artifacts.train, result.artifacts.validation, result.artifacts.raw, training.componentId, prep.componentId]) expect(ids).toContain(id);
      const usedTest = await app.lineage.downstream(result.artifacts.test, { visibleProjects: [projectId], types: ['component'], depth: 1 });
      expect(usedTest.nodes.map((n) => n.name?.split(':')[0]).sort()).toEqual(['bias', 'bias', 'evaluation', 'explanation']);
      const usedHoldout = await app.lineage.downstream(result.artifacts.holdout, { visibleProjects: [projectId], depth: 10 });
      expect(usedHoldout.nodes).toEqual([]);
      expect((await app.artifacts.describe(result.artifacts.holdout)).legalHold).toBe(true);

      for (const name of ['credit-default-xgboost-explanation.json', 'credit-default-xgboost-explanation.html', 'credit-default-xgboost-reason-codes', 'credit-default-xgboost-bias-sex', 'credit-default-xgboost-bias-age', 'credit-default-evaluation', 'baselines/credit-default/statistics.json', 'baselines/credit-default/constraints.json', 'baselines/credit-default/manifest.json', 'credit-default-drift/constraint_violations.json']) {
        expect((await app.artifacts.resolve(name, projectId)).sizeBytes, name).toBeGreaterThan(0);
      }
      const sexBias = JSON.parse((await app.artifacts.getBytes(operator, 'credit-default-xgboost-bias-sex', projectId)).bytes.toString('utf8')) as { pre_training_bias_metrics: unknown; post_training_bias_metrics: unknown };
      expect(sexBias.pre_training_bias_metrics).toBeDefined();
      expect(sexBias.post_training_bias_metrics).toBeDefined();
      const violations = JSON.parse((await app.artifacts.getBytes(operator, 'credit-default-drift/constraint_violations.json', projectId)).bytes.toString('utf8')) as { violations: { feature_name: string; constraint_check_type: string }[] };
      const drifted = violations.violations.filter((v) => v.constraint_check_type === 'baseline_drift_check').map((v) => v.feature_name);
      expect(drifted).toContain('LIMIT_BAL');
      expect(drifted.every((f) => ['LIMIT_BAL', 'BILL_AMT1', 'PAY_0'].includes(f))).toBe(true);

      const audit = await app.ledger.list({ principal: 'user:dana' });
      const actions = new Set(audit.map((e) => e.action));
      for (const a of ['dataset:CreateVersion', 'artifact:Put', 'experiment:Create', 'trial:Create', 'component:Create', 'component:Complete', 'pipeline:Create', 'pipeline:Start', 'job:Run']) expect(actions).toContain(a);
      // Each job step was submitted as dana's governed job, and each completion audited.
      const runs = await app.ledger.list({ principal: 'user:dana', action: 'job:Run', outcome: 'allowed' });
      for (const s of execution.steps.filter((x) => x.jobId)) expect(runs.filter((e) => e.resource.endsWith(`job/${s.jobId}`)).length, s.step).toBeGreaterThanOrEqual(2);
      // The training, evaluation, explanation and bias steps read their splits from the store, audited as dana's.
      const reads = await app.ledger.list({ principal: 'user:dana', action: 'artifact:Get', outcome: 'allowed' });
      const readCount = (id: string) => reads.filter((e) => e.resource === `attest:credit-risk:artifact/${id}`).length;
      expect(readCount(result.artifacts.train)).toBeGreaterThanOrEqual(1);
      expect(readCount(result.artifacts.validation)).toBeGreaterThanOrEqual(1);
      expect(readCount(result.artifacts.test)).toBeGreaterThanOrEqual(3);
      // Step 6's lineage table and lineage queries are reads too, authorized and audited as dana's.
      const tableReads = await app.ledger.list({ principal: 'user:dana', action: 'experiment:Describe', outcome: 'allowed' });
      expect(tableReads.map((e) => [e.resource, e.details.view])).toContainEqual([`attest:credit-risk:experiment/${result.experimentId}`, 'lineage-table']);
      const lineageReads = (await app.ledger.list({ principal: 'user:dana', action: 'lineage:Read', outcome: 'allowed' })).map((e) => e.resource);
      for (const id of [result.artifacts.test, result.artifacts.holdout]) expect(lineageReads).toContain(`attest:credit-risk:lineage/${id}`);
      // One name per object: every entry names its resource in the policy grammar, and no object
      // (the id after the type) appears under two names anywhere in the ledger. `lineage/<id>` is
      // the catalogue's own resource for the graph around a node, so it is kept apart.
      const namesById = new Map<string, Set<string>>();
      for await (const entry of app.ledger.iterate()) {
        const parsed = tryParseResourceName(entry.resource);
        expect(parsed, `${entry.action} ${entry.resource}`).toBeDefined();
        const key = parsed!.type === 'lineage' ? `lineage/${parsed!.id}` : parsed!.id;
        const names = namesById.get(key) ?? new Set<string>();
        names.add(entry.resource);
        namesById.set(key, names);
      }
      const ambiguous = [...namesById].filter(([id, names]) => id !== '*' && names.size > 1);
      expect(ambiguous).toEqual([]);
      const denied = await app.ledger.list({ principal: 'user:dana', action: 'audit:Read', outcome: 'denied' });
      expect(denied.length).toBe(1);
      const assignments = await app.identity.access.listAssignments({ project: 'credit-risk' });
      expect(assignments.map((a) => `${a.subject}:${a.role}`).sort()).toEqual(['dana:data-scientist', 'victor:model-validator']);
      expect(statSync(result.tokensFile).mode & 0o777).toBe(0o600);
      const baseline = await app.baselines.get(operator, projectId, 'credit-default');
      expect(baseline.manifest.model?.artifactId).toBe(result.artifacts.model);
      expect((await app.verifyAudit()).ok).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('prints commands that work as printed', async () => {
    const summaryStart = lines.findIndex((l) => l.startsWith('[7/7]'));
    const commands = lines
      .slice(summaryStart + 1)
      .map((l) => l.trim())
      .filter((l) => l.startsWith('attest ') && !l.startsWith('attest server '))
      .map((l) => l.replace(/\s+#.*$/, ''));
    expect(commands.length).toBeGreaterThanOrEqual(8);
    for (const command of commands) {
      // The home is a temporary directory without spaces, so splitting on blanks is the shell's reading.
      const argv = command.split(/\s+/).slice(1);
      const r = await cli(argv, { ...env, ATTEST_HOME: undefined } as NodeJS.ProcessEnv);
      expect(r.code, `${command}\n${r.stderr}`).toBe(0);
      if (argv[0] === 'artifact' && argv[1] === 'get') rmSync(argv[argv.indexOf('--out') + 1]!, { force: true });
    }
    // The validator's approval, as printed (with his token; the quoted comment is one argument): dana, its maker, is refused.
    const approval = lines.find((l) => l.includes('attest models approve'))!;
    const approveArgv = approval.slice(approval.indexOf('attest models approve')).match(/"[^"]*"|\S+/g)!.slice(1).map((a) => a.replace(/^"|"$/g, ''));
    const tokens = JSON.parse(readFileSync(result.tokensFile, 'utf8')) as { dana: string; victor: string };
    const asDana = await cli(approveArgv, { ...env, ATTEST_HOME: undefined, ATTEST_TOKEN: tokens.dana } as NodeJS.ProcessEnv);
    expect(asDana.code, asDana.stdout).not.toBe(0);
    const asVictor = await cli(approveArgv, { ...env, ATTEST_HOME: undefined, ATTEST_TOKEN: tokens.victor } as NodeJS.ProcessEnv);
    expect(asVictor.code, asVictor.stderr).toBe(0);
    expect(asVictor.stdout).toMatch(/Approved/);
  }, 180_000);

  it('can be rerun into the same home: a new execution whose unchanged steps are cache hits, the ledger still verifies', async () => {
    const second = await runQuickstart({ home, env, operator, out: () => undefined });
    expect(second.executionId).not.toBe(result.executionId);
    expect(second.trialId).not.toBe(result.trialId);
    expect(second.experimentId).toBe(result.experimentId);
    expect(second.cacheHits).toEqual(expect.arrayContaining(['split', 'train', 'evaluate', 'explain', 'bias-sex', 'bias-age', 'baseline']));
    expect(second.artifacts.model).toBe(result.artifacts.model);
    const verify = await cli(['audit', 'verify', '--home', home], env);
    expect(verify.code, verify.stderr).toBe(0);
  }, 300_000);
});

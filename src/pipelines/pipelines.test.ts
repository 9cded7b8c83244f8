/**
 * Pipelines on SQLite and PostgreSQL: definitions refused with the step and field named, cycles
 * refused; executions whose job steps run through the real job executor (in this process, so the
 * test stays quick; the child-process runner is the jobs capability's own test) with
 * authorization, trial components, lineage and audit; conditions on both branches, fail steps,
 * cache hits recorded in the step and in lineage, retries with backoff, cancel and retry.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureProject } from '../app/index.js';
import { testDialects } from '../../test/support/databases.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';
import { REPO_ROOT } from '../../test/support/cli.js';
import { executeJob } from '../jobs/index.js';
import type { JobCaller } from '../jobs/index.js';
import { isAppError } from '../kernel/index.js';
import type { Principal } from '../security/identity-store/index.js';
import { pipelineRegistry, RegistryService } from '../registry/index.js';
import type { Execution } from './index.js';
import { isFinalExecution, parseDefinitionText, PipelineService, validateDefinition } from './index.js';

const PROJECT = 'credit';

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return isAppError(error) ? `${error.code}: ${error.message}` : String(error);
  }
  return 'no error';
};

describe('pipeline definitions', () => {
  const base = { name: 'p', steps: [{ name: 'split', type: 'processing', inputs: { data: 'credit@1' }, params: { label: 'default' } }] };

  it('accepts JSON and YAML, and fills in defaults', () => {
    const yaml = parseDefinitionText('name: p\nparameters:\n  min: { type: number, default: 0.7 }\nsteps:\n  - name: split\n    type: processing\n    inputs: { data: "credit@1" }\n    params: { label: default }\n');
    expect(yaml.steps[0]).toMatchObject({ name: 'split', type: 'processing', retry: { maxAttempts: 1 }, cache: false, dependsOn: [] });
    expect(parseDefinitionText(JSON.stringify(base)).name).toBe('p');
  });

  it('names the step and the field of an error', () => {
    expect(errorOf(() => validateDefinition({ ...base, steps: [{ name: 'train', type: 'training', inputs: { train: 'x' }, params: { label: 'default', max_attempts: 1, algorithm: 'forest' } }] }))).toMatch(/step "train" field params\.algorithm/);
    expect(errorOf(() => validateDefinition({ ...base, steps: [{ name: 'train', type: 'training', inputs: {}, params: { label: 'y' } }] }))).toMatch(/step "train" field inputs\.train: a training step needs the input "train"/);
    expect(errorOf(() => validateDefinition({ ...base, steps: [{ name: 'x', type: 'trainin' }] }))).toMatch(/step "x" field type: .*types: processing/);
    expect(errorOf(() => validateDefinition({ ...base, steps: [{ name: 'gate', type: 'condition', metric: { step: 'nope', name: 'auc' }, op: '>', threshold: 1 }] }))).toMatch(/step "gate" field metric\.step: no step named "nope"/);
    expect(errorOf(() => validateDefinition({ ...base, steps: [{ ...base.steps[0], retry: { maxAttempts: 0 } }] }))).toMatch(/step "split" field retry\.maxAttempts/);
    expect(errorOf(() => validateDefinition({ ...base, steps: [{ ...base.steps[0], inputs: { data: '{{steps.ghost.outputs.train}}' } }] }))).toMatch(/step "split" field inputs\.data: no step named "ghost"/);
    expect(errorOf(() => validateDefinition({ ...base, steps: [{ ...base.steps[0], inputs: { data: '{{parameters.nope}}' } }] }))).toMatch(/no parameter named "nope"/);
    expect(errorOf(() => validateDefinition({ ...base, parameters: { n: { type: 'number', default: 'x' } } }))).toMatch(/parameter "n" field default/);
    expect(errorOf(() => validateDefinition({ name: 'Bad Name', steps: base.steps }))).toMatch(/INVALID_INPUT: Invalid pipeline definition: name/);
    expect(errorOf(() => parseDefinitionText('name: [unclosed'))).toMatch(/Cannot read the definition as YAML/);
    const register = { name: 'register', type: 'register', model: '{{steps.split.outputs.train}}', group: 'credit-default' };
    expect(errorOf(() => validateDefinition({ ...base, steps: [...base.steps, { ...register, group: 'Bad Group' }] }))).toMatch(/step "register" field group: a model group name/);
    expect(errorOf(() => validateDefinition({ ...base, steps: [...base.steps, { ...register, model: '{{steps.ghost.outputs.model}}' }] }))).toMatch(/step "register" field model: no step named "ghost"/);
    // A pipeline cannot approve: a register step has no status, and there is no approve step.
    expect(errorOf(() => validateDefinition({ ...base, steps: [...base.steps, { ...register, status: 'Approved' }] }))).toMatch(/step "register" field status: /);
    expect(errorOf(() => validateDefinition({ ...base, steps: [...base.steps, { name: 'approve', type: 'approve', model: 'x' }] }))).toMatch(/step "approve" field type: .*types: .*register/);
    expect(errorOf(() => validateDefinition({ ...base, steps: [...base.steps, { name: 'gate', type: 'condition', metric: { step: 'split', name: 'rows' }, op: '>', champion: { group: '{{parameters.nope}}' } }] }))).toMatch(/step "gate" field champion\.group: no parameter named "nope"/);
  });

  it('refuses a cycle, naming it', () => {
    const cyclic = {
      name: 'c',
      steps: [
        { name: 'a', type: 'processing', inputs: { data: '{{steps.b.outputs.train}}' }, params: {} },
        { name: 'b', type: 'processing', inputs: { data: 'credit' }, params: {}, dependsOn: ['a'] },
      ],
    };
    expect(errorOf(() => validateDefinition(cyclic))).toMatch(/cycle: (a -> b -> a|b -> a -> b)/);
  });
});

describe.each(testDialects())('pipeline executions on %s', (dialect) => {
  let t: TestInstallation;
  let projectId: string;
  let service: PipelineService;
  let dana: Principal;
  let caller: JobCaller;
  let marker: string;

  /** Advances the execution and runs its queued jobs in this process until it is final. */
  async function runToEnd(executionId: string, options: { maxMs?: number; beforeJob?: () => Promise<void> } = {}): Promise<Execution> {
    const deadline = Date.now() + (options.maxMs ?? 120_000);
    for (;;) {
      const status = await service.engine.advance(executionId);
      if (isFinalExecution(status)) return (await service.store.execution(executionId))!;
      if (Date.now() > deadline) throw new Error(`execution ${executionId} still ${status}`);
      for (let claimed = await service.jobs.queue.claim('test', 60_000); claimed; claimed = await service.jobs.queue.claim('test', 60_000)) {
        await options.beforeJob?.();
        await executeJob(t.app, service.jobs.queue, claimed, { leaseMs: 60_000, isolation: 'none', log: () => undefined, cwd: REPO_ROOT, backoffMs: 10 });
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const definition = (overrides: { minAuc?: number; champion?: boolean; cache?: boolean } = {}) => ({
    name: 'credit-small',
    parameters: { min_auc: { type: 'number', default: overrides.minAuc ?? 0.5 }, data: { type: 'reference', default: 'credit@1' } },
    steps: [
      { name: 'split', type: 'processing', inputs: { data: '{{parameters.data}}' }, params: { label: 'default', seed: 42, prefix: 'small' }, cache: overrides.cache ?? true },
      {
        name: 'train',
        type: 'training',
        inputs: { train: '{{steps.split.outputs.train}}' },
        params: { label: 'default', exclude: 'ID', model_name: 'small-model', objective: 'binary:logistic', max_depth: 2, num_round: 5, seed: 7 },
        cache: overrides.cache ?? true,
      },
      { name: 'evaluate', type: 'evaluation', inputs: { model: '{{steps.train.outputs.model}}', data: '{{steps.split.outputs.test}}' }, params: { label: 'default' }, cache: overrides.cache ?? true },
      overrides.champion
        ? { name: 'gate', type: 'condition', metric: { step: 'evaluate', name: 'test:auc' }, op: '>=', champion: { margin: 0 }, ifTrue: ['baseline'], ifFalse: ['too-weak'] }
        : { name: 'gate', type: 'condition', metric: { step: 'evaluate', name: 'test:auc' }, op: '>=', threshold: '{{parameters.min_auc}}', ifTrue: ['baseline'], ifFalse: ['too-weak'] },
      { name: 'too-weak', type: 'fail', message: 'AUC {{steps.evaluate.metrics.test:auc}} is below {{parameters.min_auc}}' },
      { name: 'baseline', type: 'baseline', inputs: { data: '{{steps.split.outputs.train}}', model: '{{steps.train.outputs.model}}' }, params: { name: 'small', exclude: 'ID,default' } },
    ],
  });

  beforeAll(async () => {
    t = await createTestInstallation(dialect, 'fs');
    projectId = await ensureProject(t.app, TEST_ACTOR, PROJECT, 'pipelines');
    const { users, access, tokens, authenticator } = t.app.identity;
    await users.create(TEST_ACTOR, { name: 'dana' });
    await access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: 'dana', role: 'data-scientist', project: PROJECT });
    dana = await authenticator.authenticate((await tokens.create(TEST_ACTOR, { owner: 'dana', name: 't' })).token);
    await users.create(TEST_ACTOR, { name: 'vera' });
    await access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: 'vera', role: 'viewer', project: PROJECT });
    caller = { actor: { principal: dana.auditName, sourceIp: '127.0.0.1', userAgent: 'vitest' }, principal: dana };
    const lines = readFileSync(join(REPO_ROOT, 'datasets', 'uci_credit_card_default.csv'), 'utf8').split('\n').slice(0, 601);
    const subset = join(t.home, 'credit-subset.csv');
    writeFileSync(subset, `${lines.join('\n')}\n`);
    await t.app.datasets.importFile(TEST_ACTOR, subset, { projectId, name: 'credit' });
    marker = join(t.home, 'flaky-marker');
    service = new PipelineService(t.app, { registry: pipelineRegistry(t.app) });
  }, 120_000);

  afterAll(async () => {
    await t?.dispose();
  });

  it('publishes versions by hash and authorizes by policy', async () => {
    const v1 = await service.create(caller, PROJECT, definition());
    expect(v1).toMatchObject({ name: 'credit-small', version: 1, changed: true });
    expect((await service.create(caller, PROJECT, definition())).changed).toBe(false);
    const v2 = await service.create(caller, PROJECT, definition({ minAuc: 0.55 }));
    expect(v2).toMatchObject({ version: 2, changed: true });
    expect(v2.definitionHash).not.toBe(v1.definitionHash);
    const vera = await t.app.identity.authenticator.authenticate((await t.app.identity.tokens.create(TEST_ACTOR, { owner: 'vera', name: 'v' })).token);
    const viewer: JobCaller = { actor: { principal: vera.auditName, sourceIp: '127.0.0.1' }, principal: vera };
    await expect(service.start(viewer, PROJECT, 'credit-small')).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    expect((await service.list(viewer, PROJECT)).map((p) => p.name)).toEqual(['credit-small']);
    await expect(service.start(caller, PROJECT, 'credit-small', { nope: 1 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(service.start(caller, PROJECT, 'credit-small', { min_auc: 'high' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('runs job steps as governed jobs in the execution trial; condition true runs its branch and skips the fail step', async () => {
    const started = await service.start(caller, PROJECT, 'credit-small', { min_auc: '0.5' });
    expect(started.parameters.min_auc).toBe(0.5);
    const e = await runToEnd(started.executionId);
    const status = Object.fromEntries(e.steps.map((s) => [s.step, s.status]));
    expect(status).toEqual({ split: 'succeeded', train: 'succeeded', evaluate: 'succeeded', gate: 'succeeded', 'too-weak': 'skipped', baseline: 'succeeded' });
    expect(e.status).toBe('succeeded');
    const gate = e.steps.find((s) => s.step === 'gate')!;
    expect(gate.result?.condition).toMatchObject({ op: '>=', against: 0.5, outcome: true });
    // The execution is a trial of the pipeline's experiment, with each job's component in it.
    const experiment = await t.app.tracking.getExperiment('credit-small', [projectId], projectId);
    const trial = (await t.app.tracking.listTrials(experiment.experimentId, [projectId])).find((x) => x.name === e.executionId)!;
    const components = await t.app.tracking.trialComponents(trial.trialId, [projectId]);
    expect(components.map((c) => c.type).sort()).toEqual(['evaluation', 'processing', 'processing', 'training']);
    const train = e.steps.find((s) => s.step === 'train')!;
    const job = await service.jobs.queue.get(train.jobId!);
    expect(job).toMatchObject({ principal: 'user:dana', experiment: 'credit-small', trial: e.executionId, status: 'succeeded' });
    const model = train.result!.outputs[0]!;
    const upstream = await t.app.lineage.upstream(model.artifactId, { visibleProjects: [projectId], depth: 5 });
    expect(upstream.nodes.map((n) => n.id)).toContain(e.steps.find((s) => s.step === 'split')!.result!.componentId);
    const audit = await t.app.ledger.list({ principal: 'user:dana', action: 'pipeline:Start' });
    expect(audit.some((a) => a.resource === `attest:${PROJECT}:pipeline/credit-small/execution/${e.executionId}` && a.outcome === 'allowed')).toBe(true);
    expect((await t.app.ledger.list({ principal: 'user:dana', action: 'job:Run' })).length).toBeGreaterThanOrEqual(4);
  }, 180_000);

  it('reuses cached steps (recorded on the step and in lineage); a false condition runs the fail step, which fails the execution with its message', async () => {
    const started = await service.start(caller, PROJECT, 'credit-small', { min_auc: 0.99 });
    const e = await runToEnd(started.executionId);
    expect(e.status).toBe('failed');
    expect(e.failure).toMatch(/^AUC 0\.\d+ is below 0\.99$/);
    const first = (await service.executions(caller, PROJECT, 'credit-small')).find((x) => x.status === 'succeeded')!;
    for (const name of ['split', 'train', 'evaluate']) {
      const step = e.steps.find((s) => s.step === name)!;
      const original = first.steps.find((s) => s.step === name)!;
      expect(step.cacheHitFrom, name).toBe(original.stepExecutionId);
      expect(step.result?.outputs).toEqual(original.result?.outputs);
    }
    expect(e.steps.find((s) => s.step === 'baseline')!.status).toBe('skipped');
    expect(e.steps.find((s) => s.step === 'gate')!.result?.condition?.outcome).toBe(false);
    // Lineage: the reused training component is associated with this execution's trial too.
    const trainComponent = first.steps.find((s) => s.step === 'train')!.result!.componentId!;
    const down = await t.app.lineage.downstream(trainComponent, { visibleProjects: [projectId], depth: 1 });
    expect(down.nodes.filter((n) => n.kind === 'trial').map((n) => n.name)).toEqual(expect.arrayContaining([first.executionId, e.executionId]));
  }, 180_000);

  it('compares with the champion: the latest succeeded execution', async () => {
    await service.create(caller, PROJECT, { ...definition({ champion: true }), name: 'champion-run' });
    const firstRun = await runToEnd((await service.start(caller, PROJECT, 'champion-run')).executionId);
    expect(firstRun.steps.find((s) => s.step === 'gate')!.result?.condition).toMatchObject({ champion: 'none', outcome: true });
    const second = await runToEnd((await service.start(caller, PROJECT, 'champion-run')).executionId);
    expect(second.steps.find((s) => s.step === 'gate')!.result?.condition).toMatchObject({ champion: `execution ${firstRun.executionId} step evaluate`, outcome: true });
  }, 180_000);

  it('registers the model PendingManualApproval (result, lineage, audit); the starter is authorized for model:Register; dana cannot approve it', async () => {
    const steps = definition().steps.slice(0, 2);
    await service.create(caller, PROJECT, { name: 'register-run', parameters: definition().parameters, steps: [...steps, { name: 'register', type: 'register', model: '{{steps.train.outputs.model}}', group: 'small-group', versionDescription: 'from {{execution.id}}' }] });
    const e = await runToEnd((await service.start(caller, PROJECT, 'register-run')).executionId);
    expect(e.status).toBe('succeeded');
    const step = e.steps.find((s) => s.step === 'register')!;
    expect(step.result?.registered).toMatchObject({ group: 'small-group', version: 1, status: 'PendingManualApproval', artifactId: e.steps.find((s) => s.step === 'train')!.result!.outputs[0]!.artifactId });
    const registry = new RegistryService(t.app);
    const version = await registry.describeVersion(caller, PROJECT, 'small-group@1');
    expect(version).toMatchObject({ status: 'PendingManualApproval', createdBy: 'user:dana', description: `from ${e.executionId}` });
    expect(version.metrics['test:auc']).toBeGreaterThan(0);
    const down = await t.app.lineage.downstream(version.versionId, { visibleProjects: [projectId], depth: 1 });
    expect(down.nodes.filter((n) => n.kind === 'trial').map((n) => n.name)).toContain(e.executionId);
    expect((await t.app.ledger.list({ principal: 'user:dana', action: 'model:Register' })).some((a) => a.resource === `attest:${PROJECT}:model/small-group/1` && a.outcome === 'allowed')).toBe(true);
    // Approval stays a human act by an independent validator: dana (a data scientist, the maker) is refused.
    await expect(registry.approve(caller, PROJECT, 'small-group@1', { comment: 'looks good to me' })).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    expect((await registry.describeVersion(caller, PROJECT, 'small-group@1')).status).toBe('PendingManualApproval');
    // Without a registry, a pipeline with a register step cannot start.
    await expect(new PipelineService(t.app).start(caller, PROJECT, 'register-run')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  }, 180_000);

  it('compares with the champion of a model group: none (passes, recorded), then the version its champion alias names', async () => {
    const champion = (margin: number) => ({ name: 'gate', type: 'condition', metric: { step: 'evaluate', name: 'test:auc' }, op: '>=', champion: { group: '{{parameters.group}}', margin }, ifTrue: ['baseline'], ifFalse: ['too-weak'] });
    const steps = (margin: number) => definition().steps.map((s) => (s.name === 'gate' ? champion(margin) : s));
    await service.create(caller, PROJECT, { name: 'group-champion', parameters: { ...definition().parameters, group: { type: 'string', default: 'small-group' } }, steps: steps(0) });
    const first = await runToEnd((await service.start(caller, PROJECT, 'group-champion')).executionId);
    expect(first.status).toBe('succeeded');
    expect(first.steps.find((s) => s.step === 'gate')!.result?.condition).toMatchObject({ against: null, outcome: true, champion: 'none: model group small-group has no champion or production version with metric test:auc' });
    // An independent validator approves version 1; the operator names it champion.
    const { users, access, tokens, authenticator } = t.app.identity;
    await users.create(TEST_ACTOR, { name: 'victor' });
    await access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: 'victor', role: 'model-validator', project: PROJECT });
    const victor = await authenticator.authenticate((await tokens.create(TEST_ACTOR, { owner: 'victor', name: 't' })).token);
    const registry = new RegistryService(t.app);
    await registry.approve({ actor: { principal: victor.auditName, sourceIp: '127.0.0.1' }, principal: victor }, PROJECT, 'small-group@1', { comment: 'independent validation complete' });
    await registry.setAlias({ actor: TEST_ACTOR }, PROJECT, 'small-group', 'champion', { version: 1 });
    const registered = (await registry.describeVersion({ actor: TEST_ACTOR }, PROJECT, 'small-group@1')).metrics['test:auc']!;
    const second = await runToEnd((await service.start(caller, PROJECT, 'group-champion')).executionId);
    expect(second.steps.find((s) => s.step === 'gate')!.result?.condition).toMatchObject({ against: registered, outcome: true, champion: expect.stringMatching(/^small-group@champion \(version 1, mp_/) });
    // The same model must beat the champion by a margin it cannot reach: the other branch runs.
    await service.create(caller, PROJECT, { name: 'group-champion', parameters: { ...definition().parameters, group: { type: 'string', default: 'small-group' } }, steps: steps(0.5) });
    const third = await runToEnd((await service.start(caller, PROJECT, 'group-champion')).executionId);
    expect(third.status).toBe('failed');
    expect(third.steps.find((s) => s.step === 'gate')!.result?.condition).toMatchObject({ against: registered + 0.5, outcome: false });
    // An unknown group has no champion (and does not fail the comparison).
    const none = await runToEnd((await service.start(caller, PROJECT, 'group-champion', { group: 'no-such-group' })).executionId);
    expect(none.steps.find((s) => s.step === 'gate')!.result?.condition).toMatchObject({ against: null, outcome: true });
  }, 240_000);

  it('retries a failed attempt after its backoff', async () => {
    const script = await t.app.artifacts.putBytes(TEST_ACTOR, Buffer.from(
      "import { existsSync, writeFileSync } from 'node:fs';\nexport default async function (ctx, params) {\n  if (!existsSync(params.marker)) { writeFileSync(params.marker, 'x'); throw new Error('a transient failure'); }\n  ctx.metric('ok', 1);\n}\n",
    ), { projectId, name: 'flaky.mjs', mediaType: 'text/javascript' });
    await service.create(caller, PROJECT, { name: 'flaky', steps: [{ name: 'flaky', type: 'custom', inputs: { script: script.artifactId }, params: { marker }, retry: { maxAttempts: 3, backoffMs: 300 } }] });
    const began = Date.now();
    const e = await runToEnd((await service.start(caller, PROJECT, 'flaky')).executionId);
    expect(e.status).toBe('succeeded');
    const step = e.steps[0]!;
    expect(step.attempts).toBe(2);
    expect(step.result?.metrics.ok).toBe(1);
    expect(Date.now() - began).toBeGreaterThanOrEqual(300);
  }, 120_000);

  it('cancels an execution, then retries only the steps that did not complete', async () => {
    await service.create(caller, PROJECT, { ...definition({ cache: false }), name: 'cancel-me' });
    const started = await service.start(caller, PROJECT, 'cancel-me');
    // Run the first job only, then cancel while the second is queued.
    let jobs = 0;
    const e1 = await service.engine.advance(started.executionId).then(async () => {
      const claimed = await service.jobs.queue.claim('test', 60_000);
      await executeJob(t.app, service.jobs.queue, claimed!, { leaseMs: 60_000, isolation: 'none', log: () => undefined, cwd: REPO_ROOT });
      jobs++;
      await service.engine.advance(started.executionId);
      return service.cancel(caller, PROJECT, started.executionId);
    });
    expect(jobs).toBe(1);
    expect(e1.status).toBe('cancelled');
    expect(Object.fromEntries(e1.steps.map((s) => [s.step, s.status]))).toMatchObject({ split: 'succeeded', train: 'cancelled', evaluate: 'cancelled' });
    const trainJob = await service.jobs.queue.get(e1.steps.find((s) => s.step === 'train')!.jobId!);
    expect(trainJob?.status).toBe('cancelled');
    await expect(service.cancel(caller, PROJECT, started.executionId)).rejects.toMatchObject({ code: 'PIPELINE_EXECUTION_FINISHED' });
    const splitJob = e1.steps.find((s) => s.step === 'split')!.jobId;
    await service.retry(caller, PROJECT, started.executionId);
    const e2 = await runToEnd(started.executionId);
    expect(e2.status).toBe('succeeded');
    expect(e2.steps.find((s) => s.step === 'split')!.jobId).toBe(splitJob);
    expect(e2.steps.find((s) => s.step === 'train')!.attempts).toBe(1);
    expect((await t.app.ledger.list({ principal: 'user:dana', action: 'pipeline:Stop' })).length).toBe(1);
  }, 180_000);
});

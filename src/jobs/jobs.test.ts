/**
 * Every job type end to end on a subset of the shipped credit data, each attempt in a real child
 * process started by the embedded runner: outputs named and encrypted, components tracked,
 * lineage and audit written; authorization denials; a job process killed with SIGKILL mid-run
 * is retried after its lease expires and commits exactly one output version; a network-isolated
 * job cannot reach a port on the host.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureProject } from '../app/index.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';
import { cli, REPO_ROOT } from '../../test/support/cli.js';
import type { Principal } from '../security/identity-store/index.js';
import type { Job, JobRequestInput } from './index.js';
import { InProcessJobsTransport, JobRunner, Jobs, JobService } from './index.js';

const PROJECT = 'credit';

describe('governed jobs (embedded runner, SQLite)', () => {
  let t: TestInstallation;
  let projectId: string;
  let runner: JobRunner;
  let service: JobService;
  let dana: Principal;
  let victor: Principal;
  let jobs: Jobs;
  /** The ML engineer: monitoring and batch transform are hers, training is not. */
  let engineerJobs: Jobs;
  let tcp: Server;
  const run = (request: JobRequestInput): Promise<Job> => jobs.run(PROJECT, request, { wait: true, pollMs: 100, timeoutMs: 300_000 });

  beforeAll(async () => {
    t = await createTestInstallation('sqlite', 'fs');
    projectId = await ensureProject(t.app, TEST_ACTOR, PROJECT, 'credit jobs');
    const { users, access, tokens, authenticator } = t.app.identity;
    const member = async (name: string, role: string) => {
      await users.create(TEST_ACTOR, { name });
      await access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: name, role, project: PROJECT });
      return authenticator.authenticate((await tokens.create(TEST_ACTOR, { owner: name, name: 't' })).token);
    };
    dana = await member('dana', 'data-scientist');
    victor = await member('victor', 'model-validator');
    const emil = await member('emil', 'ml-engineer');
    const lines = readFileSync(join(REPO_ROOT, 'datasets', 'uci_credit_card_default.csv'), 'utf8').split('\n').slice(0, 2001);
    const subset = join(t.home, 'credit-subset.csv');
    writeFileSync(subset, `${lines.join('\n')}\n`);
    await t.app.datasets.importFile(TEST_ACTOR, subset, { projectId, name: 'credit' });
    service = new JobService(t.app);
    jobs = new Jobs(new InProcessJobsTransport(service, { actor: { principal: dana.auditName, sourceIp: '127.0.0.1', userAgent: 'vitest' }, principal: dana }));
    engineerJobs = new Jobs(new InProcessJobsTransport(service, { actor: { principal: emil.auditName, sourceIp: '127.0.0.1', userAgent: 'vitest' }, principal: emil }));
    runner = new JobRunner({ app: t.app, env: t.env, leaseMs: 2000, pollMs: 100, backoffMs: 100, cwd: REPO_ROOT });
    runner.start();
    tcp = createServer((socket) => socket.end('hello\n'));
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  }, 60_000);

  afterAll(async () => {
    await runner?.stop();
    tcp?.close();
    await t?.dispose();
  });

  it('runs processing, training (GBDT and logistic), evaluation, explanation, bias, baseline, monitoring, batch transform and custom jobs with lineage and audit', async () => {
    const split = await run({ type: 'processing', inputs: { data: 'credit@1' }, params: { label: 'default', prefix: 'credit', seed: 42 } });
    expect(split.status).toBe('succeeded');
    expect(split.outputs.map((o) => `${o.role}=${o.name}@${o.version}`).sort()).toEqual(['test=credit-test@1', 'train=credit-train@1', 'validation=credit-validation@1']);

    const training = await run({
      type: 'training',
      inputs: { train: 'credit-train@1', validation: split.outputs.find((o) => o.role === 'validation')!.datasetVersionId! },
      params: { label: 'default', exclude: 'ID', model_name: 'credit-model', objective: 'binary:logistic', max_depth: 3, eta: 0.3, num_round: 20, seed: 7, eval_metric: 'auc' },
      experiment: 'credit-jobs',
      trial: 'gbdt',
    });
    expect(training.outputs).toMatchObject([{ role: 'model', name: 'credit-model', version: 1 }]);
    expect(training.metrics['validation:auc']).toBeGreaterThan(0.6);
    expect(training.attempts).toBe(1);
    const component = (await t.app.tracking.components([training.componentId!], [projectId]))[0]!;
    expect(component.status).toBe('Completed');
    expect(component.type).toBe('training');
    expect(component.parameters).toMatchObject({ job: training.jobId, num_round: 20, isolation: training.isolation });
    expect(component.inputs.map((i) => i.role).sort()).toEqual(['train', 'validation']);
    expect(component.outputs.map((o) => o.role)).toEqual(['model']);
    expect(component.environment).toBeTruthy();

    const logistic = await run({ type: 'training', inputs: { train: 'credit-train@1' }, params: { algorithm: 'logistic', label: 'default', exclude: 'ID', model_name: 'credit-logit' } });
    expect(logistic.outputs[0]?.name).toBe('credit-logit');

    const evaluation = await run({ type: 'evaluation', inputs: { model: 'credit-model', data: 'credit-test@1' }, params: { label: 'default' } });
    expect(evaluation.metrics['test:auc']).toBeGreaterThan(0.6);
    expect(evaluation.outputs[0]?.name).toBe('credit-model-evaluation');
    const logitEval = await run({ type: 'evaluation', inputs: { model: logistic.outputs[0]!.artifactId, data: 'credit-test' }, params: { label: 'default' } });
    expect(logitEval.metrics['test:auc']).toBeGreaterThan(0.6);

    const explanation = await run({ type: 'explanation', inputs: { model: 'credit-model@1', data: 'credit-test@1' }, params: { label: 'default', max_rows: 100 } });
    expect(explanation.outputs.map((o) => o.role).sort()).toEqual(['explanation-html', 'explanation-json', 'reason-codes']);

    const bias = await run({ type: 'bias', inputs: { model: 'credit-model', data: 'credit-test@1' }, params: { label: 'default', facet: 'SEX', sensitive: 2 } });
    expect(bias.outputs[0]?.name).toBe('credit-model-bias-sex');
    expect(Object.keys(bias.metrics).some((k) => k.startsWith('bias:'))).toBe(true);

    const baseline = await run({ type: 'baseline', inputs: { data: 'credit-train@1', model: 'credit-model' }, params: { name: 'credit', exclude: 'ID,default' } });
    expect(baseline.outputs[0]?.role).toBe('baseline-manifest');
    const asEngineer = (request: JobRequestInput) => engineerJobs.run(PROJECT, request, { wait: true, pollMs: 100, timeoutMs: 300_000 });
    // A data scientist may run a drift check of her own model's data (her pipeline's last step), but not a batch transform.
    await expect(jobs.run(PROJECT, { type: 'batch-transform', inputs: { model: 'credit-model', data: 'credit-test@1' } })).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    const check = await asEngineer({ type: 'monitor-check', inputs: { data: 'credit-test@1' }, params: { baseline: 'credit' } });
    expect(check.outputs.map((o) => o.role).sort()).toEqual(['report-html', 'report-json', 'statistics', 'violations']);
    expect(check.metrics.violations).toBeGreaterThanOrEqual(0);

    const scored = await asEngineer({ type: 'batch-transform', inputs: { model: 'credit-model', data: 'credit-test@1' }, params: {} });
    const predictions = await t.app.datasets.describe(projectId, 'credit-test-scored@1');
    expect(predictions.schema.columns.map((c) => c.name)).toContain('prediction');
    expect(scored.outputs[0]?.datasetVersionId).toBe(predictions.datasetVersionId);

    // Lineage: the training split fed the training component, which produced the model.
    const train = await t.app.datasets.describe(projectId, 'credit-train@1');
    const downstream = await t.app.lineage.downstream(train.artifactId, { visibleProjects: [projectId], types: ['component'], depth: 1 });
    expect(downstream.nodes.map((n) => n.id)).toContain(training.componentId);
    const upstream = await t.app.lineage.upstream(training.outputs[0]!.artifactId, { visibleProjects: [projectId] });
    expect(upstream.nodes.map((n) => n.id)).toContain(train.artifactId);

    // Audit: the submission, the completion and the job's reads, all as dana, the reads tagged with the job id.
    const runs = await t.app.ledger.list({ principal: dana.auditName, action: 'job:Run', resource: `attest:${PROJECT}:job/${training.jobId}` });
    expect(runs.map((e) => (e.details as { phase?: string }).phase)).toEqual(['submitted', 'completed']);
    const reads = await t.app.ledger.list({ principal: dana.auditName, action: 'artifact:Get' });
    expect(reads.some((e) => e.requestId === training.jobId)).toBe(true);
  }, 900_000);

  it('runs from the embedded CLI: jobs run --wait, describe, logs, list, types; bad input exits 2 and queues nothing', async () => {
    const home = ['--home', t.home, '--project', PROJECT];
    const r = await cli(['jobs', 'run', 'evaluation', ...home, '--input', 'model=credit-model@1', '--input', 'data=credit-validation@1', '--param', 'label=default', '--param', 'split=validation', '--wait', '--json'], t.env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const job = JSON.parse(r.stdout) as Job;
    expect(job).toMatchObject({ status: 'succeeded', principal: expect.stringMatching(/^os:/) });
    expect(job.metrics['validation:auc']).toBeGreaterThan(0.6);
    const described = await cli(['jobs', 'describe', job.jobId, ...home], t.env);
    expect(described.stdout).toMatch(/status:\s+succeeded/);
    expect((await cli(['jobs', 'logs', job.jobId, ...home], t.env)).stdout).toMatch(/succeeded/);
    expect((await cli(['jobs', 'list', ...home, '--type', 'evaluation'], t.env)).stdout).toContain(job.jobId);
    expect((await cli(['jobs', 'types'], t.env)).stdout).toMatch(/training\s+train \[validation\]\s+job:Run \+ model:Train/);
    const before = (await service.list({ actor: TEST_ACTOR }, PROJECT)).length;
    const bad = await cli(['jobs', 'run', 'training', ...home, '--input', 'train=credit-train@1'], t.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^attest: error INVALID_INPUT: Invalid parameter label/);
    expect((await service.list({ actor: TEST_ACTOR }, PROJECT)).length).toBe(before);
  }, 300_000);

  it('runs a custom script, network-isolated: it cannot open a TCP connection to a port on the host', async () => {
    const port = (tcp.address() as AddressInfo).port;
    const script = `import { connect } from 'node:net';
export default async function (ctx, params) {
  const rows = (await ctx.frame('data')).rowCount;
  const reached = await new Promise((resolve) => {
    const s = connect(Number(params.port), '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve(1); });
    s.on('error', (e) => { ctx.log('connect failed: ' + e.code); resolve(0); });
  });
  ctx.metric('rows', rows);
  ctx.metric('reached_host', reached);
  await ctx.outputArtifact('summary', 'custom-summary', Buffer.from(JSON.stringify({ rows })), 'application/json');
}
`;
    const stored = await t.app.artifacts.putBytes(TEST_ACTOR, Buffer.from(script), { projectId, name: 'scripts/probe.mjs', mediaType: 'text/javascript' });
    const job = await run({ type: 'custom', inputs: { script: `sha256:${stored.sha256}`, data: 'credit-test@1' }, params: { port } });
    expect(job.metrics.rows).toBeGreaterThan(0);
    expect(job.isolation).toBe('network-namespace');
    expect(job.metrics.reached_host).toBe(0);
    const logs = await service.logs({ actor: TEST_ACTOR }, PROJECT, job.jobId);
    expect(logs.map((l) => l.line).join('\n')).toMatch(/connect failed: E/);
  }, 300_000);

  /** Submits and waits, returning the final job whatever its status. */
  const runToEnd = async (request: JobRequestInput): Promise<Job> => service.wait((await jobs.run(PROJECT, request)).jobId, { pollMs: 100, timeoutMs: 120_000 });
  const customScript = async (name: string, source: string) => {
    const stored = await t.app.artifacts.putBytes(TEST_ACTOR, Buffer.from(source), { projectId, name: `scripts/${name}.mjs`, mediaType: 'text/javascript' });
    return `sha256:${stored.sha256}`;
  };

  it('kills an attempt that exceeds its wall-time limit: failed with JOB_TIMEOUT, not retried, component failed, limits recorded', async () => {
    const script = await customScript('sleeper', `export default async function (ctx) {
  ctx.log('sleeping past the limit');
  await new Promise((resolve) => setTimeout(resolve, 120000));
}
`);
    const job = await runToEnd({ type: 'custom', inputs: { script }, params: {}, timeoutSeconds: 4, memoryMb: 1024, maxAttempts: 3 });
    expect(job).toMatchObject({ status: 'failed', attempts: 1, timeoutSeconds: 4, memoryMb: 1024, error: { code: 'JOB_TIMEOUT' } });
    const component = (await t.app.tracking.components([job.componentId!], [projectId]))[0]!;
    expect(component.status).toBe('Failed');
    expect(component.parameters).toMatchObject({ limit_wall_seconds: 4, limit_memory_mb: 1024, limit_memory_enforcement: expect.stringMatching(/^v8-heap/) });
    const logs = (await service.logs({ actor: TEST_ACTOR }, PROJECT, job.jobId)).map((l) => l.line).join('\n');
    expect(logs).toMatch(/JOB_TIMEOUT: the attempt exceeded its wall-time limit of 4 s/);
    const failures = await t.app.ledger.list({ action: 'job:Run', resource: `job/${job.jobId}`, outcome: 'failed' });
    expect(failures.map((e) => (e.details as { error?: string }).error)).toContain('JOB_TIMEOUT');
  }, 120_000);

  it('stops an attempt that exceeds its memory limit: failed with JOB_MEMORY, not retried, component failed, audited', async () => {
    // Large arrays on the V8 heap reach the heap share of the limit within a few allocations.
    const heap = await customScript('heap-hog', `export default async function (ctx) {
  ctx.log('allocating past the limit');
  const keep = [];
  for (;;) keep.push(new Array(4e6).fill(1.5));
}
`);
    // Buffers live outside the V8 heap: the data-segment limit (prlimit) refuses them.
    const buffers = await customScript('buffer-hog', `export default async function (ctx) {
  const keep = [];
  for (;;) keep.push(new Float64Array(4e6).fill(1.5));
}
`);
    const cases = [{ script: heap, via: /JavaScript heap exhausted/ }, ...(process.platform === 'linux' ? [{ script: buffers, via: /allocation failed/ }] : [])];
    for (const { script, via } of cases) {
      const job = await runToEnd({ type: 'custom', inputs: { script }, params: {}, memoryMb: 256, timeoutSeconds: 120, maxAttempts: 3 });
      expect(job).toMatchObject({ status: 'failed', attempts: 1, memoryMb: 256, error: { code: 'JOB_MEMORY' } });
      expect(job.error?.message).toMatch(/memory limit of 256 MiB/);
      expect(job.error?.message).toMatch(via);
      const component = (await t.app.tracking.components([job.componentId!], [projectId]))[0]!;
      expect(component.status).toBe('Failed');
      expect(component.parameters).toMatchObject({ limit_memory_mb: 256 });
      const failures = (await t.app.ledger.list({ action: 'job:Run', outcome: 'failed' })).filter((e) => e.resource.endsWith(`job/${job.jobId}`));
      expect(failures.map((e) => (e.details as { error?: string }).error)).toContain('JOB_MEMORY');
    }
  }, 240_000);

  it('gives a job its inputs read-only: writing an input file fails (even as root) and the job fails', async () => {
    const script = await customScript('tamper', `import { readFileSync, writeFileSync } from 'node:fs';
export default async function (ctx) {
  const path = await ctx.inputPath('data');
  ctx.metric('bytes', readFileSync(path).length);
  try {
    writeFileSync(path, 'tampered');
  } catch (error) {
    ctx.log('write refused: ' + error.code);
    throw error;
  }
  ctx.log('input overwritten');
}
`);
    const job = await runToEnd({ type: 'custom', inputs: { script, data: 'credit@1' }, params: {}, maxAttempts: 1 });
    expect(job.status).toBe('failed');
    const logs = (await service.logs({ actor: TEST_ACTOR }, PROJECT, job.jobId)).map((l) => l.line).join('\n');
    expect(logs).toMatch(/write refused: (EROFS|EACCES|EPERM)/);
    expect(logs).not.toMatch(/input overwritten/);
    const component = (await t.app.tracking.components([job.componentId!], [projectId]))[0]!;
    expect(component.parameters.inputs_read_only).toMatch(/^(bind-mount|file-mode)$/);
    if (process.getuid?.() === 0) expect(component.parameters.inputs_read_only).toBe('bind-mount');
  }, 120_000);

  it('refuses a validator training (job:Run is theirs, model:Train is not) and records the denial; validators read jobs', async () => {
    const asVictor = new Jobs(new InProcessJobsTransport(service, { actor: { principal: victor.auditName, sourceIp: '127.0.0.1' }, principal: victor }));
    const before = (await service.list({ actor: TEST_ACTOR }, PROJECT)).length;
    await expect(asVictor.run(PROJECT, { type: 'training', inputs: { train: 'credit-train@1' }, params: { label: 'default' } })).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    expect((await service.list({ actor: TEST_ACTOR }, PROJECT)).length).toBe(before);
    const denied = await t.app.ledger.list({ principal: victor.auditName, outcome: 'denied' });
    expect(denied.map((e) => e.action)).toContain('model:Train');
    expect((await asVictor.list(PROJECT)).length).toBe(before);
    await expect(jobs.run(PROJECT, { type: 'training', inputs: { train: 'no-such-data@9' }, params: { label: 'default' } })).rejects.toMatchObject({ code: 'REFERENCE_NOT_FOUND' });
    await expect(jobs.run(PROJECT, { type: 'training', inputs: { data: 'credit@1' }, params: { label: 'default' } })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect((await service.list({ actor: TEST_ACTOR }, PROJECT)).length).toBe(before);
  }, 60_000);

  it('retries a training job whose process is killed with SIGKILL after the lease expires, with exactly one model version', async () => {
    const job = await jobs.run(PROJECT, {
      type: 'training',
      inputs: { train: 'credit-train@1' },
      params: { label: 'default', exclude: 'ID', model_name: 'credit-model-k9', objective: 'binary:logistic', max_depth: 6, num_round: 300, seed: 3 },
    });
    let killedPid: number | undefined;
    const deadline = Date.now() + 120_000;
    while (killedPid === undefined && Date.now() < deadline) {
      const current = await service.queue.get(job.jobId);
      const child = runner.child(job.jobId);
      if (current?.componentId && child?.pid) {
        child.kill('SIGKILL');
        killedPid = child.pid;
      } else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(killedPid).toBeDefined();
    const done = await jobs.wait(PROJECT, job.jobId, { pollMs: 100, timeoutMs: 300_000 });
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBe(2);
    expect(await t.app.artifacts.versions(projectId, 'credit-model-k9')).toHaveLength(1);
    const logs = (await service.logs({ actor: TEST_ACTOR }, PROJECT, job.jobId)).map((l) => l.line).join('\n');
    expect(logs).toMatch(/killed by SIGKILL/);
    expect(logs).toMatch(/attempt 2 of 3/);
  }, 400_000);
});

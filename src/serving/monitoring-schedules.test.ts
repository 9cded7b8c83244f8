/**
 * Monitoring schedules over an endpoint's captured traffic: a due data-quality schedule becomes a
 * durable `monitor-check` job over a dataset version of the captured window (report and
 * violations as job outputs, in lineage), settled into the execution and the metrics, with a
 * signed webhook alert on violations; a model-quality schedule joins captured scores with ground
 * truth; one execution per scheduled time under the leader lease; stop/start; bad cron refused.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectIdByName } from '../app/index.js';
import { JobRunner, JobService } from '../jobs/index.js';
import { formatGroundTruthLine } from '../monitoring/index.js';
import { verifyAlertSignature, webhookSink } from '../security/controls/index.js';
import { REPO_ROOT } from '../../test/support/cli.js';
import { testDialects } from '../../test/support/databases.js';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';
import { TEST_ACTOR } from '../../test/support/test-app.js';
import { MonitoringSchedules } from './monitoring-schedules.js';

const GOLDEN = join(REPO_ROOT, 'test/fixtures/golden/xgboost/credit_default_whitepaper');

describe.each(testDialects())('monitoring schedules (%s)', (dialect) => {
  let f: ServerFixture;
  let pid: string;
  let emil: string;
  const alerts: { body: string; signature: string | undefined }[] = [];
  let hook: ReturnType<typeof createServer>;
  let clock = new Date();

  beforeAll(async () => {
    f = await startServerFixture(dialect, { serving: { configRefreshMs: 0, schedulerIntervalMs: 0 } });
    pid = await projectIdByName(f.t.app, 'default');
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        alerts.push({ body, signature: req.headers['x-attest-signature'] as string | undefined });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    await f.t.app.artifacts.putBytes(TEST_ACTOR, readFileSync(join(GOLDEN, 'model.json')), { projectId: pid, name: 'credit-gbdt', mediaType: 'application/json' });
    const lines = readFileSync(join(REPO_ROOT, 'datasets', 'uci_credit_card_default.csv'), 'utf8').split('\n').slice(0, 1001);
    const file = join(f.t.home, 'train.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    await f.t.app.datasets.importFile(TEST_ACTOR, file, { projectId: pid, name: 'credit-train' });
    await f.t.app.baselines.create(TEST_ACTOR, pid, { name: 'credit-baseline', dataset: 'credit-train', exclude: ['ID', 'default'] });
    await f.t.app.endpoints.create(TEST_ACTOR, pid, { name: 'credit', model: 'credit-gbdt' });
    emil = await f.principal('emil', [{ role: 'ml-engineer', project: 'default' }]);
  }, 120_000);
  afterAll(async () => {
    hook?.close();
    await f?.dispose();
  });

  it('runs a due data-quality schedule as a monitor-check job and alerts on violations', async () => {
    // Traffic unlike the baseline: every applicant 3 months late, limits 10× higher.
    const rows = readFileSync(join(GOLDEN, 'input.csv'), 'utf8').trim().split('\n').slice(1, 201).map((l) => l.split(',').map(Number));
    const shifted = rows.map((r) => r.map((v, j) => (j === 0 ? v * 10 : j >= 5 && j <= 10 ? 3 : v)));
    const r = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints/credit/invocations', headers: { authorization: `Bearer ${emil}` }, payload: { instances: shifted } });
    expect(r.statusCode, r.body).toBe(200);
    await f.server.serving.capture.flush();

    const bad = await f.server.inject({ method: 'POST', url: '/v1/projects/default/monitoring-schedules', headers: { authorization: `Bearer ${emil}` }, payload: { name: 'hourly', endpoint: 'credit', kind: 'data-quality', cron: 'every hour', spec: { baseline: 'credit-baseline' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.field).toBe('cron');
    const created = await f.server.inject({ method: 'POST', url: '/v1/projects/default/monitoring-schedules', headers: { authorization: `Bearer ${emil}` }, payload: { name: 'hourly', endpoint: 'credit', kind: 'data-quality', cron: '0 * * * *', spec: { baseline: 'credit-baseline', windowHours: 2 } } });
    expect(created.statusCode, created.body).toBe(200);
    const nextRunAt = Date.parse(created.json().nextRunAt);
    expect(nextRunAt).toBeGreaterThan(Date.now());

    const jobs = new JobService(f.t.app);
    clock = new Date(nextRunAt + 1000);
    const scheduler = (owner: string) => new MonitoringSchedules({ app: f.t.app, jobs, metrics: f.server.serving.metrics, owner, now: () => clock, sinks: [webhookSink({ url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`, secret: 's3cret', attempts: 1 })] });
    const a = scheduler('a');
    const b = scheduler('b');
    const first = await a.tick();
    expect(first).toMatchObject({ leader: true, started: 1 });
    expect((await b.tick()).leader).toBe(false);
    expect((await a.tick()).started).toBe(0);

    const runner = new JobRunner({ app: f.t.app, env: f.t.env, leaseMs: 10_000, pollMs: 100, cwd: REPO_ROOT });
    runner.start();
    try {
      const described = await a.describe(pid, 'hourly');
      const jobId = described.executions[0]!.jobId!;
      // A monitor-check job starts a child process; on a loaded 2-core machine that can take a minute.
      let job = await jobs.queue.get(jobId);
      for (const deadline = Date.now() + 170_000; Date.now() < deadline && !['succeeded', 'failed', 'cancelled'].includes(job?.status ?? ''); ) {
        await new Promise((res) => setTimeout(res, 100));
        job = await jobs.queue.get(jobId);
      }
      // Unfinished: fail with what the job did, not with a bare status further down.
      const log = (await jobs.queue.logs(jobId)).map((l) => `${l.stream}: ${l.line}`).join('\n');
      expect(job?.status, `job ${jobId} attempt ${job?.attempts}, lease until ${job?.leaseExpiresAt}:\n${log}`).toBe('succeeded');
    } finally {
      await runner.stop();
    }
    expect(await a.reconcile()).toBe(1);
    const done = (await a.describe(pid, 'hourly')).executions[0]!;
    expect(done.status, JSON.stringify(done.report)).toBe('CompletedWithViolations');
    expect(done.violations).toBeGreaterThan(0);
    expect((done.report!.outputs as { role: string }[]).map((o) => o.role).sort()).toEqual(['report-html', 'report-json', 'statistics', 'violations']);
    expect(alerts).toHaveLength(1);
    expect(verifyAlertSignature(alerts[0]!.body, 's3cret', alerts[0]!.signature)).toBe(true);
    expect(JSON.parse(alerts[0]!.body).rule).toBe('monitoring-violation/data-quality');
    expect(f.server.serving.metrics.render()).toMatch(/attest_monitoring_violations_total\{endpoint="credit",kind="data-quality"\} [1-9]/);
    // Per feature, in the Prometheus exposition: the latest distance, the drift verdict, violations per check type.
    const exposition = f.server.serving.metrics.render();
    expect(exposition).toMatch(/attest_monitoring_feature_drift\{endpoint="credit",feature="PAY_0",schedule="hourly",statistic="distance"\} 0\.[0-9]+/);
    expect(exposition).toMatch(/attest_monitoring_feature_drift\{endpoint="credit",feature="PAY_0",schedule="hourly",statistic="drifted"\} 1/);
    expect(exposition).toMatch(/attest_monitoring_check_violations\{check="baseline_drift_check",endpoint="credit",schedule="hourly"\} [1-9]/);
    expect(exposition).toContain('# TYPE attest_monitoring_feature_drift gauge');
    // Lineage: the job's component consumed the captured window's dataset version.
    const component = (done.report as { componentId: string }).componentId;
    const up = await f.t.app.lineage.upstream(component, { depth: 1, visibleProjects: [pid] });
    expect(up.nodes.some((n) => n.kind === 'artifact')).toBe(true);
  }, 240_000);

  // Uses the captures and the `hourly` schedule the case above leaves.
  it('checks model quality once ground truth arrives, and stops and starts', async () => {
    const records = await f.t.app.capture.captures(TEST_ACTOR, pid, 'credit');
    const labels = records.map((r, i) => formatGroundTruthLine(r.eventMetadata.eventId, String(i % 3 === 0 ? 1 : 0))).join('\n');
    await f.t.app.capture.ingestGroundTruth(TEST_ACTOR, pid, 'credit', labels);
    const schedules = new MonitoringSchedules({ app: f.t.app, jobs: new JobService(f.t.app), owner: 'a', now: () => new Date() });
    await schedules.create(TEST_ACTOR, pid, { name: 'quality', endpoint: 'credit', kind: 'model-quality', cron: '0 0 * * *', spec: { windowHours: 24, constraints: { auc: { threshold: 0.99, comparison_operator: 'LessThanThreshold' } } } });
    const run = await f.server.inject({ method: 'POST', url: '/v1/projects/default/monitoring-schedules/quality/run', headers: { authorization: `Bearer ${emil}` } });
    expect(run.statusCode, run.body).toBe(200);
    expect(run.json()).toMatchObject({ status: 'CompletedWithViolations', violations: 1 });
    expect(run.json().report.merged).toBe(records.length);
    const stopped = await f.server.inject({ method: 'POST', url: '/v1/projects/default/monitoring-schedules/quality/stop', headers: { authorization: `Bearer ${emil}` } });
    expect(stopped.json()).toMatchObject({ status: 'Stopped', nextRunAt: null });
    const started = await f.server.inject({ method: 'POST', url: '/v1/projects/default/monitoring-schedules/quality/start', headers: { authorization: `Bearer ${emil}` } });
    expect(started.json().status).toBe('Scheduled');
    const list = await f.server.inject({ method: 'GET', url: '/v1/projects/default/monitoring-schedules', headers: { authorization: `Bearer ${emil}` } });
    expect(list.json().map((s: { name: string }) => s.name)).toEqual(['hourly', 'quality']);
  }, 60_000);
});

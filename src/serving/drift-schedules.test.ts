/**
 * Bias-drift and attribution-drift schedules: each execution computes the window's side from the
 * captures (a bias report over the captures joined with ground truth; exact TreeSHAP
 * contributions), stores it as an artifact the endpoint produced, and runs the `bias-drift` /
 * `attribution-drift` job against the schedule's reference; the job's report and violations are
 * settled into the execution, in lineage and in the per-check metrics.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectIdByName } from '../app/index.js';
import { parseCsvFrame, toFeatureMatrix } from '../data/index.js';
import { JobRunner, JobService, parseJobModel } from '../jobs/index.js';
import { formatContributionsCsv, treeShap } from '../ml/explain/index.js';
import { biasReport } from '../ml/fairness/index.js';
import { formatGroundTruthLine } from '../monitoring/index.js';
import { REPO_ROOT } from '../../test/support/cli.js';
import { testDialects } from '../../test/support/databases.js';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';
import { TEST_ACTOR } from '../../test/support/test-app.js';
import { MonitoringSchedules } from './monitoring-schedules.js';

const GOLDEN = join(REPO_ROOT, 'test/fixtures/golden/xgboost/credit_default_whitepaper');

describe.each(testDialects())('bias and attribution drift schedules (%s)', (dialect) => {
  let f: ServerFixture;
  let pid: string;
  let emil: string;

  beforeAll(async () => {
    f = await startServerFixture(dialect, { serving: { configRefreshMs: 0, schedulerIntervalMs: 0 } });
    pid = await projectIdByName(f.t.app, 'default');
    const modelBytes = readFileSync(join(GOLDEN, 'model.json'));
    await f.t.app.artifacts.putBytes(TEST_ACTOR, modelBytes, { projectId: pid, name: 'credit-gbdt', mediaType: 'application/json' });
    await f.t.app.endpoints.create(TEST_ACTOR, pid, { name: 'credit', model: 'credit-gbdt' });
    emil = await f.principal('emil', [{ role: 'ml-engineer', project: 'default' }]);
    // References from the validation rows: their contributions, and a bias report with other labels.
    const lines = readFileSync(join(GOLDEN, 'input.csv'), 'utf8').trim().split('\n');
    const frame = parseCsvFrame(`${lines.slice(0, 301).join('\n')}\n`);
    const model = parseJobModel(modelBytes);
    if (model.kind !== 'gbdt') throw new Error('tree model expected');
    const contributions = formatContributionsCsv(treeShap(model.ensemble, toFeatureMatrix(frame, model.featureNames)));
    await f.t.app.artifacts.putBytes(TEST_ACTOR, Buffer.from(contributions), { projectId: pid, name: 'credit-attributions.csv', mediaType: 'text/csv' });
    const labelled = parseCsvFrame(`${lines[0]},label,score\n${lines.slice(1, 301).map((l, i) => `${l},${i % 2},${i % 3 === 0 ? 0.9 : 0.1}`).join('\n')}\n`);
    const report = biasReport(labelled, { label: 'label', positive: ['1'], facet: 'SEX', sensitive: [2], predicted: 'score', probabilityThreshold: 0.5 });
    await f.t.app.artifacts.putBytes(TEST_ACTOR, Buffer.from(JSON.stringify(report)), { projectId: pid, name: 'credit-bias-baseline.json', mediaType: 'application/json' });
  }, 120_000);
  afterAll(async () => f?.dispose());

  it('runs bias-drift and attribution-drift executions as jobs with reports, violations, lineage and metrics', async () => {
    const rows = readFileSync(join(GOLDEN, 'input.csv'), 'utf8').trim().split('\n').slice(1, 301).map((l) => l.split(',').map(Number));
    const r = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints/credit/invocations', headers: { authorization: `Bearer ${emil}` }, payload: { instances: rows } });
    expect(r.statusCode, r.body).toBe(200);
    await f.server.serving.capture.flush();
    const records = await f.t.app.capture.captures(TEST_ACTOR, pid, 'credit');
    await f.t.app.capture.ingestGroundTruth(TEST_ACTOR, pid, 'credit', records.map((c, i) => formatGroundTruthLine(c.eventMetadata.eventId, String(i % 4 === 0 ? 1 : 0))).join('\n'));

    const create = (payload: unknown) => f.server.inject({ method: 'POST', url: '/v1/projects/default/monitoring-schedules', headers: { authorization: `Bearer ${emil}` }, payload: payload as Record<string, unknown> });
    const noReference = await create({ name: 'bias', endpoint: 'credit', kind: 'bias-drift', cron: '0 0 * * *', spec: { bias: { facet: 'SEX' } } });
    expect(noReference.statusCode).toBe(400);
    expect(noReference.json().error.details.field).toBe('reference');
    expect((await create({ name: 'bias', endpoint: 'credit', kind: 'bias-drift', cron: '0 0 * * *', spec: { reference: 'credit-bias-baseline.json', bias: { facet: 'SEX', sensitive: [2], tolerance: 0 }, windowHours: 24 } })).statusCode).toBe(200);
    expect((await create({ name: 'attributions', endpoint: 'credit', kind: 'attribution-drift', cron: '0 0 * * *', spec: { reference: 'credit-attributions.csv', windowHours: 24 } })).statusCode).toBe(200);

    const jobs = new JobService(f.t.app);
    const schedules = new MonitoringSchedules({ app: f.t.app, jobs, metrics: f.server.serving.metrics, owner: 'a' });
    const runs = await Promise.all(['bias', 'attributions'].map((name) => f.server.inject({ method: 'POST', url: `/v1/projects/default/monitoring-schedules/${name}/run`, headers: { authorization: `Bearer ${emil}` } })));
    for (const run of runs) expect(run.statusCode, run.body).toBe(200);
    const jobIds = runs.map((run) => run.json().jobId as string);
    expect(jobIds.every((id) => id?.startsWith('job_'))).toBe(true);

    const runner = new JobRunner({ app: f.t.app, env: f.t.env, leaseMs: 10_000, pollMs: 100, cwd: REPO_ROOT });
    runner.start();
    try {
      // Each job starts a child process; on a loaded 2-core machine that can take a minute.
      for (const deadline = Date.now() + 200_000; Date.now() < deadline; ) {
        const states = await Promise.all(jobIds.map((id) => jobs.queue.get(id)));
        if (states.every((j) => j && ['succeeded', 'failed', 'cancelled'].includes(j.status))) break;
        await new Promise((res) => setTimeout(res, 200));
      }
      for (const id of jobIds) {
        const job = await jobs.queue.get(id);
        const log = (await jobs.queue.logs(id)).map((l) => `${l.stream}: ${l.line}`).join('\n');
        expect(job?.status, `${id}:\n${log}`).toBe('succeeded');
      }
    } finally {
      await runner.stop();
    }
    expect(await schedules.reconcile()).toBe(2);
    const bias = (await schedules.describe(pid, 'bias')).executions[0]!;
    expect(bias.status, JSON.stringify(bias.report)).toBe('CompletedWithViolations');
    expect(bias.violations).toBeGreaterThan(0);
    expect((bias.report!.outputs as { role: string }[]).map((o) => o.role).sort()).toEqual(['bias-drift', 'violations']);
    const attributions = (await schedules.describe(pid, 'attributions')).executions[0]!;
    // The window is the reference's rows: the same ranking, nDCG 1.
    expect(attributions.status, JSON.stringify(attributions.report)).toBe('Completed');
    expect(attributions.violations).toBe(0);
    expect((attributions.report!.outputs as { role: string }[]).map((o) => o.role).sort()).toEqual(['attribution-drift', 'violations']);

    // Lineage: the job's component consumed the window's side, which the endpoint produced.
    const endpointId = (await f.t.app.endpoints.currentVersion(pid, 'credit'))!.endpointId;
    for (const e of [bias, attributions]) {
      const up = await f.t.app.lineage.upstream((e.report as { componentId: string }).componentId, { depth: 2, visibleProjects: [pid] });
      expect(up.nodes.map((n) => n.id)).toContain(endpointId);
    }
    const metrics = f.server.serving.metrics.render();
    expect(metrics).toMatch(/attest_monitoring_violations_total\{endpoint="credit",kind="bias-drift"\} [1-9]/);
    expect(metrics).toMatch(/attest_monitoring_check_violations\{check="bias_drift_check",endpoint="credit",schedule="bias"\} [1-9]/);
    expect(metrics).toMatch(/attest_monitoring_attribution_ndcg\{endpoint="credit",label="[^"]+",schedule="attributions"\} 1\n/);
  }, 300_000);
});

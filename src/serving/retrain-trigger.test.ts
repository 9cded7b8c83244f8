/**
 * The retraining trigger of a monitoring schedule, on SQLite and PostgreSQL: configured over HTTP
 * as the caller (a trigger cannot run as someone else, the pipeline must exist); a violating
 * execution starts exactly one pipeline execution as that principal, linked in lineage from the
 * report to the execution's trial and audited with the monitoring execution and its violations; a
 * second within the cool-down is suppressed and recorded (report and audit); the 24 h cap holds; a
 * non-violating execution starts nothing; a revoked grant stops the trigger when it fires.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectIdByName } from '../app/index.js';
import { JobService } from '../jobs/index.js';
import { formatGroundTruthLine } from '../monitoring/index.js';
import { PipelineService } from '../pipelines/index.js';
import { REPO_ROOT } from '../../test/support/cli.js';
import { testDialects } from '../../test/support/databases.js';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';
import { TEST_ACTOR } from '../../test/support/test-app.js';
import { MonitoringSchedules } from './monitoring-schedules.js';
import type { RetrainOutcome } from './retrain-trigger.js';
import { applyRetrainTrigger } from './retrain-trigger.js';
import { servingDb } from './serving-tables.js';

const GOLDEN = join(REPO_ROOT, 'test/fixtures/golden/xgboost/credit_default_whitepaper');

describe.each(testDialects())('retraining trigger (%s)', (dialect) => {
  let f: ServerFixture;
  let pid: string;
  let emil: string;
  let pipelines: PipelineService;
  let clock = new Date();
  let schedules: MonitoringSchedules;
  // Set after the traffic is captured: each execution's 24 h window ends at the scheduler's clock.
  let start = 0;

  const create = (name: string, threshold: number, retrain: Record<string, unknown>) =>
    f.server.inject({
      method: 'POST',
      url: '/v1/projects/default/monitoring-schedules',
      headers: { authorization: `Bearer ${emil}` },
      payload: { name, endpoint: 'credit', kind: 'model-quality', cron: '0 0 * * *', spec: { windowHours: 24, constraints: { auc: { threshold, comparison_operator: 'LessThanThreshold' } }, retrain } },
    });
  const runAt = async (name: string, minutes: number) => {
    clock = new Date(start + minutes * 60_000);
    return schedules.run(TEST_ACTOR, pid, name);
  };
  const executions = async () => (await pipelines.store.executions((await pipelines.store.pipeline(pid, 'retrain-credit'))!.id, 100)).length;

  beforeAll(async () => {
    f = await startServerFixture(dialect, { serving: { configRefreshMs: 0, schedulerIntervalMs: 0 } });
    pid = await projectIdByName(f.t.app, 'default');
    await f.t.app.artifacts.putBytes(TEST_ACTOR, readFileSync(join(GOLDEN, 'model.json')), { projectId: pid, name: 'credit-gbdt', mediaType: 'application/json' });
    await f.t.app.datasets.importFile(TEST_ACTOR, join(GOLDEN, 'input.csv'), { projectId: pid, name: 'credit-train' });
    await f.t.app.endpoints.create(TEST_ACTOR, pid, { name: 'credit', model: 'credit-gbdt' });
    emil = await f.principal('emil', [
      { role: 'ml-engineer', project: 'default' },
      { role: 'data-scientist', project: 'default' },
    ]);
    pipelines = new PipelineService(f.t.app);
    await pipelines.create({ actor: TEST_ACTOR }, 'default', { name: 'retrain-credit', steps: [{ name: 'split', type: 'processing', inputs: { data: 'credit-train@1' }, params: { seed: 1 } }] });
    const rows = readFileSync(join(GOLDEN, 'input.csv'), 'utf8').trim().split('\n').slice(1, 101).map((l) => l.split(',').map(Number));
    const r = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints/credit/invocations', headers: { authorization: `Bearer ${emil}` }, payload: { instances: rows } });
    expect(r.statusCode, r.body).toBe(200);
    // flush() leaves the open segment alone while a background sync is running: flush until stored.
    let records = await f.t.app.capture.captures(TEST_ACTOR, pid, 'credit');
    for (let i = 0; i < 50 && records.length < rows.length; i++) {
      await new Promise((res) => setTimeout(res, 20));
      await f.server.serving.capture.flush();
      records = await f.t.app.capture.captures(TEST_ACTOR, pid, 'credit');
    }
    expect(records).toHaveLength(rows.length);
    await f.t.app.capture.ingestGroundTruth(TEST_ACTOR, pid, 'credit', records.map((c, i) => formatGroundTruthLine(c.eventMetadata.eventId, String(i % 3 === 0 ? 1 : 0))).join('\n'));
    start = Date.now() + 5_000;
    schedules = new MonitoringSchedules({ app: f.t.app, jobs: new JobService(f.t.app), owner: 'a', now: () => clock });
  }, 120_000);
  afterAll(async () => {
    await f?.dispose();
  });

  it('refuses a trigger for someone else or for a missing pipeline', async () => {
    const other = await create('other', 0.99, { pipeline: 'retrain-credit', runAs: 'admin' });
    expect(other.statusCode, other.body).toBe(403);
    expect(other.json().error.details.field).toBe('retrain.runAs');
    const missing = await create('missing', 0.99, { pipeline: 'no-such-pipeline' });
    expect(missing.statusCode).toBe(404);
    const bad = await create('bad', 0.99, { pipeline: 'retrain-credit', onViolations: ['data_drift'] });
    expect(bad.statusCode).toBe(400);
  });

  it('starts one execution per violation, suppresses within the cool-down and beyond the cap, records each', async () => {
    const created = await create('quality', 0.99, { pipeline: 'retrain-credit', parameters: {}, onViolations: ['model_quality_check'], cooldownMinutes: 60, maxPerDay: 2 });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json().spec.retrain).toMatchObject({ pipeline: 'retrain-credit', runAs: 'emil', cooldownMinutes: 60, maxPerDay: 2, minViolations: 1 });

    const first = await runAt('quality', 0);
    expect(first.status, JSON.stringify(first.report)).toBe('CompletedWithViolations');
    const started = first.report!.retrain as RetrainOutcome;
    expect(started).toMatchObject({ status: 'Started', matched: 1, runAs: 'user:emil' });
    expect(await executions()).toBe(1);
    const execution = await pipelines.store.execution(started.pipelineExecutionId!);
    expect(execution!.principal).toBe('user:emil');
    // Lineage: the model-quality report contributed to the pipeline execution's trial.
    const down = await f.t.app.lineage.downstream(first.report!.reportArtifactId as string, { depth: 1, visibleProjects: [pid] });
    expect(down.nodes.map((n) => n.id)).toContain(started.trialId);
    const up = await f.t.app.lineage.upstream(started.trialId!, { depth: 1, visibleProjects: [pid] });
    expect(up.nodes.map((n) => n.id)).toContain(first.report!.reportArtifactId);
    const audit = await f.t.app.db.kysely.selectFrom('audit_events').select(['principal', 'outcome', 'details', 'resource']).where('action', '=', 'pipeline:Start').execute();
    const triggered = audit.filter((a) => JSON.parse(a.details).monitoringExecutionId === first.executionId);
    expect(triggered.map((a) => a.outcome)).toEqual(['allowed']);
    expect(triggered[0]!.principal).toBe('user:emil');
    expect(JSON.parse(triggered[0]!.details)).toMatchObject({ pipelineExecutionId: started.pipelineExecutionId, violations: [{ type: 'model_quality_check', feature: 'auc' }] });

    const second = await runAt('quality', 10);
    expect(second.report!.retrain).toMatchObject({ status: 'Suppressed', reason: 'cooldown', nextAllowedAt: new Date(start + 60 * 60_000).toISOString() });
    expect(await executions()).toBe(1);
    const described = await f.server.inject({ method: 'GET', url: '/v1/projects/default/monitoring-schedules/quality', headers: { authorization: `Bearer ${emil}` } });
    expect(described.json().executions.find((e: { executionId: string }) => e.executionId === second.executionId).report.retrain.status).toBe('Suppressed');
    const suppressed = await f.t.app.db.kysely.selectFrom('audit_events').select(['outcome', 'details']).where('action', '=', 'pipeline:Start').where('outcome', '=', 'denied').execute();
    expect(suppressed.map((a) => JSON.parse(a.details)).filter((d) => d.monitoringExecutionId === second.executionId)).toMatchObject([{ suppressed: 'cooldown' }]);

    expect((await runAt('quality', 61)).report!.retrain).toMatchObject({ status: 'Started' });
    expect(await executions()).toBe(2);
    // Past the cool-down again, but the second of at most two in 24 h has been started.
    expect((await runAt('quality', 130)).report!.retrain).toMatchObject({ status: 'Suppressed', reason: 'max-per-day', nextAllowedAt: new Date(start + 24 * 3_600_000).toISOString() });
    expect(await executions()).toBe(2);
  }, 60_000);

  it('starts nothing when the execution has no violations', async () => {
    expect((await create('healthy', 0, { pipeline: 'retrain-credit', cooldownMinutes: 0, maxPerDay: 10 })).statusCode).toBe(200);
    const run = await runAt('healthy', 200);
    expect(run.status).toBe('Completed');
    expect(run.report!.retrain).toBeUndefined();
    expect(await executions()).toBe(2);
  }, 60_000);

  it('counts only the selected violation types, from a data-quality check\'s violations output too', async () => {
    const created = await create('drift', 0.99, { pipeline: 'retrain-credit', onViolations: ['baseline_drift_check'], minViolations: 2, cooldownMinutes: 0, maxPerDay: 10 });
    expect(created.statusCode, created.body).toBe(200);
    // The model-quality violation is not a selected type: nothing starts, the reason is recorded.
    const run = await runAt('drift', 400);
    expect(run.report!.retrain).toMatchObject({ status: 'NotMatched', matched: 0 });
    expect(await executions()).toBe(2);
    // A settled monitor-check job's report names its outputs; the violations file is read from the artifact.
    const violations = {
      violations: [
        { feature_name: 'LIMIT_BAL', constraint_check_type: 'baseline_drift_check', description: 'drift' },
        { feature_name: 'PAY_0', constraint_check_type: 'baseline_drift_check', description: 'drift' },
        { feature_name: 'AGE', constraint_check_type: 'completeness_check', description: 'missing' },
      ],
    };
    const stored = await f.t.app.artifacts.putBytes(TEST_ACTOR, Buffer.from(JSON.stringify(violations)), { projectId: pid, name: 'monitoring/credit/drift/constraint_violations.json', mediaType: 'application/json' });
    const schedule = await servingDb(f.t.app.db).selectFrom('monitoring_schedules').selectAll().where('name', '=', 'drift').executeTakeFirstOrThrow();
    const spec = (await schedules.describe(pid, 'drift')).spec;
    clock = new Date(start + 401 * 60_000);
    const outcome = await applyRetrainTrigger({ app: f.t.app, jobs: new JobService(f.t.app), now: () => clock, schedulerActor: TEST_ACTOR }, schedule, spec.retrain, run.executionId, 3, { outputs: [{ role: 'violations', artifactId: stored.artifactId }] });
    expect(outcome).toMatchObject({ status: 'Started', matched: 2 });
    expect(await executions()).toBe(3);
    const down = await f.t.app.lineage.downstream(stored.artifactId, { depth: 1, visibleProjects: [pid] });
    expect(down.nodes.map((n) => n.id)).toContain(outcome!.trialId);
    expect(((await schedules.describe(pid, 'drift')).executions[0]!.report!.retrain as RetrainOutcome).pipelineExecutionId).toBe(outcome!.pipelineExecutionId);
  }, 60_000);

  it('authorizes again when it fires: a revoked grant stops retraining', async () => {
    expect((await create('revoked', 0.99, { pipeline: 'retrain-credit', cooldownMinutes: 0, maxPerDay: 10 })).statusCode).toBe(200);
    for (const role of ['ml-engineer', 'data-scientist']) await f.t.app.identity.access.unassignRole(TEST_ACTOR, { subjectType: 'user', subject: 'emil', role, project: 'default' });
    f.t.app.identity.authorizer.invalidate();
    const run = await runAt('revoked', 300);
    expect(run.report!.retrain).toMatchObject({ status: 'Failed', runAs: 'user:emil' });
    expect((run.report!.retrain as RetrainOutcome).reason).toMatch(/Not authorised to perform pipeline:Start/);
    expect(await executions()).toBe(3);
  }, 60_000);
});

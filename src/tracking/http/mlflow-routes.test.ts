/**
 * The MLflow-compatible API driven by a real third-party MLflow client (npm `mlflow`), through a
 * real fastify server on 127.0.0.1 with a minimal bearer-token check (test/support/tracking-server).
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureProject, projectIdByName } from '../../app/index.js';
import { testDialects } from '../../../test/support/databases.js';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../../test/support/test-app.js';
import type { TestCaller, TestServer } from '../../../test/support/tracking-server.js';
import { startTrackingServer } from '../../../test/support/tracking-server.js';
import { mlflowRoutes } from './mlflow-routes.js';

// The package is CommonJS whose module.exports is the client class; its typings declare a default export.
const require = createRequire(import.meta.url);
const MLflow = require('mlflow') as typeof import('mlflow').default;
const { RunStatus } = require('mlflow/enum') as typeof import('mlflow/lib/enum.js');

async function failure(p: Promise<unknown>): Promise<{ status: number; data: { error_code?: string } }> {
  try {
    await p;
  } catch (error) {
    return JSON.parse((error as Error).message.replace(/^Error: /, '')) as { status: number; data: { error_code?: string } };
  }
  throw new Error('expected the call to fail');
}

describe.each(testDialects())('MLflow-compatible API on %s', (dialect) => {
  let inst: TestInstallation;
  let server: TestServer;
  let endpoint: string;

  beforeAll(async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    inst = await createTestInstallation(dialect, 'fs');
    const projectA = await projectIdByName(inst.app, 'default');
    const projectB = await ensureProject(inst.app, TEST_ACTOR, 'other-team', 'another project');
    const tokens = new Map<string, TestCaller>([
      ['tok-alice', { principal: 'user:alice', projects: [projectA] }],
      ['tok-viewer', { principal: 'user:victor', projects: [projectA], readOnly: true }],
      ['tok-bob', { principal: 'user:bob', projects: [projectB] }],
    ]);
    server = await startTrackingServer(inst.app, mlflowRoutes, tokens);
    endpoint = server.url;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await inst?.dispose();
    vi.restoreAllMocks();
  });

  const client = (token: string) => new MLflow({ endpoint, headers: { Authorization: `Bearer ${token}` } });

  it('logs a run with parameters, metrics and tags and reads it back', async () => {
    const { Experiments, Runs, Metrics } = client('tok-alice');
    const { experiment_id } = await Experiments.create({ name: 'mlflow-credit', artifact_location: '' });
    expect(experiment_id).toMatch(/^exp_/);
    const { experiment } = await Experiments.get({ experiment_id });
    expect(experiment.name).toBe('mlflow-credit');
    const start = Date.now();
    const { run } = await Runs.create({ experiment_id, user_id: 'someone-else', start_time: start, tags: [{ key: 'mlflow.runName', value: 'xgb-eta-0.2' }, { key: 'team', value: 'credit' }] });
    const runId: string = run.info.run_id;
    await Runs.logParameter({ run_id: runId, key: 'eta', value: '0.2' });
    await Runs.logBatch({
      run_id: runId,
      params: [{ key: 'max_depth', value: '5' }],
      metrics: [0, 1, 2].map((step) => ({ key: 'validation-auc', value: 0.7 + step / 100, timestamp: start + step, step })),
      tags: [{ key: 'stage', value: 'dev' }],
    });
    await Runs.logMetric({ run_id: runId, key: 'validation-auc', value: 0.75, timestamp: start + 10, step: 3 });
    await Runs.setTag({ run_id: runId, key: 'reviewed', value: 'no' });
    await Runs.update({ run_id: runId, status: RunStatus.FINISHED, end_time: start + 1000 });

    const back = (await Runs.get({ run_id: runId })).run;
    expect(back.info.status).toBe('FINISHED');
    expect((back.info as unknown as { run_name: string }).run_name).toBe('xgb-eta-0.2');
    expect(back.info.user_id).toBe('user:alice');
    expect(back.info.end_time).toBe(start + 1000);
    expect(back.data.params).toEqual(expect.arrayContaining([{ key: 'eta', value: '0.2' }, { key: 'max_depth', value: '5' }]));
    expect(back.data.metrics).toEqual([{ key: 'validation-auc', value: 0.75, timestamp: start + 10, step: 3 }]);
    expect(back.data.tags).toEqual(expect.arrayContaining([{ key: 'team', value: 'credit' }, { key: 'stage', value: 'dev' }, { key: 'reviewed', value: 'no' }, { key: 'mlflow.runName', value: 'xgb-eta-0.2' }]));
    const history = await Metrics.getHistory({ run_id: runId, metric_key: 'validation-auc' });
    expect(history.metrics.map((m: { step: number }) => m.step)).toEqual([0, 1, 2, 3]);

    const found = await Runs.search({ experiment_ids: [experiment_id], filter: "params.eta = '0.2' and metrics.validation-auc > 0.74 and attributes.status = 'FINISHED'" });
    expect(found.runs.map((x: { info: { run_id: string } }) => x.info.run_id)).toEqual([runId]);
    const none = await Runs.search({ experiment_ids: [experiment_id], filter: 'metrics.validation-auc > 0.9' });
    expect(none.runs ?? []).toEqual([]);

    const byName = await fetch(`${endpoint}/api/2.0/mlflow/experiments/get-by-name?experiment_name=mlflow-credit`, { headers: { Authorization: 'Bearer tok-alice' } });
    expect(((await byName.json()) as { experiment: { experiment_id: string } }).experiment.experiment_id).toBe(experiment_id);
    const listed = await fetch(`${endpoint}/api/2.0/mlflow/experiments/search`, { method: 'POST', headers: { Authorization: 'Bearer tok-alice', 'content-type': 'application/json' }, body: JSON.stringify({ filter: "name = 'mlflow-credit'" }) });
    expect(((await listed.json()) as { experiments: unknown[] }).experiments).toHaveLength(1);

    // The finished run is frozen: MLflow's INVALID_STATE, and the component is in the audit ledger.
    const frozen = await failure(Runs.logParameter({ run_id: runId, key: 'eta', value: '0.3' }));
    expect(frozen.status).toBe(400);
    expect(frozen.data.error_code).toBe('INVALID_STATE');
    const audit = await inst.app.ledger.list({ resource: `attest:default:component/${runId}` });
    expect(audit.map((e) => e.principal)).toContain('user:alice');
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['component:Create', 'component:Update', 'component:Complete']));
    expect(server.decisions.some((d) => d.action === 'component:Complete' && d.resource.endsWith(`component/${runId}`))).toBe(true);
  });

  it('requires a bearer token, enforces the authorizer, and hides other projects', async () => {
    const anonymous = await fetch(`${endpoint}/api/2.0/mlflow/experiments/search`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(anonymous.status).toBe(401);
    const { experiment_id } = await client('tok-alice').Experiments.create({ name: 'private', artifact_location: '' });
    const { run } = await client('tok-alice').Runs.create({ experiment_id, user_id: 'alice', start_time: Date.now() });
    const hidden = await failure(client('tok-bob').Runs.get({ run_id: run.info.run_id }));
    expect(hidden.status).toBe(404);
    expect(hidden.data.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const bobList = await client('tok-bob').Runs.search({ experiment_ids: [experiment_id] });
    expect(bobList.runs ?? []).toEqual([]);
    const denied = await failure(client('tok-viewer').Runs.logMetric({ run_id: run.info.run_id, key: 'x', value: 1, timestamp: Date.now() }));
    expect(denied.status).toBe(403);
    expect(denied.data.error_code).toBe('PERMISSION_DENIED');
    const viewerRead = await client('tok-viewer').Runs.get({ run_id: run.info.run_id });
    expect(viewerRead.run.info.status).toBe('RUNNING');
    const bad = await failure(client('tok-alice').Runs.logMetric({ run_id: run.info.run_id, key: 'x', value: 'not-a-number' as unknown as number, timestamp: Date.now() }));
    expect(bad.data.error_code).toBe('INVALID_PARAMETER_VALUE');
    const dup = await failure(client('tok-alice').Experiments.create({ name: 'private', artifact_location: '' }));
    expect(dup.data.error_code).toBe('RESOURCE_ALREADY_EXISTS');
  });
});

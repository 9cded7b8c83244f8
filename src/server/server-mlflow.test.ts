/**
 * MLflow's own client against the real `attest` API server: a data scientist's Attest API token,
 * the project from the X-Attest-Project header, real policy decisions and the audit ledger —
 * the same authentication, policies, projects and audit as every other route.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';
import { testDialects } from '../../test/support/databases.js';

// The package is CommonJS whose module.exports is the client class.
const require = createRequire(import.meta.url);
const MLflow = require('mlflow') as typeof import('mlflow').default;
const { RunStatus } = require('mlflow/enum') as typeof import('mlflow/lib/enum.js');

describe.each(testDialects())('the MLflow client against the attest server on %s', (dialect) => {
  let f: ServerFixture;
  let endpoint = '';
  let scientist = '';
  let viewer = '';
  beforeAll(async () => {
    f = await startServerFixture(dialect);
    await f.server.listen({ port: 0, host: '127.0.0.1' });
    endpoint = `http://127.0.0.1:${(f.server.server.address() as AddressInfo).port}`;
    scientist = await f.principal('mlds', [{ role: 'data-scientist', project: 'default' }]);
    viewer = await f.principal('mlviewer', [{ role: 'viewer', project: 'default' }]);
  }, 60_000);
  afterAll(async () => f?.dispose());

  const client = (token: string) => new MLflow({ endpoint, headers: { Authorization: `Bearer ${token}`, 'X-Attest-Project': 'default' } });

  it('logs a run with parameters, metrics and tags and reads it back, audited as the token\'s user', async () => {
    const { Experiments, Runs, Metrics } = client(scientist);
    const { experiment_id } = await Experiments.create({ name: 'mlflow-on-attest', artifact_location: '' });
    const start = Date.now();
    const { run } = await Runs.create({ experiment_id, user_id: 'ignored', start_time: start, tags: [{ key: 'mlflow.runName', value: 'xgb' }] });
    const runId: string = run.info.run_id;
    await Runs.logParameter({ run_id: runId, key: 'max_depth', value: '5' });
    await Runs.logMetric({ run_id: runId, key: 'auc', value: 0.78, timestamp: start, step: 0 });
    await Runs.logMetric({ run_id: runId, key: 'auc', value: 0.79, timestamp: start + 1, step: 1 });
    await Runs.setTag({ run_id: runId, key: 'team', value: 'credit' });
    await Runs.update({ run_id: runId, status: RunStatus.FINISHED, end_time: start + 10 });
    const back = (await Runs.get({ run_id: runId })).run;
    expect(back.info.status).toBe('FINISHED');
    expect(back.info.user_id).toBe('user:mlds');
    expect(back.data.params).toEqual([{ key: 'max_depth', value: '5' }]);
    expect(back.data.tags).toEqual(expect.arrayContaining([{ key: 'team', value: 'credit' }]));
    const history = await Metrics.getHistory({ run_id: runId, metric_key: 'auc' });
    expect(history.metrics.map((m: { value: number }) => m.value)).toEqual([0.78, 0.79]);
    const audit = await f.t.app.ledger.list({ resource: `attest:default:component/${runId}` });
    expect(new Set(audit.map((e) => e.principal))).toEqual(new Set(['user:mlds']));
    expect((await f.t.app.verifyAudit()).ok).toBe(true);
  });

  it('picks the project with MLFLOW_TRACKING_URI alone: the token\'s default project, or the /projects/{p} prefix', async () => {
    const { ensureProject } = await import('../app/index.js');
    await ensureProject(f.t.app, { principal: 'system:test', sourceIp: null, userAgent: null }, 'credit-risk', 'second project');
    const solo = await f.principal('solo', [{ role: 'data-scientist', project: 'credit-risk' }]);
    const plain = new MLflow({ endpoint, headers: { Authorization: `Bearer ${solo}` } });
    const { experiment_id } = await plain.Experiments.create({ name: 'no-header', artifact_location: '' });
    const audit = await f.t.app.ledger.list({ resource: `attest:credit-risk:experiment/${experiment_id}` });
    expect(audit.map((e) => e.action)).toContain('experiment:Create');
    const prefixed = new MLflow({ endpoint: `${endpoint}/projects/credit-risk`, headers: { Authorization: `Bearer ${solo}` } });
    const { run } = await prefixed.Runs.create({ experiment_id: '0', user_id: 'solo', start_time: Date.now() });
    expect(run.info.artifact_uri).toBe(`mlflow-artifacts:/${run.info.experiment_id}/${run.info.run_id}/artifacts`);
    const wrong = await fetch(`${endpoint}/projects/default/api/2.0/mlflow/runs/get?run_id=${run.info.run_id}`, { headers: { Authorization: `Bearer ${solo}` } });
    expect(((await wrong.json()) as { error_code: string }).error_code).toMatch(/RESOURCE_DOES_NOT_EXIST|PERMISSION_DENIED/);
    const unknown = await fetch(`${endpoint}/api/2.0/mlflow/traces`, { headers: { Authorization: `Bearer ${solo}` } });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error_code: string }).error_code).toBe('ENDPOINT_NOT_FOUND');
  });

  it('refuses a request without a token and a viewer\'s write, and audits the denial', async () => {
    const anonymous = await fetch(`${endpoint}/api/2.0/mlflow/experiments/search`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(anonymous.status).toBe(401);
    await expect(client(viewer).Experiments.create({ name: 'not-allowed', artifact_location: '' })).rejects.toThrow(/403/);
    const denials = await f.t.app.ledger.list({ principal: 'user:mlviewer', outcome: 'denied' });
    expect(denials.map((d) => d.action)).toContain('experiment:Create');
  });
});

/**
 * Replays the Model Registry requests the official MLflow Python client sends and checks Attest
 * answers as an MLflow server does, with Attest's registry rules underneath. The shapes are read
 * from the client's source (mlflow/store/model_registry/rest_store.py and
 * mlflow/protos/model_registry.proto, MLflow 2.0 to 2.17): POST and PATCH carry a JSON body built
 * with `message_to_json` (proto field names; versions as strings), GET carries the same fields as
 * query parameters (a repeated field such as order_by once per value), and DELETE carries a JSON
 * body. MLflow 1.x clients use the same paths and fields (aliases arrived in 2.3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectIdByName } from '../../app/index.js';
import { serializeXgboostModel, train } from '../../ml/gbdt/index.js';
import { RegistryService } from '../../registry/index.js';
import { testDialects } from '../../../test/support/databases.js';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation } from '../../../test/support/test-app.js';
import type { TestCaller, TestServer } from '../../../test/support/tracking-server.js';
import { startTrackingServer } from '../../../test/support/tracking-server.js';
import { mlflowRoutes } from './mlflow-routes.js';

function xgboostJson(seed: number): string {
  const rows = 40;
  const x = new Float32Array(rows * 2);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    x[i * 2] = i;
    x[i * 2 + 1] = (i * 7) % 5;
    y[i] = i % 3 === 0 ? 1 : 0;
  }
  return serializeXgboostModel(train({ x: { rows, cols: 2, values: x }, y, featureNames: ['a', 'b'] }, { objective: 'binary:logistic', num_round: 2, max_depth: 2, seed }).model);
}

describe.each(testDialects())('replayed MLflow registry client requests on %s', (dialect) => {
  let inst: TestInstallation;
  let server: TestServer;

  beforeAll(async () => {
    inst = await createTestInstallation(dialect, 'fs');
    const project = await projectIdByName(inst.app, 'default');
    server = await startTrackingServer(inst.app, mlflowRoutes, new Map<string, TestCaller>([['tok-alice', { principal: 'user:alice', projects: [project] }]]));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await inst?.dispose();
  });

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { Authorization: 'Bearer tok-alice', ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: replayed bodies are asserted field by field against MLflow's shapes.
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, any> };
  };
  const api = (op: string, query?: Record<string, string | string[]>) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) for (const one of Array.isArray(v) ? v : [v]) qs.append(k, one);
    return `/api/2.0/mlflow/${op}${query ? `?${qs}` : ''}`;
  };

  /** A run that logged an MLflow model directory (MLmodel + the model file), as log_model does. */
  async function loggedRun(seed: number) {
    const created = await call('POST', api('runs/create'), { experiment_id: '0', user_id: 'root', start_time: 1_767_225_600_000, tags: [{ key: 'mlflow.runName', value: `train-${seed}` }], run_name: `train-${seed}` });
    const run = created.json.run as { info: { run_id: string; experiment_id: string } };
    const root = `/api/2.0/mlflow-artifacts/artifacts/${run.info.experiment_id}/${run.info.run_id}/artifacts`;
    expect((await call('PUT', `${root}/model/MLmodel`, 'artifact_path: model\nflavors:\n  xgboost:\n    model_format: json\n', { 'content-type': 'application/octet-stream' })).status).toBe(200);
    expect((await call('PUT', `${root}/model/model.json`, xgboostJson(seed), { 'content-type': 'application/json' })).status).toBe(200);
    await call('POST', api('runs/log-metric'), { run_id: run.info.run_id, key: 'auc', value: 0.81, timestamp: 1_767_225_600_001, step: 0 });
    await call('POST', api('runs/update'), { run_id: run.info.run_id, status: 'FINISHED', end_time: 1_767_225_700_000 });
    return run.info;
  }

  it('register_model: creates the registered model and a version from runs:/…/model, pending approval', async () => {
    const run = await loggedRun(1);
    const created = await call('POST', api('registered-models/create'), { name: 'credit-default', tags: [{ key: 'team', value: 'risk' }], description: 'PD model' });
    expect(created.status).toBe(200);
    expect(created.json.registered_model).toMatchObject({ name: 'credit-default', description: 'PD model', tags: [{ key: 'team', value: 'risk' }], latest_versions: [], aliases: [] });
    expect((await call('POST', api('registered-models/create'), { name: 'credit-default' })).json.error_code).toBe('RESOURCE_ALREADY_EXISTS');

    const v = await call('POST', api('model-versions/create'), { name: 'credit-default', source: `runs:/${run.run_id}/model`, run_id: run.run_id, tags: [{ key: 'candidate', value: 'yes' }], description: 'first' });
    expect(v.status).toBe(200);
    expect(v.json.model_version).toMatchObject({ name: 'credit-default', version: '1', current_stage: 'None', status: 'READY', source: `runs:/${run.run_id}/model`, run_id: run.run_id, description: 'first', user_id: 'user:alice', aliases: [] });
    expect(v.json.model_version.tags).toEqual(expect.arrayContaining([{ key: 'candidate', value: 'yes' }, { key: 'attest.approval_status', value: 'PendingManualApproval' }]));
    const uri = await call('GET', api('model-versions/get-download-uri', { name: 'credit-default', version: '1' }));
    expect(uri.json.artifact_uri).toBe(`mlflow-artifacts:/${run.experiment_id}/${run.run_id}/artifacts/model/model.json`);
    // The run is the version's producing component: its metrics and lineage are the registry's.
    const stored = await new RegistryService(inst.app).describeVersion({ actor: { principal: 'user:alice', sourceIp: null, userAgent: null } }, 'default', 'credit-default@1');
    expect(stored).toMatchObject({ provenance: 'component', sourceComponentId: run.run_id, status: 'PendingManualApproval', metrics: { auc: 0.81 } });

    const bad = await call('POST', api('model-versions/create'), { name: 'credit-default', source: 's3://bucket/model' });
    expect(bad.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    const nothing = await call('POST', api('model-versions/create'), { name: 'credit-default', source: `runs:/${run.run_id}/elsewhere` });
    expect(nothing.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(nothing.json.message).toMatch(/no model file/);
    const spaced = await call('POST', api('registered-models/create'), { name: 'Credit Model' });
    expect(spaced.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    // MLflow users name models in CamelCase; the name comes back as it was given.
    const camel = await call('POST', api('registered-models/create'), { name: 'CreditDefaultXgb' });
    expect(camel.json.registered_model.name).toBe('CreditDefaultXgb');
    const camelVersion = await call('POST', api('model-versions/create'), { name: 'CreditDefaultXgb', source: `runs:/${run.run_id}/model`, run_id: run.run_id });
    expect(camelVersion.json.model_version).toMatchObject({ name: 'CreditDefaultXgb', version: '1' });
    expect((await call('GET', api('registered-models/get', { name: 'CreditDefaultXgb' }))).json.registered_model.name).toBe('CreditDefaultXgb');
  });

  it('get, update, rename, tags, search and get-latest-versions answer in MLflow shapes', async () => {
    const run = await loggedRun(2);
    await call('POST', api('model-versions/create'), { name: 'scorecard', source: `mlflow-artifacts:/${run.experiment_id}/${run.run_id}/artifacts/model/model.json`, run_id: run.run_id });
    const got = await call('GET', api('registered-models/get', { name: 'scorecard' }));
    expect(got.json.registered_model.latest_versions.map((x: { version: string; current_stage: string }) => [x.version, x.current_stage])).toEqual([['1', 'None']]);
    expect((await call('PATCH', api('registered-models/update'), { name: 'scorecard', description: 'retail' })).json.registered_model.description).toBe('retail');
    expect((await call('PATCH', api('model-versions/update'), { name: 'scorecard', version: '1', description: 'v1' })).json.model_version.description).toBe('v1');
    expect((await call('POST', api('registered-models/set-tag'), { name: 'scorecard', key: 'owner', value: 'ann' })).status).toBe(200);
    expect((await call('POST', api('model-versions/set-tag'), { name: 'scorecard', version: '1', key: 'validated', value: 'no' })).status).toBe(200);
    expect((await call('POST', api('model-versions/set-tag'), { name: 'scorecard', version: '1', key: 'attest.approval_status', value: 'Approved' })).json.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await call('DELETE', api('model-versions/delete-tag'), { name: 'scorecard', version: '1', key: 'validated' })).status).toBe(200);
    expect((await call('DELETE', api('registered-models/delete-tag'), { name: 'scorecard', key: 'nope' })).json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');

    const renamed = await call('POST', api('registered-models/rename'), { name: 'scorecard', new_name: 'retail-scorecard' });
    expect(renamed.json.registered_model).toMatchObject({ name: 'retail-scorecard', tags: [{ key: 'owner', value: 'ann' }] });
    expect((await call('GET', api('registered-models/get', { name: 'scorecard' }))).json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');

    const search = await call('GET', api('registered-models/search', { filter: "name LIKE '%score%'", max_results: '10', order_by: ['name ASC'] }));
    expect(search.json.registered_models.map((m: { name: string }) => m.name)).toEqual(['retail-scorecard']);
    const byTag = await call('GET', api('registered-models/search', { filter: "tags.owner = 'ann'" }));
    expect(byTag.json.registered_models.map((m: { name: string }) => m.name)).toEqual(['retail-scorecard']);
    const paged = await call('GET', api('registered-models/search', { max_results: '1', order_by: ['name DESC'] }));
    expect(paged.json.registered_models).toHaveLength(1);
    expect(typeof paged.json.next_page_token).toBe('string');
    const next = await call('GET', api('registered-models/search', { max_results: '1', order_by: ['name DESC'], page_token: paged.json.next_page_token }));
    expect(next.json.registered_models[0].name).not.toBe(paged.json.registered_models[0].name);
    expect((await call('GET', api('registered-models/search', { filter: "bogus = 'x'" }))).json.error_code).toBe('INVALID_PARAMETER_VALUE');

    const versions = await call('GET', api('model-versions/search', { filter: `run_id = '${run.run_id}'` }));
    expect(versions.json.model_versions.map((m: { name: string; version: string }) => `${m.name}/${m.version}`)).toEqual(['retail-scorecard/1']);
    const byName = await call('GET', api('model-versions/search', { filter: "name = 'retail-scorecard'", order_by: ['version_number DESC'] }));
    expect(byName.json.model_versions).toHaveLength(1);
    const latestPost = await call('POST', api('registered-models/get-latest-versions'), { name: 'retail-scorecard', stages: ['None'] });
    expect(latestPost.json.model_versions.map((m: { version: string }) => m.version)).toEqual(['1']);
    const latestGet = await call('GET', api('registered-models/get-latest-versions', { name: 'retail-scorecard', stages: ['Production'] }));
    expect(latestGet.json.model_versions).toEqual([]);
    expect((await call('POST', api('registered-models/get-latest-versions'), { name: 'retail-scorecard', stages: ['Live'] })).json.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('transition-stage: the maker is refused promoting an unapproved version (separation of duties), Approved versions take Production as an alias, Archived archives', async () => {
    const run = await loggedRun(3);
    await call('POST', api('model-versions/create'), { name: 'lgd', source: `runs:/${run.run_id}/model`, run_id: run.run_id });
    const denied = await call('POST', api('model-versions/transition-stage'), { name: 'lgd', version: '1', stage: 'Production', archive_existing_versions: false });
    expect(denied.status).toBe(403);
    expect(denied.json.error_code).toBe('PERMISSION_DENIED');
    const audit = await inst.app.ledger.list({ action: 'model:Approve', outcome: 'denied' });
    expect(audit.some((e) => e.resource === 'attest:default:model/lgd/1')).toBe(true);

    // Approval stays Attest's own: an independent validator (here a different operator) approves.
    const registry = new RegistryService(inst.app);
    await registry.approve({ actor: { principal: 'user:victor', sourceIp: null, userAgent: null } }, 'default', 'lgd@1', { comment: 'validated' });
    const promoted = await call('POST', api('model-versions/transition-stage'), { name: 'lgd', version: '1', stage: 'production', archive_existing_versions: true });
    expect(promoted.status).toBe(200);
    expect(promoted.json.model_version).toMatchObject({ current_stage: 'Production', aliases: ['production'] });
    expect((await call('GET', api('registered-models/alias', { name: 'lgd', alias: 'production' }))).json.model_version.version).toBe('1');
    expect((await registry.aliasHistory({ actor: { principal: 'user:alice', sourceIp: null, userAgent: null } }, 'default', 'lgd', 'production')).map((h) => h.version)).toEqual([1]);

    // A second version, approved, replaces it with archive_existing_versions.
    const run2 = await loggedRun(4);
    await call('POST', api('model-versions/create'), { name: 'lgd', source: `runs:/${run2.run_id}/model/model.json`, run_id: run2.run_id });
    await registry.approve({ actor: { principal: 'user:victor', sourceIp: null, userAgent: null } }, 'default', 'lgd@2', { comment: 'validated' });
    await call('POST', api('model-versions/transition-stage'), { name: 'lgd', version: '2', stage: 'Production', archive_existing_versions: true });
    const old = await call('GET', api('model-versions/get', { name: 'lgd', version: '1' }));
    expect(old.json.model_version).toMatchObject({ current_stage: 'Archived', aliases: [] });
    expect(old.json.model_version.tags).toEqual(expect.arrayContaining([{ key: 'attest.approval_status', value: 'Archived' }]));
    const again = await call('POST', api('model-versions/transition-stage'), { name: 'lgd', version: '1', stage: 'Staging', archive_existing_versions: false });
    expect(again.json.error_code).toBe('INVALID_STATE');

    // Aliases through MLflow's alias API; the production version cannot be archived until moved off.
    expect((await call('POST', api('registered-models/alias'), { name: 'lgd', alias: 'champion', version: '2' })).status).toBe(200);
    const held = await call('POST', api('model-versions/transition-stage'), { name: 'lgd', version: '2', stage: 'Archived', archive_existing_versions: false });
    expect(held.json.error_code).toBe('INVALID_STATE');
    expect((await call('DELETE', api('registered-models/alias'), { name: 'lgd', alias: 'champion' })).status).toBe(200);
    const archived = await call('POST', api('model-versions/transition-stage'), { name: 'lgd', version: '2', stage: 'Archived', archive_existing_versions: false });
    expect(archived.json.model_version).toMatchObject({ current_stage: 'Archived', aliases: [] });
    expect((await call('GET', api('registered-models/alias', { name: 'lgd', alias: 'production' }))).json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('delete keeps audit records: a version is archived, a model with versions stays, an empty one goes', async () => {
    const run = await loggedRun(5);
    await call('POST', api('model-versions/create'), { name: 'kept', source: `runs:/${run.run_id}/model`, run_id: run.run_id });
    expect((await call('DELETE', api('model-versions/delete'), { name: 'kept', version: '1' })).status).toBe(200);
    expect((await call('GET', api('model-versions/get', { name: 'kept', version: '1' }))).json.model_version.current_stage).toBe('Archived');
    expect((await call('DELETE', api('registered-models/delete'), { name: 'kept' })).json.error_code).toBe('INVALID_STATE');
    await call('POST', api('registered-models/create'), { name: 'empty' });
    expect((await call('DELETE', api('registered-models/delete'), { name: 'empty' })).status).toBe(200);
    expect((await call('GET', api('registered-models/get', { name: 'empty' }))).json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await call('GET', api('model-versions/get', { name: 'kept', version: 'x' }))).json.error_code).toBe('INVALID_PARAMETER_VALUE');
  });
});

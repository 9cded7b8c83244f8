/**
 * Replays the requests the official MLflow Python client sends (2.x REST store, recorded from its
 * source: mlflow/store/tracking/rest_store.py builds each body with `message_to_json`, which keeps
 * proto field names, writes int64 as JSON numbers and a NaN/±inf double as "NaN"/"Infinity";
 * mlflow/store/artifact/http_artifact_repo.py PUTs each file with a guessed Content-Type, lists
 * with `GET …/mlflow-artifacts/artifacts?path=` and downloads with GET) and checks Attest answers
 * as an MLflow server does. Covers the shapes of clients 1.x to 2.17 (POST uploads of older
 * clients are accepted too).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureProject, projectIdByName } from '../../app/index.js';
import { testDialects } from '../../../test/support/databases.js';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../../test/support/test-app.js';
import type { TestCaller, TestServer } from '../../../test/support/tracking-server.js';
import { startTrackingServer } from '../../../test/support/tracking-server.js';
import { mlflowRoutes } from './mlflow-routes.js';

describe.each(testDialects())('replayed MLflow client requests on %s', (dialect) => {
  let inst: TestInstallation;
  let server: TestServer;

  beforeAll(async () => {
    inst = await createTestInstallation(dialect, 'fs');
    const projectA = await projectIdByName(inst.app, 'default');
    const projectB = await ensureProject(inst.app, TEST_ACTOR, 'credit-risk', 'another project');
    const tokens = new Map<string, TestCaller>([
      ['tok-alice', { principal: 'user:alice', projects: [projectA, projectB] }],
      ['tok-bob', { principal: 'user:bob', projects: [projectB] }],
    ]);
    server = await startTrackingServer(inst.app, mlflowRoutes, tokens);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await inst?.dispose();
  });

  const call = async (method: string, path: string, body?: unknown, token = 'tok-alice', headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array) ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { raw: text };
    }
    return { status: res.status, json, text, contentType: res.headers.get('content-type') };
  };
  const api = (op: string) => `/api/2.0/mlflow/${op}`;

  async function newRun(experimentId = '0', name = 'replayed') {
    const created = await call('POST', api('runs/create'), {
      experiment_id: experimentId,
      user_id: 'root',
      start_time: 1_767_225_600_000,
      tags: [
        { key: 'mlflow.user', value: 'root' },
        { key: 'mlflow.source.name', value: 'train.py' },
        { key: 'mlflow.source.type', value: 'LOCAL' },
        { key: 'mlflow.runName', value: name },
      ],
      run_name: name,
    });
    expect(created.status).toBe(200);
    return created.json.run as { info: { run_id: string; experiment_id: string; artifact_uri: string; lifecycle_stage: string } };
  }

  it('fluent start_run with no experiment goes to the project\'s Default experiment "0"', async () => {
    const run = await newRun('0');
    expect(run.info.artifact_uri).toBe(`mlflow-artifacts:/${run.info.experiment_id}/${run.info.run_id}/artifacts`);
    const d = await call('GET', `${api('experiments/get')}?experiment_id=0`);
    expect(d.status).toBe(200);
    expect((d.json.experiment as { name: string; experiment_id: string }).name).toBe('Default');
    expect((d.json.experiment as { experiment_id: string }).experiment_id).toBe(run.info.experiment_id);
    const again = await newRun('0', 'second');
    expect(again.info.experiment_id).toBe(run.info.experiment_id);
    // Another project's Default is another experiment.
    const inOther = await call('POST', `/projects/credit-risk${api('runs/create')}`, { experiment_id: '0', start_time: 1 }, 'tok-bob');
    expect(inOther.status).toBe(200);
    expect((inOther.json.run as { info: { experiment_id: string } }).info.experiment_id).not.toBe(run.info.experiment_id);
  });

  it('refuses a changed parameter with MLflow\'s message, stores NaN and ±inf metrics as MLflow does', async () => {
    const run = await newRun('0', 'semantics');
    const id = run.info.run_id;
    expect((await call('POST', api('runs/log-parameter'), { run_id: id, run_uuid: id, key: 'eta', value: '0.1' })).status).toBe(200);
    expect((await call('POST', api('runs/log-parameter'), { run_id: id, run_uuid: id, key: 'eta', value: '0.1' })).status).toBe(200);
    const changed = await call('POST', api('runs/log-parameter'), { run_id: id, run_uuid: id, key: 'eta', value: '0.2' });
    expect(changed.status).toBe(400);
    expect(changed.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(changed.json.message).toMatch(/^Changing param values is not allowed\. Param with key='eta' was already logged with value='0\.1'/);
    const batch = await call('POST', api('runs/log-batch'), {
      run_id: id,
      metrics: [
        { key: 'loss', value: 'NaN', timestamp: 1_767_225_600_001, step: 0 },
        { key: 'loss', value: 0.5, timestamp: 1_767_225_600_002, step: 1 },
        { key: 'grad', value: 'Infinity', timestamp: 1_767_225_600_003, step: 0 },
        { key: 'low', value: '-Infinity', timestamp: 1_767_225_600_003, step: 0 },
        { key: 'last-nan', value: 'NaN', timestamp: 1_767_225_600_004, step: 0 },
      ],
      params: [{ key: 'eta', value: '0.3' }],
    });
    expect(batch.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    const ok = await call('POST', api('runs/log-batch'), {
      run_id: id,
      metrics: [
        { key: 'loss', value: 'NaN', timestamp: 1_767_225_600_001, step: 0 },
        { key: 'loss', value: 0.5, timestamp: 1_767_225_600_002, step: 1 },
        { key: 'grad', value: 'Infinity', timestamp: 1_767_225_600_003, step: 0 },
        { key: 'low', value: '-Infinity', timestamp: 1_767_225_600_003, step: 0 },
        { key: 'last-nan', value: 'NaN', timestamp: 1_767_225_600_004, step: 0 },
      ],
    });
    expect(ok.status).toBe(200);
    const history = await call('GET', `${api('metrics/get-history')}?run_id=${id}&run_uuid=${id}&metric_key=loss`);
    expect((history.json.metrics as { value: unknown }[]).map((m) => m.value)).toEqual(['NaN', 0.5]);
    const got = await call('GET', `${api('runs/get')}?run_id=${id}&run_uuid=${id}`);
    const metrics = Object.fromEntries(((got.json.run as { data: { metrics: { key: string; value: unknown }[] } }).data.metrics).map((m) => [m.key, m.value]));
    // MLflow's SQL store keeps ±inf as ±1.7976931348623157e308 and NaN as NaN.
    expect(metrics).toEqual({ loss: 0.5, grad: Number.MAX_VALUE, low: -Number.MAX_VALUE, 'last-nan': 'NaN' });
  });

  it('renames and ends a run, deletes and restores it, and run_view_type selects it', async () => {
    const run = await newRun('0', 'to-rename');
    const id = run.info.run_id;
    const renamed = await call('POST', api('runs/update'), { run_id: id, run_uuid: id, run_name: 'renamed' });
    expect((renamed.json.run_info as { run_name: string }).run_name).toBe('renamed');
    await call('POST', api('runs/set-tag'), { run_id: id, key: 'keep', value: '1' });
    await call('POST', api('runs/set-tag'), { run_id: id, key: 'drop', value: '1' });
    expect((await call('POST', api('runs/delete-tag'), { run_id: id, key: 'drop' })).status).toBe(200);
    expect((await call('POST', api('runs/delete-tag'), { run_id: id, key: 'drop' })).json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const ended = await call('POST', api('runs/update'), { run_id: id, run_uuid: id, status: 'KILLED', end_time: 1_767_225_700_000 });
    expect((ended.json.run_info as { status: string }).status).toBe('KILLED');
    const flip = await call('POST', api('runs/update'), { run_id: id, status: 'FINISHED', end_time: 1_767_225_700_001 });
    expect(flip.json.error_code).toBe('INVALID_STATE');
    expect((await call('POST', api('runs/delete'), { run_id: id })).status).toBe(200);
    const search = (view?: string) =>
      call('POST', api('runs/search'), { experiment_ids: [run.info.experiment_id], filter: "attributes.run_name = 'renamed'", ...(view ? { run_view_type: view } : {}), max_results: 1000 });
    expect(((await search()).json.runs as unknown[] | undefined) ?? []).toHaveLength(0);
    const deleted = (await search('DELETED_ONLY')).json.runs as { info: { lifecycle_stage: string; run_id: string }; data: { tags: { key: string }[] } }[];
    expect(deleted.map((r) => r.info.run_id)).toEqual([id]);
    expect(deleted[0]!.info.lifecycle_stage).toBe('deleted');
    expect(deleted[0]!.data.tags.map((t) => t.key)).toContain('keep');
    expect(deleted[0]!.data.tags.map((t) => t.key)).not.toContain('drop');
    expect((await call('POST', api('runs/restore'), { run_id: id })).status).toBe(200);
    expect(((await search('ACTIVE_ONLY')).json.runs as unknown[]).length).toBe(1);
  });

  it('searches with ILIKE, IN and order_by on metrics and params', async () => {
    const created = await call('POST', api('experiments/create'), { name: 'ordering', tags: [{ key: 'team', value: 'credit' }] });
    const exp = created.json.experiment_id as string;
    const ids: string[] = [];
    for (const [name, auc, depth] of [['Alpha', 0.7, '3'], ['beta', 0.9, '5'], ['gamma', 0.8, '4']] as const) {
      const run = await newRun(exp, name);
      ids.push(run.info.run_id);
      await call('POST', api('runs/log-batch'), { run_id: run.info.run_id, metrics: [{ key: 'auc', value: auc, timestamp: 1, step: 0 }], params: [{ key: 'depth', value: depth }] });
    }
    const names = async (body: Record<string, unknown>) => ((await call('POST', api('runs/search'), { experiment_ids: [exp], ...body })).json.runs as { info: { run_name: string } }[] | undefined ?? []).map((r) => r.info.run_name);
    expect(await names({ order_by: ['metrics.auc DESC'] })).toEqual(['beta', 'gamma', 'Alpha']);
    expect(await names({ order_by: ['params.depth ASC'] })).toEqual(['Alpha', 'gamma', 'beta']);
    expect(await names({ filter: "attributes.run_name ILIKE 'a%'", order_by: ['attributes.run_name'] })).toEqual(['Alpha']);
    expect(await names({ filter: `attributes.run_id IN ('${ids[0]}', '${ids[2]}')`, order_by: ['metrics.auc ASC'] })).toEqual(['Alpha', 'gamma']);
    expect(await names({ filter: "params.depth IN ('4', '5')", order_by: ['metrics.`auc` DESC'] })).toEqual(['beta', 'gamma']);
    const paged = await call('POST', api('runs/search'), { experiment_ids: [exp], order_by: ['metrics.auc DESC'], max_results: 2 });
    expect(paged.json.next_page_token).toBeTypeOf('string');
    const rest = await call('POST', api('runs/search'), { experiment_ids: [exp], order_by: ['metrics.auc DESC'], max_results: 2, page_token: paged.json.next_page_token });
    expect((rest.json.runs as { info: { run_name: string } }[]).map((r) => r.info.run_name)).toEqual(['Alpha']);
  });

  it('updates, tags, deletes and restores experiments; searches them by tag, ILIKE and view_type', async () => {
    const exp = (await call('POST', api('experiments/create'), { name: 'lifecycle' })).json.experiment_id as string;
    expect((await call('POST', api('experiments/update'), { experiment_id: exp, new_name: 'lifecycle-renamed' })).status).toBe(200);
    expect((await call('POST', api('experiments/set-experiment-tag'), { experiment_id: exp, key: 'stage', value: 'dev' })).status).toBe(200);
    const search = async (body: Record<string, unknown>) => ((await call('POST', api('experiments/search'), { max_results: 1000, ...body })).json.experiments as { experiment_id: string; lifecycle_stage: string }[] | undefined ?? []).map((e) => e.experiment_id);
    expect(await search({ filter: "tags.stage = 'dev'" })).toEqual([exp]);
    expect(await search({ filter: "name ILIKE 'LIFECYCLE-%'" })).toEqual([exp]);
    expect(await search({ filter: "name LIKE 'LIFECYCLE-%'" })).toEqual([]);
    expect((await call('POST', api('experiments/delete'), { experiment_id: exp })).status).toBe(200);
    expect(await search({ filter: "tags.stage = 'dev'" })).toEqual([]);
    expect(await search({ filter: "tags.stage = 'dev'", view_type: 'DELETED_ONLY' })).toEqual([exp]);
    const run = await call('POST', api('runs/create'), { experiment_id: exp, start_time: 1 });
    expect(run.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    const got = await call('GET', `${api('experiments/get')}?experiment_id=${exp}`);
    expect((got.json.experiment as { lifecycle_stage: string }).lifecycle_stage).toBe('deleted');
    expect((await call('POST', api('experiments/restore'), { experiment_id: exp })).status).toBe(200);
    expect((await call('POST', api('experiments/restore'), { experiment_id: exp })).json.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(await search({ filter: "tags.stage = 'dev'", order_by: ['name DESC'] })).toEqual([exp]);
    const audit = await inst.app.ledger.list({ resource: `attest:default:experiment/${exp}` });
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['experiment:Create', 'experiment:Update', 'experiment:Delete']));
  });

  it('stores artifacts through the proxy: upload, list, download, log-model and log-inputs with lineage and audit', async () => {
    const run = await newRun('0', 'artifacts');
    const id = run.info.run_id;
    const root = `/api/2.0/mlflow-artifacts/artifacts/${run.info.experiment_id}/${id}/artifacts`;
    const mlmodel = 'artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n';
    expect((await call('PUT', `${root}/model/MLmodel`, mlmodel, 'tok-alice', { 'content-type': 'application/octet-stream' })).status).toBe(200);
    expect((await call('PUT', `${root}/model/model.pkl`, new Uint8Array([0x80, 4, 0x95, 0]), 'tok-alice', { 'content-type': 'application/x-python-pickle' })).status).toBe(200);
    expect((await call('PUT', `${root}/config.json`, '{"a": 1}', 'tok-alice', { 'content-type': 'application/json' })).status).toBe(200);
    expect((await call('POST', `${root}/notes.txt`, 'hello', 'tok-alice', { 'content-type': 'text/plain' })).status).toBe(200);
    const top = await call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${run.info.experiment_id}/${id}/artifacts`)}`);
    expect(top.json.files).toEqual([
      { path: 'config.json', is_dir: false, file_size: 8 },
      { path: 'model', is_dir: true },
      { path: 'notes.txt', is_dir: false, file_size: 5 },
    ]);
    const sub = await call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${run.info.experiment_id}/${id}/artifacts/model`)}`);
    expect((sub.json.files as { path: string }[]).map((f) => f.path)).toEqual(['MLmodel', 'model.pkl']);
    const legacyList = await call('GET', `${api('artifacts/list')}?run_id=${id}&path=model`);
    expect((legacyList.json.files as { path: string }[]).map((f) => f.path)).toEqual(['model/MLmodel', 'model/model.pkl']);
    const down = await call('GET', `${root}/model/MLmodel`);
    expect(down.status).toBe(200);
    expect(down.text).toBe(mlmodel);
    expect((await call('GET', `${root}/model/absent`)).json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await call('PUT', `${root}/../escape`, 'x', 'tok-alice', { 'content-type': 'text/plain' })).status).toBeGreaterThanOrEqual(400);

    const model = JSON.stringify({ artifact_path: 'model', flavors: { python_function: { loader_module: 'mlflow.sklearn' } }, run_id: id, utc_time_created: '2026-01-01 00:00:00.000000' });
    expect((await call('POST', api('runs/log-model'), { run_id: id, model_json: model })).status).toBe(200);
    const inputs = await call('POST', api('runs/log-inputs'), {
      run_id: id,
      datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'credit-train', digest: 'a1b2c3d4', source_type: 'local', source: '{"uri": "/data/train.csv"}', schema: '{"mlflow_colspec": []}', profile: '{"num_rows": 100}' } }],
    });
    expect(inputs.status).toBe(200);
    const got = (await call('GET', `${api('runs/get')}?run_id=${id}`)).json.run as { inputs: { dataset_inputs: { dataset: { name: string; digest: string } }[] }; data: { tags: { key: string; value: string }[] } };
    expect(got.inputs.dataset_inputs.map((d) => d.dataset)).toEqual([expect.objectContaining({ name: 'credit-train', digest: 'a1b2c3d4', source_type: 'local' })]);
    const history = JSON.parse(got.data.tags.find((t) => t.key === 'mlflow.log-model.history')!.value) as { artifact_path: string }[];
    expect(history.map((m) => m.artifact_path)).toEqual(['model']);

    const component = await inst.app.tracking.getComponent(id, (await inst.app.db.kysely.selectFrom('projects').select('id').execute()).map((p) => p.id));
    expect(component.inputs.map((i) => i.role)).toEqual(['dataset/credit-train']);
    const edges = await inst.app.db.kysely.selectFrom('lineage_associations').select(['source_id', 'dest_id', 'type']).where((eb) => eb.or([eb('source_id', '=', id), eb('dest_id', '=', id)])).execute();
    expect(edges.filter((e) => e.type === 'Produced' && e.source_id === id)).toHaveLength(4);
    expect(edges.filter((e) => e.type === 'ContributedTo' && e.dest_id === id)).toHaveLength(1);
    const puts = await inst.app.ledger.list({ action: 'artifact:Put', principal: 'user:alice' });
    expect(puts.filter((e) => (e.details as { componentId?: string }).componentId === id).length).toBeGreaterThanOrEqual(4);
    const stored = await inst.app.artifacts.describe(edges.find((e) => e.type === 'Produced')!.dest_id);
    expect(stored.keyId).toBeTruthy();

    await call('POST', api('runs/update'), { run_id: id, status: 'FINISHED', end_time: 1_767_225_800_000 });
    const late = await call('PUT', `${root}/late.txt`, 'late', 'tok-alice', { 'content-type': 'text/plain' });
    expect(late.json.error_code).toBe('INVALID_STATE');
    const hidden = await call('GET', `${root}/model/MLmodel`, undefined, 'tok-bob');
    expect(hidden.json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('answers unknown MLflow endpoints with ENDPOINT_NOT_FOUND (and a served path with another method), under the project prefix too', async () => {
    for (const path of [api('logged-models/search'), api('model-versions/search'), api('no-such-thing'), `/projects/credit-risk${api('registered-models/get')}`, '/api/2.0/mlflow-artifacts/nothing']) {
      const res = await call('POST', path, {});
      expect(res.status, path).toBe(404);
      expect(res.json.error_code, path).toBe('ENDPOINT_NOT_FOUND');
      expect(res.json.message, path).toMatch(/No API endpoint/);
    }
  });

  it('scopes /projects/{project}/… to that project: creates there and sees only it', async () => {
    const created = await call('POST', `/projects/credit-risk${api('experiments/create')}`, { name: 'scoped' });
    expect(created.status).toBe(200);
    const exp = await inst.app.tracking.getExperiment(created.json.experiment_id as string, [await projectIdByName(inst.app, 'credit-risk')]);
    expect(exp.name).toBe('scoped');
    const viaDefault = await call('GET', `${api('experiments/get')}?experiment_id=${exp.experimentId}`, undefined, 'tok-alice', { 'X-Attest-Project': 'default' });
    expect(viaDefault.status).toBe(200);
    const scoped = await call('GET', `/projects/default${api('experiments/get')}?experiment_id=${exp.experimentId}`);
    expect(scoped.json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});

/**
 * Endpoints over HTTP on every metadata store: create/update/rollback/delete with configuration
 * history, invocations (JSON, CSV, batch, reason codes) scored exactly as the golden XGBoost
 * predictions, authorization and audit, bad input (4xx naming the field, nothing captured, the
 * endpoint keeps serving), capture into hourly encrypted partitions, shadow and canary traffic,
 * and the Prometheus exposition.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCaptureLines } from '../monitoring/index.js';
import { testDialects } from '../../test/support/databases.js';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';
import { TEST_ACTOR } from '../../test/support/test-app.js';
import { projectIdByName } from '../app/index.js';

const GOLDEN = join(import.meta.dirname, '../../test/fixtures/golden/xgboost/credit_default_whitepaper');
const header = readFileSync(join(GOLDEN, 'input.csv'), 'utf8').split('\n')[0]!.split(',');
const rows = readFileSync(join(GOLDEN, 'input.csv'), 'utf8').trim().split('\n').slice(1, 21).map((l) => l.split(',').map(Number));
const expected = readFileSync(join(GOLDEN, 'expected_pred.csv'), 'utf8').trim().split('\n').slice(0, 20).map(Number);
const asObject = (r: number[]) => Object.fromEntries(header.map((h, j) => [h, r[j]]));

describe.each(testDialects())('endpoints over HTTP (%s)', (dialect) => {
  let f: ServerFixture;
  let emil: string;
  let dana: string;
  let viewer: string;
  let pid: string;
  const auth = (t: string) => ({ authorization: `Bearer ${t}` });

  beforeAll(async () => {
    f = await startServerFixture(dialect, { serving: { configRefreshMs: 0, captureFlushMs: 60_000 } });
    pid = await projectIdByName(f.t.app, 'default');
    const model = readFileSync(join(GOLDEN, 'model.json'));
    await f.t.app.artifacts.putBytes(TEST_ACTOR, model, { projectId: pid, name: 'credit-gbdt', mediaType: 'application/vnd.xgboost.model+json' });
    await f.t.app.artifacts.putBytes(TEST_ACTOR, model, { projectId: pid, name: 'credit-gbdt', mediaType: 'application/vnd.xgboost.model+json' });
    emil = await f.principal('emil', [{ role: 'ml-engineer', project: 'default' }]);
    dana = await f.principal('dana', [{ role: 'data-scientist', project: 'default' }]);
    viewer = await f.principal('vera', [{ role: 'viewer', project: 'default' }]);
  }, 60_000);
  afterAll(async () => f?.dispose());

  it('creates an endpoint and scores JSON, batch, CSV and explained requests exactly', async () => {
    const created = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints', headers: auth(emil), payload: { name: 'credit', model: 'credit-gbdt@1' } });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json()).toMatchObject({ name: 'credit', configVersion: 1, status: 'InService', config: { capture: { samplingPercent: 100 }, variants: [{ name: 'primary', role: 'live' }] } });
    const again = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints', headers: auth(emil), payload: { name: 'credit', model: 'credit-gbdt@1' } });
    expect(again.json().error.code).toBe('ENDPOINT_EXISTS');

    const batch = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints/credit/invocations', headers: auth(emil), payload: { instances: rows.map(asObject) } });
    expect(batch.statusCode, batch.body).toBe(200);
    const body = batch.json();
    expect(body.requestId).toBe(batch.headers['x-request-id']);
    expect(body).toMatchObject({ endpoint: 'credit', configVersion: 1, variant: 'primary', captured: true });
    for (const [i, p] of (body.predictions as { score: number }[]).entries()) expect(p.score).toBeCloseTo(expected[i]!, 6);
    expect(new Set(body.predictions.map((p: { eventId: string }) => p.eventId)).size).toBe(20);

    const arrays = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints/credit/invocations?explain=true', headers: auth(emil), payload: { instances: [rows[0]], inferenceIds: ['app-0001'] } });
    expect(arrays.statusCode, arrays.body).toBe(200);
    const p0 = arrays.json().predictions[0];
    expect(p0.score).toBeCloseTo(expected[0]!, 6);
    expect(p0.inferenceId).toBe('app-0001');
    expect(p0.reasons.length).toBeGreaterThan(0);
    expect(p0.reasons[0]).toMatchObject({ rank: 1 });

    const csv = `${header.join(',')}\n${rows.slice(0, 3).map((r) => r.join(',')).join('\n')}\n`;
    const viaCsv = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints/credit/invocations', headers: { ...auth(emil), 'content-type': 'text/csv' }, payload: csv });
    expect(viaCsv.statusCode, viaCsv.body).toBe(200);
    expect(viaCsv.json().predictions.map((p: { score: number }) => Number(p.score.toFixed(6)))).toEqual(expected.slice(0, 3).map((v) => Number(v.toFixed(6))));
  });

  it('rejects bad input with the field named, captures nothing for it, and keeps serving', async () => {
    const before = f.server.serving.capture.stats.appended;
    const invoke = (payload: unknown, headers: Record<string, string> = {}) =>
      f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints/credit/invocations', headers: { ...auth(emil), ...headers }, payload: payload as string });
    const missing = asObject(rows[0]!);
    delete missing.AGE;
    const cases: [unknown, string, string, Record<string, string>?][] = [
      [{ instances: [missing] }, 'PAYLOAD_INVALID', 'instances[0].AGE'],
      [{ instances: [{ ...asObject(rows[0]!), AGE: 'old' }] }, 'PAYLOAD_INVALID', 'instances[0].AGE'],
      [{ instances: [{ ...asObject(rows[0]!), SALARY: 1 }] }, 'PAYLOAD_INVALID', 'instances[0].SALARY'],
      [{ instances: [rows[0]!.slice(1)] }, 'PAYLOAD_INVALID', 'instances[0]'],
      [{ instances: 'all' }, 'PAYLOAD_INVALID', 'instances'],
      [{ rows: [] }, 'PAYLOAD_INVALID', 'rows'],
      [{ instances: Array.from({ length: 1001 }, () => rows[0]) }, 'PAYLOAD_TOO_LARGE', 'instances'],
      ['1,2,3\n', 'PAYLOAD_INVALID', 'row 1', { 'content-type': 'text/csv' }],
      [`${rows[0]!.join(',').replace('90000', 'x9')}\n`, 'PAYLOAD_INVALID', 'row 1 column 1 (LIMIT_BAL)', { 'content-type': 'text/csv' }],
    ];
    for (const [payload, code, field, headers] of cases) {
      const r = await invoke(payload, headers);
      expect(r.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(r.json().error).toMatchObject({ code, details: { field } });
    }
    const malformed = await invoke('{"instances": [', { 'content-type': 'application/json' });
    expect(malformed.statusCode).toBe(400);
    expect(f.server.serving.capture.stats.appended).toBe(before);
    const ok = await invoke({ instances: [rows[1]] });
    expect(ok.statusCode).toBe(200);
    expect(f.server.serving.capture.stats.appended).toBe(before + 1);
  });

  it('authorizes endpoint:Invoke and audits invocations, denials included', async () => {
    const denied = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints/credit/invocations', headers: auth(viewer), payload: { instances: [rows[0]] } });
    expect(denied.statusCode).toBe(403);
    const anon = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints/credit/invocations', payload: { instances: [rows[0]] } });
    expect(anon.statusCode).toBe(401);
    const ok = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints/credit/invocations', headers: auth(emil), payload: { instances: [rows[0]] } });
    await new Promise((r) => setTimeout(r, 50));
    const entries = await f.t.app.db.kysely.selectFrom('audit_events').select(['action', 'outcome', 'request_id', 'resource']).where('action', '=', 'endpoint:Invoke').execute();
    expect(entries.some((e) => e.outcome === 'denied' && e.resource === 'attest:default:endpoint/credit')).toBe(true);
    expect(entries.some((e) => e.outcome === 'allowed' && e.request_id === ok.headers['x-request-id'])).toBe(true);
    const update = await f.server.inject({ method: 'PUT', url: '/v1/projects/default/endpoints/credit', headers: auth(dana), payload: { capturePercent: 50 } });
    expect(update.statusCode).toBe(403);
  });

  it('keeps configuration versions: shadow, canary, promote and instant rollback, each audited', async () => {
    const put = (payload: unknown) => f.server.inject({ method: 'PUT', url: '/v1/projects/default/endpoints/credit', headers: auth(emil), payload: payload as string });
    const shadow = await put({ shadow: 'credit-gbdt@2', reason: 'challenger v2' });
    expect(shadow.statusCode, shadow.body).toBe(200);
    expect(shadow.json().configVersion).toBe(2);
    const scored = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints/credit/invocations', headers: auth(emil), payload: { instances: [rows[0]] } });
    expect(scored.json().variant).toBe('primary');
    const canary = await put({ shadow: null, canary: { model: 'credit-gbdt@2', percent: 50 } });
    expect(canary.json().config.variants.map((v: { name: string; weight: number }) => [v.name, v.weight])).toEqual([['primary', 50], ['canary', 50]]);
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const r = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints/credit/invocations', headers: auth(emil), payload: { instances: [rows[0]] } });
      seen.add(r.json().variant);
    }
    expect([...seen].sort()).toEqual(['canary', 'primary']);
    const promoted = await put({ promote: 'canary' });
    expect(promoted.json()).toMatchObject({ configVersion: 4, config: { variants: [{ name: 'primary', model: 'credit-gbdt@2', weight: 1 }] } });
    const rolled = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints/credit/rollback', headers: auth(emil), payload: { reason: 'bad canary' } });
    expect(rolled.json()).toMatchObject({ configVersion: 3 });
    const after = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints/credit/invocations', headers: auth(emil), payload: { instances: [rows[0]] } });
    expect(after.json().configVersion).toBe(3);
    const history = await f.server.inject({ method: 'GET', url: '/v1/projects/default/endpoints/credit/configs', headers: auth(emil) });
    expect(history.json().current).toBe(3);
    expect(history.json().versions.map((v: { version: number }) => v.version)).toEqual([1, 2, 3, 4]);
    const audit = await f.t.app.db.kysely.selectFrom('audit_events').select(['action', 'outcome']).where('resource', '=', 'attest:default:endpoint/credit').where('action', 'in', ['endpoint:Create', 'endpoint:Update']).where('outcome', '=', 'allowed').execute();
    expect(audit.length).toBe(5);
    const at = await f.t.app.endpoints.configAt(pid, 'credit', new Date());
    expect(at?.version).toBe(3);
  });

  it('stores captured records in hourly encrypted partitions that monitoring reads', async () => {
    const acknowledged = f.server.serving.capture.stats.appended;
    await f.server.serving.capture.flush();
    expect(f.server.serving.capture.stats.stored).toBe(acknowledged);
    const records = await f.t.app.capture.captures(TEST_ACTOR, pid, 'credit');
    const shadow = await f.t.app.capture.captures(TEST_ACTOR, pid, 'credit.shadow');
    expect(records.length + shadow.length).toBe(acknowledged);
    expect(shadow.length).toBeGreaterThan(0);
    const first = records.find((r) => r.eventMetadata.inferenceId === 'app-0001')!;
    expect(first.captureData.endpointInput).toMatchObject({ observedContentType: 'text/csv', encoding: 'CSV', data: rows[0]!.join(',') });
    expect(Number(first.captureData.endpointOutput!.data)).toBeCloseTo(expected[0]!, 6);
    const stored = await f.t.app.artifacts.listNamed(pid, 'capture/credit/');
    expect(stored[0]!.name).toMatch(/^capture\/credit\/\d{4}\/\d{2}\/\d{2}\/\d{2}$/);
    expect(parseCaptureLines(`${JSON.stringify(first)}\n`)).toHaveLength(1);
  });

  it('exposes Prometheus metrics to a token holder', async () => {
    const anon = await f.server.inject({ method: 'GET', url: '/metrics' });
    expect(anon.statusCode).toBe(401);
    expect((await f.server.inject({ method: 'GET', url: '/metrics', headers: auth(viewer) })).statusCode).toBe(403);
    const scraper = await f.principal('prometheus', [{ role: 'administrator' }]);
    const r = await f.server.inject({ method: 'GET', url: '/metrics', headers: auth(scraper) });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain');
    expect(r.body).toMatch(/attest_endpoint_requests_total\{code="200",endpoint="credit",variant="primary"\} \d+/);
    expect(r.body).toMatch(/attest_endpoint_request_duration_seconds_bucket\{endpoint="credit",le="\+Inf"\} \d+/);
    expect(r.body).toMatch(/attest_capture_records_total\{endpoint="credit"\} \d+/);
    expect(r.body).toMatch(/attest_endpoint_requests_total\{code="400",endpoint="credit",variant=""\} \d+/);
  });

  it('deletes an endpoint; invocations then get 404', async () => {
    const del = await f.server.inject({ method: 'DELETE', url: '/v1/projects/default/endpoints/credit', headers: auth(emil) });
    expect(del.json().status).toBe('Deleted');
    const r = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints/credit/invocations', headers: auth(emil), payload: { instances: [rows[0]] } });
    expect(r.statusCode).toBe(404);
    expect(r.json().error.code).toBe('ENDPOINT_NOT_FOUND');
  });
});

/**
 * No input makes the API answer 5xx. Every operation of the server's own OpenAPI document (so
 * routes added later are fuzzed without touching this file) gets generated path parameters, query
 * strings and bodies: values shaped by the route's schema with edge leaves (huge numbers, empty,
 * unicode and very long strings, real identifiers so requests reach handlers) and plain garbage.
 * Requests are made as an administrator, so they pass authentication and policy. Bounded in time.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../test/support/json-schema-arbitrary.js';
import { garbage, schemaArbitrary } from '../../test/support/json-schema-arbitrary.js';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';
import { TEST_ACTOR } from '../../test/support/test-app.js';

/** Time spent sending requests (the whole file stays well under a minute). */
const BUDGET_MS = Number(process.env.ATTEST_FUZZ_BUDGET_MS ?? 25_000);

interface Operation {
  method: string;
  path: string;
  params: { name: string; in: string; schema?: JsonSchema; required?: boolean }[];
  body?: { contentType: string; schema?: JsonSchema };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: Operation['params']; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>;
}

function operationsOf(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const [contentType, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
      ops.push({ method: method.toUpperCase(), path, params: op.parameters ?? [], ...(contentType ? { body: { contentType, schema: media?.schema } } : {}) });
    }
  }
  return ops;
}

interface FuzzRequest {
  url: string;
  query: Record<string, string>;
  payload: unknown;
}

function requestArbitrary(op: Operation, known: readonly string[]): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  // A URL carries UTF-8: lone surrogates become U+FFFD, as any HTTP client would send them.
  const asText = (v: unknown) => Buffer.from(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''), 'utf8').toString('utf8');
  const path = fc.tuple(...pathParams.map((p) => schemaArbitrary(p.schema, known).map(asText))).map((values) =>
    pathParams.reduce((url, p, i) => url.replace(`{${p.name}}`, encodeURIComponent(values[i] ?? '') || '%20'), op.path),
  );
  const query = fc.tuple(...queryParams.map((p) => fc.option(schemaArbitrary(p.schema, known).map(asText), { freq: 3 }))).map((values) =>
    Object.fromEntries(queryParams.flatMap((p, i) => (values[i] === null || values[i] === undefined ? [] : [[p.name, values[i]!.slice(0, 8000)]]))),
  );
  const payload: fc.Arbitrary<unknown> = !op.body
    ? fc.constant(undefined)
    : op.body.contentType === 'application/json'
      ? fc.oneof({ weight: 8, arbitrary: schemaArbitrary(op.body.schema, known) }, { weight: 2, arbitrary: garbage })
      : fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b));
  return fc.record({ url: path, query, payload });
}

describe('fuzzing every route of the API', () => {
  let f: ServerFixture;
  let token = '';
  const known: string[] = ['default', 'alias/attest-default', 'fuzz-doc', 'fuzz-doc@1', 'fuzzer', 'viewer', 'data-scientist', 'administrator', 'user', 'group'];
  beforeAll(async () => {
    f = await startServerFixture('sqlite');
    token = await f.principal('fuzzadmin', [{ role: 'administrator' }]);
    await f.t.app.identity.users.create(TEST_ACTOR, { name: 'fuzzer' });
    const headers = { authorization: `Bearer ${token}`, 'x-attest-project': 'default' };
    const experiment = (await f.server.inject({ method: 'POST', url: '/api/2.0/mlflow/experiments/create', payload: { name: 'fuzz-exp' }, headers })).json() as { experiment_id: string };
    const run = (await f.server.inject({ method: 'POST', url: '/api/2.0/mlflow/runs/create', payload: { experiment_id: experiment.experiment_id }, headers })).json() as { run: { info: { run_id: string } } };
    const projectId = (await f.t.app.db.kysely.selectFrom('projects').select('id').where('name', '=', 'default').executeTakeFirstOrThrow()).id;
    const artifact = await f.t.app.artifacts.putBytes(TEST_ACTOR, Buffer.from('fuzz'), { projectId, name: 'fuzz-doc' });
    known.push(experiment.experiment_id, run.run.info.run_id, 'fuzz-exp', artifact.artifactId, `sha256:${artifact.sha256}`, projectId);
  }, 60_000);
  afterAll(async () => f?.dispose());

  it('answers no request with a 5xx', { timeout: BUDGET_MS + 60_000 }, async () => {
    const operations = operationsOf(f.server.swagger() as unknown as OpenApiDocument);
    expect(operations.length).toBeGreaterThan(50);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const spentMs = new Map<string, number>();
    let requests = 0;
    const deadline = Date.now() + BUDGET_MS;
    let seed = 1;
    while (Date.now() < deadline && [...spentMs.values()].filter((ms) => ms <= BUDGET_MS * 0.015).length + (operations.length - spentMs.size) > 0) {
      for (const op of operations) {
        if (Date.now() >= deadline) break;
        // Password checks are slow by design: no single operation may eat the budget of the others.
        const key = `${op.method} ${op.path}`;
        if ((spentMs.get(key) ?? 0) > BUDGET_MS * 0.015) continue;
        const started = Date.now();
        const samples = fc.sample(requestArbitrary(op, known), { numRuns: 4, seed: seed++ });
        for (const sample of samples) {
          const body = sample.payload;
          const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-attest-project': 'default' };
          if (op.body && body !== undefined) headers['content-type'] = op.body.contentType;
          const res = await f.server.inject({
            method: op.method as 'GET',
            url: sample.url,
            query: sample.query,
            headers,
            ...(body === undefined ? {} : { payload: Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
          });
          requests++;
          if (process.env.ATTEST_FUZZ_TRACE) console.log(res.statusCode, op.method, sample.url);
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          if (res.statusCode >= 500) failures.push(`${res.statusCode} ${op.method} ${sample.url} ?${JSON.stringify(sample.query)} ${JSON.stringify(body)?.slice(0, 300)} → ${res.body.slice(0, 200)}`);
          // A fuzzed logout, lock or revocation can end the administrator's credential: mint another.
          if (res.statusCode === 401 || res.statusCode === 403) {
            const whoami = await f.server.inject({ method: 'GET', url: '/v1/whoami', headers: { authorization: `Bearer ${token}` } });
            if (whoami.statusCode !== 200) token = await f.principal(`fuzzadmin${requests}`, [{ role: 'administrator' }]);
          }
        }
        spentMs.set(key, (spentMs.get(key) ?? 0) + Date.now() - started);
      }
    }
    const fiveXx = failures.length;
    console.log(`fuzz: ${requests} requests over ${operations.length} operations, ${fiveXx} answered 5xx; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(failures.slice(0, 20)).toEqual([]);
  });
});

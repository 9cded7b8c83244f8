/**
 * Human review: decisions in the endpoint's score band or adverse go to the queue with input,
 * score and reason codes; a validator decides; the model's owner may not; a decision is final;
 * the label becomes ground truth joined to the captured request by event id and feeds model
 * quality.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectIdByName } from '../app/index.js';
import { testDialects } from '../../test/support/databases.js';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';
import { TEST_ACTOR } from '../../test/support/test-app.js';
import { cli } from '../../test/support/cli.js';

const GOLDEN = join(import.meta.dirname, '../../test/fixtures/golden/xgboost/credit_default_whitepaper');
const rows = readFileSync(join(GOLDEN, 'input.csv'), 'utf8').trim().split('\n').slice(1, 41).map((l) => l.split(',').map(Number));

describe.each(testDialects())('human review (%s)', (dialect) => {
  let f: ServerFixture;
  let pid: string;
  let emil: string;
  let victor: string;
  let owner: string;
  const auth = (t: string) => ({ authorization: `Bearer ${t}` });

  beforeAll(async () => {
    f = await startServerFixture(dialect, { serving: { configRefreshMs: 0, schedulerIntervalMs: 0 } });
    pid = await projectIdByName(f.t.app, 'default');
    await f.t.app.artifacts.putBytes(TEST_ACTOR, readFileSync(join(GOLDEN, 'model.json')), { projectId: pid, name: 'credit-gbdt', mediaType: 'application/json' });
    emil = await f.principal('emil', [{ role: 'ml-engineer', project: 'default' }]);
    victor = await f.principal('victor', [{ role: 'model-validator', project: 'default' }]);
    // The model's owner (who stored the artifact) also holds the validator role.
    owner = await f.principal('tester', [{ role: 'model-validator', project: 'default' }]);
  }, 60_000);
  afterAll(async () => f?.dispose());

  it('queues matching decisions and turns reviewer decisions into ground truth', async () => {
    const created = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints', headers: auth(emil), payload: { name: 'credit', model: 'credit-gbdt', review: { scoreBand: { min: 0.3, max: 0.5 }, adverseAbove: 0.5 } } });
    expect(created.statusCode, created.body).toBe(200);
    const scored = await f.server.inject({ method: 'POST', url: '/v1/projects/default/endpoints/credit/invocations', headers: auth(emil), payload: { instances: rows, inferenceIds: rows.map((_, i) => `app-${i}`) } });
    const predictions = scored.json().predictions as { eventId: string; score: number; review?: string }[];
    const expectedReviews = predictions.filter((p) => p.score >= 0.3);
    expect(expectedReviews.length).toBeGreaterThan(0);
    expect(predictions.filter((p) => p.review).map((p) => p.eventId)).toEqual(expectedReviews.map((p) => p.eventId));

    expect((await f.server.inject({ method: 'GET', url: '/v1/projects/default/review-tasks', headers: auth(emil) })).statusCode).toBe(403);
    const queue = await f.server.inject({ method: 'GET', url: '/v1/projects/default/review-tasks?status=Pending', headers: auth(victor) });
    expect(queue.statusCode, queue.body).toBe(200);
    const tasks = queue.json() as { taskId: string; eventId: string; score: number; reason: string; reasons: unknown[]; input: Record<string, number> }[];
    expect(tasks.map((t) => t.eventId).sort()).toEqual(expectedReviews.map((p) => p.eventId).sort());
    const task = tasks[0]!;
    expect(task.reason).toBe(task.score >= 0.5 ? 'adverse' : 'score-band');
    expect(task.reasons.length).toBeGreaterThan(0);
    expect(Object.keys(task.input)).toHaveLength(23);

    const byOwner = await f.server.inject({ method: 'POST', url: `/v1/projects/default/review-tasks/${task.taskId}/decision`, headers: auth(owner), payload: { decision: 'decline', label: '1' } });
    expect(byOwner.statusCode).toBe(403);
    const noLabel = await f.server.inject({ method: 'POST', url: `/v1/projects/default/review-tasks/${task.taskId}/decision`, headers: auth(victor), payload: { decision: 'decline' } });
    expect(noLabel.json().error.details.field).toBe('label');
    const decided = await f.server.inject({ method: 'POST', url: `/v1/projects/default/review-tasks/${task.taskId}/decision`, headers: auth(victor), payload: { decision: 'decline', label: '1', note: 'three months late' } });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json()).toMatchObject({ status: 'Decided', reviewer: 'user:victor', label: '1' });
    const again = await f.server.inject({ method: 'POST', url: `/v1/projects/default/review-tasks/${task.taskId}/decision`, headers: auth(victor), payload: { decision: 'approve', label: '0' } });
    expect(again.json().error.code).toBe('REVIEW_DECIDED');

    const truth = await f.t.app.capture.groundTruth(TEST_ACTOR, pid, 'credit');
    expect(truth.map((g) => [g.eventMetadata.eventId, g.groundTruthData.data])).toEqual([[task.eventId, '1']]);
    await f.server.serving.capture.flush();
    const quality = await f.t.app.capture.binaryQuality(TEST_ACTOR, pid, { source: 'credit' });
    expect(quality.merged).toBe(1);
    const audit = await f.t.app.db.kysely.selectFrom('audit_events').select(['outcome', 'principal']).where('action', '=', 'review:Decide').execute();
    expect(audit.some((a) => a.outcome === 'allowed' && a.principal === 'user:victor')).toBe(true);
    expect(audit.some((a) => a.outcome !== 'allowed' && a.principal === 'user:tester')).toBe(true);

    // The auditor's question, from the command line: what was decided for this applicant, and why.
    const day = new Date().toISOString().slice(0, 10);
    const answer = await cli(['endpoints', 'decision', 'credit', '--event-id', task.eventId, '--date', day, '--json', '--home', f.t.home], f.t.env);
    expect(answer.code, answer.stderr).toBe(0);
    const [d] = JSON.parse(answer.stdout);
    expect(d).toMatchObject({ eventId: task.eventId, configVersion: 1, model: { reference: 'credit-gbdt', variant: 'primary' }, review: { decision: 'decline', reviewer: 'user:victor' }, groundTruth: '1', reasonsSource: 'recomputed' });
    expect(d.score).toBeCloseTo(task.score, 12);
    expect(d.reasons).toEqual(task.reasons);
    expect(d.input).toEqual(task.input);
    const text = await cli(['endpoints', 'decision', 'credit', '--request-id', scored.json().requestId, '--home', f.t.home], f.t.env);
    expect(text.stdout).toContain(`request ${scored.json().requestId}`);
    expect(text.stdout.match(/^\S+ endpoint credit config v1/gm)).toHaveLength(rows.length);
    expect((await cli(['endpoints', 'decision', 'credit', '--event-id', 'evt_nothing', '--home', f.t.home], f.t.env)).code).toBe(4);

    // The same question over HTTP: the auditor may ask (audited), a data scientist may not.
    const auditor = await f.principal('audrey', [{ role: 'auditor' }]);
    const scientist = await f.principal('dana', [{ role: 'data-scientist', project: 'default' }]);
    const url = `/v1/projects/default/endpoints/credit/decisions?eventId=${task.eventId}&date=${day}`;
    const http = await f.server.inject({ method: 'GET', url, headers: auth(auditor) });
    expect(http.statusCode, http.body).toBe(200);
    expect(http.json()).toEqual([d]);
    expect((await f.server.inject({ method: 'GET', url, headers: auth(scientist) })).statusCode).toBe(403);
    const bad = await f.server.inject({ method: 'GET', url: '/v1/projects/default/endpoints/credit/decisions?date=yesterday&eventId=x', headers: auth(auditor) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.field).toBe('date');
    const lookups = await f.t.app.db.kysely.selectFrom('audit_events').select(['outcome', 'principal']).where('action', '=', 'endpoint:LookupDecision').execute();
    expect(lookups.map((a) => `${a.principal} ${a.outcome}`)).toEqual(expect.arrayContaining(['user:audrey allowed', 'user:dana denied']));
    // And from the remote CLI, through the API with the auditor's token.
    const address = await f.server.listen({ port: 0, host: '127.0.0.1' });
    const remote = await cli(['endpoints', 'decision', 'credit', '--inference-id', 'app-7', '--server', address, '--json'], { ...f.t.env, ATTEST_TOKEN: auditor });
    expect(remote.code, remote.stderr).toBe(0);
    expect(JSON.parse(remote.stdout)[0]).toMatchObject({ inferenceId: 'app-7', endpoint: 'credit' });
    // And from the TypeScript SDK.
    const { EndpointsClient } = await import('./endpoints-client.js');
    expect(await new EndpointsClient({ baseUrl: address, token: auditor }).decision('default', 'credit', { eventId: task.eventId })).toEqual([d]);
    await expect(new EndpointsClient({ baseUrl: address, token: scientist }).decision('default', 'credit', { eventId: task.eventId })).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
  });
});

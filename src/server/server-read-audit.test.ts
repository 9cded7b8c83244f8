/**
 * Issue 12, points 5 and 8 through the real server: tracking, lineage and MLflow reads leave an
 * audit entry under the object's one resource name; a rate-limited login is a denied login entry
 * without the password; a presigned URL dies with the token that signed it or its signer, is bound
 * only to a real address, and never reaches the request log.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectIdByName } from '../app/index.js';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';
import { TEST_ACTOR } from '../../test/support/test-app.js';
import { buildServer } from './index.js';

describe('reads are audited; presigned URLs are bound to their signing token', () => {
  let f: ServerFixture;
  let token = '';
  const as = (bearer: string) => ({ authorization: `Bearer ${bearer}`, 'x-attest-project': 'default' });
  beforeAll(async () => {
    f = await startServerFixture();
    token = await f.principal('reader', [{ role: 'data-scientist', project: 'default' }]);
  }, 60_000);
  afterAll(async () => f?.dispose());

  it('tracking, lineage and MLflow reads are audited under the resource name the policy saw', async () => {
    const projectId = await projectIdByName(f.t.app, 'default');
    const ctx = { actor: { principal: 'user:reader' }, projectId };
    const experiment = await f.t.app.tracking.createExperiment(ctx, { name: 'audited-reads' });
    const trial = await f.t.app.tracking.createTrial(ctx, { experiment: experiment.experimentId, name: 't1' });
    const component = await f.t.app.tracking.startComponent(ctx, { name: 'train', type: 'training', trials: [trial.trialId] });
    const componentId = component.componentId;
    const before = (await f.t.app.ledger.head()).seq;
    for (const url of [
      `/api/v1/tracking/components/${componentId}`,
      `/api/v1/lineage/${componentId}/upstream`,
      `/api/2.0/mlflow/experiments/get?experiment_id=${experiment.experimentId}`,
      `/api/v1/tracking/experiments/${experiment.experimentId}/table`,
    ]) {
      const r = await f.server.inject({ method: 'GET', url, headers: as(token) });
      expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
    }
    const searched = await f.server.inject({ method: 'POST', url: '/api/v1/tracking/components/search', payload: {}, headers: as(token) });
    expect(searched.statusCode, searched.body).toBe(200);
    const reads = (await f.t.app.ledger.list({ afterSeq: before, principal: 'user:reader' })).map((e) => [e.action, e.resource, e.outcome]);
    expect(reads).toEqual([
      ['component:Describe', `attest:default:component/${componentId}`, 'allowed'],
      ['lineage:Read', `attest:default:lineage/${componentId}`, 'allowed'],
      ['experiment:Describe', `attest:default:experiment/${experiment.experimentId}`, 'allowed'],
      ['experiment:Describe', `attest:default:experiment/${experiment.experimentId}`, 'allowed'],
      ['component:List', 'attest:default:component/*', 'allowed'],
    ]);
    // The writes the service audits use the same name as the reads.
    const created = await f.t.app.ledger.list({ action: 'component:Create', principal: 'user:reader' });
    expect(created.map((e) => e.resource)).toContain(`attest:default:component/${componentId}`);
  });

  it('a rate-limited login is audited as denied, with its reason and without the password', async () => {
    const server = await buildServer(f.t.app, { loginRateLimit: 1, controls: { enabled: false } });
    try {
      const before = (await f.t.app.ledger.head()).seq;
      const password = 'Rate-Limited-Secret-42';
      expect((await server.inject({ method: 'POST', url: '/v1/login', payload: { username: 'reader', password } })).statusCode).toBe(401);
      const limited = await server.inject({ method: 'POST', url: '/v1/login', payload: { username: 'reader', password } });
      expect(limited.statusCode).toBe(429);
      const entries = await f.t.app.ledger.list({ afterSeq: before, action: 'auth:Login', outcome: 'denied' });
      expect(entries.length).toBe(1);
      expect(entries[0]).toMatchObject({ principal: 'anonymous', resource: 'attest::user/reader', details: { reason: 'rate limited', username: 'reader' } });
      expect(entries[0]!.requestId).toBe(limited.headers['x-request-id']);
      expect(JSON.stringify(await f.t.app.ledger.list({ afterSeq: before }))).not.toContain(password);
    } finally {
      await server.close();
    }
  });

  const presign = async (bearer: string, body?: object) => {
    const put = await f.server.inject({ method: 'POST', url: '/v1/projects/default/artifacts', payload: Buffer.from('presigned bytes'), headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/octet-stream' } });
    expect(put.statusCode, put.body).toBe(200);
    const id = put.json().artifactId as string;
    return f.server.inject({ method: 'POST', url: `/v1/projects/default/artifacts/${id}/presign`, headers: { authorization: `Bearer ${bearer}` }, ...(body ? { payload: body } : {}) });
  };

  it('a presigned URL stops working when the token that signed it is revoked, even if the signer has others', async () => {
    const first = await f.t.app.identity.tokens.create(TEST_ACTOR, { owner: 'reader', name: 'signing' });
    const r = await presign(first.token);
    expect(r.statusCode, r.body).toBe(200);
    const { url } = r.json() as { url: string };
    expect((await f.server.inject({ method: 'GET', url })).statusCode).toBe(200);
    await f.t.app.identity.tokens.revoke(TEST_ACTOR, 'reader', first.view.prefix);
    const refused = await f.server.inject({ method: 'GET', url });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('UNAUTHENTICATED');
    const denied = await f.t.app.ledger.list({ action: 'artifact:Get', outcome: 'denied' });
    expect(denied.at(-1)?.details).toMatchObject({ error: 'TOKEN_REVOKED', tokenPrefix: first.view.prefix });
  });

  it('a presigned URL stops working when its signer is deleted', async () => {
    const signer = await f.principal('leaver', [{ role: 'data-scientist', project: 'default' }]);
    const { url } = (await presign(signer)).json() as { url: string };
    expect((await f.server.inject({ method: 'GET', url })).statusCode).toBe(200);
    await f.t.app.identity.users.delete(TEST_ACTOR, 'leaver');
    expect((await f.server.inject({ method: 'GET', url })).statusCode).toBe(401);
  });

  it('bindSourceIp must be one IPv4 or IPv6 address, and binds the URL to it', async () => {
    for (const bad of ['not-an-ip', '10.0.0.0/8', '999.1.1.1', '', 'localhost']) {
      const r = await presign(token, { bindSourceIp: bad });
      expect(r.statusCode, bad).toBe(400);
      expect(r.json().error.code).toBe('INVALID_INPUT');
    }
    const elsewhere = (await presign(token, { bindSourceIp: '2001:db8::1' })).json() as { url: string };
    expect((await f.server.inject({ method: 'GET', url: elsewhere.url })).statusCode).toBe(401);
    // inject() comes from 127.0.0.1; the IPv4-mapped IPv6 form names the same address.
    const here = (await presign(token, { bindSourceIp: '::ffff:127.0.0.1' })).json() as { url: string };
    expect((await f.server.inject({ method: 'GET', url: here.url })).statusCode).toBe(200);
  });

  it('the request log never holds a presigned URL or a token in the query string', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const server = await buildServer(f.t.app, { logger: { level: 'info', stream }, controls: { enabled: false } });
    try {
      const { url } = (await presign(token)).json() as { url: string };
      const secret = url.slice('/v1/presigned/'.length);
      expect((await server.inject({ method: 'GET', url })).statusCode).toBe(200);
      await server.inject({ method: 'GET', url: `/v1/whoami?access_token=${token}&Token=${token}&page=2` });
      const log = lines.join('');
      expect(log).toContain('/v1/presigned/[redacted]');
      expect(log).toContain('page=2');
      expect(log).not.toContain(secret.slice(0, 24));
      expect(log).not.toContain(token.slice(0, 20));
    } finally {
      await server.close();
    }
  });
});

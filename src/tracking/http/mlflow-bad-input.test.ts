/**
 * Bad input to the MLflow and tracking APIs is a 400 with a stable code, never a 500: times
 * beyond the range of a date, integers beyond 2^53, forged page tokens, bad key aliases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFixture } from '../../../test/support/server-fixture.js';
import { startServerFixture } from '../../../test/support/server-fixture.js';

describe('out-of-range input to the MLflow and tracking routes', () => {
  let f: ServerFixture;
  let headers: Record<string, string>;
  let experimentId = '';
  beforeAll(async () => {
    f = await startServerFixture('sqlite');
    headers = { authorization: `Bearer ${await f.principal('badinput', [{ role: 'administrator' }])}`, 'x-attest-project': 'default' };
    experimentId = (await f.server.inject({ method: 'POST', url: '/api/2.0/mlflow/experiments/create', payload: { name: 'bad-input' }, headers })).json().experiment_id;
  }, 60_000);
  afterAll(async () => f?.dispose());

  const post = (url: string, payload: unknown) => f.server.inject({ method: 'POST', url, payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers: { ...headers, 'content-type': 'application/json' } });
  const expect400 = async (response: Promise<{ statusCode: number; body: string }>) => {
    const res = await response;
    expect(res.statusCode, res.body).toBe(400);
    expect(res.body).toMatch(/INVALID_INPUT|INVALID_PARAMETER_VALUE|BAD_REQUEST/);
  };

  it('refuses run times a date cannot hold', async () => {
    await expect400(post('/api/2.0/mlflow/runs/create', `{"experiment_id":"${experimentId}","start_time":99999999999999999}`));
    await expect400(post('/api/2.0/mlflow/runs/create', { experiment_id: experimentId, start_time: 9e15 }));
    await expect400(post('/api/2.0/mlflow/runs/create', { experiment_id: experimentId, start_time: '99999999999999999999' }));
  });

  it('refuses search filters on times beyond the range of a date', async () => {
    await expect400(post('/api/2.0/mlflow/runs/search', { experiment_ids: [experimentId], filter: 'attributes.start_time > 99999999999999999999999' }));
    await expect400(post('/api/v1/tracking/components/search', { filter: 'startTime > 99999999999999999999999' }));
    await expect400(post('/api/v1/tracking/trials/search', { filter: 'createdAt < -99999999999999999999999' }));
  });

  it('refuses forged page tokens', async () => {
    for (const page_token of ['garbage!!', 'OTk5OTk5OTk5OTk5OTk5OTk5OTk5', Buffer.from('-5').toString('base64url'), Buffer.from('1e300').toString('base64url')]) {
      await expect400(post('/api/2.0/mlflow/experiments/search', { page_token }));
    }
    await expect400(post('/api/2.0/mlflow/runs/search', { experiment_ids: [experimentId], page_token: 'garbage' }));
  });

  it('refuses a malformed key alias', async () => {
    await expect400(post('/v1/keys', { alias: 'group' }));
  });
});

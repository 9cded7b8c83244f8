/**
 * The tracking plugins mounted in the real server: bearer authentication, real policy decisions in
 * the record's project (denials audited), and project isolation in searches.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../kernel/index.js';
import { HttpTransport, Tracker } from '../tracking/index.js';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';

describe('tracking routes behind the server', () => {
  let f: ServerFixture;
  const as = (token: string, project = 'default') => ({ authorization: `Bearer ${token}`, 'x-attest-project': project });
  let ds = '';
  let viewer = '';
  let outsider = '';
  beforeAll(async () => {
    f = await startServerFixture();
    const admin = await f.principal('tadmin', [{ role: 'administrator' }]);
    expect((await f.server.inject({ method: 'POST', url: '/v1/projects', payload: { name: 'fraud' }, headers: { authorization: `Bearer ${admin}` } })).statusCode).toBe(200);
    ds = await f.principal('tds', [{ role: 'data-scientist', project: 'default' }]);
    viewer = await f.principal('tviewer', [{ role: 'viewer', project: 'default' }]);
    outsider = await f.principal('tfraud', [{ role: 'data-scientist', project: 'fraud' }]);
  }, 60_000);
  afterAll(async () => f?.dispose());

  it('a data scientist creates an experiment in their project; a viewer and an outsider are refused and audited', async () => {
    const created = await f.server.inject({ method: 'POST', url: '/api/v1/tracking/experiments/ensure', payload: { name: 'pd-model' }, headers: as(ds) });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json()).toMatchObject({ name: 'pd-model', createdBy: 'user:tds' });
    expect((await f.server.inject({ method: 'POST', url: '/api/v1/tracking/experiments/ensure', payload: { name: 'other' }, headers: as(viewer) })).statusCode).toBe(403);
    expect((await f.server.inject({ method: 'POST', url: '/api/v1/tracking/experiments/ensure', payload: { name: 'other' }, headers: as(outsider) })).statusCode).toBe(403);
    const denials = await f.t.app.ledger.list({ action: 'experiment:Create', outcome: 'denied' });
    expect(denials.map((d) => [d.principal, d.resource])).toEqual([
      ['user:tviewer', 'attest:default:experiment/*'],
      ['user:tfraud', 'attest:default:experiment/*'],
    ]);
  });

  it('searches see only the projects the caller belongs to', async () => {
    await f.server.inject({ method: 'POST', url: '/api/v1/tracking/trials', payload: { experiment: 'pd-model', name: 'baseline' }, headers: as(ds) });
    const mine = await f.server.inject({ method: 'POST', url: '/api/v1/tracking/trials/search', payload: {}, headers: as(ds) });
    expect(mine.statusCode, mine.body).toBe(200);
    expect(JSON.stringify(mine.json())).toContain('baseline');
    const theirs = await f.server.inject({ method: 'POST', url: '/api/v1/tracking/trials/search', payload: {}, headers: as(outsider, 'fraud') });
    expect(theirs.statusCode, theirs.body).toBe(200);
    expect(JSON.stringify(theirs.json())).not.toContain('baseline');
  });

  it('the tracking SDK over HTTP works against the real server with a data scientist token; a viewer cannot write', async () => {
    await f.server.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(f.server.server.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'attest-sdk-server-'));
    try {
      const tracker = new Tracker(new HttpTransport({ baseUrl, token: ds, project: 'default' }), { cwd: dir });
      const experiment = await tracker.experiment('sdk-e2e');
      const trial = await tracker.trial(experiment, 'first');
      const data = join(dir, 'd.csv');
      writeFileSync(data, 'x,y\n1,0\n');
      const run = await tracker.component('Training', 'training', async (c) => {
        c.logParameters({ eta: 0.3 });
        c.logMetric('auc', 0.8, 0);
        await c.logArtifact(data, { role: 'dataset', mediaType: 'text/csv' });
      }, { trials: [trial] });
      expect(run.component.status).toBe('Completed');
      const entries = await f.t.app.ledger.list({ principal: 'user:tds', action: 'component:Complete' });
      expect(entries).toHaveLength(1);
      const readOnly = new Tracker(new HttpTransport({ baseUrl, token: viewer, project: 'default' }), { cwd: dir });
      const refused = await readOnly.experiment('viewer-made').catch((e: unknown) => e);
      expect(isAppError(refused) && refused.code).toBe('ACCESS_DENIED');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 401 without a token', async () => {
    const r = await f.server.inject({ method: 'POST', url: '/api/v1/tracking/trials/search', payload: {} });
    expect(r.statusCode).toBe(401);
  });
});

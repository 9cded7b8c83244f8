/**
 * Issue 12 point 5: tracking, lineage and MLflow reads of objects that do not exist answer 404
 * before any policy decision (the object's project is unknown), and are still audited, as denied
 * reads under the installation-wide name of what was asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';

describe('reads that find nothing are audited', () => {
  let f: ServerFixture;
  let token = '';
  const as = (bearer: string) => ({ authorization: `Bearer ${bearer}`, 'x-attest-project': 'default' });
  beforeAll(async () => {
    f = await startServerFixture();
    token = await f.principal('prober', [{ role: 'data-scientist', project: 'default' }]);
  }, 60_000);
  afterAll(async () => f?.dispose());

  it('records each 404 lookup as a denied read with the error code, under the name asked for', async () => {
    const before = (await f.t.app.ledger.head()).seq;
    const cases: [string, string, string][] = [
      ['/api/v1/tracking/components/tc_nosuch', 'component:Describe', 'attest::component/tc_nosuch'],
      ['/api/v1/tracking/experiments/exp_nosuch/table', 'experiment:Describe', 'attest::experiment/exp_nosuch'],
      ['/api/v1/lineage/art_nosuch/downstream', 'lineage:Read', 'attest::lineage/art_nosuch'],
      ['/api/2.0/mlflow/runs/get?run_id=tc_nosuch', 'component:Describe', 'attest::component/tc_nosuch'],
      ['/api/2.0/mlflow/experiments/get?experiment_id=exp_nosuch', 'experiment:Describe', 'attest::experiment/exp_nosuch'],
    ];
    for (const [url] of cases) {
      const r = await f.server.inject({ method: 'GET', url, headers: as(token) });
      expect(r.statusCode, `${url}: ${r.body}`).toBe(404);
    }
    const entries = await f.t.app.ledger.list({ afterSeq: before, principal: 'user:prober' });
    expect(entries.map((e) => [e.action, e.resource, e.outcome])).toEqual(cases.map(([, action, resource]) => [action, resource, 'denied']));
    for (const e of entries) expect(e.details).toMatchObject({ error: expect.stringMatching(/^(NOT_FOUND|RESOURCE_DOES_NOT_EXIST)$/), reason: 'not found before authorization' });
  });

  it('an unauthenticated probe is refused before any lookup and leaves no read entry', async () => {
    const before = (await f.t.app.ledger.head()).seq;
    const r = await f.server.inject({ method: 'GET', url: '/api/v1/tracking/components/tc_nosuch' });
    expect(r.statusCode).toBe(401);
    expect((await f.t.app.ledger.list({ afterSeq: before, action: 'component:Describe' })).length).toBe(0);
  });
});

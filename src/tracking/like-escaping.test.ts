/**
 * `_` and `%` in names are literal where a name is meant literally: MLflow's `name = '…'`, audit
 * action prefixes, named-object prefixes. LIKE patterns given by the user keep their wildcards and
 * escape with a backslash on both engines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordOutcome } from '../security/audit/index.js';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';
import { testDialects } from '../../test/support/databases.js';
import { TEST_ACTOR } from '../../test/support/test-app.js';

describe.each(testDialects())('LIKE wildcards in user text on %s', (dialect) => {
  let f: ServerFixture;
  let scientist = '';
  beforeAll(async () => {
    f = await startServerFixture(dialect);
    scientist = await f.principal('likeds', [{ role: 'data-scientist', project: 'default' }]);
    for (const name of ['under_score', 'underXscore', 'under_score_2']) {
      const created = await f.server.inject({ method: 'POST', url: '/api/2.0/mlflow/experiments/create', payload: { name }, headers: as(scientist) });
      expect(created.statusCode).toBe(200);
    }
  }, 60_000);
  afterAll(async () => f?.dispose());

  const as = (token: string) => ({ authorization: `Bearer ${token}`, 'x-attest-project': 'default' });
  const search = async (filter: string): Promise<string[]> => {
    const res = await f.server.inject({ method: 'POST', url: '/api/2.0/mlflow/experiments/search', payload: { filter }, headers: as(scientist) });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { experiments?: { name: string }[] }).experiments?.map((e) => e.name).sort() ?? [];
  };

  it("finds exactly the experiment named by name = '…', underscores included", async () => {
    expect(await search("name = 'under_score'")).toEqual(['under_score']);
  });

  it('keeps LIKE wildcards, with a backslash escaping them', async () => {
    expect(await search("name LIKE 'under_score%'")).toEqual(['underXscore', 'under_score', 'under_score_2'].sort());
    expect(await search("name LIKE 'under\\\\_score%'")).toEqual(['under_score', 'under_score_2']);
  });

  it('refuses a LIKE pattern ending in an unpaired backslash with a 400', async () => {
    const res = await f.server.inject({ method: 'POST', url: '/api/2.0/mlflow/experiments/search', payload: { filter: "name LIKE 'under\\\\'" }, headers: as(scientist) });
    expect(res.statusCode).toBe(400);
    const runs = await f.server.inject({ method: 'POST', url: '/api/v1/tracking/components/search', payload: { filter: "name LIKE 'x\\\\'" }, headers: as(scientist) });
    expect(runs.statusCode).toBe(400);
  });

  it('treats an audit action prefix literally', async () => {
    const deps = { db: f.t.app.db, ledger: f.t.app.ledger };
    await recordOutcome(deps, TEST_ACTOR, 'probe:a_b', 'probe/1', 'allowed', {});
    await recordOutcome(deps, TEST_ACTOR, 'probe:aXb', 'probe/2', 'allowed', {});
    await recordOutcome(deps, TEST_ACTOR, 'probe:a%c', 'probe/3', 'allowed', {});
    expect((await f.t.app.ledger.list({ action: 'probe:a_*' })).map((e) => e.action)).toEqual(['probe:a_b']);
    expect((await f.t.app.ledger.list({ action: 'probe:a%*' })).map((e) => e.action)).toEqual(['probe:a%c']);
    expect((await f.t.app.ledger.list({ action: 'probe:*' })).length).toBe(3);
  });
});

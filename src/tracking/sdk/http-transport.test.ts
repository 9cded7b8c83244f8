/**
 * The tracker over HTTP: the paper-style SDK speaking to `trackingRoutes` on a real server, with
 * file uploads streamed into encrypted artifacts, lineage read back over the API, and the server's
 * errors surfacing as AppErrors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureProject, projectIdByName } from '../../app/index.js';
import { isAppError } from '../../kernel/index.js';
import { testDialects } from '../../../test/support/databases.js';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../../test/support/test-app.js';
import type { TestServer } from '../../../test/support/tracking-server.js';
import { startTrackingServer } from '../../../test/support/tracking-server.js';
import { trackingRoutes } from '../http/tracking-routes.js';
import { HttpTransport } from './http-transport.js';
import { Tracker } from './tracker.js';

describe.each(testDialects())('the tracker over HTTP on %s', (dialect) => {
  let inst: TestInstallation;
  let server: TestServer;
  let dir: string;
  let projectA: string;

  beforeAll(async () => {
    inst = await createTestInstallation(dialect, 'fs');
    projectA = await projectIdByName(inst.app, 'default');
    const projectB = await ensureProject(inst.app, TEST_ACTOR, 'other-team', 'another project');
    server = await startTrackingServer(
      inst.app,
      trackingRoutes,
      new Map([
        ['tok-dana', { principal: 'user:dana', projects: [projectA] }],
        ['tok-bob', { principal: 'user:bob', projects: [projectB] }],
      ]),
    );
    dir = mkdtempSync(join(tmpdir(), 'attest-sdk-'));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await inst?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tracks two trials sharing preprocessing, with uploads, and answers lineage over the API', async () => {
    const tracker = new Tracker(new HttpTransport({ baseUrl: server.url, token: 'tok-dana', project: 'default' }), { cwd: dir });
    const data = join(dir, 'credit.csv');
    writeFileSync(data, 'limit_bal,default\n20000,1\n120000,0\n');
    const experiment = await tracker.experiment('credit-http');
    expect((await tracker.experiment('credit-http')).experimentId).toBe(experiment.experimentId);
    const t1 = await tracker.trial(experiment, 'eta-0.2');
    const t2 = await tracker.trial(experiment, 'eta-0.1');
    const holdoutFile = join(dir, 'holdout.csv');
    writeFileSync(holdoutFile, 'limit_bal,default\n50000,0\n');
    const holdout = await tracker.transport.uploadArtifact(holdoutFile, { name: 'credit-holdout' });
    const pre = await tracker.component('Preprocessing', 'processing', async (c) => {
      const dataset = await c.logArtifact(data, { role: 'dataset', name: 'credit-dataset', mediaType: 'text/csv' });
      c.logParameters({ seed: 7 });
      c.setTags({ step: 'split' });
      c.addNote('stratified on the default flag');
      return dataset;
    }, { trials: [t1] });
    await tracker.addToTrial(pre.component, t2);
    const shared = await tracker.transport.getComponent(pre.component.componentId);
    expect(shared.trialIds.sort()).toEqual([t1.trialId, t2.trialId].sort());
    expect(shared.tags.step).toBe('split');
    expect(shared.notes.map((n) => n.text)).toEqual(['stratified on the default flag']);
    const dataset = pre.result;
    const trained: string[] = [];
    for (const [trial, eta] of [[t1, 0.2], [t2, 0.1]] as const) {
      const run = await tracker.component('Training', 'training', async (c) => {
        c.logParameters({ eta, max_depth: 5 });
        c.logInput('dataset', 'credit-dataset@1');
        for (let round = 0; round < 2500; round++) c.logMetric('validation:auc', 0.7 + round / 1e5, round);
        const model = join(dir, `model-${eta}.json`);
        writeFileSync(model, JSON.stringify({ eta }));
        await c.logArtifact(model, { role: 'model', mediaType: 'application/json' });
      }, { trials: [trial] });
      trained.push(run.component.componentId);
      expect(run.component.status).toBe('Completed');
      expect(run.component.metrics[0]).toMatchObject({ name: 'validation:auc', count: 2500, lastStep: 2499 });
      expect(run.component.environment?.runtime).toBe(`node ${process.version}`);
    }
    const headers = { authorization: 'Bearer tok-dana' };
    const down = (await (await fetch(`${server.url}/api/v1/lineage/${dataset.artifactId}/downstream?type=training`, { headers })).json()) as { nodes: { id: string }[] };
    expect(down.nodes.map((n) => n.id).sort()).toEqual([...trained].sort());
    const none = (await (await fetch(`${server.url}/api/v1/lineage/${holdout.artifactId}/downstream?type=training`, { headers })).json()) as { nodes: unknown[] };
    expect(none.nodes).toEqual([]);
    const csv = await (await fetch(`${server.url}/api/v1/tracking/experiments/${experiment.experimentId}/table?format=csv`, { headers })).text();
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(4);
    const hidden = await fetch(`${server.url}/api/v1/lineage/${dataset.artifactId}/downstream`, { headers: { authorization: 'Bearer tok-bob' } });
    expect(hidden.status).toBe(404);
    const search = (await (await fetch(`${server.url}/api/v1/tracking/trials/search`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ filter: 'parameters.eta = 0.1' }) })).json()) as { items: { name: string }[] };
    expect(search.items.map((t) => t.name)).toEqual(['eta-0.1']);

    const compare = (await (await fetch(`${server.url}/api/v1/tracking/trials/compare`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ trials: [t1.trialId, t2.trialId] }) })).json()) as { rows: { key: string; values: unknown[] }[] };
    expect(compare.rows.find((r) => r.key === 'training/eta')?.values).toEqual([0.2, 0.1]);
    const up = (await (await fetch(`${server.url}/api/v1/lineage/${trained[0]}/upstream?edges=true`, { headers })).json()) as { nodes: { id: string }[]; edges: unknown[] };
    expect(up.nodes.map((n) => n.id)).toContain(dataset.artifactId);
    expect(up.edges.length).toBeGreaterThan(0);
    const transport = new HttpTransport({ baseUrl: server.url, token: 'tok-dana' });
    const error = await transport.logParameters(trained[0]!, { eta: 0.5 }).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('COMPONENT_COMPLETED');
    const foreign = await new HttpTransport({ baseUrl: server.url, token: 'tok-bob' }).getComponent(trained[0]!).catch((e: unknown) => e);
    expect(isAppError(foreign) && foreign.code).toBe('NOT_FOUND');
    const entries = await inst.app.ledger.list({ principal: 'user:dana' });
    expect(entries.some((e) => e.action === 'artifact:Put')).toBe(true);
    expect(entries.filter((e) => e.action === 'component:Complete')).toHaveLength(3);
  });

  it('marks the component Failed when a queued call is refused', async () => {
    const tracker = new Tracker(new HttpTransport({ baseUrl: server.url, token: 'tok-dana' }), { source: 'none' });
    let id = '';
    const outcome = await tracker
      .component('Bad', 'custom', (c) => {
        id = c.componentId;
        c.logMetric('x', 1, -1);
      })
      .catch((e: unknown) => e);
    expect(isAppError(outcome) && outcome.code).toBe('INVALID_INPUT');
    const c = await inst.app.tracking.getComponent(id, [projectA]);
    expect(c.status).toBe('Failed');
  });
});

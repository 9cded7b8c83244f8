/**
 * Jobs over HTTP and from the remote CLI: a data scientist trains through the server (the
 * server's runner executes the job in a child process), an ML engineer runs a batch transform,
 * a validator is refused training but reads jobs; every route is authenticated and documented.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureProject } from '../app/index.js';
import { cli, REPO_ROOT } from '../../test/support/cli.js';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';
import { TEST_ACTOR } from '../../test/support/test-app.js';
import type { Job } from '../jobs/index.js';
import { HttpJobsTransport, JobRunner, Jobs } from '../jobs/index.js';

describe('jobs over HTTP and the remote CLI', () => {
  let f: ServerFixture;
  let runner: JobRunner;
  let url: string;
  let dana: string;
  let emil: string;
  let victor: string;

  beforeAll(async () => {
    f = await startServerFixture('sqlite');
    const projectId = await ensureProject(f.t.app, TEST_ACTOR, 'credit', 'credit');
    const lines = readFileSync(join(REPO_ROOT, 'datasets', 'uci_credit_card_default.csv'), 'utf8').split('\n').slice(0, 1001);
    const file = join(f.t.home, 'subset.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    await f.t.app.datasets.importFile(TEST_ACTOR, file, { projectId, name: 'credit-train' });
    dana = await f.principal('dana', [{ role: 'data-scientist', project: 'credit' }]);
    emil = await f.principal('emil', [{ role: 'ml-engineer', project: 'credit' }]);
    victor = await f.principal('victor', [{ role: 'model-validator', project: 'credit' }]);
    await f.server.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(f.server.server.address() as AddressInfo).port}`;
    runner = new JobRunner({ app: f.t.app, env: f.t.env, leaseMs: 5000, pollMs: 100, cwd: REPO_ROOT });
    runner.start();
  }, 60_000);
  afterAll(async () => {
    await runner?.stop();
    await f?.dispose();
  });

  it('authenticates, authorizes and documents every job route', async () => {
    expect((await f.server.inject({ method: 'GET', url: '/v1/projects/credit/jobs' })).statusCode).toBe(401);
    const denied = await f.server.inject({
      method: 'POST',
      url: '/v1/projects/credit/jobs',
      headers: { authorization: `Bearer ${victor}` },
      payload: { type: 'training', inputs: { train: 'credit-train@1' }, params: { label: 'default' } },
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('ACCESS_DENIED');
    const bad = await f.server.inject({ method: 'POST', url: '/v1/projects/credit/jobs', headers: { authorization: `Bearer ${dana}` }, payload: { type: 'training', inputs: { train: 'missing@1' }, params: { label: 'default' } } });
    expect(bad.statusCode).toBe(404);
    expect(bad.json().error.code).toBe('REFERENCE_NOT_FOUND');
    const spec = (await f.server.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/projects/{project}/jobs', '/v1/projects/{project}/jobs/{job}', '/v1/projects/{project}/jobs/{job}/logs', '/v1/projects/{project}/jobs/{job}/cancel']));
  });

  it('trains through the remote CLI, then scores through the SDK as the ML engineer; the validator reads the jobs', async () => {
    const env = { ...f.t.env, ATTEST_TOKEN: dana };
    const run = await cli(
      ['jobs', 'run', 'training', '--server', url, '--project', 'credit', '--input', 'train=credit-train@1', '--param', 'label=default', '--param', 'exclude=ID', '--param', 'objective=binary:logistic', '--param', 'num_round=10', '--param', 'model_name=remote-model', '--wait', '--json'],
      env,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const trained = JSON.parse(run.stdout) as Job;
    expect(trained).toMatchObject({ status: 'succeeded', principal: 'user:dana', outputs: [{ role: 'model', name: 'remote-model', version: 1 }] });

    const sdk = new Jobs(new HttpJobsTransport({ baseUrl: url, token: emil }));
    const scored = await sdk.run('credit', { type: 'batch-transform', inputs: { model: 'remote-model@1', data: 'credit-train@1' }, params: { output: 'credit-train-scored' } }, { wait: true, pollMs: 100, timeoutMs: 300_000 });
    expect(scored.outputs[0]).toMatchObject({ role: 'predictions', name: 'credit-train-scored', version: 1 });
    await expect(sdk.run('credit', { type: 'training', inputs: { train: 'credit-train@1' }, params: { label: 'default' } })).rejects.toMatchObject({ code: 'ACCESS_DENIED' });

    const list = await cli(['jobs', 'list', '--server', url, '--project', 'credit', '--json'], { ...f.t.env, ATTEST_TOKEN: victor });
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as Job[]).map((j) => j.jobId)).toEqual([scored.jobId, trained.jobId]);
    const logs = await cli(['jobs', 'logs', trained.jobId, '--server', url, '--project', 'credit'], { ...f.t.env, ATTEST_TOKEN: victor });
    expect(logs.stdout).toMatch(/succeeded/);
    const cancel = await cli(['jobs', 'cancel', trained.jobId, '--server', url, '--project', 'credit'], { ...f.t.env, ATTEST_TOKEN: dana });
    expect(cancel.code).toBe(5);
    expect(cancel.stderr).toMatch(/^attest: error JOB_FINISHED/);
  }, 600_000);
});

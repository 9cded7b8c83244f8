/**
 * Pipelines over HTTP and from the remote CLI: routes authenticated, authorized and documented;
 * a bad definition refused with the step and field named; a data scientist publishes a
 * definition file and starts it through the remote CLI with --wait (the server's driver advances
 * it, the server's runner runs its jobs in child processes); the SDK starts it again (cache hits);
 * a validator reads the executions but cannot start one.
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
import { JobRunner } from '../jobs/index.js';
import type { Execution } from '../pipelines/index.js';
import { HttpPipelinesTransport, PipelineDriver, PipelineService, Pipelines } from '../pipelines/index.js';

const DEFINITION = `# a small pipeline: split, a gate on the training rows, a baseline
name: small
parameters:
  min_rows: { type: number, default: 100 }
steps:
  - name: split
    type: processing
    inputs: { data: "credit@1" }
    params: { label: default, seed: 42, prefix: small }
    cache: true
  - name: gate
    type: condition
    metric: { step: split, name: "rows:train" }
    op: ">="
    threshold: "{{parameters.min_rows}}"
    ifTrue: [baseline]
  - name: baseline
    type: baseline
    inputs: { data: "{{steps.split.outputs.train}}" }
    params: { name: small, exclude: "ID,default" }
    cache: true
`;

describe('pipelines over HTTP and the remote CLI', () => {
  let f: ServerFixture;
  let runner: JobRunner;
  let driver: PipelineDriver;
  let url: string;
  let dana: string;
  let victor: string;
  let file: string;

  beforeAll(async () => {
    f = await startServerFixture('sqlite');
    const projectId = await ensureProject(f.t.app, TEST_ACTOR, 'credit', 'credit');
    const lines = readFileSync(join(REPO_ROOT, 'datasets', 'uci_credit_card_default.csv'), 'utf8').split('\n').slice(0, 501);
    const data = join(f.t.home, 'subset.csv');
    writeFileSync(data, `${lines.join('\n')}\n`);
    await f.t.app.datasets.importFile(TEST_ACTOR, data, { projectId, name: 'credit' });
    file = join(f.t.home, 'small.yaml');
    writeFileSync(file, DEFINITION);
    dana = await f.principal('dana', [{ role: 'data-scientist', project: 'credit' }]);
    victor = await f.principal('victor', [{ role: 'model-validator', project: 'credit' }]);
    await f.server.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(f.server.server.address() as AddressInfo).port}`;
    runner = new JobRunner({ app: f.t.app, env: f.t.env, leaseMs: 5000, pollMs: 100, cwd: REPO_ROOT });
    runner.start();
    driver = new PipelineDriver(new PipelineService(f.t.app), { pollMs: 100 });
    driver.start();
  }, 60_000);
  afterAll(async () => {
    await driver?.stop();
    await runner?.stop();
    await f?.dispose();
  });

  it('authenticates, authorizes, validates and documents every pipeline route', async () => {
    expect((await f.server.inject({ method: 'GET', url: '/v1/projects/credit/pipelines' })).statusCode).toBe(401);
    const denied = await f.server.inject({ method: 'POST', url: '/v1/projects/credit/pipelines', headers: { authorization: `Bearer ${victor}` }, payload: { definition: { name: 'small', steps: [] } } });
    expect(denied.statusCode).toBe(403);
    const bad = await f.server.inject({
      method: 'POST',
      url: '/v1/projects/credit/pipelines',
      headers: { authorization: `Bearer ${dana}` },
      payload: { definition: { name: 'bad', steps: [{ name: 'train', type: 'training', inputs: { train: 'credit@1' }, params: { label: 'default', algorithm: 'forest' } }] } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(bad.json().error.message).toMatch(/step "train" field params\.algorithm/);
    expect((await f.server.inject({ method: 'GET', url: '/v1/projects/credit/pipelines', headers: { authorization: `Bearer ${dana}` } })).json()).toEqual([]);
    const spec = (await f.server.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1/projects/{project}/pipelines', '/v1/projects/{project}/pipelines/{pipeline}', '/v1/projects/{project}/pipelines/{pipeline}/executions', '/v1/projects/{project}/pipeline-executions/{execution}', '/v1/projects/{project}/pipeline-executions/{execution}/cancel', '/v1/projects/{project}/pipeline-executions/{execution}/retry']),
    );
  });

  it('publishes and runs a definition through the remote CLI, again through the SDK with cache hits; the validator reads but cannot start', async () => {
    const env = { ...f.t.env, ATTEST_TOKEN: dana };
    const created = await cli(['pipelines', 'create', '-f', file, '--server', url, '--project', 'credit'], env);
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/pipeline:\s+small\nversion:\s+1 of 1/);
    const run = await cli(['pipelines', 'start', 'small', '--server', url, '--project', 'credit', '--param', 'min_rows=50', '--wait', '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const execution = JSON.parse(run.stdout) as Execution;
    expect(execution).toMatchObject({ status: 'succeeded', principal: 'user:dana', parameters: { min_rows: 50 } });
    expect(execution.steps.map((s) => `${s.step}:${s.status}`)).toEqual(['split:succeeded', 'gate:succeeded', 'baseline:succeeded']);

    const sdk = new Pipelines(new HttpPipelinesTransport({ baseUrl: url, token: dana }));
    const again = await sdk.start('credit', 'small', { wait: true, pollMs: 100, timeoutMs: 300_000 });
    expect(again.steps.filter((s) => s.cacheHitFrom).map((s) => s.step)).toEqual(['split', 'baseline']);

    const viewer = { ...f.t.env, ATTEST_TOKEN: victor };
    const list = await cli(['pipelines', 'executions', 'small', '--server', url, '--project', 'credit', '--json'], viewer);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as Execution[]).map((e) => e.executionId)).toEqual([again.executionId, execution.executionId]);
    const described = await cli(['pipelines', 'describe-execution', execution.executionId, '--server', url, '--project', 'credit'], viewer);
    expect(described.stdout).toMatch(/split\s+processing\s+succeeded/);
    const start = await cli(['pipelines', 'start', 'small', '--server', url, '--project', 'credit'], viewer);
    expect(start.code).toBe(3);
    expect(start.stderr).toMatch(/^attest: error ACCESS_DENIED/);
    const cancel = await cli(['pipelines', 'cancel', execution.executionId, '--server', url, '--project', 'credit'], env);
    expect(cancel.code).toBe(5);
    expect(cancel.stderr).toMatch(/^attest: error PIPELINE_EXECUTION_FINISHED/);
  }, 600_000);
});

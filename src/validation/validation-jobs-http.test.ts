/**
 * A stress test submitted over HTTP (`POST /v1/projects/{p}/jobs`) by the data scientist, run by
 * the server's runner, its report attached to the registered version's workspace; a submission
 * without scenarios is refused with 400 naming the parameter.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/support/cli.js';
import type { RegistryWorld } from '../../test/support/registry-scenario.js';
import { PROJECT, registryWorld } from '../../test/support/registry-scenario.js';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';
import { TEST_ACTOR } from '../../test/support/test-app.js';
import { writeHoldout } from '../../test/support/validation-holdout.js';
import type { Job } from '../jobs/index.js';
import { JobRunner } from '../jobs/index.js';
import { RegistryService } from '../registry/index.js';
import { ValidationService } from './index.js';

describe('validation jobs over HTTP', () => {
  let f: ServerFixture;
  let w: RegistryWorld;
  let runner: JobRunner;
  let model: string;

  beforeAll(async () => {
    f = await startServerFixture('sqlite');
    w = await registryWorld(f.t.app, f.t.home);
    model = (await w.trainModel(31)).ref;
    await new RegistryService(f.t.app).register(w.callers.dana, PROJECT, { group: 'scorecard', model });
    const csv = join(f.t.home, 'holdout.csv');
    writeHoldout(csv);
    await f.t.app.datasets.importFile(TEST_ACTOR, csv, { projectId: w.projectId, name: 'holdout' });
    runner = new JobRunner({ app: f.t.app, env: f.t.env, leaseMs: 5000, pollMs: 100, cwd: REPO_ROOT });
    runner.start();
  }, 120_000);
  afterAll(async () => {
    await runner?.stop();
    await f?.dispose();
  });

  it('runs a stress test the independent validator submits over HTTP and attaches its report to the version', async () => {
    // victor (model-validator) may run validation jobs, never training: job:Run is his, model:Train is not.
    const headers = { authorization: `Bearer ${w.tokens.victor}` };
    const training = await f.server.inject({ method: 'POST', url: `/v1/projects/${PROJECT}/jobs`, headers, payload: { type: 'training', inputs: { train: 'holdout@1' }, params: { label: 'default' } } });
    expect(training.statusCode).toBe(403);
    const scenarios = JSON.stringify([{ name: 'income -20%', feature: 'income', multiply: 0.8 }]);
    const submitted = await f.server.inject({ method: 'POST', url: `/v1/projects/${PROJECT}/jobs`, headers, payload: { type: 'stress-test', inputs: { model, data: 'holdout@1' }, params: { scenarios, label: 'default' } } });
    expect(submitted.statusCode).toBeLessThan(300);
    const jobId = (submitted.json() as Job).jobId;
    let job: Job | undefined;
    for (const deadline = Date.now() + 240_000; Date.now() < deadline; ) {
      job = (await f.server.inject({ method: 'GET', url: `/v1/projects/${PROJECT}/jobs/${jobId}`, headers })).json() as Job;
      if (['succeeded', 'failed', 'cancelled'].includes(job.status)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(job?.status).toBe('succeeded');
    expect(job?.outputs[0]?.name).toBe('validation/scorecard-v1/stress-test.json');
    let evidence: { kind: string; jobId: string | null }[] = [];
    // Attachment follows the completion in the job process; give it a moment.
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && evidence.length === 0; await new Promise((r) => setTimeout(r, 200))) {
      evidence = (await new ValidationService(f.t.app, new RegistryService(f.t.app)).workspace(w.callers.emil, PROJECT, 'scorecard@1')).evidence as typeof evidence;
    }
    expect(evidence.map((e) => [e.kind, e.jobId])).toEqual([['stress-test', jobId]]);
    const unknown = await f.server.inject({ method: 'POST', url: `/v1/projects/${PROJECT}/jobs`, headers, payload: { type: 'stress-test', inputs: { model, data: 'holdout@1' }, params: {} } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toMatch(/scenarios/);
  }, 300_000);
});

/**
 * Scale-out end to end (issue 13), every part a real process on loopback: PostgreSQL (the
 * metadata store and pg-boss), an S3-protocol store (s3rver), one `attest server --no-jobs` and
 * two `attest worker`s. A training job is submitted over HTTP; the worker that claimed it is
 * killed with SIGKILL mid-training (with its job process, as when its machine dies); the other
 * worker takes the job over once the lease (2 s here, from configuration) has expired, and the
 * job succeeds with exactly one model version. The surviving worker then stops gracefully on
 * SIGTERM. From submission to success takes well under 60 s (process start-up under tsx on a
 * loaded machine comes on top). Skipped without ATTEST_TEST_PG_URL.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureProject } from '../app/index.js';
import { REPO_ROOT } from '../../test/support/cli.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';
import type { Job } from './index.js';

const ENTRY = join(REPO_ROOT, 'src', 'cli', 'entry.ts');

interface Proc {
  name: string;
  child: ChildProcess;
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe.skipIf(!process.env.ATTEST_TEST_PG_URL)('two workers, one API server, PostgreSQL (pg-boss) and S3 as real processes', () => {
  let t: TestInstallation;
  let env: NodeJS.ProcessEnv;
  let token: string;
  let projectId: string;
  const procs: Proc[] = [];

  /** Starts an `attest` process in a process group of its own (so the group can be killed as a machine dies). */
  const start = (name: string, args: string[]): Proc => {
    const child = spawn(process.execPath, ['--no-warnings', '--import', 'tsx', ENTRY, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
    createInterface({ input: child.stderr! }).on('line', (l) => lines.push(`stderr: ${l}`));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const proc = { name, child, lines, exited };
    procs.push(proc);
    return proc;
  };
  const until = async <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${procs.map((p) => `--- ${p.name}\n${p.lines.slice(-30).join('\n')}`).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    t = await createTestInstallation('postgres', 's3');
    env = { ...t.env, ATTEST_JOB_QUEUE: 'pg-boss', ATTEST_JOB_LEASE_SECONDS: '2', ATTEST_SERVER_RUNS_JOBS: 'false' };
    projectId = await ensureProject(t.app, TEST_ACTOR, 'credit', 'credit');
    const { users, access, tokens } = t.app.identity;
    await users.create(TEST_ACTOR, { name: 'dana' });
    await access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: 'dana', role: 'data-scientist', project: 'credit' });
    token = (await tokens.create(TEST_ACTOR, { owner: 'dana', name: 't' })).token;
    const lines = readFileSync(join(REPO_ROOT, 'datasets', 'uci_credit_card_default.csv'), 'utf8').split('\n').slice(0, 3001);
    const subset = join(t.home, 'credit-subset.csv');
    writeFileSync(subset, `${lines.join('\n')}\n`);
    await t.app.datasets.importFile(TEST_ACTOR, subset, { projectId, name: 'credit-train' });
  }, 60_000);

  afterAll(async () => {
    for (const p of procs) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        try {
          process.kill(-p.child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await t?.dispose();
  });

  it('kill -9 of the worker running a training job: the other worker completes it after the lease expires, with one model version', async () => {
    const began = Date.now();
    const phases: string[] = [];
    const phase = (name: string) => phases.push(`${name} +${((Date.now() - began) / 1000).toFixed(1)} s`);
    const server = start('server', ['server', '--home', t.home, '--port', '0']);
    const workers = [start('worker-a', ['worker', '--home', t.home, '--concurrency', '1', '--poll-ms', '100']), start('worker-b', ['worker', '--home', t.home, '--concurrency', '1', '--poll-ms', '100'])];
    const url = await until('the server', () => server.lines.map((l) => /listening on (http:\/\/\S+)/.exec(l)?.[1]).find(Boolean));
    expect(server.lines.join('\n')).toMatch(/run by attest worker processes, not by this server/);
    for (const w of workers) await until(`${w.name} to start`, () => (w.lines.some((l) => /attest worker runner_\S+ \(pid \d+\) pulling default from pg-boss/.test(l)) ? true : undefined));

    const http = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: response.status, json: (await response.json()) as Job };
    };
    const submitted = await http('POST', '/v1/projects/credit/jobs', {
      type: 'training',
      inputs: { train: 'credit-train@1' },
      params: { label: 'default', exclude: 'ID', model_name: 'credit-model-ha', objective: 'binary:logistic', max_depth: 4, num_round: 150, seed: 11 },
    });
    expect(submitted.status).toBe(200);
    const jobId = submitted.json.jobId;
    phase('submitted');

    // The worker that claimed the job is the one logging it; kill it (and its job process) once training has begun.
    const victim = await until('a worker to start training', () => workers.find((w) => w.lines.some((l) => l.startsWith(`${jobId} `) && /component \S+ started/.test(l))));
    const survivor = workers.find((w) => w !== victim)!;
    phase('training began');
    process.kill(-victim.child.pid!, 'SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    expect((await http('GET', `/v1/projects/credit/jobs/${jobId}`)).json).toMatchObject({ status: 'running', attempts: 1 });

    const done = await until(
      'the job to finish',
      async () => {
        const job = (await http('GET', `/v1/projects/credit/jobs/${jobId}`)).json;
        return ['succeeded', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
      },
      120_000,
    );
    phase('succeeded');
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2, queue: 'default', isolation: 'none' });
    expect(done.outputs).toMatchObject([{ role: 'model', name: 'credit-model-ha', version: 1 }]);
    expect(survivor.lines.some((l) => l.startsWith(`${jobId} `) && /attempt 2 of 3/.test(l))).toBe(true);
    // Exactly one model version, and the first attempt's component closed as failed.
    expect(await t.app.artifacts.versions(projectId, 'credit-model-ha')).toHaveLength(1);
    const components = await t.app.tracking.components([done.componentId!], [projectId]);
    expect(components[0]?.status).toBe('Completed');
    const logs = await fetch(`${url}/v1/projects/credit/jobs/${jobId}/logs`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json() as Promise<{ lines: { line: string }[] } | { line: string }[]>);
    const text = (Array.isArray(logs) ? logs : logs.lines).map((l) => l.line).join('\n');
    expect(text).toMatch(/attempt 1 of 3/);
    expect(text).toMatch(/attempt 2 of 3/);

    // Graceful stop: SIGTERM, no job running, exit 0.
    survivor.child.kill('SIGTERM');
    server.child.kill('SIGTERM');
    expect(await survivor.exited).toEqual({ code: 0, signal: null });
    expect(survivor.lines.join('\n')).toMatch(/attest worker stopped/);
    expect((await server.exited).code).toBe(0);
    phase('stopped');
    const seconds = (Date.parse(done.finishedAt!) - Date.parse(done.createdAt)) / 1000;
    process.stderr.write(`worker-kill test: job ${jobId} succeeded on attempt 2 after kill -9 of ${victim.name}; ${phases.join(', ')}\n`);
    if (process.env.ATTEST_TEST_VERBOSE) process.stderr.write(`${survivor.lines.join('\n')}\n`);
    expect(seconds).toBeLessThan(60);
  }, 180_000);
});

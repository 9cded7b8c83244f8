/**
 * `attest worker` as a user runs it: bad options exit 2 with one line and start nothing; on an
 * embedded (SQLite) home it pulls from the metadata database's queue, and SIGTERM stops it
 * gracefully (exit 0). The scale-out run with PostgreSQL, pg-boss and S3 is
 * src/jobs/worker-scale-out.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, spawnCli } from '../../test/support/cli.js';

describe('attest worker', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'attest-worker-'));
    env = { ...process.env, ATTEST_HOME: join(dir, 'home') };
    delete env.ATTEST_DB_URL;
    delete env.ATTEST_STORE_URL;
    expect((await cli(['init'], env)).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses bad options with exit 2', async () => {
    const zero = await cli(['worker', '--concurrency', '0'], env);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/^attest: error INVALID_INPUT: --concurrency must be a whole number/);
    const queue = await cli(['worker', '--queue', 'Big Machines'], env);
    expect(queue.code).toBe(2);
    expect(queue.stderr).toMatch(/--queue Big Machines: a queue name/);
    const pgBoss = await cli(['worker'], { ...env, ATTEST_JOB_QUEUE: 'pg-boss' });
    expect(pgBoss.stderr).toMatch(/INVALID_CONFIG: The pg-boss job queue needs a PostgreSQL metadata store/);
  });

  it('pulls from the embedded queue and stops gracefully on SIGTERM', async () => {
    const worker = spawnCli(['worker', '--concurrency', '1', '--queue', 'default,training'], env);
    const lines: string[] = [];
    const started = new Promise<void>((resolve) =>
      createInterface({ input: worker.stdout! }).on('line', (l) => {
        lines.push(l);
        if (/^attest worker runner_\S+ \(pid \d+\) pulling default, training from sql on sqlite:/.test(l)) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => worker.on('exit', (code) => resolve(code)));
    await started;
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.join('\n')).toMatch(/SIGTERM; no new jobs, waiting for 0 running job\(s\) to finish\nattest worker stopped/);
  }, 120_000);
});

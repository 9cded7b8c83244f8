/**
 * @module jobs/job-child
 * The entry point of a job's child process. The runner claimed the job and passes the claim in
 * ATTEST_JOB_CLAIM; this process opens the installation from ATTEST_HOME (like any `attest`
 * process), runs the attempt, and exits 0 when the job succeeded, 3 when it was cancelled or the
 * lease lost, and 1 otherwise. What it prints is the job's log: the runner stores it.
 */
import { openApp } from '../app/index.js';
import { loadConfig } from '../config/index.js';
import { executeJob } from './job-executor.js';
import type { ClaimedJob } from './job-queue.js';
import { SqlJobQueue } from './sql-job-queue.js';

async function main(): Promise<number> {
  const claim = JSON.parse(process.env.ATTEST_JOB_CLAIM ?? '') as ClaimedJob;
  const leaseMs = Number(process.env.ATTEST_JOB_LEASE_MS ?? '30000');
  const home = process.env.ATTEST_HOME;
  if (!home) throw new Error('ATTEST_HOME is not set for the job process');
  const app = await openApp(loadConfig(home, process.env), { systemActor: claim.actor });
  try {
    const outcome = await executeJob(app, new SqlJobQueue(app.db), claim, {
      leaseMs,
      isolation: process.env.ATTEST_JOB_ISOLATION ?? 'none',
      log: (line) => process.stdout.write(`${line}\n`),
      ...(process.env.ATTEST_JOB_BACKOFF_MS ? { backoffMs: Number(process.env.ATTEST_JOB_BACKOFF_MS) } : {}),
    });
    await app.checkpoint().catch(() => undefined);
    return outcome === 'succeeded' ? 0 : outcome === 'cancelled' || outcome === 'lost' ? 3 : 1;
  } finally {
    await app.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`job process failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

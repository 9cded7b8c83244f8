/**
 * @module jobs/job-child
 * The entry point of a job's child process. The runner claimed the job and passes the claim in
 * ATTEST_JOB_CLAIM; this process opens the installation from ATTEST_HOME (like any `attest`
 * process), runs the attempt, and exits 0 when the job succeeded, 3 when it was cancelled or the
 * lease lost, and 1 otherwise. What it prints is the job's log: the runner stores it.
 */
import { openApp } from '../app/index.js';
import { loadConfig } from '../config/index.js';
import { captureEnvironment, captureGit } from '../tracking/index.js';
import { executeJob } from './job-executor.js';
import type { ClaimedJob } from './job-queue.js';
import type { JobProcessMessage } from './job-runner.js';

/**
 * The claim: from the environment, or (a process started ahead of time) the runner's message
 * answering this process's `ready` (sent once the listener is in place, so nothing is lost).
 */
function nextClaim(): Promise<JobProcessMessage> {
  if (process.env.ATTEST_JOB_CLAIM) return Promise.resolve({ claim: JSON.parse(process.env.ATTEST_JOB_CLAIM) as ClaimedJob });
  const send = process.send?.bind(process);
  if (!send) return Promise.reject(new Error('no job: neither ATTEST_JOB_CLAIM nor an IPC channel from the runner'));
  return new Promise((resolve) => {
    process.once('message', (message: JobProcessMessage) => {
      process.disconnect?.();
      resolve(message);
    });
    send({ ready: true });
  });
}

async function main(): Promise<number> {
  const leaseMs = Number(process.env.ATTEST_JOB_LEASE_MS ?? '30000');
  const home = process.env.ATTEST_HOME;
  if (!home) throw new Error('ATTEST_HOME is not set for the job process');
  const startup = `job process up after ${process.uptime().toFixed(2)} s (Node start and module load)`;
  // Captured while the process waits for its job (the working directory does not change).
  const provenance = captureGit(process.cwd()).then((source) => ({ source, environment: captureEnvironment(process.cwd()) }));
  provenance.catch(() => undefined);
  const app = await openApp(loadConfig(home, process.env), { systemActor: { principal: 'system:attest-job' } });
  const opened = process.uptime();
  const { claim, limits } = await nextClaim();
  const queue = app.jobQueue;
  // The child stores its own log lines (in order, before it completes the job, so a reader who
  // sees the job finished sees its whole log) and echoes them for the runner to show live.
  let stored = Promise.resolve();
  const log = (line: string) => {
    process.stdout.write(`${line}\n`);
    stored = stored.then(() => queue.appendLogs(claim.job.jobId, claim.lease.attempt, [{ stream: 'stdout', line }])).catch(() => undefined);
  };
  log(startup);
  log(`installation opened after ${opened.toFixed(2)} s; job received after ${process.uptime().toFixed(2)} s`);
  try {
    const outcome = await executeJob(app, queue, claim, {
      leaseMs,
      isolation: process.env.ATTEST_JOB_ISOLATION ?? 'none',
      readOnlyInputs: process.env.ATTEST_JOB_MOUNT_NS === '1' ? 'bind-mount' : 'file-mode',
      provenance,
      ...(limits ? { limits } : {}),
      log,
      flushLog: () => stored,
      ...(process.env.ATTEST_JOB_BACKOFF_MS ? { backoffMs: Number(process.env.ATTEST_JOB_BACKOFF_MS) } : {}),
    });
    await stored;
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

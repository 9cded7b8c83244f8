/**
 * Jobs (issue 13):
 * (a) job overhead on the paper's training: a `training` job (submitted, claimed, run in the
 *     runner's warm child process, which decrypts its inputs from the store, trains, stores the
 *     model encrypted, tracks the component and completes) against calling the library directly
 *     on the same split in a process of its own (jobs-direct-child.ts: read the CSVs from disk,
 *     train, serialize) — wall time and CPU time (the robust figure on a shared machine), median
 *     of 3; also against the library in this process, whose JIT is warm from earlier rounds. The
 *     child runs compiled JavaScript from dist/ when it has been built (`npm run build`), else the
 *     TypeScript sources through tsx;
 * (b) queue throughput of empty jobs on SQLite and (with ATTEST_TEST_PG_URL) PostgreSQL, with the
 *     embedded SQL queue and with pg-boss: 1,000 jobs enqueued (pg-boss: row and message in one
 *     transaction each), then claimed and completed by 4 concurrent claimers — jobs/s.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureProject } from '../src/app/index.js';
import { parseCsvFrame, writeCsv } from '../src/data/index.js';
import type { JobQueue } from '../src/jobs/index.js';
import { InProcessJobsTransport, JobRunner, Jobs, JobService, PgBossJobQueue, SqlJobQueue } from '../src/jobs/index.js';
import { newId } from '../src/kernel/index.js';
import { trainPaperModel } from './paper-training.js';
import { PAPER_PARAMS, splitCredit } from '../src/quickstart/credit-scenario.js';
import { CREDIT_DATA } from '../src/quickstart/quickstart.js';
import { testDialects } from '../test/support/databases.js';
import { REPO_ROOT } from '../test/support/cli.js';
import { createTestInstallation, TEST_ACTOR } from '../test/support/test-app.js';
import { median } from './measure.js';
import type { BenchResult } from './types.js';

const REPEATS = Number(process.env.ATTEST_BENCH_JOBS_REPEATS ?? '3');
const QUEUE_JOBS = 1000;

/** The CPU seconds the job's attempt used in its process, from its last log line (`[+w s, cpu c s] … succeeded`). */
function attemptCpuSeconds(lines: readonly string[]): number {
  for (const line of [...lines].reverse()) {
    const m = /^\[\+[\d.]+ s, cpu ([\d.]+) s\] job \S+ succeeded/.exec(line);
    if (m) return Number(m[1]);
  }
  throw new Error('the job log has no final CPU figure');
}

async function overhead(): Promise<BenchResult[]> {
  const t = await createTestInstallation('sqlite', 'fs');
  const compiled = join(REPO_ROOT, 'dist', 'jobs', 'job-child.js');
  // The runner's and the waiter's default intervals: a submission here wakes the runner, and the
  // job process's end wakes the waiter, so neither waits for a poll.
  const runner = new JobRunner({ app: t.app, env: t.env, leaseMs: 30_000, cwd: REPO_ROOT, ...(existsSync(compiled) ? { entry: compiled } : {}) });
  try {
    const projectId = await ensureProject(t.app, TEST_ACTOR, 'bench', 'bench');
    const splits = splitCredit(parseCsvFrame(readFileSync(CREDIT_DATA)));
    const trainCsv = join(t.home, 'train.csv');
    const validationCsv = join(t.home, 'validation.csv');
    writeFileSync(trainCsv, writeCsv(splits.train));
    writeFileSync(validationCsv, writeCsv(splits.validation));
    await t.app.datasets.importFile(TEST_ACTOR, trainCsv, { projectId, name: 'paper-train' });
    await t.app.datasets.importFile(TEST_ACTOR, validationCsv, { projectId, name: 'paper-validation' });
    const { eval_metric, ...booster } = PAPER_PARAMS;
    const inProcess: number[] = [];
    const fresh: number[] = [];
    const freshCpu: number[] = [];
    const job: number[] = [];
    const jobCpu: number[] = [];
    const jobs = new Jobs(new InProcessJobsTransport(new JobService(t.app), { actor: TEST_ACTOR }));
    runner.start();
    for (let i = 0; i < REPEATS; i++) {
      // Each measurement starts with the machine as quiet as this run can make it: no job process
      // still loading its modules (that would slow whichever side runs next).
      await runner.warmed();
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'jobs-direct-child.ts'), trainCsv, validationCsv], { cwd: REPO_ROOT, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`the direct training process failed: ${r.stderr}`);
      const measured = JSON.parse(r.stdout) as { wallSeconds: number; cpuSeconds: number };
      fresh.push(measured.wallSeconds);
      freshCpu.push(measured.cpuSeconds);

      let start = process.hrtime.bigint();
      trainPaperModel(trainCsv, validationCsv);
      inProcess.push(Number(process.hrtime.bigint() - start) / 1e9);

      await runner.warmed();
      const cpu = process.cpuUsage();
      start = process.hrtime.bigint();
      const done = await jobs.run(
        'bench',
        { type: 'training', inputs: { train: 'paper-train@1', validation: 'paper-validation@1' }, params: { ...booster, eval_metric: eval_metric.join(','), label: 'default', exclude: 'ID', model_name: `paper-model-${i}` } },
        { wait: true, timeoutMs: 600_000 },
      );
      job.push(Number(process.hrtime.bigint() - start) / 1e9);
      const parent = process.cpuUsage(cpu);
      const lines = (await jobs.logs('bench', done.jobId)).map((l) => l.line);
      jobCpu.push(attemptCpuSeconds(lines) + (parent.user + parent.system) / 1e6);
      if (i === REPEATS - 1) for (const l of lines) process.stderr.write(`  job log: ${l}\n`);
    }
    const how = existsSync(compiled) ? 'dist/ JavaScript' : 'TypeScript via tsx';
    const name = `training job on the paper setup (warm job process from ${how}; submit to succeeded, median of ${REPEATS})`;
    return [
      {
        name,
        value: median(job),
        unit: 's',
        reference: { name: 'library directly in a process of its own (read CSVs, train, serialize)', value: median(fresh) },
        ratio: median(job) / median(fresh),
        goal: 'ratio <= 1.10',
      },
      {
        name: `${name}, CPU time (job process from the job's receipt + the submitting process)`,
        value: median(jobCpu),
        unit: 's cpu',
        reference: { name: 'library directly in a process of its own, CPU time', value: median(freshCpu) },
        ratio: median(jobCpu) / median(freshCpu),
        goal: 'ratio <= 1.10 (robust on a loaded machine)',
      },
      {
        name: `${name}, against the library in the benchmark's own warmed-up process`,
        value: median(job),
        unit: 's',
        reference: { name: 'library directly in this process (JIT warm from earlier rounds)', value: median(inProcess) },
        ratio: median(job) / median(inProcess),
      },
    ];
  } finally {
    await runner.stop();
    await t.dispose();
  }
}

async function throughput(dialect: 'sqlite' | 'postgres', adapter: 'sql' | 'pg-boss' = 'sql'): Promise<BenchResult> {
  const t = await createTestInstallation(dialect, 'fs');
  const queue: JobQueue = adapter === 'pg-boss' ? new PgBossJobQueue(t.app.db, { connectionString: t.env.ATTEST_DB_URL!, poolSize: 8 }) : new SqlJobQueue(t.app.db);
  try {
    const projectId = await ensureProject(t.app, TEST_ACTOR, 'bench', 'bench');
    for (let i = 0; i < QUEUE_JOBS; i++) {
      await queue.enqueue({ jobId: newId('job'), projectId, type: 'custom', inputs: {}, params: {}, experiment: 'jobs', trial: null, principal: 'user:bench', actor: TEST_ACTOR, maxAttempts: 1 });
    }
    const start = process.hrtime.bigint();
    let done = 0;
    await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (;;) {
          const claimed = await queue.claim(`w${w}`, 30_000);
          if (!claimed) return;
          if (await queue.complete(claimed.lease, { metrics: {} })) done++;
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (done !== QUEUE_JOBS) throw new Error(`completed ${done} of ${QUEUE_JOBS} jobs`);
    return { name: `queue throughput, ${QUEUE_JOBS} empty jobs claimed and completed by 4 claimers (${adapter === 'pg-boss' ? 'pg-boss on PostgreSQL' : `SQL queue on ${dialect}`})`, value: done / seconds, unit: 'jobs/s' };
  } finally {
    await queue.close?.();
    await t.dispose();
  }
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  if (process.env.ATTEST_BENCH_JOBS_SKIP_OVERHEAD !== '1') results.push(...(await overhead()));
  for (const dialect of testDialects()) results.push(await throughput(dialect));
  if (testDialects().includes('postgres')) results.push(await throughput('postgres', 'pg-boss'));
  return results;
}

/**
 * Jobs (issue 13):
 * (a) job overhead on the paper's training: a `training` job (submitted, claimed, run in a child
 *     process that opens the installation, decrypts its inputs, trains, stores the model encrypted,
 *     tracks the component and completes) against calling the library directly on the same split
 *     (parse the CSVs, train, serialize) — median of 3; the child runs compiled JavaScript from
 *     dist/ when it has been built (`npm run build`), else the TypeScript sources through tsx;
 * (b) queue throughput of empty jobs on SQLite and (with ATTEST_TEST_PG_URL) PostgreSQL, with the
 *     embedded SQL queue and with pg-boss: 1,000 jobs enqueued (pg-boss: row and message in one
 *     transaction each), then claimed and completed by 4 concurrent claimers — jobs/s.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureProject } from '../src/app/index.js';
import { labelVector, parseCsvFrame, toFeatureMatrix, writeCsv } from '../src/data/index.js';
import type { JobQueue } from '../src/jobs/index.js';
import { InProcessJobsTransport, JobRunner, Jobs, JobService, PgBossJobQueue, SqlJobQueue } from '../src/jobs/index.js';
import { newId } from '../src/kernel/index.js';
import { serializeXgboostModel, train } from '../src/ml/gbdt/index.js';
import { PAPER_PARAMS, splitCredit } from '../src/quickstart/credit-scenario.js';
import { CREDIT_DATA } from '../src/quickstart/quickstart.js';
import { testDialects } from '../test/support/databases.js';
import { REPO_ROOT } from '../test/support/cli.js';
import { createTestInstallation, TEST_ACTOR } from '../test/support/test-app.js';
import { median } from './measure.js';
import type { BenchResult } from './types.js';

const REPEATS = Number(process.env.ATTEST_BENCH_JOBS_REPEATS ?? '3');
const QUEUE_JOBS = 1000;

async function overhead(): Promise<BenchResult> {
  const t = await createTestInstallation('sqlite', 'fs');
  const compiled = join(REPO_ROOT, 'dist', 'jobs', 'job-child.js');
  const runner = new JobRunner({ app: t.app, env: t.env, leaseMs: 30_000, pollMs: 20, cwd: REPO_ROOT, ...(existsSync(compiled) ? { entry: compiled } : {}) });
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
    const direct: number[] = [];
    const job: number[] = [];
    const jobs = new Jobs(new InProcessJobsTransport(new JobService(t.app), { actor: TEST_ACTOR }));
    runner.start();
    for (let i = 0; i < REPEATS; i++) {
      let start = process.hrtime.bigint();
      const tr = parseCsvFrame(readFileSync(trainCsv));
      const va = parseCsvFrame(readFileSync(validationCsv));
      const features = tr.columns.map((c) => c.name).filter((n) => n !== 'default' && n !== 'ID');
      const result = train({ x: toFeatureMatrix(tr, features), y: Float32Array.from(labelVector(tr, 'default')), featureNames: features }, { ...booster, eval_metric: [...eval_metric] }, {
        validation: { x: toFeatureMatrix(va, features), y: Float32Array.from(labelVector(va, 'default')) },
      });
      serializeXgboostModel(result.model);
      direct.push(Number(process.hrtime.bigint() - start) / 1e9);
      start = process.hrtime.bigint();
      const done = await jobs.run(
        'bench',
        { type: 'training', inputs: { train: 'paper-train@1', validation: 'paper-validation@1' }, params: { ...booster, eval_metric: eval_metric.join(','), label: 'default', exclude: 'ID', model_name: `paper-model-${i}` } },
        { wait: true, pollMs: 20, timeoutMs: 600_000 },
      );
      job.push(Number(process.hrtime.bigint() - start) / 1e9);
      if (i === REPEATS - 1) for (const l of await jobs.logs('bench', done.jobId)) process.stderr.write(`  job log: ${l.line}\n`);
    }
    const value = median(job);
    const reference = median(direct);
    return {
      name: `training job on the paper setup (child process from ${existsSync(compiled) ? 'dist/ JavaScript' : 'TypeScript via tsx'}, end to end)`,
      value,
      unit: 's',
      reference: { name: 'library directly (parse, train, serialize)', value: reference },
      ratio: value / reference,
      goal: 'ratio <= 1.10',
    };
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
  if (process.env.ATTEST_BENCH_JOBS_SKIP_OVERHEAD !== '1') results.push(await overhead());
  for (const dialect of testDialects()) results.push(await throughput(dialect));
  if (testDialects().includes('postgres')) results.push(await throughput('postgres', 'pg-boss'));
  return results;
}

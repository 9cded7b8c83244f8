/**
 * Pipelines (issue 13): one execution of the quickstart's definition (pipelines/credit-default.yaml,
 * caching off) end to end — published, started, each job step run by the embedded runner in a child
 * process, conditions evaluated — against submitting the same jobs (the very requests the execution
 * made) directly through the jobs SDK, level by level of the same DAG with the same concurrency.
 * The ratio is what the pipeline engine adds. The child runs compiled JavaScript from dist/ when
 * it has been built (`npm run build`).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureProject } from '../src/app/index.js';
import { parseCsvFrame, splitFrame, writeCsv } from '../src/data/index.js';
import type { JobRequestInput } from '../src/jobs/index.js';
import { InProcessJobsTransport, JobRunner, Jobs } from '../src/jobs/index.js';
import { dependencies, isFinalExecution, isJobStep, parseDefinitionText, PipelineService } from '../src/pipelines/index.js';
import { pipelineRegistry } from '../src/registry/index.js';
import { featuresOnly, LABEL, marketShift } from '../src/quickstart/credit-scenario.js';
import { CREDIT_DATA, CREDIT_PIPELINE } from '../src/quickstart/index.js';
import { REPO_ROOT } from '../test/support/cli.js';
import { createTestInstallation, TEST_ACTOR } from '../test/support/test-app.js';
import { median } from './measure.js';
import type { BenchResult } from './types.js';

const REPEATS = Number(process.env.ATTEST_BENCH_PIPELINE_REPEATS ?? '1');

export async function run(): Promise<BenchResult[]> {
  const t = await createTestInstallation('sqlite', 'fs');
  const compiled = join(REPO_ROOT, 'dist', 'jobs', 'job-child.js');
  const runner = new JobRunner({ app: t.app, env: t.env, pollMs: 1000, concurrency: 2, cwd: REPO_ROOT, ...(existsSync(compiled) ? { entry: compiled } : {}) });
  try {
    const projectId = await ensureProject(t.app, TEST_ACTOR, 'credit-risk', 'bench');
    await t.app.datasets.importFile(TEST_ACTOR, CREDIT_DATA, { projectId, name: 'uci-credit-card-default' });
    const window = join(t.home, 'drifted.csv');
    writeFileSync(window, writeCsv(marketShift(featuresOnly(splitFrame(parseCsvFrame(readFileSync(CREDIT_DATA)), { label: LABEL, fractions: { train: 0.85, validation: 0, test: 0.15 }, seed: 2024 }).test))));
    await t.app.datasets.importFile(TEST_ACTOR, window, { projectId, name: 'credit-drifted-sample' });
    const definition = parseDefinitionText(readFileSync(CREDIT_PIPELINE, 'utf8'));
    for (const step of definition.steps) if (isJobStep(step)) step.cache = false;
    const caller = { actor: TEST_ACTOR };
    const service = new PipelineService(t.app, { registry: pipelineRegistry(t.app) });
    await service.create(caller, 'credit-risk', definition);
    const jobs = new Jobs(new InProcessJobsTransport(service.jobs, caller));
    const deps = dependencies(definition);
    const level = new Map<string, number>();
    const levelOf = (name: string): number => {
      const known = level.get(name);
      if (known !== undefined) return known;
      const computed = Math.max(0, ...[...(deps.get(name) ?? [])].map((d) => levelOf(d) + 1));
      level.set(name, computed);
      return computed;
    };
    runner.start();
    const viaPipeline: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      let start = process.hrtime.bigint();
      const started = await service.start(caller, 'credit-risk', 'credit-default');
      for (;;) {
        const status = await service.engine.advance(started.executionId);
        await runner.poll();
        if (isFinalExecution(status)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      viaPipeline.push(Number(process.hrtime.bigint() - start) / 1e9);
      const execution = (await service.store.execution(started.executionId))!;
      if (execution.status !== 'succeeded') throw new Error(`the execution ${execution.status}: ${execution.failure}`);
      // The same job requests, submitted directly, one DAG level at a time.
      const byLevel = new Map<number, JobRequestInput[]>();
      for (const s of execution.steps) {
        if (!s.jobId) continue;
        const job = (await service.jobs.queue.get(s.jobId))!;
        const request: JobRequestInput = { type: job.type, inputs: job.inputs, params: job.params, experiment: 'direct', maxAttempts: 1 };
        byLevel.set(levelOf(s.step), [...(byLevel.get(levelOf(s.step)) ?? []), request]);
      }
      start = process.hrtime.bigint();
      for (const l of [...byLevel.keys()].sort((a, b) => a - b)) {
        await Promise.all(
          byLevel.get(l)!.map(async (request) => {
            const submitted = await jobs.run('credit-risk', request);
            for (;;) {
              await runner.poll();
              const j = await jobs.describe('credit-risk', submitted.jobId);
              if (j.status === 'succeeded') return;
              if (j.status === 'failed' || j.status === 'cancelled') throw new Error(`direct job ${j.jobId} ${j.status}`);
              await new Promise((r) => setTimeout(r, 200));
            }
          }),
        );
      }
      direct.push(Number(process.hrtime.bigint() - start) / 1e9);
    }
    const value = median(viaPipeline);
    const reference = median(direct);
    return [
      {
        name: `quickstart pipeline (${definition.steps.length} steps, caching off; job processes from ${existsSync(compiled) ? 'dist/ JavaScript' : 'TypeScript via tsx'})`,
        value,
        unit: 's',
        reference: { name: 'the same jobs submitted directly, DAG level by level', value: reference },
        ratio: value / reference,
        goal: 'ratio close to 1 (the engine adds little)',
      },
    ];
  } finally {
    await runner.stop();
    await t.dispose();
  }
}


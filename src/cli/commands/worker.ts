/**
 * `attest worker [--concurrency N] [--queue NAME …]`: a long-running process, on any machine,
 * that pulls jobs from the installation's configured queue (pg-boss on PostgreSQL for many
 * machines, or the metadata database's own queue) and runs each attempt in a child process,
 * reading and writing the configured metadata store and artifact store (PostgreSQL, S3). Every
 * worker needs the same configuration and keyring as the API server (the same home, or the
 * same `ATTEST_*` variables and keyring file).
 *
 * SIGTERM or SIGINT: stop claiming, let the running jobs finish (they keep their leases), then
 * exit 0. A second signal kills the running job processes at once; their jobs are retried by
 * another worker once their leases expire.
 */
import type { Command } from 'commander';
import { AppError } from '../../kernel/index.js';
import type { CliContext, CommonOptions } from '../context.js';

interface WorkerOptions extends CommonOptions {
  concurrency: string;
  queue?: string[];
  pollMs: string;
  isolation: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').filter(Boolean)];

export function registerWorkerCommands(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description('pull jobs from the configured queue (pg-boss on PostgreSQL, or the metadata database) and run them until SIGTERM')
    .option('--home <dir>', 'installation home (default $ATTEST_HOME or ./.attest)')
    .option('--concurrency <n>', 'jobs run at the same time', '2')
    .option('--queue <name>', 'a queue to pull from (repeatable or comma-separated; default: default)', collect)
    .option('--poll-ms <ms>', 'how often to look for jobs when idle', '500')
    .option('--isolation <mode>', 'auto, network or none (network namespace of the job processes)', 'auto')
    .action(async (o: WorkerOptions) => {
      const concurrency = Number(o.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new AppError('INVALID_INPUT', { message: `--concurrency must be a whole number from 1 to 256, not ${o.concurrency}` });
      const pollMs = Number(o.pollMs);
      if (!Number.isInteger(pollMs) || pollMs < 10) throw new AppError('INVALID_INPUT', { message: `--poll-ms must be a whole number of milliseconds, at least 10, not ${o.pollMs}` });
      if (!['auto', 'network', 'none'].includes(o.isolation)) throw new AppError('INVALID_INPUT', { message: `--isolation is auto, network or none, not ${o.isolation}` });
      const [{ openApp }, { loadConfig, resolveHome }, { JobRunner, QueueName }, { redactUrl }] = await Promise.all([
        import('../../app/index.js'),
        import('../../config/index.js'),
        import('../../jobs/index.js'),
        import('../../platform/db/index.js'),
      ]);
      const queues = o.queue?.length ? o.queue : ['default'];
      for (const q of queues) if (!QueueName.safeParse(q).success) throw new AppError('INVALID_INPUT', { message: `--queue ${q}: a queue name is lower-case letters, digits, _ and -` });
      const config = loadConfig(resolveHome(o.home, ctx.env), ctx.env);
      const app = await openApp(config, { systemActor: { principal: 'system:attest-worker' } });
      const runner = new JobRunner({ app, env: ctx.env, concurrency, queues, pollMs, isolation: o.isolation as 'auto' | 'network' | 'none', onLog: (jobId, line) => ctx.io.out(`${jobId} ${line}`) });
      runner.start();
      ctx.io.out(
        `attest worker ${runner.owner} (pid ${process.pid}) pulling ${queues.join(', ')} from ${config.jobs.queue} on ${redactUrl(config.databaseUrl)}; store ${config.storeUrl.replace(/\?.*$/, '')}; concurrency ${concurrency}; lease ${config.jobs.leaseMs / 1000} s`,
      );
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) {
            ctx.io.err(`attest worker: ${signal} again; killing ${runner.running} job process(es), their jobs are retried after their leases expire`);
            runner.killAll();
            return;
          }
          stopping = true;
          ctx.io.out(`attest worker: ${signal}; no new jobs, waiting for ${runner.running} running job(s) to finish`);
          void runner
            .stop()
            .then(() => app.checkpoint())
            .catch((error: Error) => ctx.io.err(`attest worker: ${error.message}`))
            .finally(() => {
              process.off('SIGINT', onInt);
              process.off('SIGTERM', onTerm);
              void app.close().finally(resolve);
            });
        };
        const onInt = () => stop('SIGINT');
        const onTerm = () => stop('SIGTERM');
        process.on('SIGINT', onInt);
        process.on('SIGTERM', onTerm);
      });
      ctx.io.out('attest worker stopped');
    });
}

/**
 * `attest jobs run TYPE --input role=REF … --param k=v … [--wait]`, `jobs list / describe / logs /
 * cancel / types`: governed jobs, embedded (the home's queue; `--wait` runs the job in a child
 * process of this command) or through the API server (`--server`, run by the server's runner).
 * Embedded, the caller is the home's operator, or the principal of `ATTEST_TOKEN` when set.
 */
import type { Command } from 'commander';
import type { App } from '../../app/index.js';
import { DEFAULT_PROJECT } from '../../app/defaults.js';
import type { Job, JobCaller, JobLogLine, JobParamValue, JobStatus, JobType } from '../../jobs/index.js';
import type { JobRunner, Jobs } from '../../jobs/index.js';
import { isFinal, JOB_STATUSES, JOB_TYPES } from '../../jobs/job-names.js';
import { AppError } from '../../kernel/index.js';
import type { Actor } from '../../security/audit/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { printJson, printRecord, printTable } from '../output.js';
import { commonRemote, serverOf, tokenFor } from '../remote.js';

interface JobOptions extends CommonOptions {
  project?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function pairs(values: readonly string[] | undefined, what: string): [string, string][] {
  return (values ?? []).map((v) => {
    const at = v.indexOf('=');
    if (at <= 0) throw new AppError('INVALID_INPUT', { message: `${what} takes KEY=VALUE, got "${v}"` });
    return [v.slice(0, at), v.slice(at + 1)];
  });
}

/** `5` → 5, `true` → true, anything else stays text. */
export function paramValue(text: string): JobParamValue {
  if (/^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

async function callerFor(app: App, actor: Actor, env: NodeJS.ProcessEnv): Promise<JobCaller> {
  if (!env.ATTEST_TOKEN) return { actor };
  const principal = await app.identity.authenticator.authenticate(env.ATTEST_TOKEN);
  return { actor: { ...actor, principal: principal.auditName }, principal };
}

/** Runs `fn` with a Jobs client: over HTTP with `--server`, else on the home (with a runner for `--wait`). */
async function withJobs<T>(ctx: CliContext, o: JobOptions, fn: (jobs: Jobs, runner?: JobRunner) => Promise<T>, options: { runner?: boolean; queue?: string; onLog?: (line: string) => void } = {}): Promise<T> {
  const { HttpJobsTransport, InProcessJobsTransport, JobRunner, Jobs, JobService } = await import('../../jobs/index.js');
  const server = serverOf(o, ctx.env);
  if (server) return fn(new Jobs(new HttpJobsTransport({ baseUrl: server, token: tokenFor(server, ctx.env) })));
  return ctx.withApp(o, async (app, actor) => {
    const jobs = new Jobs(new InProcessJobsTransport(new JobService(app), await callerFor(app, actor, ctx.env)));
    if (!options.runner) return fn(jobs);
    const runner = new JobRunner({ app, env: ctx.env, warm: false, ...(options.queue ? { queues: [options.queue] } : {}), ...(options.onLog ? { onLog: (_id, line) => options.onLog?.(line) } : {}) });
    runner.start();
    try {
      return await fn(jobs, runner);
    } finally {
      await runner.stop();
    }
  });
}

function show(ctx: CliContext, o: CommonOptions, job: Job): void {
  if (o.json) {
    printJson(ctx.io, job);
    return;
  }
  printRecord(ctx.io, {
    job: job.jobId,
    type: job.type,
    queue: job.queue,
    status: job.status,
    principal: job.principal,
    attempts: `${job.attempts} of ${job.maxAttempts}`,
    inputs: Object.entries(job.inputs).map(([k, v]) => `${k}=${v}`).join(' '),
    params: Object.entries(job.params).map(([k, v]) => `${k}=${v}`).join(' ') || '-',
    outputs: job.outputs.map((x) => `${x.role}=${x.name ?? x.artifactId}${x.version ? `@${x.version}` : ''}`).join(' ') || '-',
    metrics: Object.entries(job.metrics).map(([k, v]) => `${k}=${Number(v.toPrecision(6))}`).join(' ') || '-',
    component: job.componentId,
    isolation: job.isolation,
    error: job.error ? `${job.error.code}: ${job.error.message}` : null,
    created: job.createdAt,
    finished: job.finishedAt,
  });
}

export function registerJobCommands(program: Command, ctx: CliContext): void {
  const jobs = program.command('jobs').description('governed jobs: authorized, tracked, lineage-linked, audited work run in child processes');
  const project = (c: Command) => commonRemote(c).option('--project <name>', 'project', DEFAULT_PROJECT);
  const projectName = (o: JobOptions) => o.project ?? DEFAULT_PROJECT;

  project(jobs.command('run <type>').description(`submit a job (${JOB_TYPES.join(', ')}); inputs are references: name@version, dsv_…, art_…, sha256:…`))
    .option('--input <role=ref>', 'an input (repeatable)', collect)
    .option('--param <key=value>', 'a parameter (repeatable)', collect)
    .option('--experiment <name>', 'experiment of the trial component (default jobs)')
    .option('--trial <name>', 'trial to add the component to')
    .option('--max-attempts <n>', 'attempts before failing for good', '3')
    .option('--queue <name>', 'the queue the job waits in (workers pull named queues; default: default)')
    .option('--timeout-seconds <s>', 'wall-time limit of an attempt (default: the installation’s jobs.timeoutSeconds)')
    .option('--memory-mb <mib>', 'memory limit of the job process (default: the installation’s jobs.memoryMb)')
    .option('--wait', 'wait for the job to finish (embedded: run it now in a child process) and print its log')
    .action(async (type: string, o: JobOptions & { input?: string[]; param?: string[]; experiment?: string; trial?: string; maxAttempts: string; wait?: boolean; queue?: string; timeoutSeconds?: string; memoryMb?: string }) => {
      if (!(JOB_TYPES as readonly string[]).includes(type)) throw new AppError('INVALID_INPUT', { message: `Unknown job type ${type} (types: ${JOB_TYPES.join(', ')})` });
      const maxAttempts = Number(o.maxAttempts);
      const request = {
        type: type as JobType,
        inputs: Object.fromEntries(pairs(o.input, '--input')),
        params: Object.fromEntries(pairs(o.param, '--param').map(([k, v]) => [k, paramValue(v)])),
        maxAttempts,
        ...(o.experiment ? { experiment: o.experiment } : {}),
        ...(o.trial ? { trial: o.trial } : {}),
        ...(o.queue ? { queue: o.queue } : {}),
        ...(o.timeoutSeconds !== undefined ? { timeoutSeconds: Number(o.timeoutSeconds) } : {}),
        ...(o.memoryMb !== undefined ? { memoryMb: Number(o.memoryMb) } : {}),
      };
      const quiet = o.json === true || !o.wait;
      const job = await withJobs(
        ctx,
        o,
        async (client) => {
          const submitted = await client.run(projectName(o), request);
          if (!o.wait) return submitted;
          if (!quiet) ctx.io.err(`job ${submitted.jobId} submitted; waiting`);
          return client.wait(projectName(o), submitted.jobId, quiet ? {} : { onLog: (l: JobLogLine) => ctx.io.err(`  ${l.line}`) });
        },
        { runner: o.wait === true, ...(o.queue ? { queue: o.queue } : {}) },
      );
      show(ctx, o, job);
    });

  project(jobs.command('list').description("a project's jobs, newest first"))
    .option('--status <status>', JOB_STATUSES.join(', '))
    .option('--type <type>', JOB_TYPES.join(', '))
    .action(async (o: JobOptions & { status?: string; type?: string }) => {
      if (o.status && !(JOB_STATUSES as readonly string[]).includes(o.status)) throw new AppError('INVALID_INPUT', { message: `--status is one of ${JOB_STATUSES.join(', ')}` });
      if (o.type && !(JOB_TYPES as readonly string[]).includes(o.type)) throw new AppError('INVALID_INPUT', { message: `--type is one of ${JOB_TYPES.join(', ')}` });
      const list = await withJobs(ctx, o, (client) => client.list(projectName(o), { ...(o.status ? { status: o.status as JobStatus } : {}), ...(o.type ? { type: o.type as JobType } : {}) }));
      if (o.json) printJson(ctx.io, list);
      else
        printTable<Job>(ctx.io, list, [
          { header: 'JOB', value: (j) => j.jobId },
          { header: 'TYPE', value: (j) => j.type },
          { header: 'STATUS', value: (j) => j.status },
          { header: 'ATTEMPTS', value: (j) => j.attempts },
          { header: 'PRINCIPAL', value: (j) => j.principal },
          { header: 'OUTPUTS', value: (j) => j.outputs.map((x) => `${x.name ?? x.artifactId}${x.version ? `@${x.version}` : ''}`).join(' ') },
          { header: 'CREATED', value: (j) => j.createdAt },
        ]);
    });

  project(jobs.command('describe <job>').description("a job's status, inputs, outputs, metrics, attempts and isolation")).action(async (id: string, o: JobOptions) => {
    show(ctx, o, await withJobs(ctx, o, (client) => client.describe(projectName(o), id)));
  });

  project(jobs.command('logs <job>').description("a job's captured output"))
    .option('--follow', 'keep printing until the job finishes')
    .action(async (id: string, o: JobOptions & { follow?: boolean }) => {
      const lines = await withJobs(ctx, o, async (client) => {
        if (!o.follow) return client.logs(projectName(o), id);
        const all: JobLogLine[] = [];
        for (;;) {
          const batch = await client.logs(projectName(o), id, all.at(-1)?.seq ?? 0);
          for (const l of batch) if (!o.json) ctx.io.out(l.line);
          all.push(...batch);
          if (isFinal((await client.describe(projectName(o), id)).status) && batch.length === 0) return all;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      });
      if (o.json) printJson(ctx.io, lines);
      else if (!o.follow) for (const l of lines) ctx.io.out(l.line);
    });

  project(jobs.command('cancel <job>').description('cancel a queued job, or ask a running one to stop')).action(async (id: string, o: JobOptions) => {
    show(ctx, o, await withJobs(ctx, o, (client) => client.cancel(projectName(o), id)));
  });

  jobs
    .command('types')
    .description('the job types, their inputs and the permission each needs')
    .option('--json', 'print JSON for scripts')
    .action(async (o: CommonOptions) => {
      const { jobTypeDefinitions } = await import('../../jobs/index.js');
      const rows = jobTypeDefinitions().map((d) => ({
        type: d.type,
        inputs: [...d.requiredInputs, ...(d.optionalInputs === 'any' ? ['…'] : d.optionalInputs.map((r) => `[${r}]`))].join(' '),
        action: `job:Run + ${d.action}`,
        description: d.description,
      }));
      if (o.json) printJson(ctx.io, rows);
      else
        printTable(ctx.io, rows, [
          { header: 'TYPE', value: (r) => r.type },
          { header: 'INPUTS', value: (r) => r.inputs },
          { header: 'NEEDS', value: (r) => r.action },
          { header: 'DESCRIPTION', value: (r) => r.description },
        ]);
    });
}

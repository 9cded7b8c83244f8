/**
 * `attest pipelines create -f FILE / list / describe NAME / start NAME [--param k=v …] [--wait] /
 * executions NAME / describe-execution EXECUTION / retry EXECUTION / cancel EXECUTION`: versioned
 * pipeline definitions and their executions, embedded (the home; `--wait` runs the steps' jobs in
 * child processes of this command) or through the API server (`--server`, run by the server).
 * Embedded, the caller is the home's operator, or the principal of `ATTEST_TOKEN` when set.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { App } from '../../app/index.js';
import { DEFAULT_PROJECT } from '../../app/defaults.js';
import type { JobCaller, JobRunner } from '../../jobs/index.js';
import { AppError } from '../../kernel/index.js';
import type { Execution, Pipelines, PipelineValue, PipelineVersion } from '../../pipelines/index.js';
import type { Actor } from '../../security/audit/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { printJson, printRecord, printTable } from '../output.js';
import { commonRemote, serverOf, tokenFor } from '../remote.js';

interface PipelineOptions extends CommonOptions {
  project?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function params(values: readonly string[] | undefined): Record<string, PipelineValue> {
  const out: Record<string, PipelineValue> = {};
  for (const v of values ?? []) {
    const at = v.indexOf('=');
    if (at <= 0) throw new AppError('INVALID_INPUT', { message: `--param takes NAME=VALUE, got "${v}"` });
    // Text: the pipeline converts it to the parameter's declared type.
    out[v.slice(0, at)] = v.slice(at + 1);
  }
  return out;
}

async function callerFor(app: App, actor: Actor, env: NodeJS.ProcessEnv): Promise<JobCaller> {
  if (!env.ATTEST_TOKEN) return { actor };
  const principal = await app.identity.authenticator.authenticate(env.ATTEST_TOKEN);
  return { actor: { ...actor, principal: principal.auditName }, principal };
}

/** Runs `fn` with a Pipelines client: over HTTP with `--server`, else on the home (with a job runner for `--wait`). */
async function withPipelines<T>(ctx: CliContext, o: PipelineOptions, fn: (client: Pipelines) => Promise<T>, options: { runner?: boolean } = {}): Promise<T> {
  const { HttpPipelinesTransport, InProcessPipelinesTransport, Pipelines, PipelineService } = await import('../../pipelines/index.js');
  const server = serverOf(o, ctx.env);
  if (server) return fn(new Pipelines(new HttpPipelinesTransport({ baseUrl: server, token: tokenFor(server, ctx.env) })));
  return ctx.withApp(o, async (app, actor) => {
    const { pipelineRegistry } = await import('../../registry/index.js');
    const client = new Pipelines(new InProcessPipelinesTransport(new PipelineService(app, { registry: pipelineRegistry(app) }), await callerFor(app, actor, ctx.env)));
    if (!options.runner) return fn(client);
    const { JobRunner } = await import('../../jobs/index.js');
    const runner: JobRunner = new JobRunner({ app, env: ctx.env, pollMs: 100 });
    runner.start();
    try {
      return await fn(client);
    } finally {
      await runner.stop();
    }
  });
}

function showVersion(ctx: CliContext, o: CommonOptions, v: PipelineVersion): void {
  if (o.json) {
    printJson(ctx.io, v);
    return;
  }
  const steps = (v.definition.steps as { name: string; type: string; dependsOn?: string[] }[]) ?? [];
  const parameters = Object.entries((v.definition.parameters as Record<string, { type: string; default?: unknown }>) ?? {});
  printRecord(ctx.io, {
    pipeline: v.name,
    version: `${v.version} of ${v.latestVersion}${v.changed === false ? ' (unchanged: the definition is the same as the latest version)' : ''}`,
    sha256: v.definitionHash,
    description: v.description || '-',
    parameters: parameters.map(([k, p]) => `${k}:${p.type}${p.default !== undefined ? `=${String(p.default)}` : ''}`).join(' ') || '-',
    steps: steps.map((s) => `${s.name}(${s.type})`).join(' '),
    created: `${v.versionCreatedAt} by ${v.versionCreatedBy}`,
  });
}

function showExecution(ctx: CliContext, o: CommonOptions, e: Execution): void {
  if (o.json) {
    printJson(ctx.io, e);
    return;
  }
  printRecord(ctx.io, {
    execution: e.executionId,
    pipeline: `${e.pipeline} v${e.version}`,
    status: e.status,
    failure: e.failure,
    parameters: Object.entries(e.parameters).map(([k, v]) => `${k}=${v}`).join(' ') || '-',
    'started by': `${e.startedBy} at ${e.createdAt}`,
    ended: e.endedAt ? `${e.endedAt}${e.endedBy ? ` (stopped by ${e.endedBy})` : ''}` : null,
    trial: `${e.trial} of experiment ${e.experiment}`,
  });
  ctx.io.out('');
  printTable(ctx.io, e.steps, [
    { header: 'STEP', value: (s) => s.step },
    { header: 'TYPE', value: (s) => s.type },
    { header: 'STATUS', value: (s) => (s.cacheHitFrom ? `${s.status} (cache)` : s.status) },
    { header: 'ATTEMPTS', value: (s) => s.attempts },
    { header: 'JOB', value: (s) => s.jobId ?? '-' },
    { header: 'DETAIL', value: (s) => s.message ?? (s.result?.outputs.map((x) => `${x.role}=${x.name ?? x.artifactId}${x.version ? `@${x.version}` : ''}`).join(' ') || '-') },
  ]);
}

export function registerPipelineCommands(program: Command, ctx: CliContext): void {
  const pipelines = program.command('pipelines').description('versioned pipelines of governed jobs, conditions and fail steps; executions recorded as trials');
  const project = (c: Command) => commonRemote(c).option('--project <name>', 'project', DEFAULT_PROJECT);
  const projectName = (o: PipelineOptions) => o.project ?? DEFAULT_PROJECT;
  const waitFor = async (client: Pipelines, o: PipelineOptions, e: Execution): Promise<Execution> => {
    const quiet = o.json === true;
    const seen = new Map<string, string>();
    return client
      .wait(projectName(o), e.executionId, {
        pollMs: 200,
        onChange: (x) => {
          for (const s of x.steps) {
            if (quiet || seen.get(s.step) === `${s.status}:${s.attempts}`) continue;
            seen.set(s.step, `${s.status}:${s.attempts}`);
            if (s.status !== 'pending' || s.attempts > 0) ctx.io.err(`  ${s.step.padEnd(24)} ${s.status}${s.cacheHitFrom ? ' (cache hit)' : ''}${s.jobId ? `  ${s.jobId}` : ''}${s.message && s.status !== 'running' ? `  ${s.message}` : ''}`);
          }
        },
      })
      .catch(async (error: unknown) => {
        if (error instanceof AppError && error.code === 'PIPELINE_FAILED') showExecution(ctx, o, await client.describeExecution(projectName(o), e.executionId));
        throw error;
      });
  };

  project(pipelines.command('create').description('publish a pipeline definition (JSON or YAML): a new pipeline, or a new version when it changed'))
    .requiredOption('-f, --file <file>', 'the definition file')
    .action(async (o: PipelineOptions & { file: string }) => {
      const { parseDefinitionText } = await import('../../pipelines/index.js');
      let text: string;
      try {
        text = readFileSync(o.file, 'utf8');
      } catch (error) {
        throw new AppError('INVALID_INPUT', { message: `Cannot read ${o.file}: ${(error as Error).message}` });
      }
      const definition = parseDefinitionText(text, o.file);
      showVersion(ctx, o, await withPipelines(ctx, o, (client) => client.create(projectName(o), definition)));
    });

  project(pipelines.command('list').description("a project's pipelines")).action(async (o: PipelineOptions) => {
    const list = await withPipelines(ctx, o, (client) => client.list(projectName(o)));
    if (o.json) printJson(ctx.io, list);
    else
      printTable(ctx.io, list, [
        { header: 'PIPELINE', value: (p) => p.name },
        { header: 'VERSION', value: (p) => p.latestVersion },
        { header: 'CREATED', value: (p) => `${p.createdAt} by ${p.createdBy}` },
        { header: 'DESCRIPTION', value: (p) => (p.description.length > 80 ? `${p.description.slice(0, 77)}...` : p.description) },
      ]);
  });

  project(pipelines.command('describe <name>').description("a pipeline's definition (latest version, or --version N)"))
    .option('--version <n>', 'a published version')
    .action(async (name: string, o: PipelineOptions & { version?: string }) => {
      const version = o.version === undefined ? undefined : Number(o.version);
      if (version !== undefined && !(Number.isInteger(version) && version > 0)) throw new AppError('INVALID_INPUT', { message: '--version is a version number (1, 2, …)' });
      showVersion(ctx, o, await withPipelines(ctx, o, (client) => client.describe(projectName(o), name, version)));
    });

  project(pipelines.command('start <name>').description('start an execution of the latest version'))
    .option('--param <name=value>', 'a pipeline parameter (repeatable)', collect)
    .option('--wait', 'wait until it finishes (embedded: run its jobs now in child processes) and print each step')
    .action(async (name: string, o: PipelineOptions & { param?: string[]; wait?: boolean }) => {
      const values = params(o.param);
      const execution = await withPipelines(
        ctx,
        o,
        async (client) => {
          const started = await client.start(projectName(o), name, { params: values });
          if (!o.wait) return started;
          if (!o.json) ctx.io.err(`execution ${started.executionId} started; waiting`);
          return waitFor(client, o, started);
        },
        { runner: o.wait === true },
      );
      showExecution(ctx, o, execution);
      if (!o.wait && !o.json && !serverOf(o, ctx.env)) ctx.io.err('its jobs run when a runner is up (`attest server` on this home), or start with --wait to run them now');
    });

  project(pipelines.command('executions <name>').description("a pipeline's executions, newest first")).action(async (name: string, o: PipelineOptions) => {
    const list = await withPipelines(ctx, o, (client) => client.executions(projectName(o), name));
    if (o.json) printJson(ctx.io, list);
    else
      printTable(ctx.io, list, [
        { header: 'EXECUTION', value: (e) => e.executionId },
        { header: 'VERSION', value: (e) => e.version },
        { header: 'STATUS', value: (e) => e.status },
        { header: 'STEPS', value: (e) => `${e.steps.filter((s) => s.status === 'succeeded').length}/${e.steps.length} succeeded, ${e.steps.filter((s) => s.cacheHitFrom).length} cached` },
        { header: 'STARTED', value: (e) => `${e.createdAt} by ${e.startedBy}` },
        { header: 'FAILURE', value: (e) => e.failure ?? '' },
      ]);
  });

  const describeExecution = (c: Command) =>
    project(c).action(async (id: string, o: PipelineOptions) => {
      showExecution(ctx, o, await withPipelines(ctx, o, (client) => client.describeExecution(projectName(o), id)));
    });
  describeExecution(pipelines.command('describe-execution <execution>').description("an execution's status, parameters and steps (attempts, jobs, cache hits, conditions)"));

  project(pipelines.command('retry <execution>').description('run a failed or cancelled execution again: only its failed, cancelled and unrun steps'))
    .option('--wait', 'wait until it finishes (embedded: run its jobs now)')
    .action(async (id: string, o: PipelineOptions & { wait?: boolean }) => {
      const execution = await withPipelines(
        ctx,
        o,
        async (client) => {
          const again = await client.retry(projectName(o), id);
          return o.wait ? waitFor(client, o, again) : again;
        },
        { runner: o.wait === true },
      );
      showExecution(ctx, o, execution);
    });

  project(pipelines.command('cancel <execution>').description('stop an execution: pending steps are cancelled, running jobs asked to stop')).action(async (id: string, o: PipelineOptions) => {
    showExecution(ctx, o, await withPipelines(ctx, o, (client) => client.cancel(projectName(o), id)));
  });
}

/**
 * `attest monitoring schedules …`: monitoring schedules per endpoint (create, list, describe with
 * executions, run now, stop, start, delete) and `attest monitoring tick`: one scheduler round
 * (the API server runs it on a timer; a cron job or a test can run it too).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_PROJECT } from '../../app/defaults.js';
import type { App } from '../../app/index.js';
import { AppError } from '../../kernel/index.js';
import type { MonitoringSchedule, MonitoringSchedules } from '../../serving/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common, projectIdByName } from '../context.js';
import { printJson, printTable } from '../output.js';

interface ProjectOptions extends CommonOptions {
  project?: string;
}

async function schedulesOf(app: App): Promise<MonitoringSchedules> {
  const [{ MonitoringSchedules: Schedules }, { JobService }, { webhookSink }] = await Promise.all([import('../../serving/index.js'), import('../../jobs/index.js'), import('../../security/controls/index.js')]);
  return new Schedules({ app, jobs: new JobService(app), sinks: app.config.alerts.webhooks.map((w) => webhookSink({ url: w.url, secret: w.secret, secretEnv: w.secretEnv, attempts: 3 })) });
}

interface RetrainOptions {
  retrainPipeline?: string;
  retrainParam: string[];
  retrainOn?: string;
  retrainMinViolations: string;
  retrainCooldownMinutes: string;
  retrainMaxPerDay: string;
  retrainRunAs?: string;
}

/** The trigger as the flags give it; the service validates it (zod) and authorizes it. */
function retrainOf(o: RetrainOptions): Record<string, unknown> {
  const parameters: Record<string, string | number | boolean> = {};
  for (const p of o.retrainParam) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new AppError('INVALID_INPUT', { message: `--retrain-param takes key=value, not "${p}"`, details: { field: 'retrain.parameters' } });
    const raw = p.slice(eq + 1);
    parameters[p.slice(0, eq)] = raw === 'true' ? true : raw === 'false' ? false : raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return {
    pipeline: o.retrainPipeline,
    parameters,
    ...(o.retrainOn ? { onViolations: o.retrainOn.split(',').map((t) => t.trim()).filter(Boolean) } : {}),
    minViolations: Number(o.retrainMinViolations),
    cooldownMinutes: Number(o.retrainCooldownMinutes),
    maxPerDay: Number(o.retrainMaxPerDay),
    ...(o.retrainRunAs ? { runAs: o.retrainRunAs } : {}),
  };
}

function line(s: MonitoringSchedule): string {
  return `schedule ${s.name} (${s.kind}) on endpoint ${s.endpoint}: "${s.cron}" ${s.timezone}, ${s.status}, next run ${s.nextRunAt ?? '-'}`;
}

export function registerMonitoringScheduleCommands(program: Command, ctx: CliContext): void {
  const monitoring = program.command('monitoring').description('scheduled monitoring of endpoints: data quality against the baseline, model quality against ground truth, bias and attribution drift against a reference');
  const schedules = monitoring.command('schedules').description('monitoring schedules (cron) per endpoint');
  const project = (c: Command) => common(c).option('--project <name>', 'project', DEFAULT_PROJECT);
  const withSchedules = <T>(o: ProjectOptions, fn: (s: MonitoringSchedules, actor: Parameters<Parameters<CliContext['withApp']>[1]>[1], projectId: string) => Promise<T>) =>
    ctx.withApp(o, async (app, actor) => fn(await schedulesOf(app), actor, await projectIdByName(app, o.project ?? DEFAULT_PROJECT)));

  project(schedules.command('create <name>').description('schedule monitoring of an endpoint'))
    .requiredOption('--endpoint <name>', 'the endpoint whose captured traffic is checked')
    .requiredOption('--cron <expr>', 'cron expression, e.g. "0 * * * *" (hourly)')
    .option('--kind <kind>', 'data-quality, model-quality, bias-drift or attribution-drift', 'data-quality')
    .option('--timezone <tz>', 'time zone of the cron expression', 'UTC')
    .option('--baseline <ref>', 'data quality: the governed baseline (NAME or NAME@VERSION)')
    .option('--window-hours <h>', 'hours of traffic each execution checks', '1')
    .option('--threshold <p>', 'model quality: scores above this are positive', '0.5')
    .option('--constraints <file.json>', 'model quality: Model Monitor constraints, e.g. {"auc":{"threshold":0.7,"comparison_operator":"LessThanThreshold"}}')
    .option('--reference <ref>', 'bias drift: the baseline bias report; attribution drift: the baseline attributions (contributions table or Clarify analysis.json)')
    .option('--facet <column>', 'bias drift: the facet (sensitive attribute) of the window\'s report')
    .option('--sensitive <values>', 'bias drift: comma-separated facet values of the disadvantaged group')
    .option('--positive <values>', 'bias drift: comma-separated positive label values', '1')
    .option('--tolerance <t>', 'bias drift: allowed absolute change of a metric', '0.1')
    .option('--ndcg-threshold <t>', 'attribution drift: nDCG below this is a violation', '0.9')
    .option('--retrain-pipeline <name>', 'retraining trigger: start this pipeline when an execution has violations (it can only register versions pending approval)')
    .option('--retrain-param <key=value>', 'retraining trigger: a pipeline parameter (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--retrain-on <types>', 'retraining trigger: comma-separated violation check types that count, e.g. baseline_drift_check,model_quality_check (default: all)')
    .option('--retrain-min-violations <n>', 'retraining trigger: counted violations that start an execution', '1')
    .option('--retrain-cooldown-minutes <m>', 'retraining trigger: no new execution within this many minutes of the last one', '60')
    .option('--retrain-max-per-day <n>', 'retraining trigger: at most this many executions in any 24 hours', '1')
    .option('--retrain-run-as <principal>', 'retraining trigger: the stored principal the execution runs as (authorized for pipeline:Start now and when it fires)')
    .action(async (name: string, o: ProjectOptions & RetrainOptions & { endpoint: string; cron: string; kind: string; timezone: string; baseline?: string; windowHours: string; threshold: string; constraints?: string; reference?: string; facet?: string; sensitive?: string; positive: string; tolerance: string; ndcgThreshold: string }) => {
      const kinds = ['data-quality', 'model-quality', 'bias-drift', 'attribution-drift'] as const;
      if (!(kinds as readonly string[]).includes(o.kind)) throw new AppError('INVALID_INPUT', { message: `--kind is one of ${kinds.join(', ')}, not ${o.kind}` });
      const list = (v: string | undefined) => v?.split(',').map((x) => x.trim()).filter((x) => x !== '');
      let constraints: unknown;
      if (o.constraints) {
        try {
          constraints = JSON.parse(readFileSync(o.constraints, 'utf8'));
        } catch (error) {
          throw new AppError('INVALID_INPUT', { message: `${o.constraints}: ${(error as Error).message}` });
        }
      }
      const kind = o.kind as (typeof kinds)[number];
      const s = await withSchedules(o, (svc, actor, pid) =>
        svc.create(actor, pid, {
          name,
          endpoint: o.endpoint,
          kind,
          cron: o.cron,
          timezone: o.timezone,
          spec: { ...(o.baseline ? { baseline: o.baseline } : {}), windowHours: Number(o.windowHours), threshold: Number(o.threshold), ...(constraints ? { constraints: constraints as never } : {}), ...(o.reference ? { reference: o.reference } : {}), ...(o.facet ? { bias: { facet: o.facet, ...(o.sensitive ? { sensitive: list(o.sensitive)! } : {}), positive: list(o.positive) ?? ['1'], tolerance: Number(o.tolerance) } } : {}), ndcgThreshold: Number(o.ndcgThreshold), ...(o.retrainPipeline ? { retrain: retrainOf(o) as never } : {}) },
        }),
      );
      if (o.json) printJson(ctx.io, s);
      else ctx.io.out(line(s));
    });

  project(schedules.command('list').description("a project's monitoring schedules")).action(async (o: ProjectOptions) => {
    const list = await withSchedules(o, (svc, _a, pid) => svc.list(pid));
    if (o.json) printJson(ctx.io, list);
    else
      printTable(ctx.io, list, [
        { header: 'NAME', value: (s) => s.name },
        { header: 'ENDPOINT', value: (s) => s.endpoint },
        { header: 'KIND', value: (s) => s.kind },
        { header: 'CRON', value: (s) => s.cron },
        { header: 'STATUS', value: (s) => s.status },
        { header: 'NEXT RUN', value: (s) => s.nextRunAt },
      ]);
  });

  project(schedules.command('describe <name>').description('a schedule and its latest executions')).action(async (name: string, o: ProjectOptions) => {
    const d = await withSchedules(o, (svc, _a, pid) => svc.describe(pid, name));
    if (o.json) {
      printJson(ctx.io, d);
      return;
    }
    ctx.io.out(line(d));
    if (d.spec.retrain) ctx.io.out(`  retrain: pipeline ${d.spec.retrain.pipeline} as ${d.spec.retrain.runAs ?? d.createdBy}, cool-down ${d.spec.retrain.cooldownMinutes} min, at most ${d.spec.retrain.maxPerDay}/24 h`);
    for (const e of d.executions) {
      const r = e.report?.retrain as { status: string; reason?: string; pipelineExecutionId?: string } | undefined;
      const retrain = r ? ` retrain ${r.status}${r.pipelineExecutionId ? ` ${r.pipelineExecutionId}` : ''}${r.status === 'Suppressed' ? ` (${r.reason})` : ''}` : '';
      ctx.io.out(`  ${e.executionId} ${e.scheduledFor} ${e.status}${e.violations !== null ? ` ${e.violations} violation(s)` : ''}${e.jobId ? ` job ${e.jobId}` : ''}${e.report?.reason ? ` — ${String(e.report.reason)}` : ''}${retrain}`);
    }
  });

  project(schedules.command('run <name>').description('run an execution now (window ending now)')).action(async (name: string, o: ProjectOptions) => {
    const e = await withSchedules(o, (svc, actor, pid) => svc.run(actor, pid, name));
    if (o.json) printJson(ctx.io, e);
    else ctx.io.out(`execution ${e.executionId}: ${e.status}${e.jobId ? ` (job ${e.jobId})` : ''}${e.violations !== null ? `, ${e.violations} violation(s)` : ''}`);
  });

  for (const [verb, what] of [
    ['stop', 'stop a schedule'],
    ['start', 'start a stopped schedule'],
    ['delete', 'delete a schedule (its executions stay)'],
  ] as const) {
    project(schedules.command(`${verb} <name>`).description(what)).action(async (name: string, o: ProjectOptions) => {
      const s = await withSchedules(o, (svc, actor, pid) => svc[verb](actor, pid, name));
      if (o.json) printJson(ctx.io, s);
      else ctx.io.out(line(s));
    });
  }

  common(monitoring.command('tick').description('one scheduler round: start due executions and settle finished ones (under the leader lease)')).action(async (o: CommonOptions) => {
    const r = await ctx.withApp(o, async (app) => (await schedulesOf(app)).tick());
    if (o.json) printJson(ctx.io, r);
    else ctx.io.out(r.leader ? `started ${r.started} execution(s), settled ${r.reconciled}` : 'another process holds the scheduler lease');
  });
}

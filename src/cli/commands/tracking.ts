import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { App } from '../../app/index.js';
import { DEFAULT_PROJECT } from '../../app/defaults.js';
import { AppError } from '../../kernel/index.js';
import type { Actor } from '../../security/audit/index.js';
import type { ComponentType, LineageTableRow, ParameterValue, SortKey, SourceInfo, TrackingContext, Trial, TrialComponent } from '../../tracking/index.js';
// Option help names these vocabularies; their dependency-free module keeps declaring commands cheap.
import { COMPONENT_TYPES, SORT_KEYS } from '../../tracking/tracking-names.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common, projectIdByName } from '../context.js';
import { printJson, printRecord, printTable } from '../output.js';

interface ProjectOption extends CommonOptions {
  project?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `k=v` pairs; numbers and true/false become typed parameter values. */
export function parsePairs(pairs: readonly string[], typed: boolean): Record<string, ParameterValue> {
  const out: Record<string, ParameterValue> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AppError('INVALID_INPUT', { message: `Expected NAME=VALUE, got "${pair}"` });
    const raw = pair.slice(eq + 1);
    let value: ParameterValue = raw;
    if (typed && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) value = Number(raw);
    else if (typed && (raw === 'true' || raw === 'false')) value = raw === 'true';
    out[pair.slice(0, eq)] = value;
  }
  return out;
}

function tags(pairs: readonly string[] | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(parsePairs(pairs ?? [], false)).map(([k, v]) => [k, String(v)]));
}

/** Opens the app in the chosen project and hands over the write context and the visible projects. */
function inProject<T>(ctx: CliContext, options: ProjectOption, fn: (app: App, tc: TrackingContext, visible: string[]) => Promise<T>): Promise<T> {
  return ctx.withApp(options, async (app: App, actor: Actor) => {
    const projectId = await projectIdByName(app, options.project ?? DEFAULT_PROJECT);
    return fn(app, { actor, projectId }, [projectId]);
  });
}

const TRIAL_COLUMNS = [
  { header: 'ID', value: (t: Trial) => t.trialId },
  { header: 'EXPERIMENT', value: (t: Trial) => t.experimentName },
  { header: 'NAME', value: (t: Trial) => t.name },
  { header: 'CREATED', value: (t: Trial) => t.createdAt },
  { header: 'BY', value: (t: Trial) => t.createdBy },
];
const COMPONENT_COLUMNS = [
  { header: 'ID', value: (c: TrialComponent) => c.componentId },
  { header: 'NAME', value: (c: TrialComponent) => c.name },
  { header: 'TYPE', value: (c: TrialComponent) => c.type },
  { header: 'STATUS', value: (c: TrialComponent) => c.status },
  { header: 'STARTED', value: (c: TrialComponent) => c.startTime },
  { header: 'BY', value: (c: TrialComponent) => c.createdBy },
];

function showComponent(ctx: CliContext, options: CommonOptions, c: TrialComponent): void {
  if (options.json) printJson(ctx.io, c);
  else
    printRecord(ctx.io, {
      id: c.componentId,
      name: c.name,
      type: c.type,
      status: c.status,
      trials: c.trialIds.join(', '),
      parameters: c.parameters,
      inputs: c.inputs.map((a) => `${a.role}=${a.name ?? a.artifactId}`).join(', '),
      outputs: c.outputs.map((a) => `${a.role}=${a.name ?? a.artifactId}`).join(', '),
      metrics: Object.fromEntries(c.metrics.map((m) => [m.name, m.last])),
      commit: c.source ? `${c.source.commit}${c.source.dirty ? ' (dirty)' : ''}` : null,
      started: c.startTime,
      ended: c.endTime,
      by: c.createdBy,
    });
}

function searchOptions(c: Command): Command {
  return c
    .option('--filter <expr>', 'e.g. "parameters.eta = 0.2 and metrics.`validation:auc` > 0.78"')
    .option('--sort <key>', `sort by ${SORT_KEYS.join(', ')}`, 'createdAt')
    .option('--order <order>', 'asc or desc', 'desc')
    .option('--limit <n>', 'page size', '50')
    .option('--cursor <cursor>', 'the next-page cursor printed by the previous page');
}

function searchRequest(o: { filter?: string; sort: string; order: string; limit: string; cursor?: string }, visible: string[]) {
  if (o.order !== 'asc' && o.order !== 'desc') throw new AppError('INVALID_INPUT', { message: '--order must be asc or desc' });
  return { ...(o.filter ? { filter: o.filter } : {}), sortBy: o.sort as SortKey, sortOrder: o.order, limit: Number(o.limit), ...(o.cursor ? { cursor: o.cursor } : {}), visibleProjects: visible } as const;
}

export function registerTrackingCommands(program: Command, ctx: CliContext): void {
  const project = (c: Command) => common(c).option('--project <name>', 'project', DEFAULT_PROJECT);

  const experiments = program.command('experiments').description('experiments, their trials and the lineage table');
  project(experiments.command('create <name>').description('create an experiment'))
    .option('--description <text>', 'description', '')
    .option('--tag <k=v>', 'tag (repeatable)', collect)
    .action(async (name: string, o: ProjectOption & { description: string; tag?: string[] }) => {
      const e = await inProject(ctx, o, (app, tc) => app.tracking.createExperiment(tc, { name, description: o.description, tags: tags(o.tag) }));
      if (o.json) printJson(ctx.io, e);
      else ctx.io.out(e.experimentId);
    });
  project(experiments.command('list').description('list experiments')).action(async (o: ProjectOption) => {
    const rows = await inProject(ctx, o, (app, _tc, visible) => app.tracking.listExperiments(visible));
    if (o.json) printJson(ctx.io, rows);
    else printTable(ctx.io, rows, [
      { header: 'ID', value: (e) => e.experimentId },
      { header: 'NAME', value: (e) => e.name },
      { header: 'CREATED', value: (e) => e.createdAt },
      { header: 'BY', value: (e) => e.createdBy },
    ]);
  });
  project(experiments.command('table <experiment>').description("the lineage table: one row per component (name, type, parameters, inputs, metrics, commit, author, date)"))
    .option('--format <format>', 'table, csv or json', 'table')
    .option('--out <file>', 'write the export to a file instead of standard output')
    .action(async (experiment: string, o: ProjectOption & { format: string; out?: string }) => {
      if (!['table', 'csv', 'json'].includes(o.format)) throw new AppError('INVALID_INPUT', { message: '--format must be table, csv or json' });
      const { rows } = await inProject(ctx, o, (app, tc, visible) => app.tracking.lineageTable(experiment, visible, tc.projectId));
      const format = o.json ? 'json' : o.format;
      const { LINEAGE_TABLE_COLUMNS, lineageTableCsv } = await import('../../tracking/index.js');
      const text = format === 'csv' ? lineageTableCsv(rows) : format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : undefined;
      if (text !== undefined && o.out) {
        writeFileSync(o.out, text);
        ctx.io.out(`${rows.length} rows → ${o.out}`);
      } else if (text !== undefined) ctx.io.out(text.replace(/\r?\n$/, ''));
      else printTable<LineageTableRow>(ctx.io, rows, LINEAGE_TABLE_COLUMNS);
    });

  const trials = program.command('trials').description('trials of an experiment');
  project(trials.command('create <experiment> <name>').description('create a trial in an experiment'))
    .option('--tag <k=v>', 'tag (repeatable)', collect)
    .action(async (experiment: string, name: string, o: ProjectOption & { tag?: string[] }) => {
      const t = await inProject(ctx, o, (app, tc) => app.tracking.createTrial(tc, { experiment, name, tags: tags(o.tag) }));
      if (o.json) printJson(ctx.io, t);
      else ctx.io.out(t.trialId);
    });
  project(trials.command('list <experiment>').description("list an experiment's trials")).action(async (experiment: string, o: ProjectOption) => {
    const rows = await inProject(ctx, o, (app, _tc, visible) => app.tracking.listTrials(experiment, visible));
    if (o.json) printJson(ctx.io, rows);
    else printTable(ctx.io, rows, TRIAL_COLUMNS);
  });
  searchOptions(project(trials.command('search').description('search trials'))).action(async (o: ProjectOption & { filter?: string; sort: string; order: string; limit: string; cursor?: string }) => {
    const page = await inProject(ctx, o, (app, _tc, visible) => app.tracking.searchTrials(searchRequest(o, visible)));
    if (o.json) printJson(ctx.io, page);
    else {
      printTable(ctx.io, page.items, TRIAL_COLUMNS);
      if (page.nextCursor) ctx.io.out(`next page: --cursor ${page.nextCursor}`);
    }
  });
  project(trials.command('compare <trials...>').description('two or more trials side by side (TRIAL = id or EXPERIMENT/TRIAL)'))
    .option('--all', 'also show parameters and metrics that are equal')
    .action(async (refs: string[], o: ProjectOption & { all?: boolean }) => {
      const cmp = await inProject(ctx, o, (app, _tc, visible) => app.tracking.compareTrials(refs, visible, o.all !== true));
      if (o.json) printJson(ctx.io, cmp);
      else
        printTable(ctx.io, cmp.rows, [
          { header: 'KIND', value: (r) => r.kind },
          { header: 'KEY', value: (r) => r.key },
          ...cmp.trials.map((t, i) => ({ header: t.name, value: (r: (typeof cmp.rows)[number]) => r.values[i] ?? null })),
        ]);
    });
  project(trials.command('add-component <trial> <component>').description('add an existing component (e.g. shared preprocessing) to a trial')).action(
    async (trial: string, component: string, o: ProjectOption) => {
      await inProject(ctx, o, (app, tc) => app.tracking.addComponentToTrial(tc, component, trial));
      if (!o.json) ctx.io.out(`${component} → ${trial}`);
    },
  );

  registerComponentCommands(program, ctx, project);
}

function registerComponentCommands(program: Command, ctx: CliContext, project: (c: Command) => Command): void {
  const components = program.command('components').description('trial components: one tracked step each');
  project(components.command('start <name>').description('start a component; prints its id'))
    .requiredOption('--type <type>', COMPONENT_TYPES.join(' | '))
    .option('--trial <trial>', 'trial id or EXPERIMENT/TRIAL (repeatable)', collect)
    .option('--param <k=v>', 'parameter (repeatable)', collect)
    .option('--tag <k=v>', 'tag (repeatable)', collect)
    .option('--no-git', 'do not capture the git state of the working directory')
    .option('--commit <sha>', 'record this commit explicitly (with --branch, --author, --repo-url)')
    .option('--branch <name>', 'git branch')
    .option('--author <who>', 'commit author')
    .option('--repo-url <url>', 'remote URL (credentials are removed)')
    .action(async (name: string, o: ProjectOption & { type: string; trial?: string[]; param?: string[]; tag?: string[]; git: boolean; commit?: string; branch?: string; author?: string; repoUrl?: string }) => {
      if (!(COMPONENT_TYPES as readonly string[]).includes(o.type)) throw new AppError('INVALID_INPUT', { message: `--type must be one of ${COMPONENT_TYPES.join(', ')}` });
      const { captureEnvironment, captureGit, stripCredentials } = await import('../../tracking/index.js');
      let source: SourceInfo | undefined;
      if (o.commit) {
        source = { commit: o.commit, ...(o.branch ? { branch: o.branch } : {}), ...(o.author ? { author: o.author } : {}), ...(o.repoUrl ? { remoteUrl: stripCredentials(o.repoUrl) } : {}) };
      } else if (o.git) source = await captureGit(process.cwd());
      const c = await inProject(ctx, o, (app, tc) =>
        app.tracking.startComponent(tc, {
          name,
          type: o.type as ComponentType,
          trials: o.trial ?? [],
          parameters: parsePairs(o.param ?? [], true),
          tags: tags(o.tag),
          ...(source ? { source } : {}),
          environment: captureEnvironment(process.cwd()),
        }),
      );
      if (o.json) printJson(ctx.io, c);
      else ctx.io.out(c.componentId);
    });
  project(components.command('log-param <component> <pairs...>').description('log parameters NAME=VALUE')).action(async (id: string, pairs: string[], o: ProjectOption) => {
    await inProject(ctx, o, (app, tc) => app.tracking.logParameters(tc, id, parsePairs(pairs, true)));
  });
  project(components.command('log-metric <component> <pairs...>').description('log metric points NAME=VALUE'))
    .option('--step <n>', 'step (e.g. the boosting round)', '0')
    .action(async (id: string, pairs: string[], o: ProjectOption & { step: string }) => {
      const step = Number(o.step);
      const points = Object.entries(parsePairs(pairs, true)).map(([name, value]) => {
        if (typeof value !== 'number') throw new AppError('INVALID_INPUT', { message: `Metric ${name}: "${String(value)}" is not a number` });
        return { name, value, step };
      });
      await inProject(ctx, o, (app, tc) => app.tracking.logMetrics(tc, id, points));
    });
  for (const direction of ['input', 'output'] as const) {
    project(components.command(`log-${direction} <component> <role> <artifact>`).description(`log an ${direction} artifact (id, sha256:HEX or name[@version]) in a role`)).action(
      async (id: string, role: string, ref: string, o: ProjectOption) => {
        const a = await inProject(ctx, o, (app, tc) => (direction === 'input' ? app.tracking.logInput(tc, id, { role, ref }) : app.tracking.logOutput(tc, id, { role, ref })));
        if (o.json) printJson(ctx.io, a);
        else ctx.io.out(`${role} = ${a.name ?? a.artifactId} (sha256 ${a.sha256.slice(0, 16)}…)`);
      },
    );
  }
  project(components.command('complete <component>').description('mark a component Completed (its record is then frozen)')).action(async (id: string, o: ProjectOption) => {
    showComponent(ctx, o, await inProject(ctx, o, (app, tc) => app.tracking.endComponent(tc, id, 'Completed')));
  });
  project(components.command('fail <component>').description('mark a component Failed'))
    .option('--reason <text>', 'why it failed', 'failed')
    .action(async (id: string, o: ProjectOption & { reason: string }) => {
      showComponent(ctx, o, await inProject(ctx, o, (app, tc) => app.tracking.endComponent(tc, id, 'Failed', { failureReason: o.reason })));
    });
  project(components.command('stop <component>').description('mark a component Stopped')).action(async (id: string, o: ProjectOption) => {
    showComponent(ctx, o, await inProject(ctx, o, (app, tc) => app.tracking.endComponent(tc, id, 'Stopped')));
  });
  project(components.command('tag <id> <pairs...>').description('tag an experiment, trial or component (allowed after completion)')).action(async (id: string, pairs: string[], o: ProjectOption) => {
    await inProject(ctx, o, (app, tc) => app.tracking.setTags(tc, id, tags(pairs)));
  });
  project(components.command('note <component> <text>').description('add a note (allowed after completion)')).action(async (id: string, text: string, o: ProjectOption) => {
    await inProject(ctx, o, (app, tc) => app.tracking.addNote(tc, id, text));
  });
  project(components.command('describe <component>').description('show a component')).action(async (id: string, o: ProjectOption) => {
    showComponent(ctx, o, await inProject(ctx, o, (app, _tc, visible) => app.tracking.getComponent(id, visible)));
  });
  searchOptions(project(components.command('search').description('search components'))).action(async (o: ProjectOption & { filter?: string; sort: string; order: string; limit: string; cursor?: string }) => {
    const page = await inProject(ctx, o, (app, _tc, visible) => app.tracking.searchComponents(searchRequest(o, visible)));
    if (o.json) printJson(ctx.io, page);
    else {
      printTable(ctx.io, page.items, COMPONENT_COLUMNS);
      if (page.nextCursor) ctx.io.out(`next page: --cursor ${page.nextCursor}`);
    }
  });
}

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_PROJECT } from '../../app/defaults.js';
import type { DatasetVersion } from '../../datasets/index.js';
import { AppError } from '../../kernel/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common, projectIdByName } from '../context.js';
import { intOption, requireFile } from '../files.js';
import { printJson, printTable } from '../output.js';
import { startProgress } from '../progress.js';

interface DataOptions extends CommonOptions {
  project?: string;
}

function summary(v: DatasetVersion): Record<string, unknown> {
  return {
    dataset: `${v.name}@${v.version}`,
    datasetVersionId: v.datasetVersionId,
    artifactId: v.artifactId,
    sha256: v.sha256,
    format: v.format,
    rows: v.rowCount,
    columns: v.schema.columns.length,
    bytes: v.byteCount,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
  };
}

export function registerDataCommands(program: Command, ctx: CliContext): void {
  const data = program.command('data').description('governed datasets: immutable, hashed, encrypted versions with schema and profile');
  const project = (c: Command) => common(c).option('--project <name>', 'project', DEFAULT_PROJECT);

  project(data.command('import <file>').description('import a CSV or Parquet file as a new dataset version'))
    .requiredOption('--name <name>', 'dataset name')
    .option('--description <text>', 'description')
    .action(async (file: string, o: DataOptions & { name: string; description?: string }) => {
      const progress = startProgress(ctx.io, `importing ${o.name}`, 'rows read', { json: o.json === true });
      const v = await ctx
        .withApp(o, async (app, actor) =>
          app.datasets.importFile(actor, file, {
            projectId: await projectIdByName(app, o.project ?? DEFAULT_PROJECT),
            name: o.name,
            ...(o.description ? { description: o.description } : {}),
            onRowsRead: (rows) => progress.update(rows),
          }),
        )
        .finally(() => progress.finish());
      if (o.json) printJson(ctx.io, summary(v));
      else ctx.io.out(`imported ${v.name}@${v.version}: ${v.rowCount} rows × ${v.schema.columns.length} columns, sha256 ${v.sha256} (${v.datasetVersionId})`);
    });

  project(data.command('describe <ref>').description('show a dataset version (NAME, NAME@VERSION or a version id) and its schema')).action(
    async (ref: string, o: DataOptions) => {
      const v = await ctx.withApp(o, async (app) => app.datasets.describe(await projectIdByName(app, o.project ?? DEFAULT_PROJECT), ref));
      if (o.json) {
        printJson(ctx.io, { ...summary(v), schema: v.schema, source: v.source });
        return;
      }
      for (const [k, value] of Object.entries(summary(v))) ctx.io.out(`${`${k}:`.padEnd(18)} ${String(value)}`);
      const { formatSchema } = await import('../../data/index.js');
      for (const line of formatSchema(v.schema)) ctx.io.out(line);
    },
  );

  project(data.command('profile <ref>').description('show a dataset version\'s profile: counts, missing, min/max/mean/std, quantiles, top categories')).action(
    async (ref: string, o: DataOptions) => {
      const profile = await ctx.withApp(o, async (app, actor) => app.datasets.profile(actor, await projectIdByName(app, o.project ?? DEFAULT_PROJECT), ref));
      if (o.json) printJson(ctx.io, profile);
      else {
        const { formatProfile } = await import('../../data/index.js');
        for (const line of formatProfile(profile)) ctx.io.out(line);
      }
    },
  );

  const tracked = (c: Command) =>
    project(c).requiredOption('--experiment <name>', 'experiment the processing component is recorded in (created if absent)').option('--trial <name>', 'trial to add the component to');

  tracked(data.command('fit-transform <dataset>').description('fit a transform pipeline (JSON list of steps) on a dataset version, as a tracked processing component'))
    .requiredOption('--spec <file.json>', 'steps, e.g. [{"kind":"impute","columns":["AGE"],"strategy":"median"}]')
    .requiredOption('--output <name>', 'dataset name for the transformed data; the fitted pipeline is stored as transforms/<name>.json')
    .action(async (dataset: string, o: DataOptions & { spec: string; output: string; experiment: string; trial?: string }) => {
      requireFile(o.spec, 'Specification');
      let specs: unknown;
      try {
        specs = JSON.parse(readFileSync(o.spec, 'utf8'));
      } catch (error) {
        throw new AppError('INVALID_INPUT', { message: `${o.spec} is not valid JSON: ${(error as Error).message}` });
      }
      const r = await ctx.withApp(o, async (app, actor) =>
        app.processing.fit(actor, await projectIdByName(app, o.project ?? DEFAULT_PROJECT), { dataset, specs, output: o.output }, { experiment: o.experiment, ...(o.trial ? { trial: o.trial } : {}) }),
      );
      if (o.json) printJson(ctx.io, { componentId: r.component.componentId, pipelineArtifactId: r.pipelineArtifactId, output: summary(r.output), pipeline: r.pipeline });
      else ctx.io.out(`fitted ${r.pipeline.steps.length} step(s) in component ${r.component.componentId}; pipeline ${r.pipelineArtifactId}; wrote ${r.output.name}@${r.output.version}`);
    });

  tracked(data.command('apply-transform <dataset>').description('re-apply a stored fitted pipeline to a dataset version, as a tracked processing component'))
    .requiredOption('--pipeline <ref>', 'fitted pipeline artifact (id or transforms/<name>.json)')
    .requiredOption('--output <name>', 'dataset name for the result')
    .action(async (dataset: string, o: DataOptions & { pipeline: string; output: string; experiment: string; trial?: string }) => {
      const r = await ctx.withApp(o, async (app, actor) =>
        app.processing.apply(actor, await projectIdByName(app, o.project ?? DEFAULT_PROJECT), { dataset, pipeline: o.pipeline, output: o.output }, { experiment: o.experiment, ...(o.trial ? { trial: o.trial } : {}) }),
      );
      if (o.json) printJson(ctx.io, { componentId: r.component.componentId, output: summary(r.output) });
      else ctx.io.out(`applied in component ${r.component.componentId}; wrote ${r.output.name}@${r.output.version}`);
    });

  tracked(data.command('split <dataset>').description('seeded, stratified train/validation/test split into <prefix>-train/-validation/-test, as a tracked processing component'))
    .option('--label <column>', 'stratify on this column')
    .option('--fractions <t,v,t>', 'train,validation,test fractions', '0.7,0.15,0.15')
    .requiredOption('--seed <n>', 'random seed')
    .requiredOption('--prefix <name>', 'output dataset name prefix')
    .action(async (dataset: string, o: DataOptions & { label?: string; fractions: string; seed: string; prefix: string; experiment: string; trial?: string }) => {
      const f = o.fractions.split(',').map(Number);
      if (f.length !== 3 || f.some((x) => !(x >= 0 && x <= 1))) throw new AppError('INVALID_INPUT', { message: `--fractions takes three numbers like 0.7,0.15,0.15, not ${o.fractions}` });
      const seed = intOption(o.seed, '--seed')!;
      const spec = { ...(o.label ? { label: o.label } : {}), fractions: { train: f[0]!, validation: f[1]!, test: f[2]! }, seed };
      const r = await ctx.withApp(o, async (app, actor) =>
        app.processing.split(actor, await projectIdByName(app, o.project ?? DEFAULT_PROJECT), { dataset, spec, prefix: o.prefix }, { experiment: o.experiment, ...(o.trial ? { trial: o.trial } : {}) }),
      );
      if (o.json) printJson(ctx.io, { componentId: r.component.componentId, train: summary(r.train), validation: summary(r.validation), test: summary(r.test) });
      else ctx.io.out(`split in component ${r.component.componentId}: ${r.train.rowCount}/${r.validation.rowCount}/${r.test.rowCount} rows → ${o.prefix}-train, -validation, -test`);
    });

  project(data.command('list').description('list dataset versions')).action(async (o: DataOptions) => {
    const rows = await ctx.withApp(o, async (app) => app.datasets.list(await projectIdByName(app, o.project ?? DEFAULT_PROJECT)));
    if (o.json) printJson(ctx.io, rows.map(summary));
    else
      printTable(ctx.io, rows, [
        { header: 'DATASET', value: (v) => `${v.name}@${v.version}` },
        { header: 'VERSION ID', value: (v) => v.datasetVersionId },
        { header: 'ROWS', value: (v) => v.rowCount },
        { header: 'COLS', value: (v) => v.schema.columns.length },
        { header: 'SHA256', value: (v) => `${v.sha256.slice(0, 16)}…` },
        { header: 'CREATED', value: (v) => v.createdAt },
      ]);
  });
}

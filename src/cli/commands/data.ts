import type { Command } from 'commander';
import { DEFAULT_PROJECT, projectIdByName } from '../../app/index.js';
import { formatProfile, formatSchema } from '../../data/index.js';
import type { DatasetVersion } from '../../datasets/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common } from '../context.js';
import { printJson, printTable } from '../output.js';

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
      const v = await ctx.withApp(o, async (app, actor) =>
        app.datasets.importFile(actor, file, { projectId: await projectIdByName(app, o.project ?? DEFAULT_PROJECT), name: o.name, ...(o.description ? { description: o.description } : {}) }),
      );
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
      for (const line of formatSchema(v.schema)) ctx.io.out(line);
    },
  );

  project(data.command('profile <ref>').description('show a dataset version\'s profile: counts, missing, min/max/mean/std, quantiles, top categories')).action(
    async (ref: string, o: DataOptions) => {
      const profile = await ctx.withApp(o, async (app, actor) => app.datasets.profile(actor, await projectIdByName(app, o.project ?? DEFAULT_PROJECT), ref));
      if (o.json) printJson(ctx.io, profile);
      else for (const line of formatProfile(profile)) ctx.io.out(line);
    },
  );

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

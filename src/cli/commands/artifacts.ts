import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import type { ArtifactMetadata } from '../../artifacts/index.js';
import { DEFAULT_PROJECT, projectIdByName } from '../../app/index.js';
import { AppError } from '../../kernel/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common } from '../context.js';
import { printJson, printRecord, printTable } from '../output.js';

interface ProjectOption extends CommonOptions {
  project?: string;
}

const COLUMNS = [
  { header: 'ID', value: (a: ArtifactMetadata) => a.artifactId },
  { header: 'SIZE', value: (a: ArtifactMetadata) => a.sizeBytes },
  { header: 'SHA256', value: (a: ArtifactMetadata) => `${a.sha256.slice(0, 16)}…` },
  { header: 'NAME', value: (a: ArtifactMetadata) => (a.name ? `${a.name}@${a.version}` : undefined) },
  { header: 'KEY', value: (a: ArtifactMetadata) => `${a.keyId}#${a.keyVersion}` },
  { header: 'CREATED', value: (a: ArtifactMetadata) => a.createdAt },
  { header: 'RETAIN UNTIL', value: (a: ArtifactMetadata) => a.retentionUntil },
  { header: 'HOLD', value: (a: ArtifactMetadata) => a.legalHold },
];

function show(ctx: CliContext, options: CommonOptions, meta: ArtifactMetadata): void {
  if (options.json) printJson(ctx.io, meta);
  else printRecord(ctx.io, { ...meta });
}

export function registerArtifactCommands(program: Command, ctx: CliContext): void {
  const artifact = program.command('artifact').description('encrypted, content-addressed, write-once artifacts');
  const project = (c: Command) => common(c).option('--project <name>', 'project', DEFAULT_PROJECT);

  project(artifact.command('put <file>').description('store a file encrypted; prints the artifact id'))
    .option('--name <name>', 'store under this name as its next version')
    .option('--media-type <type>', 'media type', 'application/octet-stream')
    .option('--key <key>', 'key id or alias (default alias/attest-default)')
    .option('--retain-until <date>', 'retention date (ISO-8601); deletion is refused before it')
    .action(async (file: string, options: ProjectOption & { name?: string; mediaType: string; key?: string; retainUntil?: string }) => {
      if (!existsSync(file) || !statSync(file).isFile()) throw new AppError('INVALID_INPUT', { message: `No such file: ${file}` });
      const result = await ctx.withApp(options, async (app, actor) =>
        app.artifacts.putFile(actor, file, {
          projectId: await projectIdByName(app, options.project ?? DEFAULT_PROJECT),
          mediaType: options.mediaType,
          ...(options.name ? { name: options.name } : {}),
          ...(options.key ? { key: options.key } : {}),
          ...(options.retainUntil ? { retentionUntil: options.retainUntil } : {}),
          auditDetails: { source: 'cli-file' },
        }),
      );
      if (options.json) printJson(ctx.io, result);
      else ctx.io.out(result.artifactId);
    });

  project(artifact.command('get <ref>').description('decrypt and verify an artifact into a file (ref: id, sha256:HEX or name[@version])'))
    .requiredOption('--out <file>', 'where to write the bytes')
    .action(async (ref: string, options: ProjectOption & { out: string }) => {
      const meta = await ctx.withApp(options, async (app, actor) => app.artifacts.getToFile(actor, ref, options.out, await projectIdByName(app, options.project ?? DEFAULT_PROJECT)));
      if (options.json) printJson(ctx.io, meta);
      else ctx.io.out(`${meta.artifactId} → ${options.out} (${meta.sizeBytes} bytes, sha256 ${meta.sha256} verified)`);
    });

  project(artifact.command('list').description('list artifacts'))
    .option('--all', 'include deleted artifacts')
    .action(async (options: ProjectOption & { all?: boolean }) => {
      const rows = await ctx.withApp(options, async (app) => app.artifacts.list({ projectId: await projectIdByName(app, options.project ?? DEFAULT_PROJECT), includeDeleted: options.all === true }));
      if (options.json) printJson(ctx.io, rows);
      else printTable(ctx.io, rows, COLUMNS);
    });

  project(artifact.command('describe <ref>').description('show an artifact\'s metadata')).action(async (ref: string, options: ProjectOption) => {
    show(ctx, options, await ctx.withApp(options, async (app) => app.artifacts.describe(ref, await projectIdByName(app, options.project ?? DEFAULT_PROJECT))));
  });

  project(artifact.command('versions <name>').description('list the versions of a named object')).action(async (name: string, options: ProjectOption) => {
    const rows = await ctx.withApp(options, async (app) => app.artifacts.versions(await projectIdByName(app, options.project ?? DEFAULT_PROJECT), name));
    if (options.json) printJson(ctx.io, rows);
    else printTable(ctx.io, rows, COLUMNS);
  });

  project(artifact.command('retain <ref>').description('set or extend the retention date (it can never be shortened)'))
    .requiredOption('--until <date>', 'ISO-8601 date')
    .action(async (ref: string, options: ProjectOption & { until: string }) => {
      show(ctx, options, await ctx.withApp(options, async (app, actor) => app.artifacts.setRetention(actor, ref, options.until, await projectIdByName(app, options.project ?? DEFAULT_PROJECT))));
    });

  project(artifact.command('hold <ref>').description('place a legal hold (blocks deletion until released)')).action(async (ref: string, options: ProjectOption) => {
    show(ctx, options, await ctx.withApp(options, async (app, actor) => app.artifacts.setLegalHold(actor, ref, true, await projectIdByName(app, options.project ?? DEFAULT_PROJECT))));
  });

  project(artifact.command('release <ref>').description('release a legal hold')).action(async (ref: string, options: ProjectOption) => {
    show(ctx, options, await ctx.withApp(options, async (app, actor) => app.artifacts.setLegalHold(actor, ref, false, await projectIdByName(app, options.project ?? DEFAULT_PROJECT))));
  });

  project(artifact.command('delete <ref>').description('delete an artifact (refused under retention or legal hold)')).action(async (ref: string, options: ProjectOption) => {
    show(ctx, options, await ctx.withApp(options, async (app, actor) => app.artifacts.delete(actor, ref, await projectIdByName(app, options.project ?? DEFAULT_PROJECT))));
  });
}

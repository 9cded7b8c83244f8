import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Command } from 'commander';
import type { ArtifactMetadata } from '../../artifacts/index.js';
import { DEFAULT_PROJECT } from '../../app/defaults.js';
import { AppError } from '../../kernel/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common, projectIdByName } from '../context.js';
import { printJson, printRecord, printTable } from '../output.js';
import type { ApiClient } from '../remote.js';
import { commonRemote, embeddedOrRemote, seg } from '../remote.js';

/** Downloads an artifact over the API into `out`, checking the bytes against the SHA-256 the server recorded. */
async function download(client: ApiClient, project: string, ref: string, out: string): Promise<ArtifactMetadata> {
  const meta = await client.json<ArtifactMetadata>('GET', `/v1/projects/${project}/artifacts/${seg(ref)}`);
  const response = await client.fetch('GET', `/v1/projects/${project}/artifacts/${seg(ref)}/content`);
  if (!response.body) throw new AppError('UNAVAILABLE', { message: 'The server sent no content' });
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const tmp = `${out}.attest-partial-${process.pid}`;
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), tap, createWriteStream(tmp, { mode: 0o600, flags: 'wx' }));
    if (hash.digest('hex') !== meta.sha256) throw new AppError('ARTIFACT_INTEGRITY', { message: `Downloaded bytes of ${meta.artifactId} do not match its recorded SHA-256` });
    await rename(tmp, out);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  return meta;
}

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
  const project = (c: Command) => commonRemote(c).option('--project <name>', 'project', DEFAULT_PROJECT);
  const projectName = (o: ProjectOption) => o.project ?? DEFAULT_PROJECT;

  project(artifact.command('put <file>').description('store a file encrypted; prints the artifact id'))
    .option('--name <name>', 'store under this name as its next version')
    .option('--media-type <type>', 'media type', 'application/octet-stream')
    .option('--key <key>', 'key id or alias (default alias/attest-default)')
    .option('--retain-until <date>', 'retention date (ISO-8601); deletion is refused before it')
    .action(async (file: string, options: ProjectOption & { name?: string; mediaType: string; key?: string; retainUntil?: string }) => {
      if (!existsSync(file) || !statSync(file).isFile()) throw new AppError('INVALID_INPUT', { message: `No such file: ${file}` });
      const result = await embeddedOrRemote(
        ctx,
        options,
        async (app, actor) =>
          app.artifacts.putFile(actor, file, {
            projectId: await projectIdByName(app, projectName(options)),
            mediaType: options.mediaType,
            ...(options.name ? { name: options.name } : {}),
            ...(options.key ? { key: options.key } : {}),
            ...(options.retainUntil ? { retentionUntil: options.retainUntil } : {}),
            auditDetails: { source: 'cli-file' },
          }),
        (c) =>
          c.json<ArtifactMetadata & { deduplicated: boolean }>('POST', `/v1/projects/${projectName(options)}/artifacts`, {
            body: Readable.toWeb(createReadStream(file)) as unknown as NonNullable<RequestInit['body']>,
            contentType: 'application/octet-stream',
            query: { name: options.name, mediaType: options.mediaType, key: options.key, retainUntil: options.retainUntil },
          }),
      );
      if (options.json) printJson(ctx.io, result);
      else ctx.io.out(result.artifactId);
    });

  project(artifact.command('get <ref>').description('decrypt and verify an artifact into a file (ref: id, sha256:HEX or name[@version])'))
    .requiredOption('--out <file>', 'where to write the bytes')
    .action(async (ref: string, options: ProjectOption & { out: string }) => {
      const meta = await embeddedOrRemote(
        ctx,
        options,
        async (app, actor) => {
          const projectId = await projectIdByName(app, projectName(options));
          return app.artifacts.getToFile(actor, (await (await import('../../references/index.js')).resolveReference(app, projectId, ref)).artifactId, options.out, projectId);
        },
        (c) => download(c, projectName(options), ref, options.out),
      );
      if (options.json) printJson(ctx.io, meta);
      else ctx.io.out(`${meta.artifactId} → ${options.out} (${meta.sizeBytes} bytes, sha256 ${meta.sha256} verified)`);
    });

  project(artifact.command('list').description('list artifacts'))
    .option('--all', 'include deleted artifacts')
    .action(async (options: ProjectOption & { all?: boolean }) => {
      const rows = await embeddedOrRemote(
        ctx,
        options,
        async (app) => app.artifacts.list({ projectId: await projectIdByName(app, projectName(options)), includeDeleted: options.all === true }),
        (c) => c.json<ArtifactMetadata[]>('GET', `/v1/projects/${projectName(options)}/artifacts`, { query: { all: options.all === true } }),
      );
      if (options.json) printJson(ctx.io, rows);
      else printTable(ctx.io, rows, COLUMNS);
    });

  project(artifact.command('describe <ref>').description('show an artifact\'s metadata')).action(async (ref: string, options: ProjectOption) => {
    show(ctx, options, await embeddedOrRemote(ctx, options, async (app) => {
      const projectId = await projectIdByName(app, projectName(options));
      return (await (await import('../../references/index.js')).resolveReference(app, projectId, ref)).artifact;
    }, (c) => c.json<ArtifactMetadata>('GET', `/v1/projects/${projectName(options)}/artifacts/${seg(ref)}`)));
  });

  common(artifact.command('versions <name>').description('list the versions of a named object (embedded home)'))
    .option('--project <name>', 'project', DEFAULT_PROJECT)
    .action(async (name: string, options: ProjectOption) => {
    const rows = await ctx.withApp(options, async (app) => app.artifacts.versions(await projectIdByName(app, options.project ?? DEFAULT_PROJECT), name));
    if (options.json) printJson(ctx.io, rows);
    else printTable(ctx.io, rows, COLUMNS);
  });

  project(artifact.command('retain <ref>').description('set or extend the retention date (it can never be shortened)'))
    .requiredOption('--until <date>', 'ISO-8601 date')
    .action(async (ref: string, options: ProjectOption & { until: string }) => {
      show(ctx, options, await embeddedOrRemote(ctx, options, async (app, actor) => app.artifacts.setRetention(actor, ref, options.until, await projectIdByName(app, projectName(options))), (c) => c.json<ArtifactMetadata>('POST', `/v1/projects/${projectName(options)}/artifacts/${seg(ref)}/retention`, { json: { until: options.until } })));
    });

  project(artifact.command('hold <ref>').description('place a legal hold (blocks deletion until released)')).action(async (ref: string, options: ProjectOption) => {
    show(ctx, options, await embeddedOrRemote(ctx, options, async (app, actor) => app.artifacts.setLegalHold(actor, ref, true, await projectIdByName(app, projectName(options))), (c) => c.json<ArtifactMetadata>('POST', `/v1/projects/${projectName(options)}/artifacts/${seg(ref)}/hold`)));
  });

  project(artifact.command('release <ref>').description('release a legal hold')).action(async (ref: string, options: ProjectOption) => {
    show(ctx, options, await embeddedOrRemote(ctx, options, async (app, actor) => app.artifacts.setLegalHold(actor, ref, false, await projectIdByName(app, projectName(options))), (c) => c.json<ArtifactMetadata>('DELETE', `/v1/projects/${projectName(options)}/artifacts/${seg(ref)}/hold`)));
  });

  project(artifact.command('delete <ref>').description('delete an artifact (refused under retention or legal hold)')).action(async (ref: string, options: ProjectOption) => {
    show(ctx, options, await embeddedOrRemote(ctx, options, async (app, actor) => app.artifacts.delete(actor, ref, await projectIdByName(app, projectName(options))), (c) => c.json<ArtifactMetadata>('DELETE', `/v1/projects/${projectName(options)}/artifacts/${seg(ref)}`)));
  });
}

/**
 * @module tracking/http/mlflow-artifact-routes
 * MLflow's artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/…`), which the official client's
 * `MlflowArtifactsRepository` speaks for `mlflow-artifacts:/` URIs: PUT (POST from clients before
 * 1.27) uploads a file, GET downloads it, GET with `?path=` lists a directory. A run's files live
 * under `<experiment>/<run>/artifacts/…`; each file is an encrypted Attest artifact, produced by
 * the run in lineage, uploads and downloads audited (`artifact:Put` / `artifact:Get`). Any body
 * content type is accepted as a byte stream and never buffered whole. Deleting is refused: Attest
 * artifacts are immutable.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { ZodTypeProvider } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../kernel/index.js';
import { checkArtifactPath } from '../mlflow-store.js';
import type { MlflowContext } from './mlflow-context.js';
import { Schemas } from './mlflow-model.js';
import { mlflowSchema } from './mlflow-openapi.js';

const Wildcard = z.object({ '*': z.string().max(2000) });

/** Clients may send the path percent-encoded once more; a stray `%` that decodes to nothing is a bad path, not a server error. */
function decodePathOnce(full: string): string {
  try {
    return decodeURIComponent(full);
  } catch {
    throw new AppError('INVALID_INPUT', { message: `Artifact path ${JSON.stringify(full.slice(0, 200))} is not valid percent-encoding`, details: { field: 'path' } });
  }
}

/** Splits `<experiment>/<run>/artifacts/<path>` into the run id and the path inside its tree. */
export function splitArtifactPath(full: string): { runId: string; path: string } {
  const clean = checkArtifactPath(decodePathOnce(full));
  const [experiment, runId, root, ...rest] = clean.split('/');
  if (!experiment || !runId?.startsWith('tc_') || root !== 'artifacts') {
    throw new AppError('NOT_FOUND', { message: `No run artifact at ${clean}; run artifact paths are <experiment_id>/<run_id>/artifacts/<path>` });
  }
  return { runId, path: rest.join('/') };
}

export async function mlflowArtifactRoutes(app: FastifyInstance, mc: MlflowContext): Promise<void> {
  // Every upload is a byte stream, whatever content type the client guessed from the file name.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { deps } = mc;

  const upload = async (request: FastifyRequest<{ Params: { '*': string } }>) => {
    const { runId, path } = splitArtifactPath(request.params['*']);
    const { ctx, component } = await mc.run(request, { run_id: runId }, 'component:Update');
    await deps.authorize(request, 'artifact:Put', { projectId: component.projectId, type: 'artifact', id: '*' });
    const body = request.body as Readable | undefined;
    const empty = async function* (): AsyncGenerator<Uint8Array> {};
    const stream: AsyncIterable<Uint8Array> = body && typeof body.pipe === 'function' ? body : empty();
    const contentType = request.headers['content-type']?.split(';')[0]?.trim();
    await deps.mlflow.putArtifactFile(ctx.actor, ctx, component.componentId, path, stream, contentType || undefined);
    return {};
  };
  r.put('/artifacts/*', { schema: mlflowSchema('uploadArtifact', { params: Wildcard }, { consumes: 'application/octet-stream' }) }, upload);
  r.post('/artifacts/*', { schema: { ...mlflowSchema('uploadArtifact', { params: Wildcard }, { consumes: 'application/octet-stream' }), operationId: 'uploadArtifactPost', summary: 'MLflow artifact proxy: upload a file of a run (POST, clients before MLflow 1.27)' } }, upload);

  r.get('/artifacts/*', { schema: mlflowSchema('downloadArtifact', { params: Wildcard }, { produces: 'application/octet-stream' }) }, async (request, reply) => {
    const { runId, path } = splitArtifactPath(request.params['*']);
    const { component } = await mc.run(request, { run_id: runId }, 'component:Describe');
    const file = await deps.mlflow.artifactFile(component.componentId, path);
    if (!file) throw new AppError('NOT_FOUND', { message: `No artifact ${path} in run ${runId}` });
    await deps.authorize(request, 'artifact:Get', { projectId: component.projectId, type: 'artifact', id: file.artifactId });
    const { meta, body } = await deps.artifacts.get(deps.actor(request), file.artifactId, component.projectId);
    reply.header('content-type', meta.mediaType || 'application/octet-stream');
    reply.header('content-length', String(meta.sizeBytes));
    // A stream is sent as it is decrypted; the response schema describes its bytes.
    return reply.send(Readable.from(body) as unknown as string);
  });

  r.get('/artifacts', { schema: mlflowSchema('listArtifactsProxy', { querystring: Schemas.artifactsQuery }) }, async (request) => {
    const full = request.query.path ?? '';
    const { runId, path } = splitArtifactPath(full);
    const { component } = await mc.run(request, { run_id: runId }, 'component:Describe');
    const files = await deps.mlflow.listArtifactFiles(component.componentId, path);
    return { files: files.map((f) => ({ path: f.path, is_dir: f.isDir, ...(f.sizeBytes !== undefined ? { file_size: f.sizeBytes } : {}) })) };
  });
}

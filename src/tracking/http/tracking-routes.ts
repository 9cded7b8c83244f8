/**
 * @module tracking/http/tracking-routes
 * Attest's own tracking and lineage REST routes (under `/api/v1/`), which the SDK's
 * {@link HttpTransport} speaks. Each route: zod-validated input → `authorize` → service call
 * (audited there) → JSON. Errors are `{ error: { code, message, details } }` with the HTTP status of
 * the error's kind.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler } from '@fastify/type-provider-zod';
import type { ZodTypeProvider } from '@fastify/type-provider-zod';
import { z } from 'zod';
import { AppError, httpStatusOf, isAppError } from '../../kernel/index.js';
import { ASSOCIATION_TYPES, nodeProject } from '../../lineage/index.js';
import { lineageTableCsv } from '../lineage-table.js';
import { COMPONENT_TYPES, EnvironmentInfoSchema, ParametersSchema, SourceInfoSchema, TagsSchema } from '../tracking-model.js';
import type { TrackingContext } from '../tracking-service.js';
import { SORT_KEYS } from '../tracking-search.js';
import type { TrackingRouteDeps } from './route-deps.js';
import { trackingSchema } from './tracking-openapi.js';

const Id = z.object({ id: z.string().min(1).max(200) });
const SearchBody = z.object({
  filter: z.string().max(10_000).optional(),
  sortBy: z.enum(SORT_KEYS).optional(),
  sortOrder: z.enum(['asc', 'desc']).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(2000).optional(),
});
const LineageQuery = z.object({
  depth: z.coerce.number().int().min(1).max(1000).optional(),
  type: z.union([z.string(), z.array(z.string())]).optional(),
  association: z.union([z.enum(ASSOCIATION_TYPES), z.array(z.enum(ASSOCIATION_TYPES))]).optional(),
  edges: z.enum(['true', 'false']).optional(),
});
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Registers the native tracking routes. */
export async function trackingRoutes(app: FastifyInstance, deps: TrackingRouteDeps): Promise<void> {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((error, _request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issue = error.validation[0];
      return reply.status(400).send({ error: { code: 'INVALID_INPUT', message: `Invalid request: ${issue?.instancePath || '/'} ${issue?.message ?? ''}`.trim(), details: {} } });
    }
    if (isAppError(error)) return reply.status(httpStatusOf(error)).send(error.toJSON());
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return reply.status(status).send({ error: { code: 'INVALID_INPUT', message: (error as Error).message, details: {} } });
    reply.log.error(error);
    return reply.status(500).send({ error: { code: 'INTERNAL', message: 'Internal error', details: {} } });
  });
  // Artifact uploads stream through to the encrypting artifact store; they are never buffered whole.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { tracking } = deps;
  const base = '/api/v1/tracking';

  const inProject = async (request: FastifyRequest, action: string, type: 'experiment' | 'trial' | 'component' | 'artifact'): Promise<TrackingContext> => {
    const projectId = await deps.project(request);
    await deps.authorize(request, action, { projectId, type, id: '*' });
    return { actor: deps.actor(request), projectId };
  };
  /** The write context for an existing record, in the record's own project. */
  const onComponent = async (request: FastifyRequest, id: string, action: string): Promise<TrackingContext> => {
    const c = await tracking.getComponent(id, await deps.visibleProjects(request));
    await deps.authorize(request, action, { projectId: c.projectId, type: 'component', id, createdBy: c.createdBy });
    return { actor: deps.actor(request), projectId: c.projectId };
  };

  r.post(`${base}/experiments/ensure`, { schema: trackingSchema('ensureExperiment', { body: z.object({ name: z.string(), description: z.string().max(5000).optional(), tags: TagsSchema.optional() }) }) }, async (request) => {
    const projectId = await deps.project(request);
    const visible = await deps.visibleProjects(request);
    const found = (await tracking.listExperiments(visible.includes(projectId) ? [projectId] : [])).find((e) => e.name === request.body.name);
    if (found) {
      await deps.authorize(request, 'experiment:Describe', { projectId, type: 'experiment', id: found.experimentId, createdBy: found.createdBy });
      return found;
    }
    const ctx = await inProject(request, 'experiment:Create', 'experiment');
    return tracking.createExperiment(ctx, request.body);
  });
  r.post(`${base}/trials`, { schema: trackingSchema('createTrial', { body: z.object({ experiment: z.string(), name: z.string(), tags: TagsSchema.optional() }) }) }, async (request) =>
    tracking.createTrial(await inProject(request, 'trial:Create', 'trial'), request.body),
  );
  r.post(
    `${base}/components`,
    {
      schema: trackingSchema('startComponent', {
        body: z.object({
          name: z.string(),
          type: z.enum(COMPONENT_TYPES),
          trials: z.array(z.string()).max(100).optional(),
          parameters: ParametersSchema.optional(),
          source: SourceInfoSchema.optional(),
          environment: EnvironmentInfoSchema.optional(),
          tags: TagsSchema.optional(),
        }),
      }),
    },
    async (request) => tracking.startComponent(await inProject(request, 'component:Create', 'component'), request.body),
  );
  r.get(`${base}/components/:id`, { schema: trackingSchema('getComponent', { params: Id }) }, async (request) => {
    await onComponent(request, request.params.id, 'component:Describe');
    return tracking.getComponent(request.params.id, await deps.visibleProjects(request));
  });
  r.post(`${base}/components/:id/trials`, { schema: trackingSchema('addComponentToTrial', { params: Id, body: z.object({ trial: z.string() }) }) }, async (request) => {
    const visible = await deps.visibleProjects(request);
    const trial = await tracking.getTrial(request.body.trial, visible);
    await deps.authorize(request, 'trial:Update', { projectId: trial.projectId, type: 'trial', id: trial.trialId, createdBy: trial.createdBy });
    await tracking.addComponentToTrial({ actor: deps.actor(request), projectId: trial.projectId }, request.params.id, trial.trialId);
    return {};
  });
  r.post(`${base}/components/:id/parameters`, { schema: trackingSchema('logParameters', { params: Id, body: z.object({ parameters: ParametersSchema }) }) }, async (request) => {
    await tracking.logParameters(await onComponent(request, request.params.id, 'component:Update'), request.params.id, request.body.parameters);
    return {};
  });
  for (const direction of ['inputs', 'outputs'] as const) {
    r.post(`${base}/components/:id/${direction}`, { schema: trackingSchema(direction === 'inputs' ? 'logInput' : 'logOutput', { params: Id, body: z.object({ role: z.string(), ref: z.string() }) }) }, async (request) => {
      const ctx = await onComponent(request, request.params.id, 'component:Update');
      return direction === 'inputs' ? tracking.logInput(ctx, request.params.id, request.body) : tracking.logOutput(ctx, request.params.id, request.body);
    });
  }
  r.post(
    `${base}/components/:id/metrics`,
    { bodyLimit: 64 * 1024 * 1024, schema: trackingSchema('logMetrics', { params: Id, body: z.object({ points: z.array(z.object({ name: z.string(), value: z.number(), step: z.number().int().optional(), timestamp: z.number().int().optional() })).max(100_000) }) }) },
    async (request) => tracking.logMetrics(await onComponent(request, request.params.id, 'component:Update'), request.params.id, request.body.points),
  );
  r.post(`${base}/components/:id/end`, { schema: trackingSchema('endComponent', { params: Id, body: z.object({ status: z.enum(['Completed', 'Failed', 'Stopped']), failureReason: z.string().max(2000).optional() }) }) }, async (request) => {
    const ctx = await onComponent(request, request.params.id, 'component:Complete');
    return tracking.endComponent(ctx, request.params.id, request.body.status, request.body.failureReason !== undefined ? { failureReason: request.body.failureReason } : {});
  });
  r.post(`${base}/components/:id/notes`, { schema: trackingSchema('addNote', { params: Id, body: z.object({ text: z.string() }) }) }, async (request) => {
    await tracking.addNote(await onComponent(request, request.params.id, 'component:Update'), request.params.id, request.body.text);
    return {};
  });
  r.post(`${base}/tags/:id`, { schema: trackingSchema('setTags', { params: Id, body: z.object({ tags: TagsSchema }) }) }, async (request) => {
    const id = request.params.id;
    const visible = await deps.visibleProjects(request);
    const owner = id.startsWith('tc_')
      ? await tracking.getComponent(id, visible)
      : id.startsWith('tr_')
        ? await tracking.getTrial(id, visible)
        : await tracking.getExperiment(id, visible);
    const type = id.startsWith('tc_') ? 'component' : id.startsWith('tr_') ? 'trial' : 'experiment';
    await deps.authorize(request, `${type}:Update`, { projectId: owner.projectId, type, id, createdBy: owner.createdBy });
    await tracking.setTags({ actor: deps.actor(request), projectId: owner.projectId }, id, request.body.tags);
    return {};
  });
  r.post(
    `${base}/artifacts`,
    { schema: trackingSchema('uploadTrackingArtifact', { querystring: z.object({ name: z.string().max(200).optional(), mediaType: z.string().max(200).optional() }) }, { consumes: 'application/octet-stream' }) },
    async (request) => {
      const ctx = await inProject(request, 'artifact:Put', 'artifact');
      if (!request.body || typeof (request.body as Readable).pipe !== 'function') throw new AppError('INVALID_INPUT', { message: 'Send the artifact bytes as application/octet-stream' });
      const length = Number(request.headers['content-length']);
      const put = await deps.artifacts.put(ctx.actor, request.body as Readable, {
        projectId: ctx.projectId,
        ...(Number.isFinite(length) ? { sizeHint: length } : {}),
        ...(request.query.name ? { name: request.query.name } : {}),
        ...(request.query.mediaType ? { mediaType: request.query.mediaType } : {}),
        auditDetails: { source: 'tracker-http' },
      });
      return { artifactId: put.artifactId, sha256: put.sha256, mediaType: put.mediaType, ...(put.name !== undefined ? { name: put.name, version: put.version } : {}) };
    },
  );
  const searchAuthorized = async (request: FastifyRequest, type: 'trial' | 'component') => {
    const visible = await deps.visibleProjects(request);
    for (const projectId of visible) await deps.authorize(request, `${type}:List`, { projectId, type, id: '*' });
    return visible;
  };
  r.post(`${base}/trials/search`, { schema: trackingSchema('searchTrials', { body: SearchBody }) }, async (request) => tracking.searchTrials({ ...request.body, visibleProjects: await searchAuthorized(request, 'trial') }));
  r.post(`${base}/components/search`, { schema: trackingSchema('searchComponents', { body: SearchBody }) }, async (request) =>
    tracking.searchComponents({ ...request.body, visibleProjects: await searchAuthorized(request, 'component') }),
  );
  r.get(`${base}/experiments/:id/table`, { schema: trackingSchema('lineageTable', { params: Id, querystring: z.object({ format: z.enum(['json', 'csv']).optional() }) }, { produces: ['application/json', 'text/csv'] }) }, async (request, reply) => {
    const visible = await deps.visibleProjects(request);
    const e = await tracking.getExperiment(request.params.id, visible);
    await deps.authorize(request, 'experiment:Describe', { projectId: e.projectId, type: 'experiment', id: e.experimentId, createdBy: e.createdBy });
    const { rows } = await tracking.lineageTable(e.experimentId, visible);
    if (request.query.format === 'csv') return reply.type('text/csv; charset=utf-8').send(lineageTableCsv(rows));
    return { experiment: e, rows };
  });
  r.post(`${base}/trials/compare`, { schema: trackingSchema('compareTrials', { body: z.object({ trials: z.array(z.string()).min(2).max(50), all: z.boolean().optional() }) }) }, async (request) => {
    const visible = await searchAuthorized(request, 'trial');
    return tracking.compareTrials(request.body.trials, visible, request.body.all !== true);
  });
  for (const direction of ['upstream', 'downstream'] as const) {
    r.get(`/api/v1/lineage/:id/${direction}`, { schema: trackingSchema(direction === 'upstream' ? 'lineageUpstream' : 'lineageDownstream', { params: Id, querystring: LineageQuery }) }, async (request) => {
      const visible = await deps.visibleProjects(request);
      const project = await nodeProject(tracking.db, request.params.id);
      if (project === undefined || !visible.includes(project)) throw new AppError('NOT_FOUND', { message: `No lineage node ${request.params.id}` });
      await deps.authorize(request, 'lineage:Read', { projectId: project, type: 'lineage', id: request.params.id });
      const q = request.query;
      const query = {
        visibleProjects: visible,
        ...(q.depth !== undefined ? { depth: q.depth } : {}),
        ...(q.type ? { types: list(q.type).flatMap((t) => t.split(',')) } : {}),
        ...(q.association ? { associations: list(q.association) } : {}),
        includeEdges: q.edges === 'true',
      };
      return direction === 'upstream' ? deps.lineage.upstream(request.params.id, query) : deps.lineage.downstream(request.params.id, query);
    });
  }
}

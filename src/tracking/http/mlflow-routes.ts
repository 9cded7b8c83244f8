/**
 * @module tracking/http/mlflow-routes
 * The MLflow-compatible tracking API (REST API 2.0, `/api/2.0/mlflow/…`): experiments create / get /
 * get-by-name / search (and the older list), runs create / get / update / search, log-metric,
 * log-parameter (alias log-param), set-tag, log-batch, and metrics get-history. A data scientist's
 * existing MLflow logging code points at Attest and gains authentication, policies, projects,
 * audit and lineage. Errors use MLflow's body shape `{ error_code, message }`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, validatorCompiler } from '@fastify/type-provider-zod';
import type { ZodTypeProvider } from '@fastify/type-provider-zod';
import { AppError, httpStatusOf, isAppError, newId } from '../../kernel/index.js';
import type { FilterClause } from '../search-filter.js';
import { parseFilter } from '../search-filter.js';
import type { ComponentType, TrialComponent } from '../tracking-model.js';
import { COMPONENT_TYPES } from '../tracking-model.js';
import type { TrackingContext } from '../tracking-service.js';
import type { SortKey } from '../tracking-search.js';
import { FROM_MLFLOW_STATUS, Schemas, toMlflowExperiment, toRun, toRunInfo } from './mlflow-model.js';
import type { TrackingRouteDeps } from './route-deps.js';

const MLFLOW_CODES: Readonly<Record<string, string>> = {
  not_found: 'RESOURCE_DOES_NOT_EXIST',
  invalid_input: 'INVALID_PARAMETER_VALUE',
  conflict: 'RESOURCE_ALREADY_EXISTS',
  forbidden: 'PERMISSION_DENIED',
  unauthenticated: 'UNAUTHENTICATED',
  precondition: 'INVALID_STATE',
  integrity: 'INTERNAL_ERROR',
  unavailable: 'TEMPORARILY_UNAVAILABLE',
  internal: 'INTERNAL_ERROR',
};

/** The tag MLflow clients use for the run name, and ours for the component type. */
const RUN_NAME_TAG = 'mlflow.runName';
/** Experiment pages are offsets into one query; beyond this a token cannot have come from us. */
const MAX_EXPERIMENT_OFFSET = 10_000_000;
const TYPE_TAG = 'attest.componentType';

function mlflowError(reply: FastifyReply, error: unknown): FastifyReply {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issue = error.validation[0];
    return reply.status(400).send({ error_code: 'INVALID_PARAMETER_VALUE', message: `Invalid request: ${issue?.instancePath || '/'} ${issue?.message ?? ''}`.trim() });
  }
  if (!isAppError(error)) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return reply.status(status).send({ error_code: 'BAD_REQUEST', message: (error as Error).message });
    reply.log.error(error);
    return reply.status(500).send({ error_code: 'INTERNAL_ERROR', message: 'Internal error' });
  }
  const code = error.code === 'COMPONENT_COMPLETED' ? 'INVALID_STATE' : (MLFLOW_CODES[error.kind] ?? 'INTERNAL_ERROR');
  const status = error.code === 'COMPONENT_COMPLETED' ? 400 : error.kind === 'conflict' ? 400 : httpStatusOf(error);
  return reply.status(status).send({ error_code: code, message: error.message, attest_code: error.code });
}

/** MLflow run filters use `params.`, `attributes.status = 'FINISHED'`, `tags.mlflow.runName`. */
function runClauses(filter: string | undefined): FilterClause[] {
  return parseFilter(filter ?? '').map((c) => {
    if (c.field.kind === 'attribute' && c.field.name === 'status') {
      const status = FROM_MLFLOW_STATUS[String(c.value).toUpperCase()];
      if (!status) throw new AppError('INVALID_INPUT', { message: `Unknown run status ${String(c.value)}` });
      return { ...c, value: status };
    }
    if (c.field.kind === 'tag' && c.field.name === RUN_NAME_TAG) return { ...c, field: { kind: 'attribute', name: 'name' } };
    return c;
  });
}

function runOrder(orderBy: readonly string[] | undefined): { sortBy: SortKey; sortOrder: 'asc' | 'desc' } {
  const first = orderBy?.[0];
  if (!first) return { sortBy: 'startTime', sortOrder: 'desc' };
  const m = /^\s*(?:attributes\.)?`?(start_time|end_time|run_name|created|creation_time)`?\s*(ASC|DESC)?\s*$/i.exec(first);
  if (!m) throw new AppError('INVALID_INPUT', { message: `Cannot order runs by "${first}"; use attributes.start_time, end_time or run_name` });
  const key = m[1]!.toLowerCase();
  const sortBy: SortKey = key === 'end_time' ? 'endTime' : key === 'run_name' ? 'name' : key === 'start_time' ? 'startTime' : 'createdAt';
  return { sortBy, sortOrder: (m[2] ?? 'ASC').toLowerCase() as 'asc' | 'desc' };
}

/** Registers the MLflow-compatible routes; mount behind the server's bearer-token authentication. */
export async function mlflowRoutes(app: FastifyInstance, deps: TrackingRouteDeps): Promise<void> {
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler((error, _request, reply) => mlflowError(reply, error));
  const r = app.withTypeProvider<ZodTypeProvider>();
  const base = '/api/2.0/mlflow';
  const { tracking } = deps;

  /** The run (component) visible to the caller, its experiment, and the write context in its project. */
  const run = async (request: FastifyRequest, body: { run_id?: string | undefined; run_uuid?: string | undefined }, action: string) => {
    const id = body.run_id ?? body.run_uuid;
    if (!id) throw new AppError('INVALID_INPUT', { message: 'run_id is required' });
    const visible = await deps.visibleProjects(request);
    if (!id.startsWith('tc_')) throw new AppError('NOT_FOUND', { message: `No run ${id}` });
    const component = await tracking.getComponent(id, visible);
    await deps.authorize(request, action, { projectId: component.projectId, type: 'component', id, createdBy: component.createdBy });
    const trialId = component.trialIds[0];
    const experimentId = trialId ? (await tracking.getTrial(trialId, visible)).experimentId : '';
    const ctx: TrackingContext = { actor: deps.actor(request), projectId: component.projectId };
    return { component, experimentId, ctx, visible };
  };
  const experiment = async (request: FastifyRequest, ref: string, action: string) => {
    const e = await tracking.getExperiment(ref, await deps.visibleProjects(request));
    await deps.authorize(request, action, { projectId: e.projectId, type: 'experiment', id: e.experimentId, createdBy: e.createdBy });
    return e;
  };

  r.post(`${base}/experiments/create`, { schema: { body: Schemas.createExperiment } }, async (request) => {
    const projectId = await deps.project(request);
    await deps.authorize(request, 'experiment:Create', { projectId, type: 'experiment', id: '*' });
    const tags = Object.fromEntries((request.body.tags ?? []).map((t) => [t.key, t.value]));
    const e = await tracking.createExperiment({ actor: deps.actor(request), projectId }, { name: request.body.name, tags });
    return { experiment_id: e.experimentId };
  });
  r.get(`${base}/experiments/get`, { schema: { querystring: Schemas.experimentId } }, async (request) => ({
    experiment: toMlflowExperiment(await experiment(request, request.query.experiment_id, 'experiment:Describe')),
  }));
  r.get(`${base}/experiments/get-by-name`, { schema: { querystring: Schemas.experimentName } }, async (request) => {
    if (request.query.experiment_name.startsWith('exp_')) throw new AppError('NOT_FOUND', { message: `No experiment named ${request.query.experiment_name}` });
    return { experiment: toMlflowExperiment(await experiment(request, request.query.experiment_name, 'experiment:Describe')) };
  });
  const searchExperiments = async (request: FastifyRequest, body: { max_results?: number | undefined; page_token?: string | undefined; filter?: string | undefined }) => {
    const visible = await deps.visibleProjects(request);
    for (const projectId of visible) await deps.authorize(request, 'experiment:List', { projectId, type: 'experiment', id: '*' });
    let nameFilter: { nameEquals: string } | { nameLike: string } | undefined;
    for (const c of parseFilter(body.filter ?? '')) {
      if (c.field.kind !== 'attribute' || c.field.name !== 'name' || (c.op !== '=' && c.op !== 'LIKE')) throw new AppError('INVALID_INPUT', { message: 'Experiments can be filtered by name = or name LIKE' });
      nameFilter = c.op === '=' ? { nameEquals: String(c.value) } : { nameLike: String(c.value) };
    }
    const limit = body.max_results ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > 50_000) throw new AppError('INVALID_INPUT', { message: 'max_results must be from 1 to 50000' });
    const offset = body.page_token ? Number(Buffer.from(body.page_token, 'base64url').toString()) : 0;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > MAX_EXPERIMENT_OFFSET) throw new AppError('INVALID_INPUT', { message: 'Invalid page_token; pass the next_page_token of the previous page unchanged' });
    const all = await tracking.listExperiments(visible, { ...nameFilter, limit: offset + limit + 1 });
    const page = all.slice(offset, offset + limit);
    return { experiments: page.map(toMlflowExperiment), ...(all.length > offset + limit ? { next_page_token: Buffer.from(String(offset + limit)).toString('base64url') } : {}) };
  };
  r.post(`${base}/experiments/search`, { schema: { body: Schemas.searchExperiments } }, (request) => searchExperiments(request, request.body));
  r.get(`${base}/experiments/search`, { schema: { querystring: Schemas.searchExperiments } }, (request) => searchExperiments(request, request.query));
  r.get(`${base}/experiments/list`, { schema: { querystring: Schemas.searchExperiments } }, (request) => searchExperiments(request, request.query));

  r.post(`${base}/runs/create`, { schema: { body: Schemas.createRun } }, async (request) => {
    const e = await tracking.getExperiment(request.body.experiment_id, await deps.visibleProjects(request));
    for (const [action, type] of [['trial:Create', 'trial'], ['component:Create', 'component']] as const) await deps.authorize(request, action, { projectId: e.projectId, type, id: '*' });
    const ctx: TrackingContext = { actor: deps.actor(request), projectId: e.projectId };
    const tags = Object.fromEntries((request.body.tags ?? []).map((t) => [t.key, t.value]));
    const name = (request.body.run_name ?? tags[RUN_NAME_TAG] ?? `run-${newId('r').slice(2, 10)}`).slice(0, 100);
    delete tags[RUN_NAME_TAG];
    const type = (COMPONENT_TYPES as readonly string[]).includes(tags[TYPE_TAG] ?? '') ? (tags[TYPE_TAG] as ComponentType) : 'training';
    const existing = await tracking.listTrials(e.experimentId, [e.projectId]);
    const trialName = existing.some((t) => t.name === name) ? `${name}-${newId('r').slice(2, 8)}` : name;
    const trial = await tracking.createTrial(ctx, { experiment: e.experimentId, name: trialName });
    const component = await tracking.startComponent(ctx, {
      name,
      type,
      trials: [trial.trialId],
      tags,
      ...(request.body.start_time !== undefined ? { startTime: new Date(request.body.start_time).toISOString() } : {}),
    });
    return { run: toRun(component, e.experimentId) };
  });
  r.get(`${base}/runs/get`, { schema: { querystring: Schemas.getRun } }, async (request) => {
    const { component, experimentId } = await run(request, request.query, 'component:Describe');
    return { run: toRun(component, experimentId) };
  });
  r.post(`${base}/runs/update`, { schema: { body: Schemas.updateRun } }, async (request) => {
    const status = request.body.status === undefined ? undefined : FROM_MLFLOW_STATUS[request.body.status];
    if (request.body.status !== undefined && !status) throw new AppError('INVALID_INPUT', { message: `Unknown run status ${request.body.status}` });
    const ending = status !== undefined && status !== 'InProgress';
    const { component, experimentId, ctx } = await run(request, request.body, ending ? 'component:Complete' : 'component:Update');
    let updated: TrialComponent = component;
    if (ending && component.status !== status) {
      const end = request.body.end_time !== undefined ? new Date(request.body.end_time).toISOString() : undefined;
      updated = await tracking.endComponent(ctx, component.componentId, status, { ...(end ? { endTime: end } : {}), ...(status === 'Failed' ? { failureReason: 'reported FAILED by the MLflow client' } : {}) });
    }
    return { run_info: toRunInfo(updated, experimentId) };
  });
  r.post(`${base}/runs/search`, { schema: { body: Schemas.searchRuns } }, async (request) => {
    const visible = await deps.visibleProjects(request);
    for (const projectId of visible) await deps.authorize(request, 'component:List', { projectId, type: 'component', id: '*' });
    const page = await tracking.searchComponents({
      filter: runClauses(request.body.filter),
      ...(request.body.experiment_ids ? { experimentIds: request.body.experiment_ids } : {}),
      ...runOrder(request.body.order_by),
      limit: Math.min(request.body.max_results ?? 1000, 1000),
      ...(request.body.page_token ? { cursor: request.body.page_token } : {}),
      visibleProjects: visible,
    });
    const trialIds = [...new Set(page.items.flatMap((c) => c.trialIds.slice(0, 1)))];
    const experimentOf = new Map<string, string>();
    for (const t of trialIds) experimentOf.set(t, (await tracking.getTrial(t, visible)).experimentId);
    return { runs: page.items.map((c) => toRun(c, experimentOf.get(c.trialIds[0] ?? '') ?? '')), ...(page.nextCursor ? { next_page_token: page.nextCursor } : {}) };
  });
  r.post(`${base}/runs/log-metric`, { schema: { body: Schemas.logMetric } }, async (request) => {
    const { ctx, component } = await run(request, request.body, 'component:Update');
    const b = request.body;
    await tracking.logMetrics(ctx, component.componentId, [{ name: b.key, value: b.value, step: b.step ?? 0, ...(b.timestamp !== undefined ? { timestamp: b.timestamp } : {}) }]);
    return {};
  });
  const logParam = async (request: FastifyRequest, body: { run_id?: string | undefined; run_uuid?: string | undefined; key: string; value: string }) => {
    const { ctx, component } = await run(request, body, 'component:Update');
    await tracking.logParameters(ctx, component.componentId, { [body.key]: body.value });
    return {};
  };
  r.post(`${base}/runs/log-parameter`, { schema: { body: Schemas.logParam } }, (request) => logParam(request, request.body));
  r.post(`${base}/runs/log-param`, { schema: { body: Schemas.logParam } }, (request) => logParam(request, request.body));
  r.post(`${base}/runs/set-tag`, { schema: { body: Schemas.setTag } }, async (request) => {
    const { ctx, component } = await run(request, request.body, 'component:Update');
    await tracking.setTags(ctx, component.componentId, { [request.body.key]: request.body.value });
    return {};
  });
  r.post(`${base}/runs/log-batch`, { schema: { body: Schemas.logBatch } }, async (request) => {
    const { ctx, component } = await run(request, request.body, 'component:Update');
    const b = request.body;
    const id = component.componentId;
    if (b.params && b.params.length > 0) await tracking.logParameters(ctx, id, Object.fromEntries(b.params.map((p) => [p.key, p.value])));
    if (b.metrics && b.metrics.length > 0) {
      await tracking.logMetrics(ctx, id, b.metrics.map((m) => ({ name: m.key, value: m.value, step: m.step ?? 0, ...(m.timestamp !== undefined ? { timestamp: m.timestamp } : {}) })));
    }
    if (b.tags && b.tags.length > 0) await tracking.setTags(ctx, id, Object.fromEntries(b.tags.map((t) => [t.key, t.value])));
    return {};
  });
  r.get(`${base}/metrics/get-history`, { schema: { querystring: Schemas.getHistory } }, async (request) => {
    const { component, visible } = await run(request, request.query, 'component:Describe');
    const points = await tracking.metricHistory(component.componentId, request.query.metric_key, visible);
    return { metrics: points.map((p) => ({ key: p.name, value: p.value, timestamp: p.timestamp, step: p.step })) };
  });
}

/**
 * @module tracking/http/mlflow-run-routes
 * MLflow's run endpoints: create, get, update (rename, end), delete, restore, search, log-metric,
 * log-parameter, set-tag, delete-tag, log-batch, log-model, log-inputs, metrics get-history and
 * artifacts list. Semantics follow MLflow where Attest's own API differs: a logged parameter cannot
 * change, NaN and ±Infinity metrics are stored, `run_view_type` selects active or deleted runs.
 * A finished run stays frozen (Attest's record of it is immutable): ending it again with another
 * status, or logging to it, is MLflow's INVALID_STATE.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from '@fastify/type-provider-zod';
import { AppError, newId } from '../../kernel/index.js';
import type { FilterClause } from '../search-filter.js';
import { parseFilter } from '../search-filter.js';
import type { OrderKey } from '../tracking-order.js';
import type { ComponentType, TrialComponent } from '../tracking-model.js';
import { COMPONENT_TYPES } from '../tracking-model.js';
import type { SortKey } from '../tracking-search.js';
import type { TrackingContext } from '../tracking-service.js';
import type { MlflowContext } from './mlflow-context.js';
import { encodeOffset, viewType } from './mlflow-experiment-routes.js';
import { FROM_MLFLOW_STATUS, MLFLOW_STATUS, Schemas, protoNumber, runArtifactUri, toRun, toRunInfo } from './mlflow-model.js';
import { mlflowSchema } from './mlflow-openapi.js';

/** The tag MLflow clients use for the run name, and ours for the component type. */
const RUN_NAME_TAG = 'mlflow.runName';
const TYPE_TAG = 'attest.componentType';

/** MLflow run filters use `params.`, `attributes.status = 'FINISHED'`, `tags.mlflow.runName`. */
export function runClauses(filter: string | undefined): FilterClause[] {
  const status = (v: string | number): string => {
    const s = FROM_MLFLOW_STATUS[String(v).toUpperCase()];
    if (!s) throw new AppError('INVALID_INPUT', { message: `Unknown run status ${String(v)}` });
    return s;
  };
  return parseFilter(filter ?? '').map((c) => {
    if (c.field.kind === 'attribute' && c.field.name === 'status') {
      return { ...c, value: Array.isArray(c.value) ? (c.value as readonly (string | number)[]).map(status) : status(c.value as string | number) };
    }
    if (c.field.kind === 'tag' && c.field.name === RUN_NAME_TAG) return { ...c, field: { kind: 'attribute', name: 'name' } };
    return c;
  });
}

type RunOrder = { kind: 'native'; sortBy: SortKey; sortOrder: 'asc' | 'desc' } | { kind: 'key'; key: OrderKey };

/** MLflow `order_by`: attributes (start_time, end_time, run_name, created), `metrics.X`, `params.X`; the first key decides. */
export function runOrder(orderBy: readonly string[] | undefined): RunOrder {
  const first = orderBy?.[0];
  if (!first) return { kind: 'native', sortBy: 'startTime', sortOrder: 'desc' };
  const m = /^\s*(?:(attributes|attribute|attr|metrics|metric|params|param|parameters)\.)?(`[^`]+`|"[^"]+"|[\w.:/ -]+?)\s*(ASC|DESC)?\s*$/i.exec(first);
  if (!m) throw new AppError('INVALID_INPUT', { message: `Invalid order_by "${first}"` });
  const entity = (m[1] ?? 'attributes').toLowerCase();
  const name = m[2]!.replace(/^[`"]|[`"]$/g, '');
  const desc = (m[3] ?? 'ASC').toUpperCase() === 'DESC';
  if (entity.startsWith('metric')) return { kind: 'key', key: { kind: 'metric', name, desc } };
  if (entity.startsWith('param')) return { kind: 'key', key: { kind: 'parameter', name, desc } };
  const attr = name.toLowerCase();
  const sortBy: SortKey | undefined = { start_time: 'startTime', end_time: 'endTime', run_name: 'name', created: 'createdAt', creation_time: 'createdAt' }[attr] as SortKey | undefined;
  if (!sortBy) throw new AppError('INVALID_INPUT', { message: `Cannot order runs by attribute "${name}"; use start_time, end_time, run_name, metrics.<key> or params.<key>` });
  return { kind: 'native', sortBy, sortOrder: desc ? 'desc' : 'asc' };
}

const LIFECYCLE = { ACTIVE_ONLY: 'active', DELETED_ONLY: 'deleted', ALL: 'all' } as const;

export async function mlflowRunRoutes(app: FastifyInstance, mc: MlflowContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { deps } = mc;
  const { tracking } = deps;
  const fullRun = async (c: TrialComponent, experimentId: string) => toRun(c, experimentId, await deps.mlflow.datasetInputs(c.componentId));

  r.post('/runs/create', { schema: mlflowSchema('createRun', { body: Schemas.createRun }) }, async (request) => {
    const e = await mc.experiment(request, request.body.experiment_id, 'experiment:Describe', { createDefault: true });
    if (e.lifecycleStage === 'deleted') throw new AppError('INVALID_INPUT', { message: `The experiment ${e.name} (${e.experimentId}) is deleted; restore it to create runs in it` });
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
    return { run: await fullRun(component, e.experimentId) };
  });
  r.get('/runs/get', { schema: mlflowSchema('getRun', { querystring: Schemas.getRun }) }, async (request) => {
    const { component, experimentId } = await mc.run(request, request.query, 'component:Describe');
    return { run: await fullRun(component, experimentId) };
  });
  r.post('/runs/update', { schema: mlflowSchema('updateRun', { body: Schemas.updateRun }) }, async (request) => {
    const b = request.body;
    const status = b.status === undefined ? undefined : FROM_MLFLOW_STATUS[b.status];
    if (b.status !== undefined && !status) throw new AppError('INVALID_INPUT', { message: `Unknown run status ${b.status}` });
    const ending = status !== undefined && status !== 'InProgress';
    const { component, experimentId, ctx, visible } = await mc.run(request, b, ending ? 'component:Complete' : 'component:Update');
    if (ending && component.status !== 'InProgress' && component.status !== status) {
      throw new AppError('COMPONENT_COMPLETED', { message: `Run ${component.componentId} already ended as ${MLFLOW_STATUS[component.status]}; a finished run's status cannot change to ${b.status}` });
    }
    if (status === 'InProgress' && component.status !== 'InProgress') {
      throw new AppError('COMPONENT_COMPLETED', { message: `Run ${component.componentId} already ended as ${MLFLOW_STATUS[component.status]}; it cannot be set RUNNING again` });
    }
    if (b.run_name !== undefined && b.run_name !== component.name) {
      if (ending) await deps.authorize(request, 'component:Update', { projectId: component.projectId, type: 'component', id: component.componentId, createdBy: component.createdBy });
      await deps.mlflow.renameRun(ctx, component.componentId, b.run_name);
    }
    if (ending && component.status === 'InProgress') {
      const end = b.end_time !== undefined ? new Date(b.end_time).toISOString() : undefined;
      await tracking.endComponent(ctx, component.componentId, status, { ...(end ? { endTime: end } : {}), ...(status === 'Failed' ? { failureReason: 'reported FAILED by the MLflow client' } : {}) });
    }
    return { run_info: toRunInfo(await tracking.getComponent(component.componentId, visible), experimentId) };
  });
  r.post('/runs/delete', { schema: mlflowSchema('deleteRun', { body: Schemas.runOnly }) }, async (request) => {
    const { component, ctx } = await mc.run(request, request.body, 'component:Update');
    await deps.mlflow.setRunStage(ctx, component.componentId, 'deleted');
    return {};
  });
  r.post('/runs/restore', { schema: mlflowSchema('restoreRun', { body: Schemas.runOnly }) }, async (request) => {
    const { component, ctx } = await mc.run(request, request.body, 'component:Update');
    await deps.mlflow.setRunStage(ctx, component.componentId, 'active');
    return {};
  });
  r.post('/runs/search', { schema: mlflowSchema('searchRuns', { body: Schemas.searchRuns }) }, async (request) => {
    const b = request.body;
    const visible = await mc.visible(request);
    for (const projectId of visible) await deps.authorize(request, 'component:List', { projectId, type: 'component', id: '*' });
    const limit = b.max_results ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > 50_000) throw new AppError('INVALID_INPUT', { message: 'max_results must be from 1 to 50000' });
    const base = {
      filter: runClauses(b.filter),
      ...(b.experiment_ids ? { experimentIds: await mc.experimentIds(request, b.experiment_ids) } : {}),
      lifecycle: LIFECYCLE[viewType(b.run_view_type)],
      visibleProjects: visible,
    };
    const order = runOrder(b.order_by);
    let items: TrialComponent[];
    let next: string | undefined;
    if (order.kind === 'key') {
      const offset = b.page_token ? Number(Buffer.from(b.page_token, 'base64url').toString()) : 0;
      if (!Number.isSafeInteger(offset) || offset < 0) throw new AppError('INVALID_INPUT', { message: 'Invalid page_token; pass the next_page_token of the previous page unchanged' });
      const page = await tracking.searchComponentsOrdered(base, order.key, offset, limit);
      items = page.items;
      next = page.total > offset + limit ? encodeOffset(offset + limit) : undefined;
    } else {
      const page = await tracking.searchComponents({ ...base, sortBy: order.sortBy, sortOrder: order.sortOrder, limit: Math.min(limit, 1000), ...(b.page_token ? { cursor: b.page_token } : {}) });
      items = page.items;
      next = page.nextCursor;
    }
    const experimentOf = new Map<string, string>();
    for (const t of new Set(items.flatMap((c) => c.trialIds.slice(0, 1)))) experimentOf.set(t, (await tracking.getTrial(t, visible)).experimentId);
    const runs = [];
    for (const c of items) runs.push(await fullRun(c, experimentOf.get(c.trialIds[0] ?? '') ?? ''));
    return { runs, ...(next ? { next_page_token: next } : {}) };
  });
  r.post('/runs/log-metric', { schema: mlflowSchema('logMetric', { body: Schemas.logMetric }) }, async (request) => {
    const { ctx, component } = await mc.run(request, request.body, 'component:Update');
    const b = request.body;
    await tracking.logMetrics(ctx, component.componentId, [{ name: b.key, value: b.value, step: b.step ?? 0, ...(b.timestamp !== undefined ? { timestamp: b.timestamp } : {}) }], { nonFinite: 'store' });
    return {};
  });
  const logParam = async (request: FastifyRequest, body: { run_id?: string | undefined; run_uuid?: string | undefined; key: string; value: string }) => {
    const { ctx, component } = await mc.run(request, body, 'component:Update');
    await tracking.logParameters(ctx, component.componentId, { [body.key]: body.value }, { refuseChanges: true });
    return {};
  };
  r.post('/runs/log-parameter', { schema: mlflowSchema('logParam', { body: Schemas.logParam }) }, (request) => logParam(request, request.body));
  r.post('/runs/log-param', { schema: mlflowSchema('logParamAlias', { body: Schemas.logParam }) }, (request) => logParam(request, request.body));
  r.post('/runs/set-tag', { schema: mlflowSchema('setTag', { body: Schemas.setTag }) }, async (request) => {
    const { ctx, component } = await mc.run(request, request.body, 'component:Update');
    // The run name travels as a tag too (MlflowClient.set_tag(run_id, "mlflow.runName", …)).
    if (request.body.key === RUN_NAME_TAG) await deps.mlflow.renameRun(ctx, component.componentId, request.body.value);
    else await tracking.setTags(ctx, component.componentId, { [request.body.key]: request.body.value });
    return {};
  });
  r.post('/runs/delete-tag', { schema: mlflowSchema('deleteTag', { body: Schemas.deleteTag }) }, async (request) => {
    const { ctx, component } = await mc.run(request, request.body, 'component:Update');
    await deps.mlflow.deleteRunTag(ctx, component.componentId, request.body.key);
    return {};
  });
  r.post('/runs/log-batch', { schema: mlflowSchema('logBatch', { body: Schemas.logBatch }) }, async (request) => {
    const { ctx, component } = await mc.run(request, request.body, 'component:Update');
    const b = request.body;
    const id = component.componentId;
    if (b.params && b.params.length > 0) {
      const params: Record<string, string> = {};
      for (const p of b.params) {
        // MLflow refuses one batch giving one key two values, like a change across requests.
        if (p.key in params && params[p.key] !== p.value) throw new AppError('INVALID_INPUT', { message: `Duplicate parameter keys have been submitted: ['${p.key}']. Please ensure the request contains only one param value per param key.` });
        params[p.key] = p.value;
      }
      await tracking.logParameters(ctx, id, params, { refuseChanges: true });
    }
    if (b.metrics && b.metrics.length > 0) {
      await tracking.logMetrics(ctx, id, b.metrics.map((m) => ({ name: m.key, value: m.value, step: m.step ?? 0, ...(m.timestamp !== undefined ? { timestamp: m.timestamp } : {}) })), { nonFinite: 'store' });
    }
    if (b.tags && b.tags.length > 0) {
      const tags = Object.fromEntries(b.tags.filter((t) => t.key !== RUN_NAME_TAG).map((t) => [t.key, t.value]));
      const rename = b.tags.find((t) => t.key === RUN_NAME_TAG);
      if (Object.keys(tags).length > 0) await tracking.setTags(ctx, id, tags);
      if (rename) await deps.mlflow.renameRun(ctx, id, rename.value);
    }
    return {};
  });
  r.post('/runs/log-model', { schema: mlflowSchema('logModel', { body: Schemas.logModel }) }, async (request) => {
    const { ctx, component } = await mc.run(request, request.body, 'component:Update');
    await deps.mlflow.recordLoggedModel(ctx, component.componentId, request.body.model_json);
    return {};
  });
  r.post('/runs/log-inputs', { schema: mlflowSchema('logInputs', { body: Schemas.logInputs }) }, async (request) => {
    const { ctx, component } = await mc.run(request, request.body, 'component:Update');
    await deps.mlflow.logDatasetInputs(ctx, component.componentId, request.body.datasets ?? []);
    return {};
  });
  r.get('/metrics/get-history', { schema: mlflowSchema('getMetricHistory', { querystring: Schemas.getHistory }) }, async (request) => {
    const { component, visible } = await mc.run(request, request.query, 'component:Describe');
    const points = await tracking.metricHistory(component.componentId, request.query.metric_key, visible);
    return { metrics: points.map((p) => ({ key: p.name, value: protoNumber(p.value), timestamp: p.timestamp, step: p.step })) };
  });
  r.get('/artifacts/list', { schema: mlflowSchema('listArtifacts', { querystring: Schemas.listArtifacts }) }, async (request) => {
    const { component, experimentId } = await mc.run(request, request.query, 'component:Describe');
    const dir = request.query.path ?? '';
    const files = await deps.mlflow.listArtifactFiles(component.componentId, dir);
    const prefix = dir.replace(/^\/+|\/+$/g, '');
    return {
      root_uri: runArtifactUri(experimentId, component.componentId),
      files: files.map((f) => ({ path: prefix ? `${prefix}/${f.path}` : f.path, is_dir: f.isDir, ...(f.sizeBytes !== undefined ? { file_size: f.sizeBytes } : {}) })),
    };
  });
}

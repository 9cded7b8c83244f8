/**
 * @module tracking/http/mlflow-experiment-routes
 * MLflow's experiment endpoints: create, get, get-by-name, search (POST and GET, and the older
 * list), update (rename), delete, restore and set-experiment-tag. Search honours `view_type`,
 * filters on name (=, !=, LIKE, ILIKE), creation time and tags, and `order_by` on name,
 * creation_time, last_update_time and experiment_id, as MLflow's file and SQL stores do.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from '@fastify/type-provider-zod';
import { AppError } from '../../kernel/index.js';
import { checkLikePattern } from '../../platform/db/index.js';
import type { FilterClause } from '../search-filter.js';
import { parseFilter } from '../search-filter.js';
import type { Experiment } from '../tracking-model.js';
import type { MlflowContext } from './mlflow-context.js';
import { DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME } from './mlflow-context.js';
import { Schemas, toMlflowExperiment } from './mlflow-model.js';
import { mlflowSchema } from './mlflow-openapi.js';

/** Beyond this many experiments a search is refused rather than filtered in memory without bound. */
const MAX_EXPERIMENTS = 50_000;

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export function viewType(value: string | undefined): ViewType {
  const v = (value ?? 'ACTIVE_ONLY').toUpperCase();
  // Clients send the enum by name, or by number in proto2 JSON (1, 2, 3).
  const byNumber: Readonly<Record<string, ViewType>> = { '1': 'ACTIVE_ONLY', '2': 'DELETED_ONLY', '3': 'ALL' };
  const found = byNumber[v] ?? (['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'].includes(v) ? (v as ViewType) : undefined);
  if (!found) throw new AppError('INVALID_INPUT', { message: `Invalid view type ${value}; use ACTIVE_ONLY, DELETED_ONLY or ALL` });
  return found;
}

export function stageMatches(stage: 'active' | 'deleted', view: ViewType): boolean {
  return view === 'ALL' || (view === 'ACTIVE_ONLY' ? stage === 'active' : stage === 'deleted');
}

/** A SQL LIKE pattern as a regular expression (`%`, `_`, `\` escaping the next character). */
export function likeRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) out += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (ch === '%') out += '[\\s\\S]*';
    else if (ch === '_') out += '[\\s\\S]';
    else out += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, caseInsensitive ? 'i' : '');
}

function matchText(actual: string | undefined, clause: FilterClause): boolean {
  const v = clause.value;
  if (Array.isArray(v)) {
    const hit = actual !== undefined && v.map(String).includes(actual);
    return clause.op === 'NOT IN' ? !hit : hit;
  }
  if (actual === undefined) return false;
  const s = String(v);
  switch (clause.op) {
    case '=':
      return actual === s;
    case '!=':
      return actual !== s;
    case 'LIKE':
      return likeRegExp(checkLikePattern(s), false).test(actual);
    case 'ILIKE':
      return likeRegExp(checkLikePattern(s), true).test(actual);
    default:
      throw new AppError('INVALID_INPUT', { message: `${clause.op} does not apply to names and tags` });
  }
}

function matchTime(actualMs: number, clause: FilterClause): boolean {
  const v = clause.value;
  if (Array.isArray(v)) throw new AppError('INVALID_INPUT', { message: `${clause.op} does not apply to times` });
  const t = typeof v === 'number' ? v : Date.parse(String(v));
  switch (clause.op) {
    case '=':
      return actualMs === t;
    case '!=':
      return actualMs !== t;
    case '<':
      return actualMs < t;
    case '<=':
      return actualMs <= t;
    case '>':
      return actualMs > t;
    case '>=':
      return actualMs >= t;
    default:
      throw new AppError('INVALID_INPUT', { message: `${clause.op} does not apply to times` });
  }
}

/** Whether an experiment matches a parsed MLflow experiment filter. */
export function experimentMatches(e: Experiment, clauses: readonly FilterClause[]): boolean {
  return clauses.every((c) => {
    if (c.field.kind === 'attribute' && c.field.name === 'name') return matchText(e.name, c);
    if (c.field.kind === 'attribute' && c.field.name === 'id') return matchText(e.experimentId, c);
    if (c.field.kind === 'attribute' && c.field.name === 'createdAt') return matchTime(Date.parse(e.createdAt), c);
    if (c.field.kind === 'tag') return matchText(e.tags[c.field.name], c);
    throw new AppError('INVALID_INPUT', { message: 'Experiments can be filtered by name, creation_time and tags.<key>' });
  });
}

type ExperimentOrder = { key: 'name' | 'creation_time' | 'last_update_time' | 'experiment_id'; desc: boolean };

function experimentOrder(orderBy: readonly string[] | undefined): ExperimentOrder[] {
  const out: ExperimentOrder[] = [];
  for (const item of orderBy ?? []) {
    const m = /^\s*(?:attributes\.|attribute\.|attr\.)?`?(name|creation_time|last_update_time|experiment_id)`?\s*(ASC|DESC)?\s*$/i.exec(item);
    if (!m) throw new AppError('INVALID_INPUT', { message: `Cannot order experiments by "${item}"; use name, creation_time, last_update_time or experiment_id, with ASC or DESC` });
    out.push({ key: m[1]!.toLowerCase() as ExperimentOrder['key'], desc: (m[2] ?? 'ASC').toUpperCase() === 'DESC' });
  }
  // MLflow's default and tie-breakers: newest first, then id.
  out.push({ key: 'creation_time', desc: true }, { key: 'experiment_id', desc: false });
  return out;
}

function sortKey(e: Experiment, key: ExperimentOrder['key']): string | number {
  if (key === 'name') return e.name;
  if (key === 'experiment_id') return e.experimentId;
  return Date.parse(key === 'creation_time' ? e.createdAt : (e.lastUpdateTime ?? e.createdAt));
}

export function sortExperiments(list: Experiment[], orderBy: readonly string[] | undefined): Experiment[] {
  const order = experimentOrder(orderBy);
  return list.sort((a, b) => {
    for (const o of order) {
      const x = sortKey(a, o.key);
      const y = sortKey(b, o.key);
      if (x !== y) return (x < y ? -1 : 1) * (o.desc ? -1 : 1);
    }
    return 0;
  });
}

function decodeOffset(token: string | undefined): number {
  if (!token) return 0;
  const offset = Number(Buffer.from(token, 'base64url').toString());
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > MAX_EXPERIMENTS) throw new AppError('INVALID_INPUT', { message: 'Invalid page_token; pass the next_page_token of the previous page unchanged' });
  return offset;
}

export const encodeOffset = (offset: number): string => Buffer.from(String(offset)).toString('base64url');

export async function mlflowExperimentRoutes(app: FastifyInstance, mc: MlflowContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { deps } = mc;
  const { tracking } = deps;

  r.post('/experiments/create', { schema: mlflowSchema('createExperiment', { body: Schemas.createExperiment }) }, async (request) => {
    const projectId = await mc.project(request);
    await deps.authorize(request, 'experiment:Create', { projectId, type: 'experiment', id: '*' });
    const tags = Object.fromEntries((request.body.tags ?? []).map((t) => [t.key, t.value]));
    const e = await tracking.createExperiment({ actor: deps.actor(request), projectId }, { name: request.body.name, tags });
    return { experiment_id: e.experimentId };
  });
  r.get('/experiments/get', { schema: mlflowSchema('getExperiment', { querystring: Schemas.experimentId }) }, async (request) => ({
    experiment: toMlflowExperiment(await mc.experiment(request, request.query.experiment_id, 'experiment:Describe')),
  }));
  r.get('/experiments/get-by-name', { schema: mlflowSchema('getExperimentByName', { querystring: Schemas.experimentName }) }, async (request) => {
    const name = request.query.experiment_name;
    if (name.startsWith('exp_')) throw new AppError('NOT_FOUND', { message: `Could not find experiment with name '${name}'` });
    const ref = name === DEFAULT_EXPERIMENT_NAME ? DEFAULT_EXPERIMENT_ID : name;
    return { experiment: toMlflowExperiment(await mc.experiment(request, ref, 'experiment:Describe')) };
  });

  const search = async (request: FastifyRequest, body: { max_results?: number | undefined; page_token?: string | undefined; filter?: string | undefined; order_by?: string[] | undefined; view_type?: string | undefined }) => {
    const visible = await mc.visible(request);
    for (const projectId of visible) await deps.authorize(request, 'experiment:List', { projectId, type: 'experiment', id: '*' });
    const view = viewType(body.view_type);
    const clauses = parseFilter(body.filter ?? '');
    const limit = body.max_results ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > 50_000) throw new AppError('INVALID_INPUT', { message: 'max_results must be from 1 to 50000' });
    const offset = decodeOffset(body.page_token);
    const all = await tracking.listExperiments(visible, { limit: MAX_EXPERIMENTS + 1 });
    if (all.length > MAX_EXPERIMENTS) throw new AppError('INVALID_INPUT', { message: `More than ${MAX_EXPERIMENTS} experiments are visible; search within one project (/projects/{project}/api/2.0/mlflow/…)` });
    const matching = sortExperiments(
      all.filter((e) => stageMatches(e.lifecycleStage, view) && experimentMatches(e, clauses)),
      body.order_by,
    );
    const page = matching.slice(offset, offset + limit);
    return { experiments: page.map(toMlflowExperiment), ...(matching.length > offset + limit ? { next_page_token: encodeOffset(offset + limit) } : {}) };
  };
  r.post('/experiments/search', { schema: mlflowSchema('searchExperiments', { body: Schemas.searchExperiments }) }, (request) => search(request, request.body));
  r.get('/experiments/search', { schema: mlflowSchema('searchExperimentsGet', { querystring: Schemas.searchExperiments }) }, (request) => search(request, request.query));
  r.get('/experiments/list', { schema: mlflowSchema('listExperiments', { querystring: Schemas.searchExperiments }) }, (request) => search(request, request.query));

  r.post('/experiments/update', { schema: mlflowSchema('updateExperiment', { body: Schemas.updateExperiment }) }, async (request) => {
    const e = await mc.experiment(request, request.body.experiment_id, 'experiment:Update');
    if (request.body.new_name !== undefined) await deps.mlflow.renameExperiment({ actor: deps.actor(request), projectId: e.projectId }, e.experimentId, request.body.new_name);
    return {};
  });
  r.post('/experiments/delete', { schema: mlflowSchema('deleteExperiment', { body: Schemas.experimentId }) }, async (request) => {
    const e = await mc.experiment(request, request.body.experiment_id, 'experiment:Delete');
    await deps.mlflow.setExperimentStage({ actor: deps.actor(request), projectId: e.projectId }, e.experimentId, 'deleted');
    return {};
  });
  r.post('/experiments/restore', { schema: mlflowSchema('restoreExperiment', { body: Schemas.experimentId }) }, async (request) => {
    const e = await mc.experiment(request, request.body.experiment_id, 'experiment:Delete');
    await deps.mlflow.setExperimentStage({ actor: deps.actor(request), projectId: e.projectId }, e.experimentId, 'active');
    return {};
  });
  r.post('/experiments/set-experiment-tag', { schema: mlflowSchema('setExperimentTag', { body: Schemas.setExperimentTag }) }, async (request) => {
    const e = await mc.experiment(request, request.body.experiment_id, 'experiment:Update');
    await tracking.setTags({ actor: deps.actor(request), projectId: e.projectId }, e.experimentId, { [request.body.key]: request.body.value });
    return {};
  });
}

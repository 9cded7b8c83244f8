/**
 * @module tracking/tracking-search
 * Search over trials and trial components: parsed filter clauses become indexed semi-joins
 * (`id IN (…)` over parameters, metric summaries, memberships), results are sorted and paged with
 * an opaque keyset cursor, and only `visibleProjects` are ever read.
 */
import type { Expression, SqlBool } from 'kysely';
import { sql } from 'kysely';
import { AppError } from '../kernel/index.js';
import type { Db } from '../platform/db/index.js';
import { checkLikePattern, escapeLike } from '../platform/db/index.js';
import type { FilterClause, FilterOp } from './search-filter.js';
import { parseFilter } from './search-filter.js';
import type { Trial, TrialComponent } from './tracking-model.js';
import { SORT_KEYS } from './tracking-names.js';
import { loadComponents, rowToTrial } from './tracking-rows.js';

export { SORT_KEYS };
export type SearchTarget = 'trials' | 'components';
export type SortKey = (typeof SORT_KEYS)[number];

export interface SearchRequest {
  /** The filter expression (see search-filter) or already parsed clauses; empty for everything. */
  filter?: string | readonly FilterClause[];
  /** Only trials of these experiments (or components in their trials). */
  experimentIds?: readonly string[];
  sortBy?: SortKey;
  sortOrder?: 'asc' | 'desc';
  /** Page size (1 to 1000, default 50). */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  visibleProjects: readonly string[];
  /** Components by MLflow lifecycle stage (soft delete); default `all`. */
  lifecycle?: 'active' | 'deleted' | 'all';
}

export interface SearchPage<T> {
  items: T[];
  nextCursor?: string;
}

const SORT_COLUMNS: Readonly<Record<SearchTarget, Readonly<Record<SortKey, string>>>> = {
  trials: { createdAt: 'created_at', name: 'name', startTime: 'created_at', endTime: 'created_at' },
  components: { createdAt: 'created_at', name: 'name', startTime: 'start_time', endTime: 'end_time' },
};

const ATTRIBUTE_COLUMNS: Readonly<Record<string, string>> = { id: 'id', name: 'name', type: 'type', status: 'status', createdBy: 'created_by', createdAt: 'created_at', startTime: 'start_time', endTime: 'end_time' };

function toTime(value: string | number): string {
  return new Date(typeof value === 'number' ? value : Date.parse(value)).toISOString();
}

function encodeCursor(value: string | null, id: string): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

function decodeCursor(cursor: string): [string | null, string] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed.length === 2 && (typeof parsed[0] === 'string' || parsed[0] === null) && typeof parsed[1] === 'string') return [parsed[0], parsed[1]];
  } catch {
    // fall through to the error below
  }
  throw new AppError('INVALID_INPUT', { message: 'Invalid page cursor; pass the nextCursor of the previous page unchanged' });
}

/**
 * LIKE is case-insensitive on both engines (SQLite's LIKE already is for ASCII; PostgreSQL's is not).
 * The escape character is named so that `\_` means a literal underscore on both engines
 * (PostgreSQL defaults to backslash, SQLite has no escape character unless told).
 */
function compare(column: Expression<unknown> | ReturnType<typeof sql.ref>, op: FilterOp, value: FilterClause['value']) {
  if (Array.isArray(value) || op === 'IN' || op === 'NOT IN') {
    const list = (Array.isArray(value) ? value : [value]) as readonly (string | number)[];
    if (list.length === 0) return sql<SqlBool>`${sql.lit(op === 'NOT IN')}`;
    return sql<SqlBool>`${column} ${sql.raw(op === 'NOT IN' ? 'not in' : 'in')} (${sql.join(list)})`;
  }
  if (op === 'LIKE' || op === 'ILIKE') return sql<SqlBool>`lower(${column}) like lower(${checkLikePattern(String(value))}) escape '\\'`;
  return sql<SqlBool>`${column} ${sql.raw(op === '!=' ? '<>' : op)} ${value}`;
}

/** Component ids matching one clause that concerns the component itself. */
function componentSubquery(db: Db, clause: FilterClause) {
  const k = db.kysely;
  const f = clause.field;
  if (f.kind === 'parameter') {
    const numeric = typeof clause.value === 'number' || (Array.isArray(clause.value) && clause.value.every((v) => typeof v === 'number'));
    return k
      .selectFrom('component_parameters')
      .select('component_id')
      .where('name', '=', f.name)
      .where(compare(sql.ref(numeric ? 'value_num' : 'value_text'), clause.op, clause.value));
  }
  if (f.kind === 'metric') {
    const column = f.aggregate === 'last' ? 'last_value' : f.aggregate === 'max' ? 'max_value' : 'min_value';
    return k.selectFrom('metric_summaries').select('component_id').where('name', '=', f.name).where(compare(sql.ref(column), clause.op, clause.value));
  }
  if (f.kind === 'parent') {
    const q = k.selectFrom('trial_component_members').innerJoin('trials', 'trials.id', 'trial_component_members.trial_id').select('trial_component_members.component_id as component_id');
    if (f.name === 'trialId') return q.where('trials.id', '=', String(clause.value));
    if (f.name === 'trialName') return q.where('trials.name', '=', String(clause.value));
    const e = q.innerJoin('experiments', 'experiments.id', 'trials.experiment_id');
    return f.name === 'experimentId' ? e.where('experiments.id', '=', String(clause.value)) : e.where('experiments.name', '=', String(clause.value));
  }
  throw new AppError('INTERNAL', { message: `No component subquery for ${f.kind}` });
}

function tagPattern(name: string, value: string): string {
  const quote = (s: string) => escapeLike(JSON.stringify(s));
  return `%${quote(name)}:${quote(value)}%`;
}

function clauseExpression(db: Db, target: SearchTarget, clause: FilterClause): Expression<SqlBool> {
  const f = clause.field;
  const table = target === 'trials' ? 'trials' : 'trial_components';
  if (f.kind === 'attribute') {
    if (target === 'trials' && (f.name === 'type' || f.name === 'status' || f.name === 'startTime' || f.name === 'endTime')) {
      throw new AppError('INVALID_INPUT', { message: `Trials have no ${f.name}; filter components instead, or use createdAt` });
    }
    const column = sql.ref(`${table}.${ATTRIBUTE_COLUMNS[f.name]}`);
    const times = ['createdAt', 'startTime', 'endTime'].includes(f.name);
    const one = (v: string | number) => (times ? toTime(v) : String(v));
    const value = Array.isArray(clause.value) ? (clause.value as readonly (string | number)[]).map(one) : one(clause.value as string | number);
    return compare(column, clause.op, value);
  }
  if (f.kind === 'tag') {
    if (clause.op !== '=' && clause.op !== '!=') throw new AppError('INVALID_INPUT', { message: `Searching ${target} by tags supports = and != (${clause.op} applies to experiment tags)` });
    const like = sql<SqlBool>`${sql.ref(`${table}.tags`)} like ${tagPattern(f.name, String(clause.value))} escape '\\'`;
    return clause.op === '=' ? like : sql<SqlBool>`not (${like})`;
  }
  if (target === 'trials') {
    if (f.kind === 'parent') {
      if (f.name === 'trialId' || f.name === 'trialName') throw new AppError('INVALID_INPUT', { message: `Filter trials by name or id with "name", not parents.${f.name}` });
      const e = db.kysely.selectFrom('experiments').select('id');
      const sub = f.name === 'experimentId' ? e.where('id', '=', String(clause.value)) : e.where('name', '=', String(clause.value));
      return clause.op === '=' ? sql<SqlBool>`trials.experiment_id in (${sub})` : sql<SqlBool>`trials.experiment_id not in (${sub})`;
    }
    const members = db.kysely.selectFrom('trial_component_members').select('trial_id').where('component_id', 'in', componentSubquery(db, clause));
    return sql<SqlBool>`trials.id in (${members})`;
  }
  const sub = componentSubquery(db, clause);
  return f.kind === 'parent' && clause.op === '!=' ? sql<SqlBool>`trial_components.id not in (${sub})` : sql<SqlBool>`trial_components.id in (${sub})`;
}

function pageArgs(request: SearchRequest): { limit: number; desc: boolean; sortBy: SortKey } {
  const limit = request.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new AppError('INVALID_INPUT', { message: `The page size must be from 1 to 1000, got ${limit}` });
  const sortBy = request.sortBy ?? 'createdAt';
  if (!SORT_KEYS.includes(sortBy)) throw new AppError('INVALID_INPUT', { message: `Cannot sort by ${String(sortBy)}; use one of ${SORT_KEYS.join(', ')}` });
  return { limit, desc: (request.sortOrder ?? 'desc') === 'desc', sortBy };
}

/** One page of matching ids in the request's order (the building block of ordered and id-only searches). */
export async function searchIds(db: Db, target: SearchTarget, request: SearchRequest): Promise<{ ids: string[]; nextCursor?: string }> {
  const clauses = typeof request.filter === 'object' ? request.filter : parseFilter(request.filter ?? '');
  const { limit, desc, sortBy } = pageArgs(request);
  if (request.visibleProjects.length === 0) return { ids: [] };
  const table = target === 'trials' ? 'trials' : 'trial_components';
  // NULL sorts first on SQLite and last on PostgreSQL: the one nullable sort key (an unfinished
  // component's end time) sorts as '' instead, so pages and cursors agree on both engines. The
  // others stay bare columns so that an index can deliver the order.
  const column = sql.ref(`${table}.${SORT_COLUMNS[target][sortBy]}`);
  const sortColumn = SORT_COLUMNS[target][sortBy] === 'end_time' ? sql<string>`coalesce(${column}, '')` : sql<string>`${column}`;
  const idColumn = sql.ref(`${table}.id`);
  const rows = await db.kysely
    .selectFrom(table as 'trials')
    .select([sortColumn.as('sort_value'), sql<string>`${idColumn}`.as('id')])
    .where(sql.ref(`${table}.project_id`), 'in', request.visibleProjects)
    .where((eb) => {
      const parts: Expression<SqlBool>[] = clauses.map((c) => clauseExpression(db, target, c));
      if (target === 'components' && request.lifecycle && request.lifecycle !== 'all') parts.push(sql<SqlBool>`trial_components.lifecycle_stage = ${request.lifecycle}`);
      if (request.experimentIds) {
        const experiments = request.experimentIds.length > 0 ? request.experimentIds : [''];
        parts.push(
          target === 'trials'
            ? sql<SqlBool>`trials.experiment_id in (${sql.join(experiments)})`
            : sql<SqlBool>`trial_components.id in (${db.kysely.selectFrom('trial_component_members').innerJoin('trials', 'trials.id', 'trial_component_members.trial_id').select('trial_component_members.component_id').where('trials.experiment_id', 'in', experiments)})`,
        );
      }
      if (request.cursor) {
        const [value, id] = decodeCursor(request.cursor);
        const cmp = sql.raw(desc ? '<' : '>');
        parts.push(sql<SqlBool>`(${sortColumn} ${cmp} ${value ?? ''} or (${sortColumn} = ${value ?? ''} and ${idColumn} ${cmp} ${id}))`);
      }
      return eb.and(parts);
    })
    .orderBy(sortColumn, desc ? 'desc' : 'asc')
    .orderBy(idColumn, desc ? 'desc' : 'asc')
    .limit(limit + 1)
    .execute();
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return { ids: page.map((r) => r.id), ...(more && last ? { nextCursor: encodeCursor(last.sort_value, last.id) } : {}) };
}

/** Searches trials (a trial matches a parameter or metric clause when one of its components does). */
export async function searchTrials(db: Db, request: SearchRequest): Promise<SearchPage<Trial>> {
  const { ids, nextCursor } = await searchIds(db, 'trials', request);
  if (ids.length === 0) return { items: [] };
  const rows = await db.kysely
    .selectFrom('trials')
    .innerJoin('experiments', 'experiments.id', 'trials.experiment_id')
    .selectAll('trials')
    .select('experiments.name as experiment_name')
    .where('trials.id', 'in', ids)
    .execute();
  const byId = new Map(rows.map((r) => [r.id, rowToTrial(r, r.experiment_name)]));
  return { items: ids.flatMap((id) => byId.get(id) ?? []), ...(nextCursor ? { nextCursor } : {}) };
}

/** Searches trial components. */
export async function searchComponents(db: Db, request: SearchRequest): Promise<SearchPage<TrialComponent>> {
  const { ids, nextCursor } = await searchIds(db, 'components', request);
  return { items: await loadComponents(db.kysely, ids), ...(nextCursor ? { nextCursor } : {}) };
}

/**
 * @module tracking/tracking-order
 * Component search ordered by a metric's last value, a parameter or the run name, as MLflow's
 * `order_by` allows (`metrics.auc DESC`, `params.eta`). The matching ids come from the indexed
 * search; their sort values are read in one query per 500 ids, sorted here (missing values last,
 * as MLflow sorts them), and the page is an offset. Bounded: beyond {@link MAX_ORDERED_RESULTS}
 * matches the caller is asked to narrow the filter rather than have the server sort without limit.
 */
import { AppError } from '../kernel/index.js';
import type { Db } from '../platform/db/index.js';
import type { TrialComponent } from './tracking-model.js';
import { loadComponents } from './tracking-rows.js';
import type { SearchRequest } from './tracking-search.js';
import { searchIds } from './tracking-search.js';

export const MAX_ORDERED_RESULTS = 50_000;

export interface OrderKey {
  kind: 'metric' | 'parameter';
  name: string;
  desc: boolean;
}

type SortValue = number | string | undefined;

function compareValues(a: SortValue, b: SortValue, desc: boolean): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') {
    // NaN sorts after every number, before missing values (MLflow puts NaN last either way).
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) === Number.isNaN(b) ? 0 : Number.isNaN(a) ? 1 : -1;
    return desc ? b - a : a - b;
  }
  const as = String(a);
  const bs = String(b);
  const c = as < bs ? -1 : as > bs ? 1 : 0;
  return desc ? -c : c;
}

/** Searches components (the request's filter, experiments and lifecycle) ordered by `key`, then by start time (newest first) and id. */
export async function searchComponentsOrdered(db: Db, request: Omit<SearchRequest, 'cursor' | 'limit' | 'sortBy' | 'sortOrder'>, key: OrderKey, offset: number, limit: number): Promise<{ items: TrialComponent[]; total: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await searchIds(db, 'components', { ...request, sortBy: 'startTime', sortOrder: 'desc', limit: 1000, ...(cursor ? { cursor } : {}) });
    ids.push(...page.ids);
    cursor = page.nextCursor;
    if (ids.length > MAX_ORDERED_RESULTS) throw new AppError('INVALID_INPUT', { message: `More than ${MAX_ORDERED_RESULTS} runs match; narrow the filter to order them by ${key.kind === 'metric' ? 'metrics' : 'params'}.${key.name}` });
  } while (cursor);
  const values = new Map<string, SortValue>();
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    if (key.kind === 'metric') {
      const rows = await db.kysely.selectFrom('metric_summaries').select(['component_id', 'last_value', 'last_is_nan']).where('name', '=', key.name).where('component_id', 'in', part).execute();
      for (const r of rows) values.set(r.component_id, r.last_is_nan ? Number.NaN : Number(r.last_value));
    } else {
      const rows = await db.kysely.selectFrom('component_parameters').select(['component_id', 'value_text']).where('name', '=', key.name).where('component_id', 'in', part).execute();
      // MLflow parameters are strings and sort as strings.
      for (const r of rows) values.set(r.component_id, r.value_text);
    }
  }
  const position = new Map(ids.map((id, i) => [id, i]));
  const sorted = [...ids].sort((a, b) => compareValues(values.get(a), values.get(b), key.desc) || position.get(a)! - position.get(b)!);
  return { items: await loadComponents(db.kysely, sorted.slice(offset, offset + limit)), total: ids.length };
}

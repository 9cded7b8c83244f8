/**
 * @module tracking/metric-writer
 * Metric time series storage: points go into their own narrow table in multi-row INSERTs (1000 rows,
 * 5000 bound values per statement — inside SQLite's and PostgreSQL's limits), and each metric's
 * summary row is merged once per batch, so search reads one row per (component, metric).
 */
import { AppError } from '../kernel/index.js';
import type { MetricsTable, Tx } from '../platform/db/index.js';
import type { MetricPoint } from './tracking-model.js';

const ROWS_PER_STATEMENT = 1000;
const METRIC_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/ -]{0,249}$/;

/**
 * What to do with NaN and ±Infinity: Attest's own API refuses them; the MLflow-compatible API
 * stores them as MLflow does (NaN kept as NaN, ±Infinity as ±Number.MAX_VALUE, like MLflow's SQL
 * store, because neither engine's REAL column round-trips every non-finite value).
 */
export type NonFiniteMetrics = 'refuse' | 'store';

/** Checks and completes points (step defaults to 0, timestamp to now). */
export function validateMetrics(points: readonly (Omit<MetricPoint, 'timestamp' | 'step'> & { step?: number; timestamp?: number })[], now: number, nonFinite: NonFiniteMetrics = 'refuse'): MetricPoint[] {
  const out: MetricPoint[] = new Array(points.length);
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (typeof p.name !== 'string' || !METRIC_NAME.test(p.name)) throw new AppError('INVALID_INPUT', { message: `Invalid metric name "${String(p.name)}"`, details: { index: i } });
    if (typeof p.value !== 'number' || (nonFinite === 'refuse' && !Number.isFinite(p.value))) throw new AppError('INVALID_INPUT', { message: `Metric ${p.name}: the value must be a finite number, got ${String(p.value)}`, details: { index: i } });
    const step = p.step ?? 0;
    const timestamp = p.timestamp ?? now;
    if (!Number.isSafeInteger(step) || step < 0) throw new AppError('INVALID_INPUT', { message: `Metric ${p.name}: the step must be a non-negative integer, got ${step}`, details: { index: i } });
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new AppError('INVALID_INPUT', { message: `Metric ${p.name}: the timestamp must be milliseconds since the epoch, got ${timestamp}`, details: { index: i } });
    const value = p.value === Number.POSITIVE_INFINITY ? Number.MAX_VALUE : p.value === Number.NEGATIVE_INFINITY ? -Number.MAX_VALUE : p.value;
    out[i] = { name: p.name, value, step, timestamp };
  }
  return out;
}

interface Summary {
  last: MetricPoint;
  min: number;
  max: number;
  count: number;
}

/** A later point (by step, then timestamp, then logging order) becomes the metric's last value. */
function later(a: MetricPoint, b: { step: number; timestamp: number }): boolean {
  return a.step > b.step || (a.step === b.step && a.timestamp >= b.timestamp);
}

function finiteOr0(n: number): number {
  return Number.isNaN(n) ? 0 : n;
}

/** The summary's last-value columns; a NaN is stored as 0 with its flag. */
function lastOf(p: MetricPoint) {
  const nan = Number.isNaN(p.value);
  return { last_value: nan ? 0 : p.value, last_step: p.step, last_timestamp: p.timestamp, last_is_nan: nan ? 1 : 0 };
}

/** Inserts points and merges their summaries, inside the caller's transaction. */
export async function insertMetrics(tx: Tx, componentId: string, points: readonly MetricPoint[]): Promise<void> {
  const batch: MetricsTable[] = new Array(Math.min(ROWS_PER_STATEMENT, points.length));
  const summaries = new Map<string, Summary>();
  for (let start = 0; start < points.length; start += ROWS_PER_STATEMENT) {
    const end = Math.min(points.length, start + ROWS_PER_STATEMENT);
    batch.length = end - start;
    for (let i = start; i < end; i++) {
      const p = points[i]!;
      const nan = Number.isNaN(p.value);
      batch[i - start] = { component_id: componentId, name: p.name, value: nan ? 0 : p.value, step: p.step, timestamp: p.timestamp, is_nan: nan ? 1 : 0 };
      const s = summaries.get(p.name);
      // min and max skip NaN (a NaN compares false with everything); they stay NaN only while every point is.
      if (!s) summaries.set(p.name, { last: p, min: p.value, max: p.value, count: 1 });
      else {
        if (later(p, s.last)) s.last = p;
        if (p.value < s.min || Number.isNaN(s.min)) s.min = p.value;
        if (p.value > s.max || Number.isNaN(s.max)) s.max = p.value;
        s.count++;
      }
    }
    await tx.insertInto('metrics').values(batch).execute();
  }
  const names = [...summaries.keys()];
  const existing = new Map((await tx.selectFrom('metric_summaries').selectAll().where('component_id', '=', componentId).where('name', 'in', names).execute()).map((r) => [r.name, r]));
  for (const [name, s] of summaries) {
    const old = existing.get(name);
    if (!old) {
      await tx
        .insertInto('metric_summaries')
        .values({ component_id: componentId, name, ...lastOf(s.last), min_value: finiteOr0(s.min), max_value: finiteOr0(s.max), count: s.count })
        .execute();
      continue;
    }
    const keepOld = !later(s.last, { step: Number(old.last_step), timestamp: Number(old.last_timestamp) });
    const oldMin = Number(old.min_value);
    const oldMax = Number(old.max_value);
    await tx
      .updateTable('metric_summaries')
      .set({
        ...(keepOld ? {} : lastOf(s.last)),
        min_value: Number.isNaN(s.min) ? oldMin : Math.min(oldMin, s.min),
        max_value: Number.isNaN(s.max) ? oldMax : Math.max(oldMax, s.max),
        count: Number(old.count) + s.count,
      })
      .where('component_id', '=', componentId)
      .where('name', '=', name)
      .execute();
  }
}

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

/** Checks and completes points (step defaults to 0, timestamp to now). */
export function validateMetrics(points: readonly (Omit<MetricPoint, 'timestamp' | 'step'> & { step?: number; timestamp?: number })[], now: number): MetricPoint[] {
  const out: MetricPoint[] = new Array(points.length);
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (typeof p.name !== 'string' || !METRIC_NAME.test(p.name)) throw new AppError('INVALID_INPUT', { message: `Invalid metric name "${String(p.name)}"`, details: { index: i } });
    if (typeof p.value !== 'number' || !Number.isFinite(p.value)) throw new AppError('INVALID_INPUT', { message: `Metric ${p.name}: the value must be a finite number, got ${String(p.value)}`, details: { index: i } });
    const step = p.step ?? 0;
    const timestamp = p.timestamp ?? now;
    if (!Number.isSafeInteger(step) || step < 0) throw new AppError('INVALID_INPUT', { message: `Metric ${p.name}: the step must be a non-negative integer, got ${step}`, details: { index: i } });
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new AppError('INVALID_INPUT', { message: `Metric ${p.name}: the timestamp must be milliseconds since the epoch, got ${timestamp}`, details: { index: i } });
    out[i] = { name: p.name, value: p.value, step, timestamp };
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

/** Inserts points and merges their summaries, inside the caller's transaction. */
export async function insertMetrics(tx: Tx, componentId: string, points: readonly MetricPoint[]): Promise<void> {
  const batch: MetricsTable[] = new Array(Math.min(ROWS_PER_STATEMENT, points.length));
  const summaries = new Map<string, Summary>();
  for (let start = 0; start < points.length; start += ROWS_PER_STATEMENT) {
    const end = Math.min(points.length, start + ROWS_PER_STATEMENT);
    batch.length = end - start;
    for (let i = start; i < end; i++) {
      const p = points[i]!;
      batch[i - start] = { component_id: componentId, name: p.name, value: p.value, step: p.step, timestamp: p.timestamp };
      const s = summaries.get(p.name);
      if (!s) summaries.set(p.name, { last: p, min: p.value, max: p.value, count: 1 });
      else {
        if (later(p, s.last)) s.last = p;
        if (p.value < s.min) s.min = p.value;
        if (p.value > s.max) s.max = p.value;
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
        .values({ component_id: componentId, name, last_value: s.last.value, last_step: s.last.step, last_timestamp: s.last.timestamp, min_value: s.min, max_value: s.max, count: s.count })
        .execute();
      continue;
    }
    const keepOld = !later(s.last, { step: Number(old.last_step), timestamp: Number(old.last_timestamp) });
    await tx
      .updateTable('metric_summaries')
      .set({
        last_value: keepOld ? old.last_value : s.last.value,
        last_step: keepOld ? old.last_step : s.last.step,
        last_timestamp: keepOld ? old.last_timestamp : s.last.timestamp,
        min_value: Math.min(Number(old.min_value), s.min),
        max_value: Math.max(Number(old.max_value), s.max),
        count: Number(old.count) + s.count,
      })
      .where('component_id', '=', componentId)
      .where('name', '=', name)
      .execute();
  }
}

/**
 * @module ml/challenge/backtest
 * Back-testing over historical windows: rows are assigned to periods — calendar months, quarters
 * or years of a datetime column (UTC), each distinct value of any column, or explicit windows
 * [from, to) that may overlap — and the score summary is computed per period, with the row count.
 * A period is flagged when its flag metric falls below (or, for losses, rises above) a limit, or
 * when it has fewer rows than `minRows`.
 */
import type { Column } from '../../data/index.js';
import type { BinaryLabels } from '../metrics/index.js';
import type { ScoreSummary, SummaryMetric } from './score-summary.js';
import { summarizeScores } from './score-summary.js';

export type Granularity = 'month' | 'quarter' | 'year' | 'value';

export interface BacktestWindow {
  name: string;
  /** Inclusive lower bound: an ISO date for a datetime column, else a number. */
  from: string | number;
  /** Exclusive upper bound. */
  to: string | number;
}

export type PeriodSpec = { granularity: Granularity } | { windows: readonly BacktestWindow[] };

export interface PeriodFlag {
  metric: SummaryMetric;
  below?: number;
  above?: number;
  minRows?: number;
}

export interface BacktestPeriod extends ScoreSummary {
  period: string;
  flagged: boolean;
  reasons: string[];
}

export interface Backtest {
  column: string;
  spec: PeriodSpec;
  threshold: number;
  flag: PeriodFlag | null;
  /** Rows with no period (missing period value, or outside every window). */
  unassignedRows: number;
  periods: BacktestPeriod[];
  flaggedPeriods: string[];
}

const pad = (n: number) => String(n).padStart(2, '0');

function calendarKey(ms: number, granularity: 'month' | 'quarter' | 'year'): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (granularity === 'year') return String(y);
  if (granularity === 'quarter') return `${y}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
  return `${y}-${pad(d.getUTCMonth() + 1)}`;
}

function bound(column: Column, v: string | number, window: string): number {
  if (column.kind === 'numeric' && column.dtype === 'datetime') {
    const ms = typeof v === 'number' ? v : Date.parse(v);
    if (!Number.isFinite(ms)) throw new RangeError(`window ${window}: ${v} is not a date`);
    return ms;
  }
  const n = Number(v);
  if (!Number.isFinite(n)) throw new RangeError(`window ${window}: ${v} is not a number`);
  return n;
}

/** Row indices per period, periods in time (or value) order. */
export function assignPeriods(column: Column, spec: PeriodSpec): { periods: { name: string; rows: Int32Array }[]; unassigned: number } {
  const n = column.kind === 'numeric' ? column.values.length : column.codes.length;
  if ('windows' in spec) {
    if (column.kind !== 'numeric') throw new RangeError(`windows need a numeric or datetime column; ${column.name} holds strings`);
    const covered = new Uint8Array(n);
    const periods = spec.windows.map((w) => {
      const from = bound(column, w.from, w.name);
      const to = bound(column, w.to, w.name);
      const rows: number[] = [];
      for (let i = 0; i < n; i++) {
        const v = column.values[i]!;
        if (v >= from && v < to) {
          rows.push(i);
          covered[i] = 1;
        }
      }
      return { name: w.name, rows: Int32Array.from(rows) };
    });
    return { periods, unassigned: covered.reduce((s, c) => s + (c ? 0 : 1), 0) };
  }
  const groups = new Map<string, { sortKey: number | string; rows: number[] }>();
  let unassigned = 0;
  for (let i = 0; i < n; i++) {
    let key: string;
    let sortKey: number | string;
    if (column.kind === 'categorical') {
      const code = column.codes[i]!;
      if (code < 0) {
        unassigned++;
        continue;
      }
      key = column.dictionary[code]!;
      sortKey = key;
    } else {
      const v = column.values[i]!;
      if (Number.isNaN(v)) {
        unassigned++;
        continue;
      }
      if (spec.granularity === 'value') {
        key = column.dtype === 'datetime' ? new Date(v).toISOString() : String(v);
        sortKey = v;
      } else {
        if (column.dtype !== 'datetime') throw new RangeError(`granularity ${spec.granularity} needs a datetime column; ${column.name} is ${column.dtype} (use granularity=value or windows)`);
        key = calendarKey(v, spec.granularity);
        sortKey = key;
      }
    }
    const g = groups.get(key) ?? { sortKey, rows: [] };
    g.rows.push(i);
    groups.set(key, g);
  }
  if (column.kind === 'categorical' && spec.granularity !== 'value') throw new RangeError(`granularity ${spec.granularity} needs a datetime column; ${column.name} holds strings (use granularity=value)`);
  const periods = [...groups.entries()]
    .sort(([, a], [, b]) => (typeof a.sortKey === 'number' && typeof b.sortKey === 'number' ? a.sortKey - b.sortKey : String(a.sortKey) < String(b.sortKey) ? -1 : 1))
    .map(([name, g]) => ({ name, rows: Int32Array.from(g.rows) }));
  return { periods, unassigned };
}

export function backtest(labels: BinaryLabels, scores: ArrayLike<number>, periodColumn: Column, spec: PeriodSpec, options: { threshold: number; flag?: PeriodFlag }): Backtest {
  const { periods, unassigned } = assignPeriods(periodColumn, spec);
  const flag = options.flag ?? null;
  const out: BacktestPeriod[] = [];
  for (const p of periods) {
    if (p.rows.length === 0) {
      out.push({ period: p.name, rows: 0, positives: 0, positiveRate: Number.NaN, meanScore: Number.NaN, metrics: { auc: null, ks: null, gini: null, averagePrecision: null, logLoss: null, brier: null, accuracy: null, precision: null, recall: null, f1: null }, flagged: flag !== null, reasons: flag ? ['no rows'] : [] });
      continue;
    }
    const y = new Float64Array(p.rows.length);
    const s = new Float64Array(p.rows.length);
    p.rows.forEach((r, k) => {
      y[k] = labels[r]!;
      s[k] = scores[r]!;
    });
    const summary = summarizeScores(y, s, options.threshold);
    const reasons: string[] = [];
    if (flag) {
      const v = summary.metrics[flag.metric];
      if (flag.minRows !== undefined && summary.rows < flag.minRows) reasons.push(`${summary.rows} rows < ${flag.minRows}`);
      if (flag.below !== undefined && (v === null || v < flag.below)) reasons.push(v === null ? `${flag.metric} undefined (one class)` : `${flag.metric} ${v.toFixed(4)} < ${flag.below}`);
      if (flag.above !== undefined && (v === null || v > flag.above)) reasons.push(v === null ? `${flag.metric} undefined (one class)` : `${flag.metric} ${v.toFixed(4)} > ${flag.above}`);
    }
    out.push({ period: p.name, ...summary, flagged: reasons.length > 0, reasons });
  }
  return { column: periodColumn.name, spec, threshold: options.threshold, flag, unassignedRows: unassigned, periods: out, flaggedPeriods: out.filter((p) => p.flagged).map((p) => p.period) };
}

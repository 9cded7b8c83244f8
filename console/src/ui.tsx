// Shared pieces: data loading, navigation, tables, and how a refusal is shown.
import type { ReactNode } from 'react';
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from './api';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: ApiError | Error | undefined;
  readonly loading: boolean;
  readonly reload: () => void;
}

/** Runs `load` when `key` changes; a refusal by the server is kept as an error to show, not thrown. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key names what the loader depends on
  useEffect(() => {
    let live = true;
    setState({ loading: true });
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: Error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** What the server answered instead of data: a denial names the action, so the user knows why. */
export function Problem({ error }: { error: Error }) {
  const denied = error instanceof ApiError && error.status === 403;
  return (
    <p className={denied ? 'notice denied' : 'notice error'} role={denied ? 'status' : 'alert'}>
      {denied ? 'Not permitted: ' : 'Error: '}
      {error.message}
    </p>
  );
}

export function Show<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ReactNode }) {
  if (loaded.error) return <Problem error={loaded.error} />;
  if (loaded.loading || loaded.data === undefined) return <p className="muted">Loading…</p>;
  return <>{children(loaded.data)}</>;
}

// Navigation within /console/ without reloading the page; links stay real links (open in a new tab, keyboard).
const BASE = '/console';
export function currentPath(): string {
  const p = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : '/';
  return (p || '/') + window.location.search;
}
export function navigate(to: string): void {
  window.history.pushState(null, '', BASE + to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}
export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  return (
    <a
      href={BASE + to}
      className={className}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

export type Cell = string | number | boolean | null | undefined;
export interface Column<R> {
  readonly key: string;
  readonly label: string;
  readonly value: (row: R) => Cell;
  readonly render?: (row: R) => ReactNode;
}

/** A table sortable by any column (a header button, so the keyboard can sort too). */
export function SortableTable<R>({ rows, columns, caption, rowKey }: { rows: readonly R[]; columns: readonly Column<R>[]; caption: string; rowKey: (row: R) => string }) {
  const [sort, setSort] = useState<{ key: string; dir: 1 | -1 } | null>(null);
  const col = columns.find((c) => c.key === sort?.key);
  const sorted = col && sort ? [...rows].sort((a, b) => compareCells(col.value(a), col.value(b)) * sort.dir) : rows;
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.key} scope="col" aria-sort={sort?.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
              <button type="button" className="sort" onClick={() => setSort({ key: c.key, dir: sort?.key === c.key && sort.dir === 1 ? -1 : 1 })}>
                {c.label}
                <span aria-hidden="true">{sort?.key === c.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}</span>
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {sorted.length === 0 ? (
          <tr>
            <td colSpan={columns.length} className="muted">
              None
            </td>
          </tr>
        ) : (
          sorted.map((r) => (
            <tr key={rowKey(r)}>
              {columns.map((c) => (
                <td key={c.key}>{c.render ? c.render(r) : formatCell(c.value(r))}</td>
              ))}
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

function compareCells(a: Cell, b: Cell): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

export function formatCell(v: Cell): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4);
  return String(v);
}

export function KeyValues({ values, label }: { values: Record<string, unknown>; label: string }) {
  return (
    <dl aria-label={label} className="kv">
      {Object.entries(values).map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{typeof v === 'object' && v !== null ? JSON.stringify(v) : formatCell(v as Cell)}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * @module cli/progress
 * Progress of long commands (rows read, rounds trained, steps done) as one status line on
 * standard error, redrawn in place at most every `intervalMs`. Drawn only when standard error is
 * a terminal and the command is not printing `--json`; otherwise every call is a no-op, so that
 * scripts and logs see nothing. Library code reports through plain callbacks; only this module
 * knows about terminals.
 */
import type { CliIo } from './io.js';

export interface Progress {
  /** `done` of `total` (if known) `unit`s, with an optional detail (e.g. the latest metric). */
  update(done: number, total?: number, detail?: string): void;
  /** Erases the status line (call before printing the command's result). */
  finish(): void;
}

export interface ProgressOptions {
  /** The command prints JSON for a script: stay quiet. */
  json?: boolean;
  /** Least time between two redraws (default 100 ms); the final count is always drawn. */
  intervalMs?: number;
  now?: () => number;
}

const QUIET: Progress = { update: () => undefined, finish: () => undefined };

/** A progress line labelled `label` counting `unit`s, e.g. `startProgress(io, 'importing', 'rows')`. */
export function startProgress(io: CliIo, label: string, unit: string, options: ProgressOptions = {}): Progress {
  const draw = io.status;
  if (options.json === true || io.stderrIsTty !== true || draw === undefined) return QUIET;
  const intervalMs = options.intervalMs ?? 100;
  const now = options.now ?? Date.now;
  let lastDrawMs = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update(done, total, detail) {
      const t = now();
      if (t - lastDrawMs < intervalMs && done !== total) return;
      lastDrawMs = t;
      drawn = true;
      const count = total === undefined ? done.toLocaleString('en-US') : `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
      draw.call(io, `${label}: ${count} ${unit}${detail ? `  ${detail}` : ''}`);
    },
    finish() {
      if (drawn) draw.call(io, '');
      drawn = false;
    },
  };
}

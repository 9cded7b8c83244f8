/**
 * @module platform/blob/temp-owner
 * Who owns an in-flight temp file. A put's temp file carries its owner in its name — host, pid and
 * the process's start time (Linux: ticks since boot from /proc) — so that a later process can tell
 * a crashed put's leftovers (owner gone, or its pid reused by a younger process) from a live put
 * of another process, without a lock server. Names from another host, or without an owner, are
 * judged by age only.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface TempOwner {
  host: string;
  pid: number;
  /** Process start time in clock ticks since boot; 0 where unknown. */
  startTicks: number;
}

const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 12);

function startTicksOf(pid: number | 'self'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isSafeInteger(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

const SELF: TempOwner = { host: HOST, pid: process.pid, startTicks: startTicksOf('self') ?? 0 };

/** The owner tag for this process's temp files: `host~pid~startTicks`. */
export function ownerTag(): string {
  return `${SELF.host}~${SELF.pid}~${SELF.startTicks}`;
}

/** Parses a temp file name `<id>~host~pid~ticks.part`; undefined for names without an owner. */
export function parseOwner(fileName: string): TempOwner | undefined {
  const m = /~([0-9a-f]{12})~(\d+)~(\d+)\.part$/.exec(fileName);
  if (!m) return undefined;
  return { host: m[1]!, pid: Number(m[2]), startTicks: Number(m[3]) };
}

/**
 * 'dead' when the owner ran on this host and is gone (or its pid now belongs to a process that
 * started later); 'alive' when it runs; 'unknown' for another host's files.
 */
export function ownerState(owner: TempOwner): 'alive' | 'dead' | 'unknown' {
  if (owner.host !== SELF.host) return 'unknown';
  if (owner.pid === SELF.pid && owner.startTicks === SELF.startTicks) return 'alive';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'dead';
  }
  if (owner.startTicks === 0) return 'alive';
  const ticks = startTicksOf(owner.pid);
  return ticks === undefined || ticks === owner.startTicks ? 'alive' : 'dead';
}

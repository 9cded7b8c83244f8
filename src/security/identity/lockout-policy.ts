/**
 * @module security/identity/lockout-policy
 * Account lockout as a pure rule: given the times of recent failed logins and the current time, is
 * the account locked, and until when? (Default: 5 failures within 5 minutes lock the account for
 * 15 minutes; `lockoutMs: null` locks it until an administrator unlocks it.) The caller stores the
 * failures since the last successful login or unlock; this module keeps no state.
 */

/** The lockout rule. */
export interface LockoutPolicy {
  readonly maxFailures: number;
  readonly windowMs: number;
  /** How long a lock lasts; `null` = until an administrator unlocks the account. */
  readonly lockoutMs: number | null;
}

export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = Object.freeze({ maxFailures: 5, windowMs: 5 * 60_000, lockoutMs: 15 * 60_000 });

/** The state the rule derives. */
export interface LockoutState {
  readonly locked: boolean;
  /** When the lock ends; `null` while locked until unlocked; absent when not locked. */
  readonly lockedUntil?: Date | null;
  /** When the lock began (the failure that completed the run). */
  readonly lockedAt?: Date;
  /** Failures within the window ending now. */
  readonly recentFailures: number;
  /** Failed attempts left before a lock (0 when locked). */
  readonly remainingAttempts: number;
}

const ms = (t: Date | number): number => (typeof t === 'number' ? t : t.getTime());

/**
 * Applies the rule.
 * @example lockoutState(fiveFailuresInTwoMinutes, new Date()).locked // true
 */
export function lockoutState(failures: readonly (Date | number)[], now: Date | number, policy: LockoutPolicy = DEFAULT_LOCKOUT_POLICY): LockoutState {
  const nowMs = ms(now);
  const times = failures.map(ms).filter((t) => t <= nowMs).sort((a, b) => a - b);
  const recentFailures = times.filter((t) => t > nowMs - policy.windowMs).length;
  // The most recent run of maxFailures failures that fits in the window starts the lock.
  for (let k = times.length - 1; k >= policy.maxFailures - 1; k--) {
    if (times[k]! - times[k - policy.maxFailures + 1]! > policy.windowMs) continue;
    const lockedAt = times[k]!;
    if (policy.lockoutMs === null) return { locked: true, lockedAt: new Date(lockedAt), lockedUntil: null, recentFailures, remainingAttempts: 0 };
    const until = lockedAt + policy.lockoutMs;
    if (nowMs < until) return { locked: true, lockedAt: new Date(lockedAt), lockedUntil: new Date(until), recentFailures, remainingAttempts: 0 };
    // The latest run has expired; older runs ended even earlier.
    break;
  }
  return { locked: false, recentFailures, remainingAttempts: Math.max(0, policy.maxFailures - recentFailures) };
}

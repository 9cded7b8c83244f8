import { describe, expect, it } from 'vitest';
import { lockoutState } from './index.js';

const t0 = Date.parse('2026-11-29T10:00:00Z');
const min = 60_000;
const at = (...minutes: number[]): number[] => minutes.map((m) => t0 + m * min);

describe('lockout rule: 5 failures within 5 minutes', () => {
  it('four failures: not locked, one attempt left', () => {
    expect(lockoutState(at(0, 1, 2, 3), t0 + 3.5 * min)).toMatchObject({ locked: false, recentFailures: 4, remainingAttempts: 1 });
  });
  it('the fifth failure within the window locks for 15 minutes', () => {
    const s = lockoutState(at(0, 1, 2, 3, 4), t0 + 4.5 * min);
    expect(s.locked).toBe(true);
    expect(s.lockedUntil).toEqual(new Date(t0 + 19 * min));
    expect(s.remainingAttempts).toBe(0);
  });
  it('failures spread wider than the window do not lock', () => {
    expect(lockoutState(at(0, 2, 4, 6, 8), t0 + 8.5 * min).locked).toBe(false);
  });
  it('the lock ends after its duration', () => {
    expect(lockoutState(at(0, 1, 2, 3, 4), t0 + 18 * min).locked).toBe(true);
    expect(lockoutState(at(0, 1, 2, 3, 4), t0 + 19 * min)).toMatchObject({ locked: false, remainingAttempts: 5 });
  });
  it('only a new run of five locks again after a lock ends', () => {
    expect(lockoutState(at(0, 1, 2, 3, 4, 20), t0 + 21 * min)).toMatchObject({ locked: false, remainingAttempts: 4 });
    expect(lockoutState(at(0, 1, 2, 3, 4, 20, 21, 22, 23, 24), t0 + 25 * min)).toMatchObject({ locked: true, lockedUntil: new Date(t0 + 39 * min) });
  });
  it('can lock until an administrator unlocks', () => {
    const s = lockoutState(at(0, 1, 2, 3, 4), t0 + 1000 * min, { maxFailures: 5, windowMs: 5 * min, lockoutMs: null });
    expect(s).toMatchObject({ locked: true, lockedUntil: null });
  });
  it('ignores order and future timestamps', () => {
    expect(lockoutState(at(4, 0, 3, 1, 2), t0 + 4.5 * min).locked).toBe(true);
    expect(lockoutState(at(0, 1, 2, 3, 40), t0 + 4 * min).locked).toBe(false);
  });
  it('accepts Date objects', () => {
    expect(lockoutState(at(0, 1, 2, 3, 4).map((t) => new Date(t)), new Date(t0 + 5 * min)).locked).toBe(true);
  });
});

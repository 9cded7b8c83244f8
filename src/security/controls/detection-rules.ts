/**
 * @module security/controls/detection-rules
 * Rules over audit events (the CloudWatch Events part): match on action, outcome and principal,
 * count matches within a time window per principal, and name the corrective actions to take.
 */
import type { AuditEntry, AuditOutcome } from '../audit/index.js';

export type CorrectiveAction = 'lock-user' | 'revoke-token' | 'alert';

export interface DetectionRule {
  readonly name: string;
  readonly description: string;
  readonly severity: 'low' | 'medium' | 'high';
  readonly match: {
    /** Exact actions, or prefixes ending in `*` (`policy:*`). */
    readonly actions: readonly string[];
    readonly outcome?: AuditOutcome;
    /** Only events of this principal (exact). */
    readonly principal?: string;
  };
  /** Fire when `count` matching events fall within `windowMs` (per principal); default: every match. */
  readonly threshold?: { readonly count: number; readonly windowMs: number };
  readonly actions: readonly CorrectiveAction[];
}

/** Changes to who may do what: each one alerts. */
const PERMISSION_CHANGES = [
  'policy:Create',
  'policy:Update',
  'policy:Delete',
  'role:Create',
  'role:Update',
  'role:Delete',
  'role:Assign',
  'role:Unassign',
  'user:AttachPolicy',
  'user:DetachPolicy',
  'group:AttachPolicy',
  'group:DetachPolicy',
  'group:AddMember',
  'group:RemoveMember',
  'project:AddMember',
  'project:RemoveMember',
  'user:ResetPassword',
  'policy:ApproveChange',
];

/** The built-in rules the issue asks for. */
export const BUILT_IN_RULES: readonly DetectionRule[] = Object.freeze([
  {
    name: 'failed-logins',
    description: '5 failed logins within 5 minutes lock the account and alert',
    severity: 'high',
    match: { actions: ['auth:Login'], outcome: 'failed' },
    threshold: { count: 5, windowMs: 5 * 60_000 },
    actions: ['lock-user', 'alert'],
  },
  {
    name: 'permission-change',
    description: 'Any policy, role, membership or password-reset change alerts',
    severity: 'medium',
    match: { actions: PERMISSION_CHANGES, outcome: 'allowed' },
    actions: ['alert'],
  },
  {
    name: 'permission-escalation-attempt',
    description: 'A refused change to who may do what (own permissions, beyond the grant ceiling, the administrator role, or by someone without the permission) or a refused credential take-over alerts',
    severity: 'high',
    match: { actions: [...PERMISSION_CHANGES, 'token:Create'], outcome: 'denied' },
    actions: ['alert'],
  },
  {
    name: 'audit-verify-failed',
    description: 'A failed audit ledger verification alerts',
    severity: 'high',
    match: { actions: ['audit:Verify'], outcome: 'failed' },
    actions: ['alert'],
  },
]);

/** True if `entry` matches the rule's filter. */
export function ruleMatches(rule: DetectionRule, entry: AuditEntry): boolean {
  if (rule.match.outcome && entry.outcome !== rule.match.outcome) return false;
  if (rule.match.principal && entry.principal !== rule.match.principal) return false;
  return rule.match.actions.some((a) => (a.endsWith('*') ? entry.action.startsWith(a.slice(0, -1)) : entry.action === a));
}

/**
 * Sliding-window counter per (rule, principal): `observe` returns the window's events when the
 * threshold is reached (and starts a new window), otherwise undefined.
 */
export class RuleWindow {
  readonly #events = new Map<string, AuditEntry[]>();

  observe(rule: DetectionRule, entry: AuditEntry): AuditEntry[] | undefined {
    const threshold = rule.threshold ?? { count: 1, windowMs: 0 };
    const key = `${rule.name}|${entry.principal}`;
    const now = Date.parse(entry.time);
    const recent = (this.#events.get(key) ?? []).filter((e) => now - Date.parse(e.time) <= threshold.windowMs);
    recent.push(entry);
    if (recent.length >= threshold.count) {
      this.#events.delete(key);
      return recent;
    }
    this.#events.set(key, recent);
    return undefined;
  }
}

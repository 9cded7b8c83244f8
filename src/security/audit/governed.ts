/**
 * @module security/audit/governed
 * The one way capabilities make a governed change: the change, its audit entry and (optionally)
 * its config-history record commit in one transaction. If the change fails, nothing of it is kept
 * and a `failed` entry is appended on its own, so failures are in the ledger too.
 */
import { isAppError } from '../../kernel/index.js';
import type { Db, Tx } from '../../platform/db/index.js';
import { withTransaction } from '../../platform/db/index.js';
import type { Actor, AuditEntry } from './audit-entry.js';
import type { AuditLedger } from './audit-ledger.js';
import type { ConfigChange } from './config-history.js';
import { recordConfigChange } from './config-history.js';
import { loneEntryWriterOf } from './group-commit.js';

export interface GovernedOutcome<T> {
  result: T;
  /** Resource name to record when it is only known after the change (e.g. a new id). */
  resource?: string;
  details?: Record<string, unknown>;
  configChanges?: ConfigChange[];
}

export interface AuditDeps {
  readonly db: Db;
  readonly ledger: AuditLedger;
}

export async function governed<T>(
  deps: AuditDeps,
  actor: Actor,
  action: string,
  resource: string,
  change: (tx: Tx) => Promise<GovernedOutcome<T>>,
): Promise<T> {
  try {
    return await withTransaction(deps.db, async (tx) => {
      const outcome = await change(tx);
      const entry = await deps.ledger.append(tx, actor, {
        action,
        resource: outcome.resource ?? resource,
        outcome: 'allowed',
        ...(outcome.details ? { details: outcome.details } : {}),
      });
      for (const c of outcome.configChanges ?? []) await recordConfigChange(tx, actor.principal, entry.seq, entry.time, c);
      return outcome.result;
    });
  } catch (error) {
    const denied = isAppError(error) && error.kind === 'forbidden';
    await recordOutcome(deps, actor, action, resource, denied ? 'denied' : 'failed', {
      error: isAppError(error) ? error.code : 'INTERNAL',
      message: isAppError(error) ? error.message : 'internal error',
    });
    throw error;
  }
}

/**
 * Appends a lone entry (a denial, a failure, a read) and resolves once it is committed. When the
 * composition root routed lone entries to a group-commit writer ({@link routeLoneEntries}),
 * concurrent ones share a commit; otherwise the append needs no explicit transaction: each of its
 * statements is atomic on its own and a lost race for a sequence slot is retried (see
 * {@link AuditLedger.append}), which saves PostgreSQL the BEGIN and COMMIT round trips.
 */
export async function recordOutcome(
  deps: AuditDeps,
  actor: Actor,
  action: string,
  resource: string,
  outcome: AuditEntry['outcome'],
  details: Record<string, unknown> = {},
): Promise<AuditEntry> {
  const writer = loneEntryWriterOf(deps.ledger);
  return writer ? writer.write(actor, { action, resource, outcome, details }) : deps.ledger.append(deps.db.kysely, actor, { action, resource, outcome, details });
}

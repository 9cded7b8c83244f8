/**
 * @module security/audit/group-commit
 * Group commit for audit entries tied to no change: reads, denials, failures and logins. On
 * PostgreSQL each commit waits for the write-ahead log to reach the disk, and concurrent requests
 * would each pay that wait for one small row. Here an entry that arrives while another batch is
 * being committed waits for that commit and then goes out with every other entry that arrived
 * meanwhile, as one multi-row insert ({@link AuditLedger.appendMany}) chained in arrival order. Durability is unchanged: each caller's promise resolves only after the transaction holding
 * its own entry committed, and if a batch fails every caller in it gets the error. A lone entry
 * (no concurrency) is appended at once, outside an explicit transaction, exactly as before.
 *
 * Governed changes never come here: their entry commits in the change's own transaction
 * (ARCHITECTURE.md invariant 3).
 */
import type { Db } from '../../platform/db/index.js';
import type { Actor, AuditEntry, AuditRecord } from './audit-entry.js';
import type { AuditLedger } from './audit-ledger.js';

/** Writes an audit entry that is tied to no change. */
export interface LoneEntryWriter {
  write(actor: Actor, record: AuditRecord): Promise<AuditEntry>;
}

interface Waiter {
  readonly actor: Actor;
  readonly record: AuditRecord;
  readonly resolve: (entry: AuditEntry) => void;
  readonly reject: (error: unknown) => void;
}

/** Keeps a batch's transaction short on a burst (the rest go in the next batch). */
const MAX_BATCH_ENTRIES = 256;

export class GroupCommitWriter implements LoneEntryWriter {
  readonly #db: Db;
  readonly #ledger: AuditLedger;
  #queue: Waiter[] = [];
  /** Set and cleared synchronously, so an entry queued as a drain finishes is never left behind. */
  #busy = false;
  #draining: Promise<void> = Promise.resolve();
  /** Batches committed and entries in them, for tests and benchmarks. */
  readonly stats = { batches: 0, entries: 0, largestBatch: 0 };

  constructor(db: Db, ledger: AuditLedger) {
    this.#db = db;
    this.#ledger = ledger;
  }

  write(actor: Actor, record: AuditRecord): Promise<AuditEntry> {
    return new Promise<AuditEntry>((resolve, reject) => {
      this.#queue.push({ actor, record, resolve, reject });
      if (!this.#busy) {
        this.#busy = true;
        this.#draining = this.#drain();
      }
    });
  }

  /** Resolves once every entry written so far is committed (or failed): call before closing the database. */
  async idle(): Promise<void> {
    while (this.#busy) await this.#draining;
  }

  async #drain(): Promise<void> {
    // No await between the last look at the queue and clearing #busy.
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH_ENTRIES);
      try {
        const entries = await this.#commit(batch);
        this.stats.batches++;
        this.stats.entries += batch.length;
        this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
        for (const [i, w] of batch.entries()) w.resolve(entries[i]!);
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.#busy = false;
  }

  async #commit(batch: readonly Waiter[]): Promise<AuditEntry[]> {
    const only = batch.length === 1 ? batch[0] : undefined;
    // One statement commits on its own: no BEGIN/COMMIT round trips for a lone entry.
    if (only) return [await this.#ledger.append(this.#db.kysely, only.actor, only.record)];
    // A batch is one multi-row statement, also outside an explicit transaction: one round trip and one commit.
    return this.#ledger.appendMany(
      this.#db.kysely,
      batch.map((w) => w.actor),
      batch.map((w) => w.record),
    );
  }
}

const writers = new WeakMap<AuditLedger, LoneEntryWriter>();

/** Routes the lone entries written through {@link recordOutcome} for `ledger` to `writer` (the composition root does this once). */
export function routeLoneEntries(ledger: AuditLedger, writer: LoneEntryWriter): void {
  writers.set(ledger, writer);
}

/** The writer lone entries of `ledger` go through, if one was set. */
export function loneEntryWriterOf(ledger: AuditLedger): LoneEntryWriter | undefined {
  return writers.get(ledger);
}

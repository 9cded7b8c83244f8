/**
 * @module security/audit/audit-ledger
 * The append-only, tamper-evident audit ledger. Entries are appended inside the caller's
 * transaction, so a governed change and its entry commit together or not at all (ARCHITECTURE.md
 * invariant 3). Each entry carries a MAC under the key provider's audit MAC key, so an entry
 * written by anyone without that key (a database-only writer) is told apart; signed tree heads
 * over the entries are issued by {@link AuditTrust}.
 */
import type { SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.js';
import { escapeLike } from '../../platform/db/index.js';
import { canonicalJson, newId } from '../../kernel/index.js';
import type { Actor, AuditEntry, AuditOutcome, AuditRecord, StoredEntry } from './audit-entry.js';
import { GENESIS_HASH, entryMac, hashEntry } from './audit-entry.js';
import type { AuditEventsTable } from '../../platform/db/index.js';

/** Signs checkpoints; implemented by the key service over the key provider. */
export interface CheckpointSigner {
  sign(payload: Buffer): Promise<{ keyId: string; keyVersion: number; signature: Buffer }>;
}

export interface AuditFilter {
  from?: string;
  to?: string;
  principal?: string;
  /** Exact action, or a prefix ending in `*` such as `artifact:*`. */
  action?: string;
  resource?: string;
  outcome?: AuditOutcome;
  afterSeq?: number;
  limit?: number;
}

export type { StoredEntry } from './audit-entry.js';

export interface AuditLedgerOptions {
  now?: () => Date;
  /** The audit MAC key from the key provider; without it entries are written without a MAC. */
  macKey?: Buffer;
}

/** A primary-key (unique) violation on PostgreSQL (23505) or SQLite (SQLITE_CONSTRAINT_PRIMARYKEY / _UNIQUE). */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function rowToEntry(row: AuditEventsTable): AuditEntry {
  return {
    seq: Number(row.seq),
    id: row.id,
    time: row.time,
    principal: row.principal,
    action: row.action,
    resource: row.resource,
    outcome: row.outcome as AuditOutcome,
    sourceIp: row.source_ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export class AuditLedger {
  readonly #db: Db;
  readonly #now: () => Date;
  readonly #macKey: Buffer | undefined;
  /** The newest entry this process appended (a guess at the chain's head; verified on use). */
  #lastAppended: { seq: number; hash: string } | undefined;

  constructor(db: Db, options: AuditLedgerOptions = {}) {
    this.#db = db;
    this.#now = options.now ?? (() => new Date());
    this.#macKey = options.macKey;
  }

  /**
   * Appends one entry inside `tx` and returns it.
   *
   * Usually one statement: the entry is chained to the newest entry this process appended and
   * inserted only if that entry still exists and its sequence slot is still free
   * (`INSERT … SELECT … WHERE EXISTS … ON CONFLICT (seq) DO NOTHING`). If another process appended
   * in between, or the transaction that wrote our last entry rolled back, nothing is inserted and
   * the entry is chained to the newest entry read from the table instead — repeated until it wins
   * a slot. The sequence number is the primary key, so two appenders can never both chain to the
   * same predecessor: on PostgreSQL the loser waits for the winner's commit and then sees its row;
   * SQLite transactions here are BEGIN IMMEDIATE, one writer at a time.
   */
  async append(tx: Tx, actor: Actor, record: AuditRecord): Promise<AuditEntry> {
    const body = {
      id: newId('evt'),
      time: this.#now().toISOString(),
      principal: actor.principal,
      action: record.action,
      resource: record.resource,
      outcome: record.outcome,
      sourceIp: actor.sourceIp ?? null,
      userAgent: actor.userAgent ?? null,
      requestId: actor.requestId ?? null,
      details: JSON.parse(JSON.stringify(record.details ?? {})) as Record<string, unknown>,
    };
    let predecessor = this.#lastAppended;
    let guarded = predecessor !== undefined;
    for (;;) {
      if (!predecessor) {
        const last = await tx.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
        predecessor = last ? { seq: Number(last.seq), hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
      }
      const unhashed = { seq: predecessor.seq + 1, ...body, prevHash: predecessor.hash };
      const entry: AuditEntry = { ...unhashed, hash: hashEntry(unhashed) };
      if (await this.#insert(tx, entry, guarded ? predecessor : undefined)) {
        this.#lastAppended = { seq: entry.seq, hash: entry.hash };
        return entry;
      }
      predecessor = undefined;
      guarded = false;
    }
  }

  /**
   * Appends several entries, chained in the given order, with ONE statement outside any explicit
   * transaction (group commit: one round trip and one commit for a whole batch, instead of BEGIN,
   * one insert per entry and COMMIT). The statement is all or nothing: it inserts every row only if
   * the predecessor this process last appended still exists, and a row whose sequence slot another
   * writer took makes the whole statement fail on the primary key; in both cases nothing is stored
   * and the batch is chained again to the newest entry read from the table.
   */
  async appendMany(db: Tx, actor: readonly Actor[], records: readonly AuditRecord[]): Promise<AuditEntry[]> {
    if (records.length === 1) return [await this.append(db, actor[0]!, records[0]!)];
    const bodies = records.map((record, i) => ({
      id: newId('evt'),
      time: this.#now().toISOString(),
      principal: actor[i]!.principal,
      action: record.action,
      resource: record.resource,
      outcome: record.outcome,
      sourceIp: actor[i]!.sourceIp ?? null,
      userAgent: actor[i]!.userAgent ?? null,
      requestId: actor[i]!.requestId ?? null,
      details: JSON.parse(JSON.stringify(record.details ?? {})) as Record<string, unknown>,
    }));
    let predecessor = this.#lastAppended;
    let guarded = predecessor !== undefined;
    for (let attempt = 0; ; attempt++) {
      if (!predecessor) {
        const last = await db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
        predecessor = last ? { seq: Number(last.seq), hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
      }
      const entries: AuditEntry[] = [];
      let prev = predecessor;
      for (const body of bodies) {
        const unhashed = { seq: prev.seq + 1, ...body, prevHash: prev.hash };
        const entry: AuditEntry = { ...unhashed, hash: hashEntry(unhashed) };
        entries.push(entry);
        prev = entry;
      }
      const guard = guarded ? sql`exists (select 1 from audit_events where seq = ${predecessor.seq} and hash = ${predecessor.hash})` : sql`true`;
      const rows = sql.join(
        entries.map((e) => sql`(cast(${e.seq} as bigint), ${e.id}, ${e.time}, ${e.principal}, ${e.action}, ${e.resource}, ${e.outcome}, ${e.sourceIp}, ${e.userAgent}, ${e.requestId}, ${canonicalJson(e.details)}, ${e.prevHash}, ${e.hash}, ${this.#macKey ? entryMac(this.#macKey, e.hash) : null})`),
      );
      let inserted = 0;
      try {
        const result = await sql`insert into audit_events (seq, id, time, principal, action, resource, outcome, source_ip, user_agent, request_id, details, prev_hash, hash, mac)
          select * from (values ${rows}) as batch where ${guard}`.execute(db);
        inserted = Number(result.numAffectedRows ?? 0n);
      } catch (error) {
        // Another writer took one of the slots: the statement stored nothing; chain again. Anything else is a real failure.
        if (!isUniqueViolation(error) || attempt > 100) throw error;
      }
      if (inserted === entries.length) {
        this.#lastAppended = { seq: prev.seq, hash: prev.hash };
        return entries;
      }
      predecessor = undefined;
      guarded = false;
    }
  }

  /** Inserts `entry` unless its slot is taken (or, with `after`, unless `after` is gone). */
  async #insert(tx: Tx, e: AuditEntry, after: { seq: number; hash: string } | undefined): Promise<boolean> {
    const guard = after === undefined ? sql`true` : sql`exists (select 1 from audit_events where seq = ${after.seq} and hash = ${after.hash})`;
    const mac = this.#macKey ? entryMac(this.#macKey, e.hash) : null;
    const result = await sql`insert into audit_events (seq, id, time, principal, action, resource, outcome, source_ip, user_agent, request_id, details, prev_hash, hash, mac)
      select cast(${e.seq} as bigint), ${e.id}, ${e.time}, ${e.principal}, ${e.action}, ${e.resource}, ${e.outcome}, ${e.sourceIp}, ${e.userAgent}, ${e.requestId}, ${canonicalJson(e.details)}, ${e.prevHash}, ${e.hash}, ${mac}
      where ${guard}
      on conflict (seq) do nothing`.execute(tx);
    return Number(result.numAffectedRows ?? 0n) === 1;
  }

  /** Lists entries (oldest first) matching `filter`. */
  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    let q = this.#db.kysely.selectFrom('audit_events').selectAll().orderBy('seq', 'asc');
    if (filter.from) q = q.where('time', '>=', filter.from);
    if (filter.to) q = q.where('time', '<=', filter.to);
    if (filter.principal) q = q.where('principal', '=', filter.principal);
    if (filter.action) {
      q = filter.action.endsWith('*') ? q.where(sql<SqlBool>`action like ${`${escapeLike(filter.action.slice(0, -1))}%`} escape '\\'`) : q.where('action', '=', filter.action);
    }
    if (filter.resource) q = q.where('resource', '=', filter.resource);
    if (filter.outcome) q = q.where('outcome', '=', filter.outcome);
    if (filter.afterSeq !== undefined) q = q.where('seq', '>', filter.afterSeq);
    if (filter.limit !== undefined) q = q.limit(filter.limit);
    return (await q.execute()).map(rowToEntry);
  }

  /** Streams every entry in order, in pages (for export and verification of large ledgers). */
  async *iterate(pageSize = 5000): AsyncGenerator<AuditEntry> {
    let after = 0;
    for (;;) {
      const rows = await this.#db.kysely.selectFrom('audit_events').selectAll().where('seq', '>', after).orderBy('seq', 'asc').limit(pageSize).execute();
      for (const row of rows) yield rowToEntry(row);
      if (rows.length < pageSize) return;
      after = Number(rows[rows.length - 1]!.seq);
    }
  }

  /** The newest (seq, hash), or seq 0 with the genesis hash for an empty ledger. */
  async head(): Promise<{ seq: number; hash: string }> {
    const last = await this.#db.kysely.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return last ? { seq: Number(last.seq), hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
  }

  /**
   * Streams stored entries after `afterSeq` in order, as their rows (MACs, details as stored text;
   * for verification), in pages of `pageSize` rows: the next page is requested before the
   * current one is handed out, so the database reads ahead while the caller hashes.
   */
  async *scan(afterSeq = 0, pageSize = 20_000): AsyncGenerator<StoredEntry[]> {
    const page = (after: number) => {
      const rows = this.#db.kysely.selectFrom('audit_events').selectAll().where('seq', '>', after).orderBy('seq', 'asc').limit(pageSize).execute();
      // A caller that stops early leaves the read-ahead unawaited: its failure must not go unhandled.
      rows.catch(() => undefined);
      return rows;
    };
    let pending = page(afterSeq);
    for (;;) {
      const rows = await pending;
      const full = rows.length === pageSize;
      if (full) pending = page(Number(rows[rows.length - 1]!.seq));
      yield rows;
      if (!full) return;
    }
  }

  /** One entry by sequence number. */
  async entryAt(seq: number): Promise<AuditEntry | undefined> {
    const row = await this.#db.kysely.selectFrom('audit_events').selectAll().where('seq', '=', seq).executeTakeFirst();
    return row ? rowToEntry(row) : undefined;
  }

  /** The chain hashes of entries 1..upTo in order (Merkle leaves), read in pages of the one column. */
  async chainHashes(upTo: number, pageSize = 50_000): Promise<string[]> {
    const out: string[] = [];
    for (let after = 0; after < upTo; ) {
      const rows = await this.#db.kysely.selectFrom('audit_events').select(['seq', 'hash']).where('seq', '>', after).where('seq', '<=', upTo).orderBy('seq', 'asc').limit(pageSize).execute();
      for (const row of rows) out.push(row.hash);
      if (rows.length < pageSize) break;
      after = Number(rows[rows.length - 1]!.seq);
    }
    return out;
  }
}

/**
 * Migration 0005: the hardened audit ledger (issue 12). Each entry gains a MAC under a key held by
 * the key provider (never in this database); each checkpoint becomes a signed tree head with the
 * Merkle root (RFC 9162) of the entries it covers and the compact range ("frontier") that lets the
 * next checkpoint extend the tree without re-reading the whole ledger. Entries and checkpoints
 * written before this migration keep NULL in the new columns. Frozen.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen against Kysely<any> so they never depend on current app types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('mac', 'text').execute();
  await db.schema.alterTable('audit_checkpoints').addColumn('tree_root', 'text').execute();
  await db.schema.alterTable('audit_checkpoints').addColumn('tree_frontier', 'text').execute();
}

/**
 * @module platform/db/database
 * The metadata store port: one Kysely instance over SQLite (better-sqlite3, the embedded default)
 * or PostgreSQL (pg), chosen by URL. Everything above this file is dialect-agnostic except for
 * the few statements {@link withTransaction} needs to take the right locks.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { AppError } from '../../kernel/index.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/** A connected metadata store. */
export interface Db {
  readonly dialect: Dialect;
  readonly kysely: Kysely<Database>;
  /** A printable location with any password removed. */
  readonly location: string;
  close(): Promise<void>;
}

/** Parses `sqlite:/path/file.db`, `file:/path`, a bare path, or `postgres://…`. */
export function parseDbUrl(url: string): { dialect: Dialect; target: string } {
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', target: url };
  if (url.startsWith('sqlite:')) return { dialect: 'sqlite', target: url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '') };
  if (url.startsWith('file:')) return { dialect: 'sqlite', target: new URL(url).pathname };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new AppError('INVALID_CONFIG', { message: `Unsupported database URL scheme in ${redactUrl(url)}; use sqlite:PATH or postgres://…` });
  }
  return { dialect: 'sqlite', target: url };
}

/** Removes a password from a URL for logs and messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

/**
 * Opens the metadata store. Each driver is loaded only for its own URL scheme (the composition
 * root's choice), so an embedded SQLite installation never loads pg and vice versa.
 */
export async function openDb(url: string): Promise<Db> {
  const { dialect, target } = parseDbUrl(url);
  if (dialect === 'sqlite') return (await import('./sqlite-adapter.js')).openSqlite(target);
  return (await import('./postgres-adapter.js')).openPostgres(target);
}

/** A transaction handle: a Kysely bound to one connection inside BEGIN…COMMIT. */
export type Tx = Kysely<Database>;

/**
 * Runs `fn` in one transaction that takes the write lock up front: `BEGIN IMMEDIATE` on SQLite
 * (so two processes never deadlock upgrading a read lock), a normal transaction on PostgreSQL
 * (writers serialise on the rows they lock). Commits when `fn` resolves, rolls back when it throws.
 * A governed change and its audit entry go through one call (ARCHITECTURE.md invariant 3).
 */
export async function withTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (db.dialect === 'postgres') return db.kysely.transaction().execute(fn);
  return db.kysely.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
  });
}

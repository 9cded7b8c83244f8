/**
 * @module platform/db/sqlite-adapter
 * The embedded metadata store: SQLite through better-sqlite3. Loaded by `openDb` only for SQLite URLs.
 */
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { AppError } from '../../kernel/index.js';
import type { Db } from './database.js';
import type { Database } from './schema.js';

/** SQLite runs in WAL mode with a busy timeout so several processes can share one file. */
export function openSqlite(target: string): Db {
  let database: SQLite.Database;
  try {
    database = new SQLite(target);
  } catch (error) {
    throw new AppError('UNAVAILABLE', { message: `Cannot open SQLite database ${target}: ${(error as Error).message}`, cause: error });
  }
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 15000');
  database.pragma('foreign_keys = ON');
  database.pragma('synchronous = NORMAL');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return { dialect: 'sqlite', kysely, location: target, close: () => kysely.destroy() };
}

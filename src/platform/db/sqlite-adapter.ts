/**
 * @module platform/db/sqlite-adapter
 * The embedded metadata store: SQLite through better-sqlite3. Loaded by `openDb` only for SQLite URLs.
 */
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { AppError } from '../../kernel/index.js';
import type { Db } from './database.js';
import type { Database } from './schema.js';

/** Prepared statements kept per process: the same few statements run on every request. */
const STATEMENT_CACHE_ENTRIES = 500;

/**
 * The database as kysely sees it, with `prepare` answered from a cache of prepared statements by
 * SQL text (compiling a statement costs more than running most of them). A statement still busy
 * (an open iterator) is never handed out twice: a fresh one is prepared instead.
 */
function withStatementCache(database: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = database.prepare.bind(database);
  return new Proxy(database, {
    get(target, property, receiver) {
      if (property !== 'prepare') {
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      }
      return (source: string) => {
        const hit = cache.get(source);
        if (hit && !hit.busy) return hit;
        const statement = prepare(source);
        if (!hit) {
          if (cache.size >= STATEMENT_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
          cache.set(source, statement);
        }
        return statement;
      };
    },
  });
}

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
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return { dialect: 'sqlite', kysely, location: target, close: () => kysely.destroy() };
}

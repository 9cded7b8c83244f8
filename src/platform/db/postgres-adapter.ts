/**
 * @module platform/db/postgres-adapter
 * The scaled-out metadata store: PostgreSQL through pg. Loaded by `openDb` only for postgres:// URLs.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { AppError } from '../../kernel/index.js';
import type { Db } from './database.js';
import { redactUrl } from './database.js';
import type { Database } from './schema.js';

export async function openPostgres(target: string): Promise<Db> {
  // BIGINT (int8) columns hold sizes and sequence numbers well below 2^53: read them as numbers.
  pg.types.setTypeParser(20, (value: string) => Number(value));
  const pool = new pg.Pool({ connectionString: target, max: 10 });
  // An idle pooled connection that the server closes (restart, DROP DATABASE … WITH (FORCE))
  // reports here; the pool replaces it on the next checkout, so it must not crash the process.
  pool.on('error', () => undefined);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(kysely);
  } catch (error) {
    await kysely.destroy();
    throw new AppError('UNAVAILABLE', { message: `Cannot connect to PostgreSQL at ${redactUrl(target)}: ${(error as Error).message}`, cause: error });
  }
  return { dialect: 'postgres', kysely, location: redactUrl(target), close: () => kysely.destroy() };
}

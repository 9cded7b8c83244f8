/**
 * @module platform/db/migrator
 * Applies the forward-only migrations in `migrations/`, automatically at start. Safe when two
 * processes start at once: on PostgreSQL the run holds a transaction-scoped advisory lock, on
 * SQLite a `BEGIN IMMEDIATE` write lock, and each re-reads what is applied after taking the lock.
 * All pending migrations apply in one transaction (both engines have transactional DDL), so a
 * failure leaves the schema as it was.
 */
import { sql } from 'kysely';
import { AppError } from '../../kernel/index.js';
import type { Db } from './database.js';
import { withTransaction } from './database.js';
import type { Migration } from './migrations/index.js';
import { MIGRATIONS } from './migrations/index.js';

/** Arbitrary constant identifying Attest's migration lock among PostgreSQL advisory locks. */
const PG_MIGRATION_LOCK = 727_365_001;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult> {
  await sql`create table if not exists schema_migrations (name text primary key, applied_at text not null)`
    .execute(db.kysely)
    .catch(async (error: unknown) => {
      // Two PostgreSQL processes racing on CREATE TABLE IF NOT EXISTS can collide on the catalog;
      // the loser finds the table there on a second look.
      const exists = await db.kysely.selectFrom('schema_migrations').select('name').limit(1).execute().then(() => true, () => false);
      if (!exists) throw error;
    });
  try {
    return await withTransaction(db, async (tx) => {
      if (db.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${PG_MIGRATION_LOCK})`.execute(tx);
      const done = new Set((await tx.selectFrom('schema_migrations').select('name').execute()).map((r) => r.name));
      const applied: string[] = [];
      for (const migration of migrations) {
        if (done.has(migration.name)) continue;
        await migration.up(tx);
        await tx.insertInto('schema_migrations').values({ name: migration.name, applied_at: new Date().toISOString() }).execute();
        applied.push(migration.name);
      }
      return { applied, alreadyApplied: done.size };
    });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('DB_MIGRATION_FAILED', { message: `Database migration failed: ${(error as Error).message}`, cause: error });
  }
}

/** Migrations not yet applied, read-only (for `attest doctor`); all of them when none ran yet. */
export async function pendingMigrations(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<{ applied: number; pending: string[] }> {
  const done = await db.kysely
    .selectFrom('schema_migrations')
    .select('name')
    .execute()
    .then((rows) => new Set(rows.map((r) => r.name)), () => new Set<string>());
  return { applied: done.size, pending: migrations.filter((m) => !done.has(m.name)).map((m) => m.name) };
}

/**
 * @module platform/db
 * The metadata store: SQLite or PostgreSQL behind one Kysely interface, with migrations.
 */
export type { Db, Dialect, Tx } from './database.js';
export { openDb, parseDbUrl, redactUrl, withTransaction } from './database.js';
export { checkLikePattern, escapeLike } from './like-pattern.js';
export type { MigrationResult } from './migrator.js';
export { migrate, pendingMigrations } from './migrator.js';
export type * from './schema.js';

/**
 * Migration 0014: what the MLflow Model Registry API needs beyond Attest's registry (issue 17).
 * - `model_group_tags` and `model_version_tags`: MLflow's free key/value tags on registered models
 *   and model versions (descriptions already live on `model_groups` and `model_versions`).
 * - `mlflow_model_version_sources`: the `source` URI, `run_id` and `run_link` a version was created
 *   with through MLflow, and the artifact URI its files are downloaded from.
 * - `model_groups.updated_at`: MLflow's `last_updated_timestamp` of a registered model (null until
 *   its metadata first changes; the creation time stands in).
 * Frozen once shipped; references only tables of 0001 and 0011.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen against Kysely<any> so they never depend on current app types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('model_groups').addColumn('updated_at', 'text').execute();

  await db.schema
    .createTable('model_group_tags')
    .addColumn('group_id', 'text', (c) => c.notNull().references('model_groups.id'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_group_tags_pk', ['group_id', 'key'])
    .execute();

  await db.schema
    .createTable('model_version_tags')
    .addColumn('version_id', 'text', (c) => c.notNull().references('model_versions.id'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_version_tags_pk', ['version_id', 'key'])
    .execute();

  await db.schema
    .createTable('mlflow_model_version_sources')
    .addColumn('version_id', 'text', (c) => c.primaryKey().references('model_versions.id'))
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('run_link', 'text')
    .addColumn('artifact_uri', 'text', (c) => c.notNull())
    .execute();
}

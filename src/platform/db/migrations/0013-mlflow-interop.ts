/**
 * Migration 0013: what the MLflow-compatible API needs beyond Attest's own tracking model (issue 17).
 * - `lifecycle_stage` on experiments and trial components: MLflow's soft delete (`active` |
 *   `deleted`), reversible by restore; the records themselves stay (audit, lineage).
 * - `is_nan` on metric points and `last_is_nan` on their summaries: MLflow stores NaN metrics.
 *   SQLite cannot hold a NaN (it becomes NULL), so a NaN is stored as 0 with the flag set, as
 *   MLflow's own SQL store does; ±Infinity is stored as ±Number.MAX_VALUE, also as MLflow does.
 * - `mlflow_artifact_files`: the files of a run's MLflow artifact tree (run, relative path) →
 *   the encrypted artifact holding the bytes.
 * - `mlflow_dataset_inputs`: datasets an MLflow run logged with `log_input` (name, digest, source).
 * Frozen once shipped; references only tables of 0001 and 0003.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen against Kysely<any> so they never depend on current app types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('experiments').addColumn('lifecycle_stage', 'text', (c) => c.notNull().defaultTo('active')).execute();
  await db.schema.alterTable('experiments').addColumn('last_update_time', 'text').execute();
  await db.schema.alterTable('trial_components').addColumn('lifecycle_stage', 'text', (c) => c.notNull().defaultTo('active')).execute();
  await db.schema.alterTable('metrics').addColumn('is_nan', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('metric_summaries').addColumn('last_is_nan', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await db.schema
    .createTable('mlflow_artifact_files')
    .addColumn('component_id', 'text', (c) => c.notNull().references('trial_components.id'))
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('artifact_id', 'text', (c) => c.notNull().references('artifacts.id'))
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mlflow_artifact_files_pk', ['component_id', 'path'])
    .execute();

  await db.schema
    .createTable('mlflow_dataset_inputs')
    .addColumn('component_id', 'text', (c) => c.notNull().references('trial_components.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('source_type', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('schema', 'text')
    .addColumn('profile', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('artifact_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mlflow_dataset_inputs_pk', ['component_id', 'name', 'digest'])
    .execute();
}

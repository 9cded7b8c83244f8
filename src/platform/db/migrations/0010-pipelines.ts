/**
 * Migration 0010: pipelines (issue 13). `pipelines` names a pipeline in a project;
 * `pipeline_versions` keeps every published definition (immutable, with its hash and author);
 * `pipeline_executions` is one run of a version (parameters, status, who started and stopped it,
 * the trial it is recorded as); `pipeline_step_executions` is one step of a run (status, attempts,
 * the job of the latest attempt, its cache key, and the step execution it reused on a cache hit).
 * Frozen.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen against Kysely<any> so they never depend on current app types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pipelines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('latest_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('pipelines_project_name', ['project_id', 'name'])
    .execute();
  await db.schema
    .createTable('pipeline_versions')
    .addColumn('pipeline_id', 'text', (c) => c.notNull().references('pipelines.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('definition_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('pipeline_versions_pk', ['pipeline_id', 'version'])
    .execute();
  await db.schema
    .createTable('pipeline_executions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('pipeline_id', 'text', (c) => c.notNull().references('pipelines.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('parameters', 'text', (c) => c.notNull())
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('experiment', 'text', (c) => c.notNull())
    .addColumn('trial', 'text', (c) => c.notNull())
    .addColumn('failure', 'text')
    .addColumn('started_by', 'text', (c) => c.notNull())
    .addColumn('ended_by', 'text')
    .addColumn('cancel_requested', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema.createIndex('pipeline_executions_status').on('pipeline_executions').columns(['status']).execute();
  await db.schema.createIndex('pipeline_executions_pipeline').on('pipeline_executions').columns(['pipeline_id', 'created_at']).execute();
  await db.schema
    .createTable('pipeline_step_executions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('execution_id', 'text', (c) => c.notNull().references('pipeline_executions.id'))
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('run_after', 'bigint', (c) => c.notNull())
    .addColumn('cache_key', 'text')
    .addColumn('cache_hit_from', 'text')
    .addColumn('result', 'text')
    .addColumn('message', 'text')
    .addColumn('started_at', 'text')
    .addColumn('ended_at', 'text')
    .addUniqueConstraint('pipeline_step_executions_step', ['execution_id', 'step'])
    .execute();
  await db.schema.createIndex('pipeline_step_executions_cache').on('pipeline_step_executions').columns(['cache_key', 'status']).execute();
}

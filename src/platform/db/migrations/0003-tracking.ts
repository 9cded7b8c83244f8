/**
 * Migration 0003: experiment tracking and lineage (issue 4) — experiments, trials, trial
 * components (many-to-many with trials), their parameters, input/output artifacts, metric time
 * series with per-name summaries (for search), and typed lineage associations. Frozen once shipped.
 * Self-contained: it references only tables from 0001.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen against Kysely<any> so they never depend on current app types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('experiments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('experiments_project_name', ['project_id', 'name'])
    .execute();

  await db.schema
    .createTable('trials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('experiment_id', 'text', (c) => c.notNull().references('experiments.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('trials_experiment_name', ['experiment_id', 'name'])
    .execute();
  await db.schema.createIndex('trials_project_created').on('trials').columns(['project_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('trials_name').on('trials').columns(['name']).execute();

  await db.schema
    .createTable('trial_components')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('notes', 'text', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('environment', 'text')
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('end_time', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('trial_components_project_created').on('trial_components').columns(['project_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('trial_component_members')
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id'))
    .addColumn('component_id', 'text', (c) => c.notNull().references('trial_components.id'))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('trial_component_members_pk', ['trial_id', 'component_id'])
    .execute();
  await db.schema.createIndex('trial_component_members_component').on('trial_component_members').columns(['component_id', 'trial_id']).execute();

  await db.schema
    .createTable('component_parameters')
    .addColumn('component_id', 'text', (c) => c.notNull().references('trial_components.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value_text', 'text', (c) => c.notNull())
    .addColumn('value_num', 'double precision')
    .addColumn('value_type', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('component_parameters_pk', ['component_id', 'name'])
    .execute();
  await db.schema.createIndex('component_parameters_num').on('component_parameters').columns(['name', 'value_num', 'component_id']).execute();
  await db.schema.createIndex('component_parameters_text').on('component_parameters').columns(['name', 'value_text', 'component_id']).execute();

  await db.schema
    .createTable('component_artifacts')
    .addColumn('component_id', 'text', (c) => c.notNull().references('trial_components.id'))
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('artifact_id', 'text', (c) => c.notNull().references('artifacts.id'))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('component_artifacts_pk', ['component_id', 'direction', 'role'])
    .execute();
  await db.schema.createIndex('component_artifacts_artifact').on('component_artifacts').columns(['artifact_id']).execute();

  // No foreign key on metric points: the service checks the component (and its status) once per
  // batch in the same transaction, instead of a parent lookup per point.
  await db.schema
    .createTable('metrics')
    .addColumn('component_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('step', 'bigint', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('metrics_component_name_step').on('metrics').columns(['component_id', 'name', 'step']).execute();

  await db.schema
    .createTable('metric_summaries')
    .addColumn('component_id', 'text', (c) => c.notNull().references('trial_components.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('last_value', 'double precision', (c) => c.notNull())
    .addColumn('last_step', 'bigint', (c) => c.notNull())
    .addColumn('last_timestamp', 'bigint', (c) => c.notNull())
    .addColumn('min_value', 'double precision', (c) => c.notNull())
    .addColumn('max_value', 'double precision', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_summaries_pk', ['component_id', 'name'])
    .execute();
  await db.schema.createIndex('metric_summaries_name_last').on('metric_summaries').columns(['name', 'last_value', 'component_id']).execute();

  await db.schema
    .createTable('lineage_associations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('source_kind', 'text', (c) => c.notNull())
    .addColumn('dest_id', 'text', (c) => c.notNull())
    .addColumn('dest_kind', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('lineage_associations_edge', ['source_id', 'dest_id', 'type'])
    .execute();
  await db.schema.createIndex('lineage_associations_dest').on('lineage_associations').columns(['dest_id', 'source_id']).execute();
}

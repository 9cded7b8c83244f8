/**
 * Migration 0011: the model registry and independent validation (issue 14). Model groups
 * (ModelPackageGroup) hold numbered versions (ModelPackage) with their artifact, provenance,
 * metrics and signature; aliases point at versions (or at other aliases) and every move is kept
 * in `model_alias_history`, so "which version was production on a date" is a query. Decisions
 * keep the approver's independence check and a snapshot of the evidence present. Evidence,
 * validation findings, comments and sign-offs form the validation workspace; model-card fields
 * are versioned revisions; `registry_settings` holds a project's independence rules and
 * evidence gates per risk tier. Frozen.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen against Kysely<any> so they never depend on current app types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('model_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('risk_tier', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('model_groups_name', ['project_id', 'name'])
    .execute();
  await db.schema
    .createTable('model_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('group_id', 'text', (c) => c.notNull().references('model_groups.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('artifact_id', 'text', (c) => c.notNull().references('artifacts.id'))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('provenance', 'text', (c) => c.notNull())
    .addColumn('source_job_id', 'text')
    .addColumn('source_component_id', 'text')
    .addColumn('metrics', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('parameters', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('model_versions_number', ['group_id', 'version'])
    .execute();
  await db.schema.createIndex('model_versions_artifact').on('model_versions').column('artifact_id').execute();
  await db.schema
    .createTable('model_aliases')
    .addColumn('group_id', 'text', (c) => c.notNull().references('model_groups.id'))
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('target_version_id', 'text')
    .addColumn('target_alias', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_aliases_pk', ['group_id', 'alias'])
    .execute();
  await db.schema
    .createTable('model_alias_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull().references('model_groups.id'))
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('target_version_id', 'text')
    .addColumn('target_alias', 'text')
    .addColumn('previous_version_id', 'text')
    .addColumn('previous_alias', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('override_justification', 'text')
    .addUniqueConstraint('model_alias_history_seq', ['group_id', 'alias', 'seq'])
    .execute();
  await db.schema.createIndex('model_alias_history_at').on('model_alias_history').columns(['group_id', 'alias', 'at']).execute();
  await db.schema
    .createTable('model_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('version_id', 'text', (c) => c.notNull().references('model_versions.id'))
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('independence', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('model_decisions_version').on('model_decisions').column('version_id').execute();
  await db.schema
    .createTable('model_evidence')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('version_id', 'text', (c) => c.notNull().references('model_versions.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('artifact_id', 'text', (c) => c.notNull().references('artifacts.id'))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('attached_at', 'text', (c) => c.notNull())
    .addColumn('attached_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('model_evidence_version').on('model_evidence').column('version_id').execute();
  await db.schema
    .createTable('model_card_revisions')
    .addColumn('version_id', 'text', (c) => c.notNull().references('model_versions.id'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_card_revisions_pk', ['version_id', 'revision'])
    .execute();
  await db.schema
    .createTable('validation_findings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('version_id', 'text', (c) => c.notNull().references('model_versions.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('validation_findings_version').on('validation_findings').column('version_id').execute();
  await db.schema
    .createTable('validation_comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('version_id', 'text', (c) => c.notNull().references('model_versions.id'))
    .addColumn('finding_id', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('validation_comments_version').on('validation_comments').column('version_id').execute();
  await db.schema
    .createTable('validation_signoffs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('version_id', 'text', (c) => c.notNull().references('model_versions.id'))
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('report_artifact_id', 'text')
    .addColumn('independence', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('validation_signoffs_version').on('validation_signoffs').column('version_id').execute();
  await db.schema
    .createTable('registry_settings')
    .addColumn('project_id', 'text', (c) => c.primaryKey().references('projects.id'))
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
}

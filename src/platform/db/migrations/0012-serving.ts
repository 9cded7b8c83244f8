/**
 * Migration 0012: serving (issue 15). `endpoints` names a real-time endpoint of a project and
 * points at its current configuration; `endpoint_configs` keeps every configuration version
 * (models, traffic policy, capture, review conditions) immutably, so a rollback is a pointer move
 * and an auditor can ask which configuration served a request on a given day.
 * `monitoring_schedules` are persisted cron schedules that enqueue durable monitoring jobs;
 * `serving_leases` holds the leader lease the scheduler runs under. `review_tasks` is the human
 * review queue (its decisions become ground truth). Frozen.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen against Kysely<any> so they never depend on current app types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('config_version', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  // One live endpoint per name and project; a deleted one keeps its row (and history) for auditors.
  await db.schema.createIndex('endpoints_project_name').on('endpoints').columns(['project_id', 'name', 'deleted_at']).execute();
  await db.schema
    .createTable('endpoint_configs')
    .addColumn('endpoint_id', 'text', (c) => c.notNull().references('endpoints.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('endpoint_configs_pk', ['endpoint_id', 'version'])
    .execute();
  await db.schema
    .createTable('monitoring_schedules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('endpoint_id', 'text', (c) => c.notNull().references('endpoints.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('cron', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('next_run_at', 'bigint')
    .addColumn('last_run_at', 'bigint')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  await db.schema.createIndex('monitoring_schedules_due').on('monitoring_schedules').columns(['status', 'next_run_at']).execute();
  await db.schema
    .createTable('monitoring_executions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('schedule_id', 'text', (c) => c.notNull().references('monitoring_schedules.id'))
    .addColumn('job_id', 'text')
    .addColumn('scheduled_for', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('window_from', 'text', (c) => c.notNull())
    .addColumn('window_to', 'text', (c) => c.notNull())
    .addColumn('violations', 'integer')
    .addColumn('report', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  // A scheduled run is enqueued once, whichever process holds the lease when it falls due.
  await db.schema.createIndex('monitoring_executions_once').unique().on('monitoring_executions').columns(['schedule_id', 'scheduled_for']).execute();
  await db.schema
    .createTable('serving_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('review_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('endpoint_id', 'text', (c) => c.notNull().references('endpoints.id'))
    .addColumn('config_version', 'integer', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decision', 'text')
    .addColumn('label', 'text')
    .addColumn('note', 'text')
    .addColumn('reviewer', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .execute();
  await db.schema.createIndex('review_tasks_queue').on('review_tasks').columns(['project_id', 'status', 'created_at']).execute();
  await db.schema.createIndex('review_tasks_event').unique().on('review_tasks').columns(['event_id']).execute();
}

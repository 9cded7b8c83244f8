/**
 * Migration 0006: named job queues (issue 13, scale-out). A job is submitted to a queue
 * (`default` unless the request names one) and a runner or `attest worker --queue …` pulls only
 * from its queues, so e.g. training can go to workers on large machines. Frozen.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen against Kysely<any> so they never depend on current app types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('queue', 'text', (c) => c.notNull().defaultTo('default')).execute();
  await db.schema.createIndex('jobs_queue_claim').on('jobs').columns(['queue', 'status', 'run_after']).execute();
}

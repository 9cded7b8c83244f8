/**
 * @module jobs/job-queues
 * The job queue adapters, chosen by configuration (`jobs.queue`) in the composition root
 * (src/app/app.ts): the embedded queue in the metadata database (SQLite or PostgreSQL), or
 * pg-boss on PostgreSQL for workers on many machines. Kept apart from the jobs capability's
 * index so that opening an installation loads the queue, not the ML core behind the job types
 * (pg-boss itself is imported when the queue is first used).
 */
import type { JobsConfig } from '../config/index.js';
import type { Db } from '../platform/db/index.js';
import type { JobQueue } from './job-queue.js';
import { PgBossJobQueue } from './pg-boss-job-queue.js';
import { SqlJobQueue } from './sql-job-queue.js';

export function openJobQueue(db: Db, config: { readonly databaseUrl: string; readonly jobs: JobsConfig }): JobQueue {
  if (config.jobs.queue === 'pg-boss') return new PgBossJobQueue(db, { connectionString: config.databaseUrl, schema: config.jobs.pgBossSchema, sweepIntervalMs: Math.min(1000, config.jobs.leaseMs / 2) });
  return new SqlJobQueue(db);
}

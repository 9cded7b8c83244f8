/**
 * @module jobs
 * Governed jobs: every piece of ML work (processing, training, evaluation, explanation, bias,
 * baselines, monitoring checks, batch transform, custom scripts) runs as a job that is authorized
 * for its caller, queued durably, executed in a child process, tracked as a trial component with
 * lineage, audited, and committed exactly once. The queue is a port; the embedded adapter keeps
 * it in the metadata database (SQLite or PostgreSQL), the scaled-out one delivers through pg-boss
 * to `attest worker`s on many machines (chosen by `jobs.queue`, see docs/workers.md).
 */
export type { JobContextInit } from './job-context.js';
export { JobContext } from './job-context.js';
export type { ExecuteOptions, ExecuteOutcome } from './job-executor.js';
export { executeJob } from './job-executor.js';
export type { IsolationMode, IsolationPlan, JobLimits } from './job-isolation.js';
export { isolationPlan } from './job-isolation.js';
export type { Job, JobLogLine, JobOutput, JobRequest, JobRequestInput, JobResult, JobStatus, JobType } from './job-model.js';
export { DEFAULT_EXPERIMENT, DEFAULT_QUEUE, FINAL_JOB_STATUSES, isFinal, JOB_STATUSES, JOB_TYPES, JobLogLineSchema, JobParamValue, JobRequestSchema, JobSchema, QueueName } from './job-model.js';
export type { JobModel } from './job-models.js';
export { GBDT_MEDIA_TYPE, LOGISTIC_MEDIA_TYPE, parseJobModel, scoreFrame } from './job-models.js';
export type { ClaimedJob, ClaimOptions, JobFailure, JobLease, JobListFilter, JobQueue, NewJob } from './job-queue.js';
export { openJobQueue } from './job-queues.js';
export { sleepUnlessEnded } from './job-events.js';
export type { PgBossJobQueueOptions } from './pg-boss-job-queue.js';
export { PgBossJobQueue } from './pg-boss-job-queue.js';
export type { JobRunnerOptions } from './job-runner.js';
export { JobRunner } from './job-runner.js';
export type { JobCaller } from './job-service.js';
export { JobService } from './job-service.js';
export type { JobTypeDefinition } from './job-type.js';
export { jobTypeDefinition, jobTypeDefinitions } from './job-types.js';
export type { CustomJobScript } from './data-job-types.js';
export type { HttpJobsTransportOptions, JobsTransport } from './jobs-client.js';
export { HttpJobsTransport, InProcessJobsTransport, Jobs } from './jobs-client.js';
export type { ExpiredLease } from './sql-job-queue.js';
export { SqlJobQueue } from './sql-job-queue.js';

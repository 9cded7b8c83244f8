/**
 * @module jobs/job-model
 * What a job is: a type, inputs given as references (never file paths), parameters, and the
 * experiment its trial component is recorded in; and what Attest records about it while it is
 * queued, running and finished. The zod schemas are the API's single source of truth.
 */
import { z } from 'zod';

import { JOB_STATUSES, JOB_TYPES } from './job-names.js';

export type { JobStatus, JobType } from './job-names.js';
export { FINAL_JOB_STATUSES, isFinal, JOB_STATUSES, JOB_TYPES } from './job-names.js';

export const JobParamValue = z.union([z.string().max(10_000), z.number(), z.boolean()]);
export type JobParamValue = z.infer<typeof JobParamValue>;

const Role = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'a role is lower-case letters, digits, _ and -');
/** A reference: `name[@version]`, `dsv_…`, `art_…` or `sha256:…`. */
export const ReferenceString = z.string().min(1).max(300);

/** A queue name: lower-case letters, digits, `_` and `-`. */
export const QueueName = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'a queue name is lower-case letters, digits, _ and -');
export const DEFAULT_QUEUE = 'default';

export const JobRequestSchema = z.object({
  type: z.enum(JOB_TYPES),
  inputs: z.record(Role, ReferenceString).default({}),
  params: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/), JobParamValue).default({}),
  /** The experiment the job's trial component is recorded in (default `jobs`). */
  experiment: z.string().min(1).max(200).optional(),
  /** A trial of that experiment to add the component to (created when absent). */
  trial: z.string().min(1).max(200).optional(),
  /** Attempts before the job is failed for good (a runner that dies counts as an attempt). */
  maxAttempts: z.number().int().min(1).max(10).default(3),
  /** The queue the job waits in; runners and `attest worker --queue` pull from named queues (default `default`). */
  queue: QueueName.optional(),
  /** Wall-time limit of one attempt; the process is killed and the job fails with JOB_TIMEOUT (default: the installation's `jobs.timeoutSeconds`). */
  timeoutSeconds: z.number().int().min(1).max(7 * 24 * 3600).optional(),
  /** Memory limit of the job process in MiB (V8 heap, and the data segment where prlimit exists; default `jobs.memoryMb`). */
  memoryMb: z.number().int().min(256).max(1024 * 1024).optional(),
});
export type JobRequest = z.infer<typeof JobRequestSchema>;
export type JobRequestInput = z.input<typeof JobRequestSchema>;

export const JobOutputSchema = z.object({
  role: z.string(),
  artifactId: z.string(),
  datasetVersionId: z.string().nullable(),
  name: z.string().nullable(),
  version: z.number().nullable(),
});
export type JobOutput = z.infer<typeof JobOutputSchema>;

export const JobSchema = z.object({
  jobId: z.string(),
  projectId: z.string(),
  type: z.enum(JOB_TYPES),
  status: z.enum(JOB_STATUSES),
  inputs: z.record(z.string(), z.string()),
  params: z.record(z.string(), JobParamValue),
  experiment: z.string(),
  trial: z.string().nullable(),
  principal: z.string(),
  queue: z.string(),
  /** Limits per attempt (null: the installation's defaults when the job was submitted before limits existed). */
  timeoutSeconds: z.number().nullable(),
  memoryMb: z.number().nullable(),
  attempts: z.number(),
  maxAttempts: z.number(),
  cancelRequested: z.boolean(),
  componentId: z.string().nullable(),
  isolation: z.string().nullable(),
  outputs: z.array(JobOutputSchema),
  metrics: z.record(z.string(), z.number()),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  leaseExpiresAt: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type Job = z.infer<typeof JobSchema>;

export const JobLogLineSchema = z.object({ seq: z.number(), attempt: z.number(), stream: z.string(), at: z.string(), line: z.string() });
export type JobLogLine = z.infer<typeof JobLogLineSchema>;

/** What a finished job reports besides its outputs (which live in job_outputs). */
export interface JobResult {
  metrics: Record<string, number>;
}

export const DEFAULT_EXPERIMENT = 'jobs';


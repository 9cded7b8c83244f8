/**
 * @module jobs/job-queue
 * The job queue port. The embedded default ({@link SqlJobQueue}) keeps the queue in the metadata
 * database; a scaled-out deployment can put a queue library behind the same interface. Delivery
 * is at least once, by leases: a runner claims a job for `leaseMs` and keeps it by heartbeats;
 * a runner that dies stops heartbeating and the job is claimed again once the lease has expired.
 * Completion is exactly once: only the holder of the current lease can complete or fail a job.
 */
import type { Tx } from '../platform/db/index.js';
import type { Actor } from '../security/audit/index.js';
import type { Job, JobLogLine, JobParamValue, JobResult, JobStatus, JobType } from './job-model.js';

export interface NewJob {
  jobId: string;
  projectId: string;
  type: JobType;
  inputs: Record<string, string>;
  params: Record<string, JobParamValue>;
  experiment: string;
  trial: string | null;
  principal: string;
  actor: Actor;
  maxAttempts: number;
  /** The named queue (default `default`). */
  queue?: string;
  /** Per-attempt limits the runner applies (absent: its configured defaults). */
  timeoutSeconds?: number;
  memoryMb?: number;
}

/** Which jobs a runner takes. */
export interface ClaimOptions {
  /** Only jobs of these queues (default: `default`). */
  queues?: readonly string[];
}

/** Proof that a runner holds a job: only the current token can heartbeat, complete or fail it. */
export interface JobLease {
  jobId: string;
  token: string;
  attempt: number;
}

export interface ClaimedJob {
  lease: JobLease;
  job: Job;
  actor: Actor;
}

export interface JobFailure {
  code: string;
  message: string;
}

export interface JobListFilter {
  projectId: string;
  status?: JobStatus;
  type?: JobType;
  limit?: number;
}

export interface JobQueue {
  /** Adds a queued job; inside `tx` when given, so the job and its audit entry commit together. */
  enqueue(job: NewJob, tx?: Tx): Promise<void>;
  /** Takes the oldest runnable job (queued, or running with an expired lease) of the given queues for `leaseMs`. */
  claim(owner: string, leaseMs: number, options?: ClaimOptions): Promise<ClaimedJob | undefined>;
  /** Extends the lease; `held: false` when another runner has taken the job over. */
  heartbeat(lease: JobLease, leaseMs: number): Promise<{ held: boolean; cancelRequested: boolean }>;
  /** Records the trial component and isolation of the running attempt. */
  setRunInfo(lease: JobLease, info: { componentId: string; isolation: string }): Promise<void>;
  /** Marks the job succeeded; false (and nothing changed) if the lease is no longer held. */
  complete(lease: JobLease, result: JobResult, tx?: Tx): Promise<boolean>;
  /** Fails the attempt: queued again after `backoffMs` while attempts remain and `retryable`, else failed. */
  fail(lease: JobLease, failure: JobFailure, options: { retryable: boolean; backoffMs: number }): Promise<'retrying' | 'failed' | 'lost'>;
  /** Ends a running job whose cancellation was requested. */
  finishCancelled(lease: JobLease): Promise<boolean>;
  /** Cancels a queued job at once, or asks its runner to stop a running one. */
  cancel(jobId: string, tx?: Tx): Promise<'cancelled' | 'requested' | 'finished'>;
  get(jobId: string): Promise<Job | undefined>;
  list(filter: JobListFilter): Promise<Job[]>;
  appendLogs(jobId: string, attempt: number, lines: readonly { stream: string; line: string }[]): Promise<void>;
  logs(jobId: string, options?: { afterSeq?: number; limit?: number }): Promise<JobLogLine[]>;
  /** Releases what the adapter holds (connections, timers); the embedded adapter holds nothing. */
  close?(): Promise<void>;
}

/**
 * @module jobs/job-names
 * The job types and statuses as plain constants, with no imports, so that the CLI can declare
 * its `jobs` commands without loading the jobs engine (see cli/lazy-loading.test.ts).
 */
export const JOB_TYPES = ['processing', 'training', 'evaluation', 'explanation', 'bias', 'baseline', 'monitor-check', 'batch-transform', 'custom', 'shap', 'resample', 'parquet-export', 'model-quality', 'prediction-drift', 'bias-drift', 'attribution-drift', 'challenger-comparison', 'backtest', 'stress-test'] as const;
export type JobType = (typeof JOB_TYPES)[number];

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINAL_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

/** True once a job can change no more (succeeded, failed or cancelled). */
export function isFinal(status: JobStatus): boolean {
  return FINAL_JOB_STATUSES.includes(status);
}

/**
 * @module jobs/job-types
 * The registry of job types.
 */
import { AppError } from '../kernel/index.js';
import { ANALYSIS_JOB_TYPES } from './analysis-job-types.js';
import { baselineJob, customJob, monitorCheckJob, processingJob } from './data-job-types.js';
import type { JobType } from './job-model.js';
import type { JobTypeDefinition } from './job-type.js';
import { batchTransformJob, biasJob, evaluationJob, explanationJob, trainingJob } from './model-job-types.js';
import { VALIDATION_JOB_TYPES } from './validation-job-types.js';

const DEFINITIONS: ReadonlyMap<JobType, JobTypeDefinition> = new Map(
  [processingJob, trainingJob, evaluationJob, explanationJob, biasJob, baselineJob, monitorCheckJob, batchTransformJob, customJob, ...ANALYSIS_JOB_TYPES, ...VALIDATION_JOB_TYPES].map((d) => [d.type, d]),
);

export function jobTypeDefinition(type: string): JobTypeDefinition {
  const d = DEFINITIONS.get(type as JobType);
  if (!d) throw new AppError('INVALID_INPUT', { message: `Unknown job type ${type} (types: ${[...DEFINITIONS.keys()].join(', ')})` });
  return d;
}

export function jobTypeDefinitions(): JobTypeDefinition[] {
  return [...DEFINITIONS.values()];
}

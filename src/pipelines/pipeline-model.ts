/**
 * @module pipelines/pipeline-model
 * What Attest records about pipelines: published versions, executions and step executions, as
 * the API returns them (zod schemas are the source of truth), and the tables behind them.
 */
import { z } from 'zod';

export const EXECUTION_STATUSES = ['running', 'succeeded', 'failed', 'cancelling', 'cancelled'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export const STEP_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const isFinalExecution = (s: string): boolean => s === 'succeeded' || s === 'failed' || s === 'cancelled';
export const isFinalStep = (s: string): boolean => s !== 'pending' && s !== 'running';

const Value = z.union([z.string(), z.number(), z.boolean()]);

export const PipelineSummarySchema = z.object({
  pipelineId: z.string(),
  name: z.string(),
  description: z.string(),
  latestVersion: z.number(),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type PipelineSummary = z.infer<typeof PipelineSummarySchema>;

export const PipelineVersionSchema = PipelineSummarySchema.extend({
  version: z.number(),
  definitionHash: z.string(),
  /** The validated definition (defaults filled in). */
  definition: z.record(z.string(), z.unknown()),
  versionCreatedAt: z.string(),
  versionCreatedBy: z.string(),
  /** On create: whether this call published a new version (false when the definition was unchanged). */
  changed: z.boolean().optional(),
});
export type PipelineVersion = z.infer<typeof PipelineVersionSchema>;

export const StepOutputSchema = z.object({ role: z.string(), artifactId: z.string(), datasetVersionId: z.string().nullable(), name: z.string().nullable(), version: z.number().nullable() });

export const StepResultSchema = z.object({
  outputs: z.array(StepOutputSchema).default([]),
  metrics: z.record(z.string(), z.number()).default({}),
  componentId: z.string().nullable().default(null),
  condition: z
    .object({ metric: z.string(), value: z.number(), op: z.string(), against: z.number().nullable(), champion: z.string().nullable(), outcome: z.boolean() })
    .optional(),
  /** A register step: the model version it registered (PendingManualApproval until a validator decides). */
  registered: z.object({ versionId: z.string(), group: z.string(), version: z.number(), status: z.string(), artifactId: z.string() }).optional(),
});
export type StepResult = z.infer<typeof StepResultSchema>;

export const StepExecutionSchema = z.object({
  stepExecutionId: z.string(),
  step: z.string(),
  type: z.string(),
  status: z.enum(STEP_STATUSES),
  attempts: z.number(),
  jobId: z.string().nullable(),
  cacheHitFrom: z.string().nullable(),
  result: StepResultSchema.nullable(),
  message: z.string().nullable(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
});
export type StepExecution = z.infer<typeof StepExecutionSchema>;

export const ExecutionSchema = z.object({
  executionId: z.string(),
  projectId: z.string(),
  pipeline: z.string(),
  version: z.number(),
  status: z.enum(EXECUTION_STATUSES),
  parameters: z.record(z.string(), Value),
  principal: z.string(),
  experiment: z.string(),
  trial: z.string(),
  failure: z.string().nullable(),
  startedBy: z.string(),
  endedBy: z.string().nullable(),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  steps: z.array(StepExecutionSchema),
});
export type Execution = z.infer<typeof ExecutionSchema>;

export interface PipelinesTable {
  id: string;
  project_id: string;
  name: string;
  description: string;
  latest_version: number;
  created_at: string;
  created_by: string;
}
export interface PipelineVersionsTable {
  pipeline_id: string;
  version: number;
  definition: string;
  definition_hash: string;
  created_at: string;
  created_by: string;
}
export interface PipelineExecutionsTable {
  id: string;
  project_id: string;
  pipeline_id: string;
  version: number;
  status: string;
  parameters: string;
  principal: string;
  actor: string;
  experiment: string;
  trial: string;
  failure: string | null;
  started_by: string;
  ended_by: string | null;
  cancel_requested: number;
  created_at: string;
  ended_at: string | null;
}
export interface PipelineStepExecutionsTable {
  id: string;
  execution_id: string;
  step: string;
  type: string;
  status: string;
  attempts: number;
  job_id: string | null;
  /** Epoch milliseconds: a retried step waits until then (its backoff). */
  run_after: number;
  cache_key: string | null;
  cache_hit_from: string | null;
  result: string | null;
  message: string | null;
  started_at: string | null;
  ended_at: string | null;
}

/** The tables of migration 0010, added to the shared schema by `withTables`. */
/** A type alias, not an interface: Kysely's `withTables` needs a type with an implicit index signature. */
export type PipelineTables = {
  pipelines: PipelinesTable;
  pipeline_versions: PipelineVersionsTable;
  pipeline_executions: PipelineExecutionsTable;
  pipeline_step_executions: PipelineStepExecutionsTable;
};

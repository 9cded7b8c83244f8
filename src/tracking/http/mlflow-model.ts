/**
 * @module tracking/http/mlflow-model
 * The MLflow REST API's shapes (tracking service, API 2.0) and their mapping onto Attest: an MLflow
 * experiment is an experiment; an MLflow run is a trial holding one trial component, and the run
 * id is the component id (parameters, metrics, tags and status live on the component). Artifact
 * locations are in MLflow's proxied form (`mlflow-artifacts:/<experiment>/<run>/artifacts`), which
 * the official client resolves against its tracking URI, path prefix included.
 * Numbers: proto3 JSON writes NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity";
 * requests may carry them, and responses carry a NaN metric as "NaN".
 */
import { z } from 'zod';
import type { ComponentStatus, Experiment, MetricSummary, TrialComponent } from '../tracking-model.js';

export const MLFLOW_STATUS = { InProgress: 'RUNNING', Completed: 'FINISHED', Failed: 'FAILED', Stopped: 'KILLED' } as const satisfies Readonly<Record<ComponentStatus, string>>;
export const FROM_MLFLOW_STATUS: Readonly<Record<string, ComponentStatus>> = { RUNNING: 'InProgress', SCHEDULED: 'InProgress', FINISHED: 'Completed', FAILED: 'Failed', KILLED: 'Stopped' };

const KeyValue = z.object({ key: z.string().min(1).max(250), value: z.string().max(8000) });
/** MLflow clients send numbers as numbers or strings (proto3 JSON int64). */
const Int = z
  .union([z.number(), z.string().regex(/^-?\d+$/)])
  .transform((v) => Number(v))
  .refine((n) => Number.isSafeInteger(n), 'must be an integer within ±2^53');
/** Milliseconds since the epoch, within the range a date can represent (±8.64e15). */
const EpochMs = Int.refine((n) => Math.abs(n) <= 8.64e15, 'must be milliseconds since the epoch within ±8.64e15');
/** A metric value: a JSON number, or proto3 JSON's "NaN" / "Infinity" / "-Infinity" (or a numeric string). */
const Num = z.union([z.number(), z.string().regex(/^(NaN|-?Infinity|[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)$/, 'must be a number, "NaN", "Infinity" or "-Infinity"')]).transform((v) => Number(v));
const RunId = z.object({ run_id: z.string().optional(), run_uuid: z.string().optional() });

export const Schemas = {
  createExperiment: z.object({ name: z.string().min(1), artifact_location: z.string().optional(), tags: z.array(KeyValue).optional() }),
  experimentId: z.object({ experiment_id: z.string().min(1) }),
  experimentName: z.object({ experiment_name: z.string().min(1) }),
  searchExperiments: z.object({
    max_results: Int.optional(),
    page_token: z.string().optional(),
    filter: z.string().optional(),
    order_by: z.array(z.string()).optional(),
    view_type: z.string().optional(),
  }),
  createRun: z.object({ experiment_id: z.string().min(1), user_id: z.string().optional(), run_name: z.string().optional(), start_time: EpochMs.optional(), tags: z.array(KeyValue).optional() }),
  getRun: RunId,
  updateRun: RunId.extend({ status: z.string().optional(), end_time: EpochMs.optional(), run_name: z.string().optional() }),
  searchRuns: z.object({
    experiment_ids: z.array(z.string()).optional(),
    filter: z.string().optional(),
    run_view_type: z.string().optional(),
    max_results: Int.optional(),
    order_by: z.array(z.string()).optional(),
    page_token: z.string().optional(),
  }),
  logMetric: RunId.extend({ key: z.string().min(1), value: Num, timestamp: EpochMs.optional(), step: Int.optional() }),
  logParam: RunId.extend({ key: z.string().min(1), value: z.string() }),
  setTag: RunId.extend({ key: z.string().min(1), value: z.string() }),
  logBatch: RunId.extend({
    metrics: z.array(z.object({ key: z.string().min(1), value: Num, timestamp: EpochMs.optional(), step: Int.optional() })).optional(),
    params: z.array(KeyValue).optional(),
    tags: z.array(KeyValue).optional(),
  }),
  getHistory: RunId.extend({ metric_key: z.string().min(1), page_token: z.string().optional(), max_results: Int.optional() }),
  updateExperiment: z.object({ experiment_id: z.string().min(1), new_name: z.string().min(1).optional() }),
  setExperimentTag: z.object({ experiment_id: z.string().min(1), key: z.string().min(1).max(250), value: z.string().max(5000) }),
  runOnly: RunId,
  deleteTag: RunId.extend({ key: z.string().min(1) }),
  logInputs: RunId.extend({
    datasets: z
      .array(
        z.object({
          tags: z.array(KeyValue).optional(),
          dataset: z.object({
            name: z.string().min(1).max(500),
            digest: z.string().min(1).max(36),
            source_type: z.string().min(1).max(100),
            source: z.string().max(65_535),
            schema: z.string().max(1_048_576).optional(),
            profile: z.string().max(16_384).optional(),
          }),
        }),
      )
      .max(1000)
      .optional(),
  }),
  logModel: RunId.extend({ model_json: z.string().min(2).max(100_000) }),
  listArtifacts: RunId.extend({ path: z.string().max(1000).optional(), page_token: z.string().optional() }),
  artifactsQuery: z.object({ path: z.string().max(2000).optional() }),
};

function ms(iso: string | null): number | undefined {
  return iso === null ? undefined : Date.parse(iso);
}

const tagList = (tags: Record<string, string>) => Object.entries(tags).map(([key, value]) => ({ key, value }));

/** A number as proto3 JSON writes it: NaN and ±Infinity as strings (plain JSON has no such values). */
export function protoNumber(n: number): number | 'NaN' | 'Infinity' | '-Infinity' {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return 'Infinity';
  if (n === Number.NEGATIVE_INFINITY) return '-Infinity';
  return n;
}

/** The artifact root of a run, in the proxied form the official client resolves itself. */
export function runArtifactUri(experimentId: string, runId: string): string {
  return `mlflow-artifacts:/${experimentId}/${runId}/artifacts`;
}

export function toMlflowExperiment(e: Experiment) {
  return {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: `mlflow-artifacts:/${e.experimentId}`,
    lifecycle_stage: e.lifecycleStage,
    creation_time: Date.parse(e.createdAt),
    last_update_time: Date.parse(e.lastUpdateTime ?? e.createdAt),
    tags: tagList(e.tags),
  };
}

export function toRunInfo(c: TrialComponent, experimentId: string) {
  const end = ms(c.endTime);
  return {
    run_id: c.componentId,
    run_uuid: c.componentId,
    run_name: c.name,
    experiment_id: experimentId,
    user_id: c.createdBy,
    status: MLFLOW_STATUS[c.status],
    start_time: Date.parse(c.startTime),
    ...(end !== undefined ? { end_time: end } : {}),
    artifact_uri: runArtifactUri(experimentId, c.componentId),
    lifecycle_stage: c.lifecycleStage,
  };
}

export interface MlflowDatasetInputView {
  tags: { key: string; value: string }[];
  dataset: { name: string; digest: string; source_type: string; source: string; schema?: string; profile?: string };
}

export function toRun(c: TrialComponent, experimentId: string, datasetInputs: readonly MlflowDatasetInputView[] = []) {
  return {
    info: toRunInfo(c, experimentId),
    inputs: { dataset_inputs: [...datasetInputs] },
    data: {
      metrics: c.metrics.map((m: MetricSummary) => ({ key: m.name, value: protoNumber(m.last), timestamp: m.lastTimestamp, step: m.lastStep })),
      params: Object.entries(c.parameters).map(([key, value]) => ({ key, value: String(value) })),
      tags: tagList({ ...c.tags, 'mlflow.runName': c.name }),
    },
  };
}

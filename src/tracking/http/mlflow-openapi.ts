/**
 * @module tracking/http/mlflow-openapi
 * The OpenAPI face of the MLflow-compatible routes: per operation an operationId (MLflow's own RPC
 * name), a summary, and the zod schemas of its success and error responses. The schemas also
 * serialise the responses, so what the document promises is what the wire carries.
 */
import { z } from 'zod';
import { MlflowModelVersion, MlflowRegisteredModel } from './mlflow-registry-model.js';

const KeyValue = z.object({ key: z.string(), value: z.string() });
/** proto3 JSON: NaN and ±Infinity travel as strings. */
const ProtoDouble = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);

export const MlflowErrorBody = z
  .object({ error_code: z.string().describe("MLflow's ErrorCode name, e.g. RESOURCE_DOES_NOT_EXIST"), message: z.string(), attest_code: z.string().optional().describe("Attest's stable error code") })
  .describe("MLflow's error body");

export const MlflowExperiment = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string(),
  lifecycle_stage: z.enum(['active', 'deleted']),
  creation_time: z.number().int(),
  last_update_time: z.number().int(),
  tags: z.array(KeyValue),
});

export const MlflowRunInfo = z.object({
  run_id: z.string(),
  run_uuid: z.string(),
  run_name: z.string(),
  experiment_id: z.string(),
  user_id: z.string(),
  status: z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']),
  start_time: z.number().int(),
  end_time: z.number().int().optional(),
  artifact_uri: z.string(),
  lifecycle_stage: z.enum(['active', 'deleted']),
});

const Metric = z.object({ key: z.string(), value: ProtoDouble, timestamp: z.number().int(), step: z.number().int() });

const DatasetInput = z.object({
  tags: z.array(KeyValue),
  dataset: z.object({ name: z.string(), digest: z.string(), source_type: z.string(), source: z.string(), schema: z.string().optional(), profile: z.string().optional() }),
});

export const MlflowRun = z.object({
  info: MlflowRunInfo,
  inputs: z.object({ dataset_inputs: z.array(DatasetInput) }),
  data: z.object({ metrics: z.array(Metric), params: z.array(KeyValue), tags: z.array(KeyValue) }),
});

const FileInfo = z.object({ path: z.string(), is_dir: z.boolean(), file_size: z.number().int().optional() });
const Empty = z.object({});

interface Operation {
  summary: string;
  response: z.ZodType;
}

/** Every MLflow operation Attest serves, by MLflow's RPC name. */
export const MLFLOW_OPERATIONS = {
  createExperiment: { summary: 'MLflow: create an experiment', response: z.object({ experiment_id: z.string() }) },
  getExperiment: { summary: 'MLflow: get an experiment ("0" is the project\'s Default experiment)', response: z.object({ experiment: MlflowExperiment }) },
  getExperimentByName: { summary: 'MLflow: get an experiment by name', response: z.object({ experiment: MlflowExperiment }) },
  searchExperiments: { summary: 'MLflow: search experiments (filter, order_by, view_type, paging)', response: z.object({ experiments: z.array(MlflowExperiment), next_page_token: z.string().optional() }) },
  searchExperimentsGet: { summary: 'MLflow: search experiments (GET form)', response: z.object({ experiments: z.array(MlflowExperiment), next_page_token: z.string().optional() }) },
  listExperiments: { summary: 'MLflow: list experiments (MLflow 1.x clients)', response: z.object({ experiments: z.array(MlflowExperiment), next_page_token: z.string().optional() }) },
  updateExperiment: { summary: 'MLflow: rename an experiment', response: Empty },
  deleteExperiment: { summary: 'MLflow: delete an experiment (soft delete, restorable)', response: Empty },
  restoreExperiment: { summary: 'MLflow: restore a deleted experiment', response: Empty },
  setExperimentTag: { summary: 'MLflow: set an experiment tag', response: Empty },
  createRun: { summary: 'MLflow: create a run', response: z.object({ run: MlflowRun }) },
  getRun: { summary: 'MLflow: get a run', response: z.object({ run: MlflowRun }) },
  updateRun: { summary: 'MLflow: rename a run or end it (status, end time)', response: z.object({ run_info: MlflowRunInfo }) },
  deleteRun: { summary: 'MLflow: delete a run (soft delete, restorable)', response: Empty },
  restoreRun: { summary: 'MLflow: restore a deleted run', response: Empty },
  searchRuns: { summary: 'MLflow: search runs (filter, order_by, run_view_type, paging)', response: z.object({ runs: z.array(MlflowRun), next_page_token: z.string().optional() }) },
  logMetric: { summary: 'MLflow: log a metric point (NaN and ±Infinity stored as MLflow does)', response: Empty },
  logParam: { summary: 'MLflow: log a parameter (a logged value cannot change)', response: Empty },
  logParamAlias: { summary: 'MLflow: log a parameter (older path)', response: Empty },
  setTag: { summary: 'MLflow: set a run tag', response: Empty },
  deleteTag: { summary: 'MLflow: delete a run tag', response: Empty },
  logBatch: { summary: 'MLflow: log metrics, parameters and tags in one request', response: Empty },
  logModel: { summary: "MLflow: record a logged model in the run's history", response: Empty },
  logInputs: { summary: 'MLflow: log dataset inputs of a run (recorded as lineage)', response: Empty },
  getMetricHistory: { summary: "MLflow: a metric's full history", response: z.object({ metrics: z.array(Metric), next_page_token: z.string().optional() }) },
  listArtifacts: { summary: "MLflow: list a run's artifacts", response: z.object({ root_uri: z.string(), files: z.array(FileInfo), next_page_token: z.string().optional() }) },
  uploadArtifact: { summary: 'MLflow artifact proxy: upload a file of a run (encrypted, lineage recorded)', response: Empty },
  downloadArtifact: { summary: 'MLflow artifact proxy: download a file of a run', response: z.string().describe('The file bytes') },
  listArtifactsProxy: { summary: 'MLflow artifact proxy: list a directory of a run', response: z.object({ files: z.array(FileInfo) }) },
  createRegisteredModel: { summary: 'MLflow registry: create a registered model (an Attest model group)', response: z.object({ registered_model: MlflowRegisteredModel }) },
  getRegisteredModel: { summary: 'MLflow registry: get a registered model with its latest versions per stage, tags and aliases', response: z.object({ registered_model: MlflowRegisteredModel }) },
  renameRegisteredModel: { summary: 'MLflow registry: rename a registered model', response: z.object({ registered_model: MlflowRegisteredModel }) },
  updateRegisteredModel: { summary: "MLflow registry: change a registered model's description", response: z.object({ registered_model: MlflowRegisteredModel }) },
  deleteRegisteredModel: { summary: 'MLflow registry: delete a registered model that has no versions', response: Empty },
  searchRegisteredModels: { summary: 'MLflow registry: search registered models (filter on name and tags, order_by, paging)', response: z.object({ registered_models: z.array(MlflowRegisteredModel), next_page_token: z.string().optional() }) },
  getLatestVersions: { summary: 'MLflow registry: the newest version in each stage', response: z.object({ model_versions: z.array(MlflowModelVersion) }) },
  getLatestVersionsGet: { summary: 'MLflow registry: the newest version in each stage (GET form)', response: z.object({ model_versions: z.array(MlflowModelVersion) }) },
  setRegisteredModelTag: { summary: 'MLflow registry: set a registered model tag', response: Empty },
  deleteRegisteredModelTag: { summary: 'MLflow registry: delete a registered model tag', response: Empty },
  setRegisteredModelAlias: { summary: 'MLflow registry: point an alias at a version (gated aliases check approval and evidence)', response: Empty },
  deleteRegisteredModelAlias: { summary: 'MLflow registry: remove an alias (kept in its history)', response: Empty },
  getModelVersionByAlias: { summary: 'MLflow registry: the version an alias names', response: z.object({ model_version: MlflowModelVersion }) },
  createModelVersion: { summary: "MLflow registry: register a run's model file as a new version, pending approval", response: z.object({ model_version: MlflowModelVersion }) },
  getModelVersion: { summary: 'MLflow registry: get a model version (Attest approval status in its attest.* tags)', response: z.object({ model_version: MlflowModelVersion }) },
  updateModelVersion: { summary: "MLflow registry: change a model version's description", response: z.object({ model_version: MlflowModelVersion }) },
  deleteModelVersion: { summary: 'MLflow registry: delete a model version (archived: Attest keeps it as an audit record)', response: Empty },
  transitionModelVersionStage: { summary: 'MLflow registry: move a version to a stage (Production/Staging are aliases for Approved versions; policy and evidence gates apply)', response: z.object({ model_version: MlflowModelVersion }) },
  searchModelVersions: { summary: 'MLflow registry: search model versions (filter on name, run_id, source_path, version_number, tags)', response: z.object({ model_versions: z.array(MlflowModelVersion), next_page_token: z.string().optional() }) },
  getModelVersionDownloadUri: { summary: "MLflow registry: where a version's files download from", response: z.object({ artifact_uri: z.string() }) },
  setModelVersionTag: { summary: 'MLflow registry: set a model version tag', response: Empty },
  deleteModelVersionTag: { summary: 'MLflow registry: delete a model version tag', response: Empty },
} as const satisfies Record<string, Operation>;

export type MlflowOperationId = keyof typeof MLFLOW_OPERATIONS;

/**
 * The fastify schema of an MLflow route: operationId (suffixed on the project-prefixed copy of a
 * route so ids stay unique), summary, tags, request parts and responses.
 */
export function mlflowSchema<O extends MlflowOperationId, T extends Record<string, z.ZodType>>(operation: O, parts: T, options: { produces?: string; consumes?: string } = {}) {
  const op: { summary: string; response: (typeof MLFLOW_OPERATIONS)[O]['response'] } = MLFLOW_OPERATIONS[operation];
  return {
    operationId: operation,
    summary: op.summary,
    tags: ['mlflow'],
    ...parts,
    ...(options.produces ? { produces: [options.produces] } : {}),
    ...(options.consumes ? { consumes: [options.consumes] } : {}),
    response: { 200: op.response, '4XX': MlflowErrorBody, '5XX': MlflowErrorBody },
  };
}

/**
 * @module tracking
 * Experiments, trials and trial components (SageMaker Experiments' model), metric time series,
 * git capture, search with a small filter language, the lineage table, trial comparison, the
 * tracking SDK (Tracker over a transport) and the HTTP routes (native and MLflow-compatible).
 */
export { captureEnvironment, captureGit, stripCredentials } from './git-capture.js';
export type { LineageTableRow, TrialComparison, TrialComparisonRow } from './lineage-table.js';
export { LINEAGE_TABLE_COLUMNS, compareTrials, lineageTableCsv, lineageTableRows } from './lineage-table.js';
export type { FilterClause, FilterField, FilterOp } from './search-filter.js';
export { FILTER_OPS, parseFilter } from './search-filter.js';
export type {
  ComponentArtifact,
  ComponentStatus,
  ComponentType,
  EnvironmentInfo,
  Experiment,
  LifecycleStage,
  MetricPoint,
  MetricSummary,
  Note,
  ParameterValue,
  SourceInfo,
  Tags,
  Trial,
  TrialComponent,
} from './tracking-model.js';
export { COMPONENT_STATUSES, COMPONENT_TYPES, FINAL_STATUSES } from './tracking-model.js';
export type { SearchPage, SearchRequest, SearchTarget, SortKey } from './tracking-search.js';
export { SORT_KEYS } from './tracking-search.js';
export type { ArtifactLink, StartComponentInput, TrackingContext, TrackingServiceDeps } from './tracking-service.js';
export { TrackingService } from './tracking-service.js';
export type { ArtifactRef, TrackerOptions } from './sdk/tracker.js';
export { ComponentLogger, Tracker } from './sdk/tracker.js';
export type { MetricInput, StartComponentRequest, TrackingTransport, UploadedArtifact } from './sdk/transport.js';
export { InProcessTransport } from './sdk/in-process-transport.js';
export type { HttpTransportOptions } from './sdk/http-transport.js';
export { HttpTransport } from './sdk/http-transport.js';
export type { ArtifactFileInfo, MlflowDatasetInput, MlflowStoreDeps } from './mlflow-store.js';
export { LOG_MODEL_HISTORY_TAG, MlflowStore, checkArtifactPath } from './mlflow-store.js';
export type { OrderKey } from './tracking-order.js';
export { MAX_ORDERED_RESULTS } from './tracking-order.js';

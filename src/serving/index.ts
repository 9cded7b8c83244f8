/**
 * @module serving
 * Real-time endpoints: configuration versions with traffic policies (single, weighted canary,
 * shadow, rollback), in-memory compiled models, strict payload parsing, data capture through an
 * encrypted write-ahead log into Model Monitor's hourly partitions, Prometheus metrics, and the
 * human review queue.
 */
export type { CaptureEntry, CaptureLogOptions, CaptureLogStats } from './capture-log.js';
export { CaptureLog } from './capture-log.js';
export { CompiledModel } from './compiled-model.js';
export type { Endpoint, EndpointChange, EndpointConfigSpec, EndpointConfigVersion, ReviewConditions, Variant } from './endpoint-model.js';
export { DEFAULT_MAX_BATCH_ROWS, ENDPOINT_NAME, EndpointConfigSpecSchema, EndpointName, ReviewConditionsSchema } from './endpoint-model.js';
export type { CreateEndpointInput, EndpointServiceDeps, ModelResolver } from './endpoint-service.js';
export { EndpointService } from './endpoint-service.js';
export type { ParsedPayload } from './payload.js';
export { parseCsvPayload, parseJsonPayload } from './payload.js';
export { Counter, Histogram, LATENCY_BUCKETS_S, ServingMetrics } from './serving-metrics.js';
export type { InvokeInput, InvokeResult, Prediction, ReviewCandidate, ReviewSink, ServingRuntimeDeps } from './serving-runtime.js';
export { ServingRuntime } from './serving-runtime.js';
export type { CreateScheduleInput, MonitoringExecution, MonitoringSchedule, MonitoringSchedulerDeps, ScheduleKind, ScheduleSpec } from './monitoring-schedules.js';
export { MonitoringSchedules, SCHEDULE_KINDS, SCHEDULE_NAME, ScheduleSpecSchema } from './monitoring-schedules.js';
export type { RetrainOutcome, RetrainTrigger } from './retrain-trigger.js';
export { RETRAIN_VIOLATION_TYPES, RetrainTriggerSchema } from './retrain-trigger.js';
export type { ReviewDecisionInput, ReviewTask } from './review-queue.js';
export { ReviewQueue } from './review-queue.js';
export type { DecisionQuery, DecisionRecord } from './decision-lookup.js';
export { lookupDecision } from './decision-lookup.js';
export type { EndpointsClientOptions } from './endpoints-client.js';
export { EndpointsClient } from './endpoints-client.js';

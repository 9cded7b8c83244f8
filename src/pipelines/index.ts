/**
 * @module pipelines
 * Pipelines: versioned definitions (JSON or YAML) of job steps, conditions and fail steps with
 * typed parameters, run by an engine that submits each ready step as a governed job, retries with
 * backoff, reuses cached steps, records each execution as a trial of the pipeline's experiment,
 * and can be cancelled and retried. The CLI, the HTTP routes and the SDK are thin over this.
 */
export type { Champion, ChampionQuery, ChampionSource } from './champion.js';
export { ExecutionChampionSource } from './champion.js';
export type { ComparisonOp, ConditionStep, FailStep, JobStep, PipelineDefinition, PipelineParameter, PipelineStep, PipelineValue, RegisterStep, RetryPolicy } from './pipeline-definition.js';
export type { ModelRegistrar, PipelineRegistry, RegisteredVersion, RegistrationRequest } from './registry-port.js';
export { COMPARISON_OPS, CONTROL_STEP_TYPES, isJobStep, definitionHash, dependencies, parseDefinitionText, PipelineNameSchema, resolveParameters, topologicalOrder, validateDefinition } from './pipeline-definition.js';
export { PipelineDriver } from './pipeline-driver.js';
export type { EngineDeps } from './pipeline-engine.js';
export { PipelineEngine } from './pipeline-engine.js';
export type { Execution, ExecutionStatus, PipelineSummary, PipelineVersion, StepExecution, StepResult, StepStatus } from './pipeline-model.js';
export { EXECUTION_STATUSES, ExecutionSchema, isFinalExecution, PipelineSummarySchema, PipelineVersionSchema, STEP_STATUSES } from './pipeline-model.js';
export type { PipelineServiceOptions } from './pipeline-service.js';
export { PipelineService } from './pipeline-service.js';
export { PipelineStore } from './pipeline-store.js';
export type { HttpPipelinesTransportOptions, PipelinesTransport } from './pipelines-client.js';
export { HttpPipelinesTransport, InProcessPipelinesTransport, Pipelines } from './pipelines-client.js';

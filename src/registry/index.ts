/**
 * @module registry
 * The model registry (SageMaker's ModelPackageGroup ⊃ ModelPackage, with what it lacks): versions
 * registered from recorded training with their lineage, metrics and signature; approval with
 * enforced independence (maker ≠ checker through the policy engine); evidence gates per risk
 * tier; aliases with a complete, queryable history; auditor questions answered in one call.
 *
 * For serving: `new RegistryService(app).resolveApproved(project, 'credit-default@production')`
 * gives the Approved version an alias names and its artifact ({@link resolveApprovedModel}).
 */
import type { App } from '../app/index.js';
import type { ResolvedModel } from './registry-service.js';
import { RegistryService } from './registry-service.js';

export type { InProduction } from './auditor-queries.js';
export { chromiumPath, escapeHtml, htmlToPdf, outcomesHtml, page, renderModelCardHtml, table } from './card-html.js';
export type { CardBacktest, CardChallenger, CardFields, CardRevision, CardStressTest, ModelCard } from './model-card.js';
export { CardFieldsSchema, ModelCards } from './model-card.js';
export { AuditorQueries } from './auditor-queries.js';
export { EvidenceService, toEvidence } from './evidence-service.js';
export type { IndependenceCheck } from './independence.js';
export { authorizeChecker } from './independence.js';
export type { EvidenceState, GateCheck, GateEvaluation } from './gates.js';
export { evaluateGates } from './gates.js';
export type { RegistryCaller } from './registry-caller.js';
export { authorize, groupResource, validationResource, versionResource } from './registry-caller.js';
export type { AliasHistoryEntry, AliasRequest, Decision, Evidence, EvidenceKind, Independence, ModelGroup, ModelStatus, ModelVersion, Provenance, RegisterRequest, Signature } from './registry-model.js';
export {
  AliasHistoryEntrySchema,
  AliasName,
  AliasRequestSchema,
  DecisionRequestSchema,
  DecisionSchema,
  EVIDENCE_KINDS,
  EvidenceRequestSchema,
  EvidenceSchema,
  GroupName,
  MODEL_STATUSES,
  ModelGroupSchema,
  ModelVersionSchema,
  RegisterRequestSchema,
} from './registry-model.js';
export type { BiasLimit, RegistrySettings, RegistrySettingsInput, Severity, TierGates } from './registry-settings.js';
export { DEFAULT_SETTINGS, RegistrySettingsSchema, SEVERITIES } from './registry-settings.js';
export type { AliasAt, HttpRegistryTransportOptions, RegistryServices, RegistryTransport, ValidationPort } from './registry-client.js';
export { HttpRegistryTransport, InProcessRegistryTransport, Registry } from './registry-client.js';
export { makerFacts } from './independence.js';
export type { MlflowModelView, MlflowSource, MlflowStage, MlflowVersionView } from './mlflow-registry.js';
export { ATTEST_TAG_PREFIX, MLFLOW_STAGES, MlflowRegistry, mlflowStage, STAGE_ALIASES } from './mlflow-registry.js';
export { CHAMPION_ALIASES, pipelineRegistry, RegistryChampionSource, RegistryModelRegistrar } from './pipeline-registry.js';
export type { ResolvedModel } from './registry-service.js';
export { RegistryService } from './registry-service.js';
export type { RegistryKysely, RegistryTables, ValidationFindingsTable } from './registry-tables.js';
export { registryDb, registryTx } from './registry-tables.js';

/**
 * The Approved model version `ref` names in `project` — `GROUP@production`, `GROUP@champion`,
 * `GROUP@3` or `mp_…` — with its artifact. MODEL_STATUS_CONFLICT when it is not Approved,
 * MODEL_ALIAS_NOT_FOUND / MODEL_VERSION_NOT_FOUND / MODEL_GROUP_NOT_FOUND when it names nothing.
 */
export function resolveApprovedModel(app: App, project: string, ref: string): Promise<ResolvedModel> {
  return new RegistryService(app).resolveApproved(project, ref);
}

/**
 * @module registry/registry-tables
 * The registry's tables (migration 0011) as Kysely types. They are declared here rather than in
 * the shared platform schema so that the registry owns its storage; {@link registryDb} views the
 * metadata store with them added.
 */
import type { Kysely } from 'kysely';
import type { Database, Db, Tx } from '../platform/db/index.js';

export interface ModelGroupsTable {
  id: string;
  project_id: string;
  name: string;
  description: string;
  risk_tier: number | null;
  created_at: string;
  created_by: string;
  /** When its metadata last changed (migration 0014; null until then). */
  updated_at: string | null;
}

export interface ModelVersionsTable {
  id: string;
  project_id: string;
  group_id: string;
  version: number;
  artifact_id: string;
  sha256: string;
  media_type: string;
  /** `job` (a governed training job's output), `component` (a tracked training component's output) or `external`. */
  provenance: string;
  source_job_id: string | null;
  source_component_id: string | null;
  /** JSON: metric name → value. */
  metrics: string;
  /** JSON: the input schema ({ features: [{ name, type }] }). */
  signature: string;
  /** JSON: training parameters. */
  parameters: string;
  description: string;
  status: string;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface ModelAliasesTable {
  group_id: string;
  alias: string;
  project_id: string;
  target_version_id: string | null;
  target_alias: string | null;
  updated_at: string;
  updated_by: string;
}

export interface ModelAliasHistoryTable {
  id: string;
  project_id: string;
  group_id: string;
  alias: string;
  seq: number;
  /** Both null when the alias was removed. */
  target_version_id: string | null;
  target_alias: string | null;
  previous_version_id: string | null;
  previous_alias: string | null;
  at: string;
  by: string;
  reason: string;
  /** JSON: the evidence gate evaluation at the move. */
  evidence: string;
  override_justification: string | null;
}

export interface ModelDecisionsTable {
  id: string;
  project_id: string;
  version_id: string;
  decision: string;
  principal: string;
  comment: string;
  at: string;
  /** JSON: the separation-of-duties check (makers considered, groups, verdict). */
  independence: string;
  /** JSON: the evidence snapshot at the decision. */
  evidence: string;
}

export interface ModelEvidenceTable {
  id: string;
  project_id: string;
  version_id: string;
  kind: string;
  artifact_id: string;
  sha256: string;
  job_id: string | null;
  note: string;
  attached_at: string;
  attached_by: string;
}

export interface ModelCardRevisionsTable {
  version_id: string;
  revision: number;
  fields: string;
  at: string;
  by: string;
}

export interface ValidationFindingsTable {
  id: string;
  project_id: string;
  version_id: string;
  title: string;
  severity: string;
  status: string;
  description: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export interface ValidationCommentsTable {
  id: string;
  project_id: string;
  version_id: string;
  finding_id: string | null;
  text: string;
  at: string;
  by: string;
}

export interface ValidationSignoffsTable {
  id: string;
  project_id: string;
  version_id: string;
  principal: string;
  comment: string;
  report_artifact_id: string | null;
  independence: string;
  at: string;
}

export interface RegistrySettingsTable {
  project_id: string;
  document: string;
  revision: number;
  updated_at: string;
  updated_by: string;
}

/** A tag on a model group (MLflow's registered-model tag; migration 0014). */
export interface ModelGroupTagsTable {
  group_id: string;
  key: string;
  project_id: string;
  value: string;
  updated_at: string;
  updated_by: string;
}

/** A tag on a model version (MLflow's model-version tag; migration 0014). */
export interface ModelVersionTagsTable {
  version_id: string;
  key: string;
  project_id: string;
  value: string;
  updated_at: string;
  updated_by: string;
}

/** How a version was created through MLflow's API: its source URI, run, and where its files download from. */
export interface MlflowModelVersionSourcesTable {
  version_id: string;
  project_id: string;
  source: string;
  run_id: string | null;
  run_link: string | null;
  artifact_uri: string;
}

export interface RegistryTables {
  model_groups: ModelGroupsTable;
  model_versions: ModelVersionsTable;
  model_aliases: ModelAliasesTable;
  model_alias_history: ModelAliasHistoryTable;
  model_decisions: ModelDecisionsTable;
  model_evidence: ModelEvidenceTable;
  model_card_revisions: ModelCardRevisionsTable;
  validation_findings: ValidationFindingsTable;
  validation_comments: ValidationCommentsTable;
  validation_signoffs: ValidationSignoffsTable;
  registry_settings: RegistrySettingsTable;
  model_group_tags: ModelGroupTagsTable;
  model_version_tags: ModelVersionTagsTable;
  mlflow_model_version_sources: MlflowModelVersionSourcesTable;
}

export type RegistryKysely = Kysely<Database & RegistryTables>;

/** The metadata store seen with the registry's tables. */
export function registryDb(db: Db): RegistryKysely {
  return db.kysely as unknown as RegistryKysely;
}

/** A transaction seen with the registry's tables. */
export function registryTx(tx: Tx): RegistryKysely {
  return tx as unknown as RegistryKysely;
}

/**
 * @module platform/db/schema
 * Row types of the metadata store, as Kysely sees them. Timestamps are ISO-8601 UTC strings with
 * millisecond precision (they sort as text on both engines); JSON documents are stored as text;
 * binary values (wrapped keys, signatures) as base64 text. Only migrations change the schema.
 */
export interface ProjectsTable {
  id: string;
  name: string;
  description: string;
  created_at: string;
  created_by: string;
}

export interface KeysTable {
  id: string;
  alias: string | null;
  description: string;
  /** 'ENCRYPT_DECRYPT' for envelope keys, 'SIGN_VERIFY' for the audit checkpoint key. */
  usage: string;
  /** 'Enabled' | 'Disabled' | 'PendingDeletion' */
  state: string;
  current_version: number;
  deletion_date: string | null;
  provider: string;
  created_at: string;
  created_by: string;
}

export interface KeyVersionsTable {
  key_id: string;
  version: number;
  /** Key material as the provider returned it: wrapped (never plaintext) or a reference. */
  material: string;
  /** Public key (SPKI, base64) for signing keys; null for symmetric keys. */
  public_key: string | null;
  created_at: string;
}

export interface ArtifactsTable {
  id: string;
  project_id: string;
  sha256: string;
  size_bytes: number;
  media_type: string;
  key_id: string;
  key_version: number;
  /** The per-object data key, wrapped by the key version above (base64). */
  wrapped_key: string;
  /** Header of the encrypted object (format, chunk size, nonce prefix) as JSON. */
  encryption: string;
  blob_key: string;
  created_at: string;
  created_by: string;
  retention_until: string | null;
  legal_hold: number;
  deleted_at: string | null;
  deleted_by: string | null;
}

export interface NamedObjectsTable {
  project_id: string;
  name: string;
  version: number;
  artifact_id: string;
  created_at: string;
  created_by: string;
}

export interface AuditEventsTable {
  seq: number;
  id: string;
  time: string;
  principal: string;
  action: string;
  resource: string;
  outcome: string;
  source_ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: string;
  prev_hash: string;
  hash: string;
  /** HMAC-SHA256 (hex) of `hash` under the provider's audit MAC key; NULL before migration 0005. */
  mac: string | null;
}

export interface AuditCheckpointsTable {
  seq: number;
  head_hash: string;
  created_at: string;
  key_id: string;
  key_version: number;
  signature: string;
  /** Merkle root (hex) over entries 1..seq; NULL for checkpoints signed before migration 0005. */
  tree_root: string | null;
  /** JSON array of the compact range's subtree hashes at `seq` (checked against `tree_root` before use). */
  tree_frontier: string | null;
}

export interface ConfigChangesTable {
  id: string;
  time: string;
  principal: string;
  resource_type: string;
  resource_id: string;
  change: string;
  before: string | null;
  after: string | null;
  audit_seq: number;
}

export interface ExperimentsTable {
  id: string;
  project_id: string;
  name: string;
  description: string;
  /** JSON object of string tags. */
  tags: string;
  created_at: string;
  created_by: string;
  /** MLflow's soft delete: 'active' | 'deleted' (migration 0013). */
  lifecycle_stage?: string;
  last_update_time?: string | null;
}

export interface TrialsTable {
  id: string;
  project_id: string;
  experiment_id: string;
  name: string;
  tags: string;
  created_at: string;
  created_by: string;
}

export interface TrialComponentsTable {
  id: string;
  project_id: string;
  name: string;
  /** processing | training | evaluation | transform | custom */
  type: string;
  /** InProgress | Completed | Failed | Stopped */
  status: string;
  tags: string;
  /** JSON array of notes ({ time, principal, text }). */
  notes: string;
  /** Source-control lineage (git) as JSON, or null. */
  source: string | null;
  /** Runtime environment as JSON, or null. */
  environment: string | null;
  start_time: string;
  end_time: string | null;
  failure_reason: string | null;
  created_at: string;
  created_by: string;
  /** MLflow's soft delete: 'active' | 'deleted' (migration 0013). */
  lifecycle_stage?: string;
}

export interface TrialComponentMembersTable {
  trial_id: string;
  component_id: string;
  added_at: string;
}

export interface ComponentParametersTable {
  component_id: string;
  name: string;
  value_text: string;
  value_num: number | null;
  /** 'string' | 'number' | 'boolean' */
  value_type: string;
}

export interface ComponentArtifactsTable {
  component_id: string;
  /** 'input' | 'output' */
  direction: string;
  role: string;
  artifact_id: string;
  sha256: string;
  media_type: string;
  name: string | null;
  created_at: string;
}

export interface MetricsTable {
  component_id: string;
  name: string;
  value: number;
  step: number;
  /** Milliseconds since the epoch (as MLflow records them). */
  timestamp: number;
  /** 1 when the point is NaN (then `value` is 0), as MLflow's SQL store records it. */
  is_nan?: number;
}

export interface MetricSummariesTable {
  component_id: string;
  name: string;
  last_value: number;
  last_step: number;
  last_timestamp: number;
  min_value: number;
  max_value: number;
  count: number;
  /** 1 when the last value is NaN. */
  last_is_nan?: number;
}

export interface MlflowArtifactFilesTable {
  component_id: string;
  /** Relative path in the run's artifact tree (`model/MLmodel`). */
  path: string;
  project_id: string;
  artifact_id: string;
  size_bytes: number;
  created_at: string;
  created_by: string;
}

export interface MlflowDatasetInputsTable {
  component_id: string;
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema: string | null;
  profile: string | null;
  /** JSON array of input tags ({ key, value }). */
  tags: string;
  /** The Attest artifact the dataset resolved to, when it is one. */
  artifact_id: string | null;
  created_at: string;
}

export interface LineageAssociationsTable {
  id: string;
  project_id: string;
  source_id: string;
  source_kind: string;
  dest_id: string;
  dest_kind: string;
  type: string;
  created_at: string;
  created_by: string;
}

export interface DatasetsTable {
  id: string;
  project_id: string;
  name: string;
  description: string;
  created_at: string;
  created_by: string;
}

export interface DatasetVersionsTable {
  id: string;
  dataset_id: string;
  version: number;
  artifact_id: string;
  sha256: string;
  format: string;
  row_count: number;
  byte_count: number;
  /** DataSchema JSON. */
  schema: string;
  /** The DatasetProfile JSON, stored as an encrypted artifact (it contains data values). */
  profile_artifact_id: string;
  /** Where the bytes came from (file name, or the component that derived them), JSON. */
  source: string;
  created_at: string;
  created_by: string;
}

export interface SchemaMigrationsTable {
  name: string;
  applied_at: string;
}

/** A local user (`kind` 'user') or a service principal (`kind` 'service'). */
export interface PrincipalsTable {
  id: string;
  kind: string;
  name: string;
  display_name: string;
  email: string | null;
  /** scrypt PHC string; null for service principals and OIDC-only users. */
  password_hash: string | null;
  /** 'active' | 'locked' | 'disabled' */
  status: string;
  locked_at: string | null;
  /** null while locked means: until an administrator unlocks. */
  locked_until: string | null;
  external_id: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface LoginFailuresTable {
  id: string;
  principal_id: string;
  time: string;
  source_ip: string | null;
}

export interface ApiTokensTable {
  prefix: string;
  owner_id: string;
  name: string;
  /** 'api' (long-lived, created by a user) | 'session' (short-lived, from a password login). */
  kind: string;
  hash: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  last_used_at: string | null;
  /** JSON `{ name, document }` or null. */
  scope: string | null;
}

export interface GroupsTable {
  id: string;
  name: string;
  description: string;
  created_at: string;
  created_by: string;
}

export interface GroupMembersTable {
  group_id: string;
  principal_id: string;
  created_at: string;
}

export interface RolesTable {
  name: string;
  description: string;
  scope: string;
  document: string;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface RoleAssignmentsTable {
  id: string;
  /** 'user' (users and service principals) | 'group' */
  subject_type: string;
  subject_id: string;
  role: string;
  /** '' for installation-wide grants. */
  project: string;
  created_at: string;
  created_by: string;
}

export interface PoliciesTable {
  id: string;
  name: string;
  description: string;
  document: string;
  version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface PolicyAttachmentsTable {
  policy_id: string;
  /** 'user' | 'group' | 'role' */
  subject_type: string;
  subject_id: string;
  created_at: string;
}

/** A governed job: the embedded queue's row and the job's record (migration 0009). */
export interface JobsTable {
  id: string;
  project_id: string;
  type: string;
  /** JSON: inputs (role → reference), parameters, experiment and trial. */
  spec: string;
  status: string;
  /** The audit name of the principal the job runs for. */
  principal: string;
  /** JSON: the submitting actor (source address, user agent, request id). */
  actor: string;
  attempts: number;
  max_attempts: number;
  lease_token: string | null;
  lease_owner: string | null;
  /** Epoch milliseconds. */
  lease_expires_at: number | null;
  /** Epoch milliseconds: not claimed before (retry backoff). */
  run_after: number;
  cancel_requested: number;
  component_id: string | null;
  isolation: string | null;
  /** JSON: outputs and metrics of a succeeded job. */
  result: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The named queue the job waits in (migration 0006; `default` unless the request names one). */
  queue: string;
}

export interface JobLogsTable {
  job_id: string;
  seq: number;
  attempt: number;
  stream: string;
  at: string;
  line: string;
}

export interface JobOutputsTable {
  job_id: string;
  role: string;
  artifact_id: string;
  dataset_version_id: string | null;
  name: string | null;
  version: number | null;
  created_at: string;
}

export interface Database {
  jobs: JobsTable;
  job_logs: JobLogsTable;
  job_outputs: JobOutputsTable;
  projects: ProjectsTable;
  keys: KeysTable;
  key_versions: KeyVersionsTable;
  artifacts: ArtifactsTable;
  named_objects: NamedObjectsTable;
  audit_events: AuditEventsTable;
  audit_checkpoints: AuditCheckpointsTable;
  config_changes: ConfigChangesTable;
  datasets: DatasetsTable;
  dataset_versions: DatasetVersionsTable;
  schema_migrations: SchemaMigrationsTable;
  experiments: ExperimentsTable;
  trials: TrialsTable;
  trial_components: TrialComponentsTable;
  trial_component_members: TrialComponentMembersTable;
  component_parameters: ComponentParametersTable;
  component_artifacts: ComponentArtifactsTable;
  metrics: MetricsTable;
  metric_summaries: MetricSummariesTable;
  lineage_associations: LineageAssociationsTable;
  mlflow_artifact_files: MlflowArtifactFilesTable;
  mlflow_dataset_inputs: MlflowDatasetInputsTable;
  principals: PrincipalsTable;
  login_failures: LoginFailuresTable;
  api_tokens: ApiTokensTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  roles: RolesTable;
  role_assignments: RoleAssignmentsTable;
  policies: PoliciesTable;
  policy_attachments: PolicyAttachmentsTable;
}

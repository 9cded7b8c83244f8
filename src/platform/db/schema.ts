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
}

export interface AuditCheckpointsTable {
  seq: number;
  head_hash: string;
  created_at: string;
  key_id: string;
  key_version: number;
  signature: string;
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

export interface Database {
  projects: ProjectsTable;
  keys: KeysTable;
  key_versions: KeyVersionsTable;
  artifacts: ArtifactsTable;
  named_objects: NamedObjectsTable;
  audit_events: AuditEventsTable;
  audit_checkpoints: AuditCheckpointsTable;
  config_changes: ConfigChangesTable;
  schema_migrations: SchemaMigrationsTable;
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

/**
 * @module security/identity-store/identity-model
 * What the identity store records and shows: users and service principals, groups, API tokens,
 * roles, role assignments and managed policies, as zod schemas (the API validates its responses
 * with them and the OpenAPI document is generated from them) plus the row mappers.
 */
import { z } from 'zod';
import type { ApiTokensTable, GroupsTable, PoliciesTable, PrincipalsTable, RoleAssignmentsTable } from '../../platform/db/index.js';
import type { NamedPolicy, RoleGrant } from '../policy/index.js';
import { PolicyDocument } from '../policy/index.js';

/** User, group, role and policy names: usable as one segment of a resource name. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const Name = z.string().regex(NAME_PATTERN, 'lower case letters, digits, ".", "_" and "-", 1–63 characters, starting with a letter or digit');

export const PRINCIPAL_KINDS = ['user', 'service'] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

export const UserView = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(PRINCIPAL_KINDS),
  displayName: z.string(),
  email: z.string().nullable(),
  status: z.enum(['active', 'locked', 'disabled']),
  lockedAt: z.string().nullable(),
  lockedUntil: z.string().nullable(),
  hasPassword: z.boolean(),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type UserView = z.infer<typeof UserView>;

export const GroupView = z.object({ id: z.string(), name: z.string(), description: z.string(), members: z.array(z.string()), createdAt: z.string() });
export type GroupView = z.infer<typeof GroupView>;

export const TokenView = z.object({
  prefix: z.string(),
  owner: z.string(),
  name: z.string(),
  kind: z.enum(['api', 'session']),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  scope: z.string().nullable(),
});
export type TokenView = z.infer<typeof TokenView>;

export const AssignmentView = z.object({
  id: z.string(),
  subjectType: z.enum(['user', 'group']),
  subject: z.string(),
  role: z.string(),
  project: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type AssignmentView = z.infer<typeof AssignmentView>;

export const RoleView = z.object({
  name: z.string(),
  description: z.string(),
  scope: z.enum(['project', 'installation']),
  builtIn: z.boolean(),
  document: PolicyDocument,
  attachedPolicies: z.array(z.string()),
});
export type RoleView = z.infer<typeof RoleView>;

export const PolicyView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  version: z.number().int(),
  document: PolicyDocument,
  attachments: z.array(z.object({ subjectType: z.enum(['user', 'group', 'role']), subject: z.string() })),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PolicyView = z.infer<typeof PolicyView>;

/** An authenticated caller, as the authorizer and the audit ledger see it. */
export interface Principal {
  /** Stored id (`usr_…`), or `oidc:<issuer>#<sub>` for an unlinked OIDC identity. */
  readonly id: string;
  /** The name policies see as `attest:PrincipalId` (resource names use it: `attest::user/<name>`). */
  readonly name: string;
  readonly kind: PrincipalKind;
  /** How it appears in the audit ledger: `user:<name>` or `service:<name>`. */
  readonly auditName: string;
  readonly authMethod: 'password' | 'token' | 'oidc' | 'presigned';
  /** Group names from the store and, for OIDC, from the claim mappings. */
  readonly groups: readonly string[];
  /** Extra role grants carried by an OIDC token's mapped claims. */
  readonly extraGrants?: readonly RoleGrant[];
  /** The token used, if any (prefix and its narrower scope). */
  readonly token?: { readonly prefix: string; readonly kind: 'api' | 'session'; readonly scope?: NamedPolicy };
}

export function auditNameOf(kind: PrincipalKind, name: string): string {
  return `${kind}:${name}`;
}

export function rowToUser(row: PrincipalsTable): UserView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as PrincipalKind,
    displayName: row.display_name,
    email: row.email,
    status: row.status as UserView['status'],
    lockedAt: row.locked_at,
    lockedUntil: row.locked_until,
    hasPassword: row.password_hash !== null,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

export function rowToGroup(row: GroupsTable, members: string[]): GroupView {
  return { id: row.id, name: row.name, description: row.description, members, createdAt: row.created_at };
}

export function rowToToken(row: ApiTokensTable, owner: string): TokenView {
  const scope = row.scope === null ? null : (JSON.parse(row.scope) as { name: string }).name;
  return {
    prefix: row.prefix,
    owner,
    name: row.name,
    kind: row.kind as TokenView['kind'],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
    lastUsedAt: row.last_used_at,
    scope,
  };
}

export function rowToAssignment(row: RoleAssignmentsTable, subject: string): AssignmentView {
  return {
    id: row.id,
    subjectType: row.subject_type as AssignmentView['subjectType'],
    subject,
    role: row.role,
    project: row.project === '' ? null : row.project,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

export function rowToPolicyDocument(row: PoliciesTable): PolicyDocument {
  return JSON.parse(row.document) as PolicyDocument;
}

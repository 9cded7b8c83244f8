/**
 * @module security/policy/built-in-roles
 * The built-in job-function roles (whitepaper: role-based access by job function, least privilege),
 * each a policy document.
 *
 * Project scoping: a project role (data scientist, ML engineer, model validator, viewer) is a
 * *template* whose resources are written `attest:${attest:Project}:…`. It only takes effect when
 * granted in a project: `rolePolicy` (role-grants.ts) binds the placeholder to that project's name
 * at grant time, producing a concrete document (`role/data-scientist@credit-risk`) that covers
 * `attest:credit-risk:*` and nothing else. The placeholder is never resolved from the request,
 * because the request's project is exactly what the grant must constrain. Installation roles
 * (administrator, security administrator, auditor) are granted installation-wide.
 *
 * Every principal also gets {@link SELF_SERVICE_POLICY}: manage one's own API tokens and password,
 * and list projects (the server filters the list to the caller's memberships).
 *
 * Grant boundaries: a role may carry a `grantBoundary`, the permissions its holders may grant to
 * others beyond what they hold themselves (grant-ceiling.ts). The security administrator's lets it
 * staff projects with the job-function roles and appoint auditors without holding data access
 * itself; it never covers changing who may do what, nor the key and configuration actions.
 */
import { ACTION_CATALOGUE, ACTION_NAMES, actionsWithAccess } from './action-catalogue.js';
import { policyVariable } from './compile-pattern.js';
import { type NamedPolicy, POLICY_VERSION, type PolicyDocument, type PolicyStatement } from './policy-document.js';

/** The names of the built-in roles. */
export const BUILT_IN_ROLE_NAMES = [
  'administrator',
  'security-administrator',
  'data-scientist',
  'ml-engineer',
  'model-validator',
  'auditor',
  'viewer',
] as const;

export type BuiltInRoleName = (typeof BUILT_IN_ROLE_NAMES)[number];

/** A role: a named, documented policy bundle. */
export interface RoleDefinition {
  readonly name: string;
  readonly description: string;
  /** `project` roles are templates bound to one project when granted. */
  readonly scope: 'project' | 'installation';
  readonly document: PolicyDocument;
  /** What holders of this (installation) role may grant beyond their own permissions. */
  readonly grantBoundary?: PolicyDocument;
}

/** The placeholder project roles use for the project they are granted in. */
export const PROJECT_PLACEHOLDER = policyVariable('attest:Project');
const PRINCIPAL_ID = policyVariable('attest:PrincipalId');
/** How every resource pattern of a project role starts. */
export const IN_PROJECT = `attest:${PROJECT_PLACEHOLDER}:`;

const doc = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: POLICY_VERSION, Statement: statements });

const PROJECT_READ: PolicyStatement = {
  Sid: 'ProjectRead',
  Effect: 'Allow',
  Action: ['project:Describe', 'project:ListMembers'],
  Resource: `${IN_PROJECT}project/*`,
};

const READ_OPERATIONS: PolicyStatement = {
  Sid: 'ReadOperations',
  Effect: 'Allow',
  Action: ['monitor:List', 'monitor:Describe', 'baseline:List', 'baseline:Describe', 'endpoint:List', 'endpoint:Describe', 'pipeline:List', 'pipeline:Describe'],
  Resource: `${IN_PROJECT}*`,
};

const READ_EXPERIMENTS = ['experiment:List', 'experiment:Describe', 'trial:List', 'trial:Describe', 'component:List', 'component:Describe'];

/** Self-service actions every principal keeps, even an auditor. */
const SELF_SERVICE_ACTIONS = ['token:Create', 'token:List', 'token:Describe', 'token:Revoke', 'user:Describe', 'user:ChangePassword', 'project:List'];

/** Creating, changing or deleting projects is not a job function anyone is staffed with. */
const PROJECT_LIFECYCLE = new Set(['project:Create', 'project:Update', 'project:Delete']);

/**
 * The project job functions: every project action at List, Read or Write level, in any project —
 * enough to grant data-scientist, ml-engineer, model-validator and viewer in any project.
 */
const PROJECT_JOB_ACTIONS = ACTION_NAMES.filter((name) => {
  const info = ACTION_CATALOGUE.get(name)!;
  return info.scope === 'project' && info.access !== 'Permissions' && !PROJECT_LIFECYCLE.has(name);
});

const ROLES: Readonly<Record<BuiltInRoleName, RoleDefinition>> = {
  administrator: {
    name: 'administrator',
    description: 'Everything, everywhere. For break-glass and installation set-up; maker ≠ checker still applies.',
    scope: 'installation',
    document: doc({ Sid: 'FullAccess', Effect: 'Allow', Action: '*', Resource: '*' }),
  },
  'security-administrator': {
    name: 'security-administrator',
    description: 'Users, groups, tokens, roles, policies, key administration, audit, configuration, alert rules and project membership; no access to data or models, and cannot use keys to encrypt or decrypt.',
    scope: 'installation',
    document: doc(
      { Sid: 'IdentityAndAccess', Effect: 'Allow', Action: ['user:*', 'group:*', 'token:*', 'role:*', 'policy:*'], Resource: 'attest::*' },
      {
        Sid: 'KeyAdministration',
        Effect: 'Allow',
        Action: ['key:Create', 'key:List', 'key:Describe', 'key:Enable', 'key:Disable', 'key:Rotate', 'key:ScheduleDeletion', 'key:CancelDeletion', 'key:Rewrap'],
        Resource: 'attest::key/*',
      },
      { Sid: 'AuditConfigAlerts', Effect: 'Allow', Action: ['audit:*', 'config:*', 'alert:*'], Resource: 'attest::*' },
      {
        Sid: 'ProjectMembership',
        Effect: 'Allow',
        Action: ['project:List', 'project:Describe', 'project:ListMembers', 'project:AddMember', 'project:RemoveMember'],
        Resource: 'attest:*:project/*',
      },
      {
        Sid: 'RetentionAndLegalHold',
        Effect: 'Allow',
        Action: ['artifact:List', 'artifact:Describe', 'artifact:SetRetention', 'artifact:SetLegalHold'],
        Resource: 'attest:*:artifact/*',
      },
    ),
    grantBoundary: doc(
      { Sid: 'StaffProjects', Effect: 'Allow', Action: PROJECT_JOB_ACTIONS, Resource: 'attest:*:*' },
      { Sid: 'AppointAuditors', Effect: 'Allow', Action: actionsWithAccess(['List', 'Read']), Resource: '*' },
    ),
  },
  'data-scientist': {
    name: 'data-scientist',
    description: 'Registers data, runs tracked experiments, trains, registers, evaluates and explains models, runs bias analyses; cannot approve or deploy models, read the audit ledger, or manage users or keys.',
    scope: 'project',
    document: doc(
      PROJECT_READ,
      {
        Sid: 'Data',
        Effect: 'Allow',
        Action: ['dataset:Register', 'dataset:CreateVersion', 'dataset:List', 'dataset:Describe', 'dataset:Read', 'dataset:Profile'],
        Resource: `${IN_PROJECT}dataset/*`,
      },
      { Sid: 'Artifacts', Effect: 'Allow', Action: ['artifact:Put', 'artifact:Get', 'artifact:List', 'artifact:Describe'], Resource: `${IN_PROJECT}artifact/*` },
      {
        Sid: 'Experiments',
        Effect: 'Allow',
        Action: [...READ_EXPERIMENTS, 'experiment:Create', 'experiment:Update', 'trial:Create', 'trial:Update', 'component:Create', 'component:Update', 'component:Complete'],
        Resource: `${IN_PROJECT}*`,
      },
      {
        Sid: 'DeleteOwnExperiments',
        Effect: 'Allow',
        Action: ['experiment:Delete', 'trial:Delete'],
        Resource: `${IN_PROJECT}*`,
        Condition: { StringEquals: { 'attest:ResourceCreator': PRINCIPAL_ID } },
      },
      {
        Sid: 'ModelDevelopment',
        Effect: 'Allow',
        Action: ['model:Train', 'model:Register', 'model:List', 'model:Describe', 'model:Read', 'model:Evaluate', 'model:Explain', 'bias:Run', 'bias:Read', 'lineage:Read', 'lineage:Associate', 'baseline:Create'],
        Resource: `${IN_PROJECT}*`,
      },
      { Sid: 'Jobs', Effect: 'Allow', Action: ['job:Run', 'job:List', 'job:Describe', 'job:GetLogs', 'job:Cancel'], Resource: `${IN_PROJECT}job/*` },
      // Their own lifecycle as a pipeline; each step is still authorized as the work it does.
      { Sid: 'Pipelines', Effect: 'Allow', Action: ['pipeline:Create', 'pipeline:Update', 'pipeline:Start', 'pipeline:Stop'], Resource: `${IN_PROJECT}pipeline/*` },
      { Sid: 'DriftChecks', Effect: 'Allow', Action: ['monitor:Run'], Resource: `${IN_PROJECT}monitor/*` },
      READ_OPERATIONS,
    ),
  },
  'ml-engineer': {
    name: 'ml-engineer',
    description: 'Builds and runs pipelines, deploys approved models to endpoints and batch jobs, sets up monitoring; cannot train, register or approve models.',
    scope: 'project',
    document: doc(
      PROJECT_READ,
      {
        Sid: 'Pipelines',
        Effect: 'Allow',
        Action: ['pipeline:Create', 'pipeline:List', 'pipeline:Describe', 'pipeline:Update', 'pipeline:Delete', 'pipeline:Start', 'pipeline:Stop'],
        Resource: `${IN_PROJECT}pipeline/*`,
      },
      { Sid: 'EndpointsAndMonitoring', Effect: 'Allow', Action: ['endpoint:*', 'monitor:*', 'baseline:*', 'lineage:Associate'], Resource: `${IN_PROJECT}*` },
      { Sid: 'Jobs', Effect: 'Allow', Action: ['job:Run', 'job:List', 'job:Describe', 'job:GetLogs', 'job:Cancel'], Resource: `${IN_PROJECT}job/*` },
      {
        Sid: 'DeployApprovedModels',
        Effect: 'Allow',
        Action: 'model:Deploy',
        Resource: `${IN_PROJECT}model/*`,
        Condition: { StringEquals: { 'attest:ApprovalStatus': 'Approved' } },
      },
      {
        Sid: 'ReadForOperations',
        Effect: 'Allow',
        Action: [
          ...READ_EXPERIMENTS,
          'model:List',
          'model:Describe',
          'model:Read',
          'dataset:List',
          'dataset:Describe',
          'dataset:Read',
          'artifact:Put',
          'artifact:Get',
          'artifact:List',
          'artifact:Describe',
          'bias:Read',
          'lineage:Read',
        ],
        Resource: `${IN_PROJECT}*`,
      },
    ),
  },
  'model-validator': {
    name: 'model-validator',
    description: 'Second line: reviews evidence, re-evaluates and explains models, records findings, approves or rejects model versions and pipeline approval steps; cannot train, register or deploy.',
    scope: 'project',
    document: doc(
      PROJECT_READ,
      {
        Sid: 'Validation',
        Effect: 'Allow',
        Action: [
          'model:List',
          'model:Describe',
          'model:Read',
          'model:Evaluate',
          'model:Explain',
          'model:Review',
          'model:Approve',
          'model:Reject',
          'validation:SignOff',
          'bias:Run',
          'bias:Read',
          'lineage:Read',
          'pipeline:ApproveStep',
          'review:List',
          'review:Describe',
          'review:Decide',
          'job:List',
          'job:Describe',
          'job:GetLogs',
          // A job runs only if its type's own action is allowed too, so this admits evaluation,
          // explanation, bias and the validation jobs (challenger, back-test, stress) — not training.
          'job:Run',
        ],
        Resource: `${IN_PROJECT}*`,
      },
      {
        Sid: 'Evidence',
        Effect: 'Allow',
        Action: [...READ_EXPERIMENTS, 'dataset:List', 'dataset:Describe', 'dataset:Read', 'artifact:Get', 'artifact:List', 'artifact:Describe'],
        Resource: `${IN_PROJECT}*`,
      },
      READ_OPERATIONS,
    ),
  },
  auditor: {
    name: 'auditor',
    description: 'Third line: reads, lists, verifies and exports everything including the audit ledger; an explicit deny stops any change, whatever other grants say.',
    scope: 'installation',
    document: doc(
      { Sid: 'ReadEverything', Effect: 'Allow', Action: actionsWithAccess(['List', 'Read']), Resource: '*' },
      { Sid: 'ChangeNothing', Effect: 'Deny', NotAction: [...actionsWithAccess(['List', 'Read']), ...SELF_SERVICE_ACTIONS], Resource: '*' },
    ),
  },
  viewer: {
    name: 'viewer',
    description: "Lists and describes a project's resources and lineage; cannot read data or model contents or change anything.",
    scope: 'project',
    document: doc({
      Sid: 'ViewProject',
      Effect: 'Allow',
      Action: ['*:List', '*:Describe', 'project:ListMembers', 'lineage:Read', 'bias:Read'],
      Resource: `${IN_PROJECT}*`,
    }),
  },
};

/** Every built-in role. */
export const BUILT_IN_ROLES: readonly RoleDefinition[] = Object.freeze(BUILT_IN_ROLE_NAMES.map((n) => ROLES[n]));

/** The built-in role called `name`, if any. */
export function builtInRole(name: string): RoleDefinition | undefined {
  return (ROLES as Record<string, RoleDefinition>)[name];
}

/** The grant boundary of a role as a named policy (`boundary/<role>`), if it has one. */
export function grantBoundaryOf(role: RoleDefinition): NamedPolicy | undefined {
  return role.grantBoundary ? { name: `boundary/${role.name}`, document: role.grantBoundary } : undefined;
}

/** Policies every authenticated principal has: its own tokens, profile and password, and the project list. */
export const SELF_SERVICE_POLICY: NamedPolicy = {
  name: 'builtin/self-service',
  document: doc(
    { Sid: 'OwnTokens', Effect: 'Allow', Action: ['token:Create', 'token:List', 'token:Describe', 'token:Revoke'], Resource: `attest::token/${PRINCIPAL_ID}/*` },
    { Sid: 'OwnProfile', Effect: 'Allow', Action: ['user:Describe', 'user:ChangePassword'], Resource: `attest::user/${PRINCIPAL_ID}` },
    { Sid: 'ListProjects', Effect: 'Allow', Action: 'project:List', Resource: 'attest::project/*' },
  ),
};

/**
 * Ready-made token scopes (`attest tokens create --scope read-only`): a scope only narrows, so a
 * read-only token of an administrator can read everything and change nothing.
 */
export const TOKEN_SCOPE_PRESETS: Readonly<Record<'read-only', PolicyDocument>> = Object.freeze({
  'read-only': doc({ Sid: 'ReadOnly', Effect: 'Allow', Action: actionsWithAccess(['List', 'Read']), Resource: '*' }),
});

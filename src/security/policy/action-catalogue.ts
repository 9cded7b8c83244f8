/**
 * @module security/policy/action-catalogue
 * Every action Attest exposes, as `<service>:<Verb>`, with a one-line description, an access level
 * and the resource-name template the action is authorised against. The server checks that every
 * route names an action from this list ({@link isCatalogueAction}), so a route can never be
 * authorised against a misspelt action that no policy mentions.
 *
 * Access levels follow the AWS service-authorization reference: `List` and `Read` change nothing
 * (the auditor role is exactly "every List and Read action"); `Write` changes state or data;
 * `Permissions` changes who may do what. `key:Encrypt`/`key:Decrypt` are `Write` as in AWS KMS:
 * using a key is not reading metadata.
 *
 * Checker actions ({@link CHECKER_ACTIONS}) are the second pair of eyes: approving, rejecting or
 * signing off someone's work. Separation of duties denies them to whoever made the resource,
 * whatever the policies say (separation-of-duties.ts).
 */
import { z } from 'zod';
import { AppError } from '../../kernel/index.js';

/** How an action touches the system. */
export type AccessLevel = 'List' | 'Read' | 'Write' | 'Permissions';

/** Whether a service's resources live inside a project (`attest:<project>:…`) or installation-wide (`attest::…`). */
export type ResourceScope = 'project' | 'installation';

/** One entry of the catalogue. */
export interface ActionInfo {
  readonly service: string;
  readonly verb: string;
  readonly access: AccessLevel;
  readonly description: string;
  readonly scope: ResourceScope;
  /**
   * The resource a request for this action names, with `{project}` and `{id}` placeholders,
   * e.g. `attest:{project}:dataset/{id}`; list actions name the collection (`…/dataset/*`).
   */
  readonly resource: string;
  /** A checker action: denied to the resource's makers (maker ≠ checker). */
  readonly checker: boolean;
}

type VerbSpec = readonly [verb: string, access: AccessLevel, description: string, resource?: string];

interface ServiceSpec {
  readonly service: string;
  readonly scope: ResourceScope;
  /** Resource type segment; defaults to the service name. */
  readonly type?: string;
  readonly verbs: readonly VerbSpec[];
}

const SERVICES: readonly ServiceSpec[] = [
  {
    service: 'artifact',
    scope: 'project',
    verbs: [
      ['Put', 'Write', 'Store a new encrypted, content-addressed artifact'],
      ['Get', 'Read', 'Download (decrypt) an artifact'],
      ['List', 'List', 'List artifacts'],
      ['Describe', 'Read', "Read an artifact's metadata (hash, size, key, retention)"],
      ['SetRetention', 'Write', "Set or extend an artifact's retention date"],
      ['SetLegalHold', 'Write', 'Place or release a legal hold on an artifact'],
      ['Delete', 'Write', 'Delete an artifact that is neither retained nor on hold'],
    ],
  },
  {
    service: 'key',
    scope: 'installation',
    verbs: [
      ['Create', 'Write', 'Create a customer-managed key'],
      ['List', 'List', 'List keys'],
      ['Describe', 'Read', "Read a key's metadata, state and versions"],
      ['Enable', 'Write', 'Enable a disabled key'],
      ['Disable', 'Write', "Disable a key, making its objects unreadable until it is enabled"],
      ['Rotate', 'Write', 'Create a new key version; old versions stay available for decryption'],
      ['ScheduleDeletion', 'Write', 'Schedule a key for deletion after a waiting period'],
      ['CancelDeletion', 'Write', 'Cancel a scheduled key deletion'],
      ['Rewrap', 'Write', 'Re-wrap data keys under the newest key version'],
      ['Encrypt', 'Write', 'Encrypt data directly under a key'],
      ['Decrypt', 'Write', 'Decrypt data directly under a key'],
    ],
  },
  {
    service: 'audit',
    scope: 'installation',
    verbs: [
      ['Read', 'Read', 'List and read audit ledger entries', 'attest::audit/ledger'],
      ['Verify', 'Read', "Verify the audit ledger's hash chain and signed checkpoints", 'attest::audit/ledger'],
      ['Export', 'Read', 'Export the audit ledger (JSON Lines) for a SIEM', 'attest::audit/ledger'],
    ],
  },
  {
    service: 'user',
    scope: 'installation',
    verbs: [
      ['Create', 'Write', 'Create a local user or service principal'],
      ['List', 'List', 'List users'],
      ['Describe', 'Read', "Read a user's profile, groups and roles"],
      ['Update', 'Write', "Change a user's profile"],
      ['Delete', 'Write', 'Delete a user'],
      ['Lock', 'Write', 'Lock a user account'],
      ['Unlock', 'Write', 'Unlock a user account'],
      ['ResetPassword', 'Write', "Reset another user's password"],
      ['ChangePassword', 'Write', "Change one's own password (requires the current one)"],
      ['AttachPolicy', 'Permissions', 'Attach a policy to a user'],
      ['DetachPolicy', 'Permissions', 'Detach a policy from a user'],
    ],
  },
  {
    service: 'group',
    scope: 'installation',
    verbs: [
      ['Create', 'Write', 'Create a group'],
      ['List', 'List', 'List groups'],
      ['Describe', 'Read', "Read a group's members and policies"],
      ['Update', 'Write', "Change a group's description"],
      ['Delete', 'Write', 'Delete a group'],
      ['AddMember', 'Permissions', 'Add a user to a group'],
      ['RemoveMember', 'Permissions', 'Remove a user from a group'],
      ['AttachPolicy', 'Permissions', 'Attach a policy to a group'],
      ['DetachPolicy', 'Permissions', 'Detach a policy from a group'],
    ],
  },
  {
    service: 'token',
    scope: 'installation',
    verbs: [
      ['Create', 'Write', 'Create an API token (shown once)', 'attest::token/{owner}/{id}'],
      ['List', 'List', "List a user's API tokens", 'attest::token/{owner}/*'],
      ['Describe', 'Read', "Read an API token's metadata (never its secret)", 'attest::token/{owner}/{id}'],
      ['Revoke', 'Write', 'Revoke an API token', 'attest::token/{owner}/{id}'],
    ],
  },
  {
    service: 'role',
    scope: 'installation',
    verbs: [
      ['Create', 'Permissions', 'Create a custom role'],
      ['List', 'List', 'List roles'],
      ['Describe', 'Read', "Read a role's policies"],
      ['Update', 'Permissions', "Change a custom role's policies"],
      ['Delete', 'Permissions', 'Delete a custom role'],
      ['Assign', 'Permissions', 'Grant a role to a user or group (installation-wide or in a project)'],
      ['Unassign', 'Permissions', 'Withdraw a role from a user or group'],
    ],
  },
  {
    service: 'policy',
    scope: 'installation',
    verbs: [
      ['Create', 'Permissions', 'Create a managed policy'],
      ['List', 'List', 'List policies'],
      ['Describe', 'Read', "Read a policy's document and versions"],
      ['Update', 'Permissions', "Change a policy's document"],
      ['Delete', 'Permissions', 'Delete a policy'],
      ['Simulate', 'Read', 'Simulate a policy decision and explain it'],
      ['ApproveChange', 'Permissions', 'Approve a proposed policy change (four eyes: never its proposer)'],
    ],
  },
  {
    service: 'project',
    scope: 'project',
    verbs: [
      ['Create', 'Write', 'Create a project', 'attest:{project}:project/{project}'],
      ['List', 'List', 'List projects (the server shows only those the caller belongs to)', 'attest::project/*'],
      ['Describe', 'Read', "Read a project's settings", 'attest:{project}:project/{project}'],
      ['Update', 'Write', "Change a project's settings", 'attest:{project}:project/{project}'],
      ['Delete', 'Write', 'Delete an empty project', 'attest:{project}:project/{project}'],
      ['ListMembers', 'List', "List a project's members and their roles", 'attest:{project}:project/{project}'],
      ['AddMember', 'Permissions', 'Grant a user or group a role in a project', 'attest:{project}:project/{project}'],
      ['RemoveMember', 'Permissions', 'Remove a member from a project', 'attest:{project}:project/{project}'],
    ],
  },
  {
    service: 'dataset',
    scope: 'project',
    verbs: [
      ['Register', 'Write', 'Register a dataset'],
      ['CreateVersion', 'Write', 'Add an immutable, hashed version to a dataset'],
      ['List', 'List', 'List datasets'],
      ['Describe', 'Read', "Read a dataset's schema, profile and versions"],
      ['Read', 'Read', "Read a dataset version's rows"],
      ['Profile', 'Write', 'Compute and store a profile of a dataset version'],
      ['Delete', 'Write', 'Delete a dataset that is neither retained nor on hold'],
    ],
  },
  {
    service: 'experiment',
    scope: 'project',
    verbs: [
      ['Create', 'Write', 'Create an experiment'],
      ['List', 'List', 'List experiments'],
      ['Describe', 'Read', 'Read an experiment and its trials'],
      ['Update', 'Write', "Change an experiment's description or tags"],
      ['Delete', 'Write', 'Delete an experiment without completed trials'],
    ],
  },
  {
    service: 'trial',
    scope: 'project',
    verbs: [
      ['Create', 'Write', 'Create a trial in an experiment'],
      ['List', 'List', 'List trials'],
      ['Describe', 'Read', 'Read a trial and its components'],
      ['Update', 'Write', "Change a trial's description or tags"],
      ['Delete', 'Write', 'Delete a trial without completed components'],
    ],
  },
  {
    service: 'component',
    scope: 'project',
    verbs: [
      ['Create', 'Write', 'Start a trial component (processing, training, evaluation step)'],
      ['List', 'List', 'List trial components'],
      ['Describe', 'Read', "Read a component's parameters, inputs, outputs and metrics"],
      ['Update', 'Write', 'Log parameters, metrics and artifacts to a running component'],
      ['Complete', 'Write', 'Mark a component completed (it becomes immutable)'],
    ],
  },
  {
    service: 'lineage',
    scope: 'project',
    verbs: [
      ['Read', 'Read', 'Query the lineage graph around an entity', 'attest:{project}:lineage/{id}'],
      ['Associate', 'Write', 'Record an explicit association (e.g. a baseline AssociatedWith a model)', 'attest:{project}:lineage/{id}'],
    ],
  },
  {
    service: 'model',
    scope: 'project',
    verbs: [
      ['Train', 'Write', 'Run a training job'],
      ['Reproduce', 'Read', 'Re-run the recorded training of a model and compare it byte for byte (stores nothing)'],
      ['Register', 'Write', 'Register a model version in a model package group'],
      ['List', 'List', 'List model package groups and versions'],
      ['Describe', 'Read', "Read a model version's card, metrics and approval status"],
      ['Read', 'Read', "Download a model version's artifact"],
      ['Evaluate', 'Write', 'Evaluate a model version on a dataset and store the report'],
      ['Explain', 'Write', 'Compute and store SHAP explanations for a model version'],
      ['Review', 'Write', "Record a validator's findings on a model version"],
      ['Approve', 'Write', 'Approve a model version (maker ≠ checker)'],
      ['Reject', 'Write', 'Reject a model version'],
      ['Deploy', 'Write', 'Deploy an approved model version to an endpoint or batch job'],
    ],
  },
  {
    service: 'validation',
    scope: 'project',
    verbs: [['SignOff', 'Write', "Sign off a validation of a model version (independent of the model's makers)"]],
  },
  {
    service: 'bias',
    scope: 'project',
    verbs: [
      ['Run', 'Write', 'Run a bias analysis and store the report', 'attest:{project}:bias-report/{id}'],
      ['Read', 'Read', 'Read a bias report', 'attest:{project}:bias-report/{id}'],
    ],
  },
  {
    service: 'monitor',
    scope: 'project',
    verbs: [
      ['Create', 'Write', 'Create a monitoring schedule'],
      ['List', 'List', 'List monitoring schedules and executions'],
      ['Describe', 'Read', 'Read a monitoring schedule, its executions and violations'],
      ['Update', 'Write', 'Change a monitoring schedule'],
      ['Delete', 'Write', 'Delete a monitoring schedule'],
      ['Start', 'Write', 'Start a stopped monitoring schedule'],
      ['Stop', 'Write', 'Stop a monitoring schedule'],
      ['Run', 'Write', 'Run a monitoring execution now'],
    ],
  },
  {
    service: 'baseline',
    scope: 'project',
    verbs: [
      ['Create', 'Write', 'Suggest and store a monitoring baseline (statistics + constraints)'],
      ['List', 'List', 'List baselines'],
      ['Describe', 'Read', "Read a baseline's statistics and constraints"],
      ['Update', 'Write', "Edit a baseline's constraints"],
      ['Delete', 'Write', 'Delete a baseline not used by a schedule'],
    ],
  },
  {
    service: 'endpoint',
    scope: 'project',
    verbs: [
      ['Create', 'Write', 'Create an endpoint serving a deployed model'],
      ['List', 'List', 'List endpoints'],
      ['Describe', 'Read', "Read an endpoint's configuration and status"],
      ['Update', 'Write', "Change an endpoint's model, capture or scaling"],
      ['Delete', 'Write', 'Delete an endpoint'],
      ['Invoke', 'Write', 'Score requests on an endpoint (the request is captured)'],
      ['RunBatchTransform', 'Write', 'Run a batch transform job with a deployed model'],
      ['LookupDecision', 'Read', "Read a captured decision: the applicant's input, score, reason codes, model version and the configuration in force"],
    ],
  },
  {
    service: 'review',
    scope: 'project',
    verbs: [
      ['List', 'List', 'List the human review queue of endpoint decisions'],
      ['Describe', 'Read', 'Read a review task: the input, score and reason codes of a decision'],
      ['Decide', 'Write', 'Record a human decision on a review task (it becomes a ground-truth label)'],
    ],
  },
  {
    service: 'pipeline',
    scope: 'project',
    verbs: [
      ['Create', 'Write', 'Create a pipeline definition'],
      ['List', 'List', 'List pipelines and executions'],
      ['Describe', 'Read', 'Read a pipeline definition and its executions'],
      ['Update', 'Write', 'Publish a new version of a pipeline definition'],
      ['Delete', 'Write', 'Delete a pipeline'],
      ['Start', 'Write', 'Start a pipeline execution'],
      ['Stop', 'Write', 'Stop a pipeline execution'],
      ['ApproveStep', 'Write', "Approve or reject a pipeline's human approval step"],
    ],
  },
  {
    service: 'job',
    scope: 'project',
    verbs: [
      ['Run', 'Write', 'Submit a governed job (processing, training, evaluation, explanation, bias, baseline, monitoring, batch transform, custom)'],
      ['List', 'List', 'List jobs'],
      ['Describe', 'Read', "Read a job's status, inputs, outputs, metrics and attempts"],
      ['GetLogs', 'Read', "Read a job's captured output"],
      ['Cancel', 'Write', 'Cancel a queued or running job'],
    ],
  },
  {
    service: 'config',
    scope: 'installation',
    verbs: [
      ['Read', 'Read', 'Read settings and the configuration history', 'attest::config/{id}'],
      ['Write', 'Write', 'Change a setting', 'attest::config/{id}'],
    ],
  },
  {
    service: 'alert',
    scope: 'installation',
    verbs: [
      ['Create', 'Write', 'Create an alert rule over audit events'],
      ['List', 'List', 'List alert rules and fired alerts'],
      ['Describe', 'Read', 'Read an alert rule and its history'],
      ['Update', 'Write', 'Change an alert rule or sink'],
      ['Delete', 'Write', 'Delete an alert rule'],
      ['Acknowledge', 'Write', 'Acknowledge a fired alert'],
    ],
  },
];

/**
 * The checker actions: approvals and sign-offs, which separation of duties denies to the makers of
 * the resource they act on. A new approval-like action must be added here.
 */
export const CHECKER_ACTIONS: readonly string[] = Object.freeze(['model:Approve', 'model:Reject', 'validation:SignOff', 'pipeline:ApproveStep', 'policy:ApproveChange']);

function defaultResource(spec: ServiceSpec, verb: string): string {
  const type = spec.type ?? spec.service;
  const project = spec.scope === 'project' ? '{project}' : '';
  return `attest:${project}:${type}/${verb === 'List' ? '*' : '{id}'}`;
}

function buildCatalogue(): ReadonlyMap<string, ActionInfo> {
  const out = new Map<string, ActionInfo>();
  for (const spec of SERVICES) {
    for (const [verb, access, description, resource] of spec.verbs) {
      const name = `${spec.service}:${verb}`;
      out.set(
        name,
        Object.freeze({
          service: spec.service,
          verb,
          access,
          description,
          scope: spec.scope,
          resource: resource ?? defaultResource(spec, verb),
          checker: CHECKER_ACTIONS.includes(name),
        }),
      );
    }
  }
  for (const name of CHECKER_ACTIONS) if (!out.has(name)) throw new AppError('INTERNAL', { message: `Checker action ${name} is not in the catalogue` });
  return out;
}

/** Every action, keyed by its name (`artifact:Put`). */
export const ACTION_CATALOGUE: ReadonlyMap<string, ActionInfo> = buildCatalogue();

/** Every action name, in catalogue order. */
export const ACTION_NAMES: readonly string[] = Object.freeze([...ACTION_CATALOGUE.keys()]);

/** The services that have actions (`artifact`, `key`, …). */
export const ACTION_SERVICES: readonly string[] = Object.freeze(SERVICES.map((s) => s.service));

/** zod enum of every action name, for route definitions and request bodies. */
export const ActionName = z.enum(ACTION_NAMES as [string, ...string[]]);

/** True if `name` is an action from the catalogue (exact, case-sensitive: routes must spell it right). */
export function isCatalogueAction(name: string): boolean {
  return ACTION_CATALOGUE.has(name);
}

/** True if `name` is a checker action (approval, rejection, sign-off): denied to the resource's makers. */
export function isCheckerAction(name: string): boolean {
  return ACTION_CATALOGUE.get(name)?.checker === true;
}

/** The names of every action whose access level is one of `levels`. */
export function actionsWithAccess(levels: readonly AccessLevel[]): string[] {
  return ACTION_NAMES.filter((name) => levels.includes(ACTION_CATALOGUE.get(name)!.access));
}

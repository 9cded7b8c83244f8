/**
 * @module security/identity-store/permission-boundary
 * Permission boundaries: what a principal may do to who-may-do-what, beyond what its policies
 * allow (IAM's answer to privilege escalation by administrators of access). Three rules, checked
 * after the policy decision and before the change:
 *
 * 1. **No change to one's own permissions.** A principal never assigns or withdraws a role of its
 *    own, attaches or detaches a policy to or from itself, a group it is in or a role it holds,
 *    joins or leaves a group, changes or deletes a policy attached to it, or deletes a role it holds
 *    or a group it is in. Someone else has to.
 * 2. **The administrator role needs an administrator.** Assigning or withdrawing `administrator`,
 *    adding to or removing from a group that holds it, attaching policies to it, deleting such a
 *    group: only a holder of `administrator`. So does handing out any *access administration*
 *    (ACCESS_ADMINISTRATION_ACTIONS: assigning roles, attaching policies, changing groups, project
 *    members or policies, resetting passwords) by any route — the security-administrator role, a
 *    custom role or a policy: otherwise a security administrator could appoint a puppet (a service
 *    principal it controls) that then changes the security administrator's own permissions.
 * 3. **The grant ceiling.** What a change hands out — a role (its document bound to the project,
 *    plus the policies attached to the role), a policy, a group's roles and policies, a new version
 *    of a policy attached somewhere — must lie within the grantor's own policies plus the grant
 *    boundaries of the roles it holds (grant-ceiling.ts): a built-in role's own, or the managed policy
 *    configured for the role (`access.grantBoundaries` in attest.json). Changing or deleting the
 *    configured boundary of a role one holds is a change to one's own permissions. So is taking over a principal's
 *    credentials (resetting its password, minting a token for a service principal): allowed only
 *    for principals whose every permission the caller could have granted.
 *
 * A refusal is audited as `denied` with the rule and the reason (the detective controls alert on
 * it) and throws PERMISSION_BOUNDARY.
 */
import { AppError, isAppError } from '../../kernel/index.js';
import type { Actor, AuditLedger } from '../audit/index.js';
import { recordOutcome } from '../audit/index.js';
import type { NamedPolicy, PolicyDocument, PolicySet, RoleDefinition } from '../policy/index.js';
import { builtInRole, exceedsCeiling, grantBoundaryOf, POLICY_VERSION, policiesForGrants, rolePolicy, SELF_SERVICE_POLICY } from '../policy/index.js';
import type { Db } from '../../platform/db/index.js';
import type { AccessStore, AttachTarget, SubjectType } from './access-store.js';
import type { Authorizer, RequestFactsWithoutPrincipal } from './authorizer.js';
import type { Principal } from './identity-model.js';
import type { UserStore } from './user-store.js';

/** A change to who may do what (or to whose credentials someone holds), as the boundary sees it. */
export type PermissionChange =
  | { readonly kind: 'assign-role' | 'unassign-role'; readonly subjectType: SubjectType; readonly subject: string; readonly role: string; readonly project?: string | null }
  | { readonly kind: 'attach-policy' | 'detach-policy'; readonly target: AttachTarget; readonly subject: string; readonly policy: string }
  | { readonly kind: 'add-member' | 'remove-member'; readonly group: string; readonly user: string }
  | { readonly kind: 'update-policy'; readonly policy: string; readonly document: PolicyDocument }
  | { readonly kind: 'delete-policy'; readonly policy: string }
  | { readonly kind: 'delete-role'; readonly role: string }
  | { readonly kind: 'delete-group'; readonly group: string }
  | { readonly kind: 'take-over-credentials'; readonly user: string };

/** Which rule refused a change. */
export type BoundaryRule = 'self-change' | 'administrator-only' | 'grant-ceiling';

export interface PermissionBoundaryDeps {
  readonly db: Db;
  readonly ledger: AuditLedger;
  readonly users: UserStore;
  readonly access: AccessStore;
  readonly authorizer: Authorizer;
  /** Role name → managed policy name, replacing the role's built-in grant boundary. */
  readonly grantBoundaries?: Readonly<Record<string, string>>;
}

const ADMINISTRATOR = 'administrator';

/** The actions that change who may do what; only an administrator may hand them to anyone. */
export const ACCESS_ADMINISTRATION_ACTIONS: readonly string[] = [
  'user:ResetPassword',
  'user:AttachPolicy',
  'user:DetachPolicy',
  'group:AddMember',
  'group:RemoveMember',
  'group:AttachPolicy',
  'group:DetachPolicy',
  'role:Create',
  'role:Update',
  'role:Delete',
  'role:Assign',
  'role:Unassign',
  'policy:Create',
  'policy:Update',
  'policy:Delete',
  'project:AddMember',
  'project:RemoveMember',
];

/** Everything except access administration: what a non-administrator's grants must stay within, whatever its ceiling. */
const WITHOUT_ACCESS_ADMINISTRATION: NamedPolicy = {
  name: 'boundary/no-access-administration',
  document: {
    Version: POLICY_VERSION,
    Statement: [
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: [...ACCESS_ADMINISTRATION_ACTIONS], Resource: '*' },
    ],
  },
};

interface Refusal {
  readonly rule: BoundaryRule;
  readonly reason: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export class PermissionBoundary {
  readonly #deps: PermissionBoundaryDeps;

  constructor(deps: PermissionBoundaryDeps) {
    this.#deps = deps;
  }

  /**
   * Refuses `change` if it breaks a rule: records a `denied` audit entry for `action` on `resource`
   * (the route's) with the rule and the reason, and throws PERMISSION_BOUNDARY. Lookups that fail
   * (an unknown role or policy) are left to the store, which refuses them with its own error.
   */
  async check(principal: Principal, actor: Actor, action: string, resource: string, change: PermissionChange, facts: RequestFactsWithoutPrincipal): Promise<void> {
    let refusal: Refusal | undefined;
    try {
      refusal = await this.#evaluate(principal, change, facts);
    } catch (error) {
      if (isAppError(error) && (error.kind === 'not_found' || error.kind === 'invalid_input')) return;
      throw error;
    }
    if (!refusal) return;
    await recordOutcome({ db: this.#deps.db, ledger: this.#deps.ledger }, actor, action, resource, 'denied', {
      decision: 'PermissionBoundary',
      rule: refusal.rule,
      reason: refusal.reason,
      change: auditedChange(change),
      ...(refusal.details ?? {}),
      ...(principal.token ? { tokenPrefix: principal.token.prefix } : {}),
    });
    throw new AppError('PERMISSION_BOUNDARY', { message: refusal.reason, details: { rule: refusal.rule, action, resource, ...(refusal.details ?? {}) } });
  }

  async #evaluate(principal: Principal, change: PermissionChange, facts: RequestFactsWithoutPrincipal): Promise<Refusal | undefined> {
    const held = await this.#deps.authorizer.grantsOf(principal);
    const selfReason = await this.#affectsSelf(principal, held.grants.map((g) => g.role), change);
    if (selfReason) return { rule: 'self-change', reason: `${principal.auditName} cannot change its own permissions: ${selfReason}; another administrator must make this change` };

    const isAdministrator = held.grants.some((g) => g.role === ADMINISTRATOR && g.project === undefined);
    if (!isAdministrator && (await this.#touchesAdministrator(change))) {
      return { rule: 'administrator-only', reason: `Only an administrator can grant or withdraw the ${ADMINISTRATOR} role (${describe(change)})` };
    }

    const granted = await this.#granted(change);
    if (granted.length === 0) return undefined;
    const boundaries = (await Promise.all([...held.roles.values()].map((role) => this.#grantBoundary(role)))).filter((p): p is NamedPolicy => p !== undefined);
    const ceiling = [...(await this.#deps.authorizer.policiesFor(principal)), ...boundaries];
    const excess = exceedsCeiling(granted, ceiling, this.#deps.authorizer.contextFor(principal, facts));
    if (!excess) {
      if (!isAdministrator) {
        const delegated = exceedsCeiling(granted, [WITHOUT_ACCESS_ADMINISTRATION], this.#deps.authorizer.contextFor(principal, facts));
        if (delegated) {
          return {
            rule: 'administrator-only',
            reason: `Only an administrator can hand out access administration: ${describe(change)} would grant ${delegated.action} (statement ${delegated.statement} of ${delegated.policyName})`,
            details: { excess: delegated },
          };
        }
      }
      return undefined;
    }
    return {
      rule: 'grant-ceiling',
      reason: `${describe(change)} would grant ${excess.action} on ${excess.resource} (statement ${excess.statement}${excess.sid ? ` "${excess.sid}"` : ''} of ${excess.policyName}), which ${principal.auditName} neither holds nor may grant`,
      details: { excess },
    };
  }

  /** The configured boundary of a role (a managed policy; none if it does not exist), else its built-in one. */
  async #grantBoundary(role: RoleDefinition): Promise<NamedPolicy | undefined> {
    const configured = this.#deps.grantBoundaries?.[role.name];
    if (configured === undefined) return grantBoundaryOf(role);
    const policy = await this.#deps.access.describePolicy(configured).catch(() => undefined);
    return policy ? { name: `boundary/${role.name}=policy/${policy.name}@v${policy.version}`, document: policy.document } : undefined;
  }

  /** Why the change would alter the caller's own permissions, or undefined. */
  async #affectsSelf(principal: Principal, heldRoles: readonly string[], change: PermissionChange): Promise<string | undefined> {
    const me = principal.name;
    const inGroup = (group: string) => principal.groups.includes(group);
    switch (change.kind) {
      case 'assign-role':
      case 'unassign-role':
        if (change.subjectType === 'user' && change.subject === me) return `the role ${change.role} would be ${change.kind === 'assign-role' ? 'granted to' : 'withdrawn from'} itself`;
        if (change.subjectType === 'group' && inGroup(change.subject)) return `it is a member of the group ${change.subject}`;
        return undefined;
      case 'attach-policy':
      case 'detach-policy':
        if (change.target === 'user' && change.subject === me) return `the policy ${change.policy} would be ${change.kind === 'attach-policy' ? 'attached to' : 'detached from'} itself`;
        if (change.target === 'group' && inGroup(change.subject)) return `it is a member of the group ${change.subject}`;
        if (change.target === 'role' && heldRoles.includes(change.subject)) return `it holds the role ${change.subject}`;
        return undefined;
      case 'add-member':
      case 'remove-member':
        return change.user === me ? `its own membership of the group ${change.group} would change` : undefined;
      case 'update-policy':
      case 'delete-policy': {
        const boundaryOf = Object.entries(this.#deps.grantBoundaries ?? {}).find(([role, policy]) => policy === change.policy && heldRoles.includes(role));
        if (boundaryOf) return `the policy ${change.policy} is the grant boundary of the role ${boundaryOf[0]}, which it holds`;
        const holders = (await this.#deps.access.describePolicy(change.policy)).attachments;
        const mine = holders.find((a) => (a.subjectType === 'user' && a.subject === me) || (a.subjectType === 'group' && inGroup(a.subject)) || (a.subjectType === 'role' && heldRoles.includes(a.subject)));
        return mine ? `the policy ${change.policy} is attached to ${mine.subjectType === 'user' ? 'itself' : `${mine.subjectType} ${mine.subject}, which applies to it`}` : undefined;
      }
      case 'delete-role':
        return heldRoles.includes(change.role) ? `it holds the role ${change.role}` : undefined;
      case 'delete-group':
        return inGroup(change.group) ? `it is a member of the group ${change.group}` : undefined;
      case 'take-over-credentials':
        return undefined;
    }
  }

  async #touchesAdministrator(change: PermissionChange): Promise<boolean> {
    switch (change.kind) {
      case 'assign-role':
      case 'unassign-role':
        return change.role === ADMINISTRATOR;
      case 'attach-policy':
      case 'detach-policy':
        return change.target === 'role' && change.subject === ADMINISTRATOR;
      case 'add-member':
      case 'remove-member':
      case 'delete-group':
        return (await this.#groupGrants(change.group)).some((g) => g.role === ADMINISTRATOR);
      default:
        return false;
    }
  }

  async #groupGrants(group: string): Promise<{ role: string; project: string }[]> {
    const id = await this.#deps.access.subjectId('group', group);
    return this.#deps.access.grantsOf('', [id]);
  }

  /** Role documents (bound) plus the policies attached to those roles. */
  async #rolePolicies(grants: readonly { role: string; project?: string }[]): Promise<NamedPolicy[]> {
    const resolve = await this.#resolver();
    const fromRoles = policiesForGrants(grants, resolve).filter((p) => p !== SELF_SERVICE_POLICY);
    const roleNames = [...new Set(grants.map((g) => g.role))];
    const attached = await this.#deps.access.attachedDocuments(roleNames.map((id) => ({ type: 'role' as const, id })));
    return [...fromRoles, ...attached.map((p) => ({ name: `policy/${p.name}@v${p.version}`, document: p.document }))];
  }

  async #resolver(): Promise<(name: string) => RoleDefinition | undefined> {
    const custom = await this.#deps.access.customRoles();
    return (name) => builtInRole(name) ?? custom.get(name);
  }

  /** What the change hands out (empty for withdrawals and deletions). */
  async #granted(change: PermissionChange): Promise<PolicySet> {
    const { access, users, authorizer } = this.#deps;
    switch (change.kind) {
      case 'assign-role': {
        const role = await access.findRole(change.role);
        if (!role) return [];
        return [rolePolicy(role, change.project ?? undefined), ...(await this.#attachedToRole(role.name))];
      }
      case 'attach-policy': {
        const policy = await access.describePolicy(change.policy);
        return [{ name: `policy/${policy.name}@v${policy.version}`, document: policy.document }];
      }
      case 'add-member': {
        const id = await access.subjectId('group', change.group);
        const grants = (await access.grantsOf('', [id])).map((g) => (g.project ? { role: g.role, project: g.project } : { role: g.role }));
        const attached = await access.attachedDocuments([{ type: 'group', id }]);
        return [...(await this.#rolePolicies(grants)), ...attached.map((p) => ({ name: `policy/${p.name}@v${p.version}`, document: p.document }))];
      }
      case 'update-policy': {
        const policy = await access.describePolicy(change.policy);
        return policy.attachments.length > 0 ? [{ name: `policy/${policy.name}@v${policy.version + 1}`, document: change.document }] : [];
      }
      case 'take-over-credentials': {
        const target = await users.principal(change.user);
        return (await authorizer.policiesFor(target)).filter((p) => p.name !== SELF_SERVICE_POLICY.name);
      }
      default:
        return [];
    }
  }

  async #attachedToRole(role: string): Promise<NamedPolicy[]> {
    const attached = await this.#deps.access.attachedDocuments([{ type: 'role', id: role }]);
    return attached.map((p) => ({ name: `policy/${p.name}@v${p.version}`, document: p.document }));
  }
}

/** The change as the audit entry records it (a policy document is in config history, not here). */
function auditedChange(change: PermissionChange): Record<string, unknown> {
  const { document: _document, ...rest } = change as PermissionChange & { document?: unknown };
  return rest;
}

function describe(change: PermissionChange): string {
  switch (change.kind) {
    case 'assign-role':
      return `Granting ${change.role}${change.project ? ` in ${change.project}` : ''} to ${change.subjectType} ${change.subject}`;
    case 'unassign-role':
      return `Withdrawing ${change.role}${change.project ? ` in ${change.project}` : ''} from ${change.subjectType} ${change.subject}`;
    case 'attach-policy':
      return `Attaching ${change.policy} to ${change.target} ${change.subject}`;
    case 'detach-policy':
      return `Detaching ${change.policy} from ${change.target} ${change.subject}`;
    case 'add-member':
      return `Adding ${change.user} to the group ${change.group}`;
    case 'remove-member':
      return `Removing ${change.user} from the group ${change.group}`;
    case 'update-policy':
      return `The new version of ${change.policy}`;
    case 'delete-policy':
      return `Deleting ${change.policy}`;
    case 'delete-role':
      return `Deleting the role ${change.role}`;
    case 'delete-group':
      return `Deleting the group ${change.group}`;
    case 'take-over-credentials':
      return `Taking over the credentials of ${change.user}`;
  }
}

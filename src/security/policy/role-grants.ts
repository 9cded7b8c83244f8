/**
 * @module security/policy/role-grants
 * From role grants to policies. A grant names a role and, for project roles, the project it is
 * granted in; {@link rolePolicy} binds the role template's `${attest:Project}` placeholder to that
 * project at grant time, so the resulting document covers `attest:<project>:*` and nothing else.
 * {@link validateRoleDefinition} makes sure custom project roles cannot escape their project.
 */
import { AppError } from '../../kernel/index.js';
import { builtInRole, IN_PROJECT, PROJECT_PLACEHOLDER, type RoleDefinition, SELF_SERVICE_POLICY } from './built-in-roles.js';
import { compilePolicy, validatePolicyDocument } from './compile-policy.js';
import { type NamedPolicy, type PolicyDocument, statementsOf } from './policy-document.js';
import { isProjectName } from './resource-name.js';

function bindProject<T>(value: T, project: string): T {
  if (typeof value === 'string') return value.split(PROJECT_PLACEHOLDER).join(project) as T;
  if (Array.isArray(value)) return value.map((v) => bindProject(v, project)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bindProject(v, project)])) as T;
  }
  return value;
}

const bound = new WeakMap<PolicyDocument, Map<string, NamedPolicy>>();

/**
 * Checks a role definition before it is stored: its document is valid (every action from the
 * catalogue), and a project role confines every statement to its project — each uses `Resource`
 * (not `NotResource`) and each pattern starts with `attest:${attest:Project}:`. Otherwise a
 * membership in one project could reach, or deny, resources of every other project.
 * @throws AppError POLICY_INVALID
 */
export function validateRoleDefinition(role: RoleDefinition): void {
  validatePolicyDocument(role.document);
  checkProjectConfinement(role);
}

function checkProjectConfinement(role: RoleDefinition): void {
  if (role.scope !== 'project') return;
  statementsOf(role.document).forEach((s, index) => {
    const patterns = s.Resource === undefined ? undefined : typeof s.Resource === 'string' ? [s.Resource] : s.Resource;
    const outside = patterns === undefined ? ['NotResource'] : patterns.filter((r) => !r.startsWith(IN_PROJECT));
    if (outside.length > 0) {
      throw new AppError('POLICY_INVALID', {
        message: `Project role ${role.name}, statement ${index}: every Resource must start with ${IN_PROJECT} (found ${outside.join(', ')})`,
        details: { role: role.name, statement: index },
      });
    }
  });
}

/** A role granted to a principal: installation-wide, or in one project. */
export interface RoleGrant {
  readonly role: string;
  readonly project?: string;
}

/**
 * The policies a set of role grants amounts to, after {@link SELF_SERVICE_POLICY}. `resolve` finds a
 * role by name (built-in roles by default; pass the store's lookup to include custom roles).
 * @throws AppError NOT_FOUND for an unknown role, INVALID_INPUT for a grant in the wrong scope.
 */
export function policiesForGrants(grants: readonly RoleGrant[], resolve: (name: string) => RoleDefinition | undefined = builtInRole): NamedPolicy[] {
  const out: NamedPolicy[] = [SELF_SERVICE_POLICY];
  const seen = new Set<string>();
  for (const grant of grants) {
    const role = resolve(grant.role);
    if (!role) throw new AppError('NOT_FOUND', { message: `No such role: ${grant.role}`, details: { role: grant.role } });
    const policy = rolePolicy(role, grant.project);
    if (!seen.has(policy.name)) out.push(policy);
    seen.add(policy.name);
  }
  return out;
}

/**
 * The policy a role grants: installation roles as they are, project roles bound to `project`.
 * The result is memoised per role document and project, so the same grant always yields the same
 * document object (and hence one compiled form).
 * @throws AppError INVALID_INPUT if a project role has no (valid) project, or an installation role has one.
 * @example rolePolicy(builtInRole('data-scientist')!, 'credit-risk').name // 'role/data-scientist@credit-risk'
 */
export function rolePolicy(role: RoleDefinition, project?: string): NamedPolicy {
  if (role.scope === 'installation') {
    if (project !== undefined) {
      throw new AppError('INVALID_INPUT', { message: `Role ${role.name} is installation-wide and cannot be granted in a project`, details: { role: role.name, project } });
    }
  } else if (project === undefined || !isProjectName(project)) {
    throw new AppError('INVALID_INPUT', { message: `Role ${role.name} must be granted in a project (got ${JSON.stringify(project)})`, details: { role: role.name } });
  }
  const name = project === undefined ? `role/${role.name}` : `role/${role.name}@${project}`;
  let perRole = bound.get(role.document);
  if (!perRole) {
    // Structure and project confinement only: a role stored before an action left the catalogue
    // still evaluates (its unknown actions match nothing).
    compilePolicy({ name: role.name, document: role.document });
    checkProjectConfinement(role);
    perRole = new Map();
    bound.set(role.document, perRole);
  }
  let policy = perRole.get(name);
  if (!policy) {
    policy = { name, document: project === undefined ? role.document : bindProject(role.document, project) };
    perRole.set(name, policy);
  }
  return policy;
}

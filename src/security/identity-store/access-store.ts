/**
 * @module security/identity-store/access-store
 * Who may do what: custom roles (built-in roles live in code), role assignments to users and
 * groups — installation-wide, or in a project (that is project membership) — and managed
 * policies attached to users, groups and roles. Every change goes to the audit ledger and to
 * config history with before and after.
 */
import { AppError, newId } from '../../kernel/index.js';
import type { Db, PoliciesTable, Tx } from '../../platform/db/index.js';
import type { Actor } from '../audit/index.js';
import { governed } from '../audit/index.js';
import type { PolicyDocument, RoleDefinition } from '../policy/index.js';
import { BUILT_IN_ROLES, builtInRole, isProjectName, validatePolicyDocument, validateRoleDefinition } from '../policy/index.js';
import type { AssignmentView, PolicyView, RoleView } from './identity-model.js';
import { rowToAssignment, rowToPolicyDocument } from './identity-model.js';
import type { StoreDeps } from './user-store.js';
import { checkName } from './user-store.js';

export type SubjectType = 'user' | 'group';
export type AttachTarget = 'user' | 'group' | 'role';

const ACTION_BY_TARGET = {
  user: ['user:AttachPolicy', 'user:DetachPolicy'],
  group: ['group:AttachPolicy', 'group:DetachPolicy'],
  role: ['role:Update', 'role:Update'],
} as const;

export class AccessStore {
  readonly #deps: StoreDeps;
  constructor(deps: StoreDeps) {
    this.#deps = deps;
  }

  #now(): string {
    return (this.#deps.now?.() ?? new Date()).toISOString();
  }

  async #governed<T>(actor: Actor, action: string, resource: string, change: Parameters<typeof governed<T>>[4]): Promise<T> {
    const result = await governed({ db: this.#deps.db, ledger: this.#deps.ledger }, actor, action, resource, change);
    this.#deps.onChange?.();
    return result;
  }

  /** The id of a user/service principal, group or (custom or built-in) role by name. */
  async subjectId(type: AttachTarget, name: string, q: Db['kysely'] | Tx = this.#deps.db.kysely): Promise<string> {
    if (type === 'role') {
      if (!(await this.findRole(name, q))) throw new AppError('NOT_FOUND', { message: `No role ${name}` });
      return name;
    }
    const row =
      type === 'user'
        ? await q.selectFrom('principals').select('id').where('name', '=', name).executeTakeFirst()
        : await q.selectFrom('groups').select('id').where('name', '=', name).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', { message: `No ${type} ${name}` });
    return row.id;
  }

  async #subjectName(type: string, id: string): Promise<string> {
    if (type === 'role') return id;
    const row =
      type === 'user'
        ? await this.#deps.db.kysely.selectFrom('principals').select('name').where('id', '=', id).executeTakeFirst()
        : await this.#deps.db.kysely.selectFrom('groups').select('name').where('id', '=', id).executeTakeFirst();
    return row?.name ?? id;
  }

  // roles

  /** A built-in or custom role by name. */
  async findRole(name: string, q: Db['kysely'] | Tx = this.#deps.db.kysely): Promise<RoleDefinition | undefined> {
    const builtIn = builtInRole(name);
    if (builtIn) return builtIn;
    const row = await q.selectFrom('roles').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? { name: row.name, description: row.description, scope: row.scope as RoleDefinition['scope'], document: JSON.parse(row.document) as PolicyDocument } : undefined;
  }

  /** Every custom role, keyed by name (the authorizer's role resolver). */
  async customRoles(): Promise<Map<string, RoleDefinition>> {
    const rows = await this.#deps.db.kysely.selectFrom('roles').selectAll().execute();
    return new Map(rows.map((r) => [r.name, { name: r.name, description: r.description, scope: r.scope as RoleDefinition['scope'], document: JSON.parse(r.document) as PolicyDocument }]));
  }

  async #roleView(role: RoleDefinition, builtIn: boolean): Promise<RoleView> {
    return { name: role.name, description: role.description, scope: role.scope, builtIn, document: role.document, attachedPolicies: await this.#attachedPolicyNames('role', role.name) };
  }

  async listRoles(): Promise<RoleView[]> {
    const custom = [...(await this.customRoles()).values()];
    return Promise.all([...BUILT_IN_ROLES.map((r) => this.#roleView(r, true)), ...custom.map((r) => this.#roleView(r, false))]);
  }

  async describeRole(name: string): Promise<RoleView> {
    const role = await this.findRole(name);
    if (!role) throw new AppError('NOT_FOUND', { message: `No role ${name}` });
    return this.#roleView(role, builtInRole(name) !== undefined);
  }

  async createRole(actor: Actor, input: { name: string; description?: string; scope: 'project' | 'installation'; document: PolicyDocument }): Promise<RoleView> {
    const name = checkName(input.name, 'role');
    const role: RoleDefinition = { name, description: input.description ?? '', scope: input.scope, document: validatePolicyDocument(input.document) };
    validateRoleDefinition(role);
    return this.#governed(actor, 'role:Create', `attest::role/${name}`, async (tx) => {
      if (await this.findRole(name, tx)) throw new AppError('CONFLICT', { message: `A role called ${name} already exists` });
      const now = this.#now();
      await tx.insertInto('roles').values({ name, description: role.description, scope: role.scope, document: JSON.stringify(role.document), created_at: now, created_by: actor.principal, updated_at: now }).execute();
      const view: RoleView = { ...role, builtIn: false, attachedPolicies: [] };
      return { result: view, configChanges: [{ resourceType: 'role', resourceId: name, change: 'create', before: null, after: view }] };
    });
  }

  async deleteRole(actor: Actor, name: string): Promise<RoleView> {
    if (builtInRole(name)) throw new AppError('CONFLICT', { message: `The built-in role ${name} cannot be deleted` });
    const before = await this.describeRole(name);
    return this.#governed(actor, 'role:Delete', `attest::role/${name}`, async (tx) => {
      await tx.deleteFrom('role_assignments').where('role', '=', name).execute();
      await tx.deleteFrom('policy_attachments').where('subject_type', '=', 'role').where('subject_id', '=', name).execute();
      await tx.deleteFrom('roles').where('name', '=', name).execute();
      return { result: before, configChanges: [{ resourceType: 'role', resourceId: name, change: 'delete', before, after: null }] };
    });
  }

  // assignments

  async #projectExists(project: string, q: Db['kysely'] | Tx): Promise<boolean> {
    return (await q.selectFrom('projects').select('id').where('name', '=', project).executeTakeFirst()) !== undefined;
  }

  /**
   * Grants a role to a user or group, installation-wide or in `project` (project membership).
   * Audited as `role:Assign`, or `project:AddMember` for project grants.
   */
  async assignRole(actor: Actor, input: { subjectType: SubjectType; subject: string; role: string; project?: string | null }): Promise<AssignmentView> {
    const project = input.project ?? '';
    const role = await this.findRole(input.role);
    if (!role) throw new AppError('NOT_FOUND', { message: `No role ${input.role}` });
    if (role.scope === 'project' && !project) throw new AppError('INVALID_INPUT', { message: `Role ${role.name} is granted in a project: give --project` });
    if (role.scope === 'installation' && project) throw new AppError('INVALID_INPUT', { message: `Role ${role.name} is installation-wide and cannot be granted in a project` });
    if (project && !isProjectName(project)) throw new AppError('INVALID_INPUT', { message: `Invalid project name ${project}` });
    const action = project ? 'project:AddMember' : 'role:Assign';
    const resource = project ? `attest:${project}:project/${project}` : `attest::role/${role.name}`;
    return this.#governed(actor, action, resource, async (tx) => {
      if (project && !(await this.#projectExists(project, tx))) throw new AppError('NOT_FOUND', { message: `No project ${project}` });
      const subjectId = await this.subjectId(input.subjectType, input.subject, tx);
      const existing = await tx
        .selectFrom('role_assignments')
        .selectAll()
        .where('subject_type', '=', input.subjectType)
        .where('subject_id', '=', subjectId)
        .where('role', '=', role.name)
        .where('project', '=', project)
        .executeTakeFirst();
      if (existing) return { result: rowToAssignment(existing, input.subject), details: { unchanged: true } };
      const row = { id: newId('ras'), subject_type: input.subjectType, subject_id: subjectId, role: role.name, project, created_at: this.#now(), created_by: actor.principal };
      await tx.insertInto('role_assignments').values(row).execute();
      const view = rowToAssignment(row, input.subject);
      return { result: view, details: { subject: `${input.subjectType}:${input.subject}`, role: role.name, project: project || null }, configChanges: [{ resourceType: 'role-assignment', resourceId: `${input.subjectType}:${input.subject}`, change: 'assign', before: null, after: view }] };
    });
  }

  async unassignRole(actor: Actor, input: { subjectType: SubjectType; subject: string; role: string; project?: string | null }): Promise<AssignmentView> {
    const project = input.project ?? '';
    const action = project ? 'project:RemoveMember' : 'role:Unassign';
    const resource = project ? `attest:${project}:project/${project}` : `attest::role/${input.role}`;
    return this.#governed(actor, action, resource, async (tx) => {
      const subjectId = await this.subjectId(input.subjectType, input.subject, tx);
      const row = await tx
        .selectFrom('role_assignments')
        .selectAll()
        .where('subject_type', '=', input.subjectType)
        .where('subject_id', '=', subjectId)
        .where('role', '=', input.role)
        .where('project', '=', project)
        .executeTakeFirst();
      if (!row) throw new AppError('NOT_FOUND', { message: `${input.subjectType} ${input.subject} does not hold role ${input.role}${project ? ` in ${project}` : ''}` });
      await tx.deleteFrom('role_assignments').where('id', '=', row.id).execute();
      const view = rowToAssignment(row, input.subject);
      return { result: view, configChanges: [{ resourceType: 'role-assignment', resourceId: `${input.subjectType}:${input.subject}`, change: 'unassign', before: view, after: null }] };
    });
  }

  /** Assignments, optionally only those in one project ('' = installation-wide) or of one subject. */
  async listAssignments(filter: { project?: string; subjectType?: SubjectType; subject?: string } = {}): Promise<AssignmentView[]> {
    let q = this.#deps.db.kysely.selectFrom('role_assignments').selectAll().orderBy('created_at');
    if (filter.project !== undefined) q = q.where('project', '=', filter.project);
    if (filter.subjectType && filter.subject) q = q.where('subject_type', '=', filter.subjectType).where('subject_id', '=', await this.subjectId(filter.subjectType, filter.subject));
    const rows = await q.execute();
    return Promise.all(rows.map(async (r) => rowToAssignment(r, await this.#subjectName(r.subject_type, r.subject_id))));
  }

  /** Raw grants of a set of subjects (the authorizer's input). */
  async grantsOf(userId: string, groupIds: readonly string[]): Promise<{ role: string; project: string }[]> {
    let q = this.#deps.db.kysely.selectFrom('role_assignments').select(['role', 'project']);
    q = q.where((eb) =>
      eb.or([
        eb.and([eb('subject_type', '=', 'user'), eb('subject_id', '=', userId)]),
        ...(groupIds.length > 0 ? [eb.and([eb('subject_type', '=', 'group'), eb('subject_id', 'in', [...groupIds])])] : []),
      ]),
    );
    return q.execute();
  }

  // managed policies

  async #policyRow(name: string, q: Db['kysely'] | Tx = this.#deps.db.kysely): Promise<PoliciesTable> {
    const row = await q.selectFrom('policies').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', { message: `No policy ${name}` });
    return row;
  }

  async #attachments(policyId: string): Promise<PolicyView['attachments']> {
    const rows = await this.#deps.db.kysely.selectFrom('policy_attachments').selectAll().where('policy_id', '=', policyId).orderBy('created_at').execute();
    return Promise.all(rows.map(async (r) => ({ subjectType: r.subject_type as AttachTarget, subject: await this.#subjectName(r.subject_type, r.subject_id) })));
  }

  async #attachedPolicyNames(type: AttachTarget, subjectId: string, q: Db['kysely'] | Tx = this.#deps.db.kysely): Promise<string[]> {
    const rows = await q
      .selectFrom('policy_attachments')
      .innerJoin('policies', 'policies.id', 'policy_attachments.policy_id')
      .select('policies.name')
      .where('policy_attachments.subject_type', '=', type)
      .where('policy_attachments.subject_id', '=', subjectId)
      .execute();
    return rows.map((r) => r.name);
  }

  async #policyView(row: PoliciesTable): Promise<PolicyView> {
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      version: row.version,
      document: rowToPolicyDocument(row),
      attachments: await this.#attachments(row.id),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async createPolicy(actor: Actor, input: { name: string; description?: string; document: PolicyDocument }): Promise<PolicyView> {
    const name = checkName(input.name, 'policy');
    const document = validatePolicyDocument(input.document);
    return this.#governed(actor, 'policy:Create', `attest::policy/${name}`, async (tx) => {
      if (await tx.selectFrom('policies').select('id').where('name', '=', name).executeTakeFirst()) throw new AppError('CONFLICT', { message: `A policy called ${name} already exists` });
      const now = this.#now();
      const row: PoliciesTable = { id: newId('pol'), name, description: input.description ?? '', document: JSON.stringify(document), version: 1, created_at: now, created_by: actor.principal, updated_at: now };
      await tx.insertInto('policies').values(row).execute();
      const view: PolicyView = { id: row.id, name, description: row.description, version: 1, document, attachments: [], createdAt: now, updatedAt: now };
      return { result: view, configChanges: [{ resourceType: 'policy', resourceId: name, change: 'create', before: null, after: { version: 1, document } }] };
    });
  }

  async updatePolicy(actor: Actor, name: string, document: PolicyDocument): Promise<PolicyView> {
    const checked = validatePolicyDocument(document);
    await this.#governed(actor, 'policy:Update', `attest::policy/${name}`, async (tx) => {
      const row = await this.#policyRow(name, tx);
      const now = this.#now();
      await tx.updateTable('policies').set({ document: JSON.stringify(checked), version: row.version + 1, updated_at: now }).where('id', '=', row.id).execute();
      return {
        result: undefined,
        details: { version: row.version + 1 },
        configChanges: [{ resourceType: 'policy', resourceId: name, change: 'update', before: { version: row.version, document: rowToPolicyDocument(row) }, after: { version: row.version + 1, document: checked } }],
      };
    });
    return this.describePolicy(name);
  }

  async deletePolicy(actor: Actor, name: string): Promise<PolicyView> {
    const before = await this.describePolicy(name);
    return this.#governed(actor, 'policy:Delete', `attest::policy/${name}`, async (tx) => {
      await tx.deleteFrom('policy_attachments').where('policy_id', '=', before.id).execute();
      await tx.deleteFrom('policies').where('id', '=', before.id).execute();
      return { result: before, configChanges: [{ resourceType: 'policy', resourceId: name, change: 'delete', before, after: null }] };
    });
  }

  async listPolicies(): Promise<PolicyView[]> {
    const rows = await this.#deps.db.kysely.selectFrom('policies').selectAll().orderBy('name').execute();
    return Promise.all(rows.map((r) => this.#policyView(r)));
  }

  async describePolicy(name: string): Promise<PolicyView> {
    return this.#policyView(await this.#policyRow(name));
  }

  async attachPolicy(actor: Actor, policy: string, target: AttachTarget, subject: string): Promise<PolicyView> {
    await this.#attachment(actor, policy, target, subject, true);
    return this.describePolicy(policy);
  }

  async detachPolicy(actor: Actor, policy: string, target: AttachTarget, subject: string): Promise<PolicyView> {
    await this.#attachment(actor, policy, target, subject, false);
    return this.describePolicy(policy);
  }

  async #attachment(actor: Actor, policy: string, target: AttachTarget, subject: string, attach: boolean): Promise<void> {
    const action = ACTION_BY_TARGET[target][attach ? 0 : 1];
    await this.#governed(actor, action, `attest::${target}/${subject}`, async (tx) => {
      const row = await this.#policyRow(policy, tx);
      const subjectId = await this.subjectId(target, subject, tx);
      const before = await this.#attachedPolicyNames(target, subjectId, tx);
      if (attach && !before.includes(policy)) {
        await tx.insertInto('policy_attachments').values({ policy_id: row.id, subject_type: target, subject_id: subjectId, created_at: this.#now() }).execute();
      }
      if (!attach) await tx.deleteFrom('policy_attachments').where('policy_id', '=', row.id).where('subject_type', '=', target).where('subject_id', '=', subjectId).execute();
      const after = attach ? [...new Set([...before, policy])] : before.filter((p) => p !== policy);
      return { result: undefined, details: { policy, [target]: subject }, configChanges: [{ resourceType: 'policy-attachment', resourceId: `${target}:${subject}`, change: attach ? 'attach' : 'detach', before, after }] };
    });
  }

  /** Documents of the policies attached to any of the subjects (the authorizer's input). */
  async attachedDocuments(subjects: readonly { type: AttachTarget; id: string }[]): Promise<{ name: string; version: number; document: PolicyDocument }[]> {
    if (subjects.length === 0) return [];
    const rows = await this.#deps.db.kysely
      .selectFrom('policy_attachments')
      .innerJoin('policies', 'policies.id', 'policy_attachments.policy_id')
      .select(['policies.name', 'policies.version', 'policies.document'])
      .where((eb) => eb.or(subjects.map((s) => eb.and([eb('policy_attachments.subject_type', '=', s.type), eb('policy_attachments.subject_id', '=', s.id)]))))
      .execute();
    const seen = new Set<string>();
    const out: { name: string; version: number; document: PolicyDocument }[] = [];
    for (const r of rows) {
      if (seen.has(r.name)) continue;
      seen.add(r.name);
      out.push({ name: r.name, version: r.version, document: JSON.parse(r.document) as PolicyDocument });
    }
    return out;
  }
}

/**
 * @module security/identity-store/user-store
 * Local users and service principals, their passwords, failed logins and locks, and groups with
 * their members. Every change is governed: the change, its audit entry and its config-history
 * record (before and after, never a password hash) commit in one transaction.
 */
import { AppError, newId } from '../../kernel/index.js';
import type { Db, PrincipalsTable, Tx } from '../../platform/db/index.js';
import type { Actor, AuditLedger } from '../audit/index.js';
import { governed } from '../audit/index.js';
import { assertPasswordAcceptable, hashPassword } from '../identity/index.js';
import type { GroupView, Principal, PrincipalKind, UserView } from './identity-model.js';
import { auditNameOf, Name, rowToGroup, rowToUser } from './identity-model.js';

export interface StoreDeps {
  readonly db: Db;
  readonly ledger: AuditLedger;
  readonly now?: () => Date;
  /** Called after every committed change (the authorizer drops its cache). */
  readonly onChange?: () => void;
}

export interface CreateUserInput {
  name: string;
  kind?: PrincipalKind;
  displayName?: string;
  email?: string | null;
  /** Required for users who log in with a password; service principals use tokens. */
  password?: string;
  /** Links an OIDC identity (`<issuer>#<sub>`) to this user, so its stored grants apply to SSO logins. */
  externalId?: string | null;
}

const userResource = (name: string) => `attest::user/${name}`;
const groupResource = (name: string) => `attest::group/${name}`;

export function checkName(name: string, what: string): string {
  const parsed = Name.safeParse(name);
  if (!parsed.success) throw new AppError('INVALID_INPUT', { message: `Invalid ${what} name "${name}": ${parsed.error.issues[0]?.message ?? 'invalid'}` });
  return name;
}

export class UserStore {
  readonly #deps: StoreDeps;
  constructor(deps: StoreDeps) {
    this.#deps = deps;
  }

  #now(): Date {
    return this.#deps.now?.() ?? new Date();
  }

  async #governed<T>(actor: Actor, action: string, resource: string, change: Parameters<typeof governed<T>>[4]): Promise<T> {
    const result = await governed({ db: this.#deps.db, ledger: this.#deps.ledger }, actor, action, resource, change);
    this.#deps.onChange?.();
    return result;
  }

  /** The stored row for `name` (user or service principal), or undefined. */
  async findRow(name: string, q: Db['kysely'] | Tx = this.#deps.db.kysely): Promise<PrincipalsTable | undefined> {
    return q.selectFrom('principals').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async #row(name: string, q: Db['kysely'] | Tx = this.#deps.db.kysely): Promise<PrincipalsTable> {
    const row = await this.findRow(name, q);
    if (!row) throw new AppError('NOT_FOUND', { message: `No user or service principal ${name}`, details: { user: name } });
    return row;
  }

  async create(actor: Actor, input: CreateUserInput): Promise<UserView> {
    const name = checkName(input.name, 'user');
    const kind = input.kind ?? 'user';
    if (kind === 'service' && input.password !== undefined) throw new AppError('INVALID_INPUT', { message: 'Service principals authenticate with API tokens, not passwords' });
    if (input.password !== undefined) assertPasswordAcceptable(input.password, { username: name, ...(input.email ? { email: input.email } : {}) });
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    return this.#governed(actor, 'user:Create', userResource(name), async (tx) => {
      if (await this.findRow(name, tx)) throw new AppError('CONFLICT', { message: `A user or service principal called ${name} already exists` });
      if (input.externalId && (await tx.selectFrom('principals').select('id').where('external_id', '=', input.externalId).executeTakeFirst())) {
        throw new AppError('CONFLICT', { message: `The external identity ${input.externalId} is already linked to another user` });
      }
      const now = this.#now().toISOString();
      const row: PrincipalsTable = {
        id: newId(kind === 'user' ? 'usr' : 'svc'),
        kind,
        name,
        display_name: input.displayName ?? name,
        email: input.email ?? null,
        password_hash: passwordHash,
        status: 'active',
        locked_at: null,
        locked_until: null,
        external_id: input.externalId ?? null,
        created_at: now,
        created_by: actor.principal,
        updated_at: now,
      };
      await tx.insertInto('principals').values(row).execute();
      const view = rowToUser(row);
      return { result: view, details: { kind }, configChanges: [{ resourceType: 'user', resourceId: name, change: 'create', before: null, after: view }] };
    });
  }

  /** The stored principal called `name` as the authorizer sees it (for simulation and presigned checks). */
  async principal(name: string): Promise<Principal> {
    const row = await this.#row(name);
    const kind = row.kind as PrincipalKind;
    return { id: row.id, name: row.name, kind, auditName: auditNameOf(kind, row.name), authMethod: 'token', groups: await this.groupNamesOf(row.id) };
  }

  async list(): Promise<UserView[]> {
    return (await this.#deps.db.kysely.selectFrom('principals').selectAll().orderBy('name').execute()).map(rowToUser);
  }

  async describe(name: string): Promise<UserView & { groups: string[] }> {
    const row = await this.#row(name);
    const groups = await this.groupNamesOf(row.id);
    return { ...rowToUser(row), groups };
  }

  async groupNamesOf(principalId: string): Promise<string[]> {
    const rows = await this.#deps.db.kysely
      .selectFrom('group_members')
      .innerJoin('groups', 'groups.id', 'group_members.group_id')
      .select('groups.name')
      .where('group_members.principal_id', '=', principalId)
      .orderBy('groups.name')
      .execute();
    return rows.map((r) => r.name);
  }

  async delete(actor: Actor, name: string): Promise<UserView> {
    return this.#governed(actor, 'user:Delete', userResource(name), async (tx) => {
      const row = await this.#row(name, tx);
      await tx.deleteFrom('role_assignments').where('subject_type', '=', 'user').where('subject_id', '=', row.id).execute();
      await tx.deleteFrom('policy_attachments').where('subject_type', '=', 'user').where('subject_id', '=', row.id).execute();
      await tx.deleteFrom('principals').where('id', '=', row.id).execute();
      const view = rowToUser(row);
      return { result: view, configChanges: [{ resourceType: 'user', resourceId: name, change: 'delete', before: view, after: null }] };
    });
  }

  /** Locks an account; `until` null = until an administrator unlocks it. Idempotent. */
  async lock(actor: Actor, name: string, until: Date | null, reason: string): Promise<UserView> {
    return this.#governed(actor, 'user:Lock', userResource(name), async (tx) => {
      const row = await this.#row(name, tx);
      const now = this.#now().toISOString();
      const after = { ...row, status: 'locked', locked_at: row.status === 'locked' ? row.locked_at : now, locked_until: until === null ? null : until.toISOString(), updated_at: now };
      await tx.updateTable('principals').set({ status: after.status, locked_at: after.locked_at, locked_until: after.locked_until, updated_at: now }).where('id', '=', row.id).execute();
      return {
        result: rowToUser(after),
        details: { reason, until: after.locked_until },
        configChanges: [{ resourceType: 'user', resourceId: name, change: 'lock', before: rowToUser(row), after: rowToUser(after) }],
      };
    });
  }

  async unlock(actor: Actor, name: string): Promise<UserView> {
    return this.#governed(actor, 'user:Unlock', userResource(name), async (tx) => {
      const row = await this.#row(name, tx);
      const now = this.#now().toISOString();
      const after = { ...row, status: 'active', locked_at: null, locked_until: null, updated_at: now };
      await tx.updateTable('principals').set({ status: 'active', locked_at: null, locked_until: null, updated_at: now }).where('id', '=', row.id).execute();
      await tx.deleteFrom('login_failures').where('principal_id', '=', row.id).execute();
      return { result: rowToUser(after), configChanges: [{ resourceType: 'user', resourceId: name, change: 'unlock', before: rowToUser(row), after: rowToUser(after) }] };
    });
  }

  /** Sets a password (`user:ResetPassword` by an administrator, `user:ChangePassword` for oneself). */
  async setPassword(actor: Actor, name: string, password: string, action: 'user:ResetPassword' | 'user:ChangePassword' = 'user:ResetPassword'): Promise<UserView> {
    const current = await this.#row(name);
    if (current.kind !== 'user') throw new AppError('INVALID_INPUT', { message: 'Service principals have no password' });
    assertPasswordAcceptable(password, { username: name, ...(current.email ? { email: current.email } : {}) });
    const hash = await hashPassword(password);
    return this.#governed(actor, action, userResource(name), async (tx) => {
      const row = await this.#row(name, tx);
      const now = this.#now().toISOString();
      await tx.updateTable('principals').set({ password_hash: hash, updated_at: now }).where('id', '=', row.id).execute();
      await tx.deleteFrom('login_failures').where('principal_id', '=', row.id).execute();
      return { result: rowToUser({ ...row, password_hash: hash, updated_at: now }), configChanges: [{ resourceType: 'user', resourceId: name, change: 'password', before: null, after: { passwordChangedAt: now } }] };
    });
  }

  // groups

  async #group(name: string, q: Db['kysely'] | Tx = this.#deps.db.kysely) {
    const row = await q.selectFrom('groups').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', { message: `No group ${name}`, details: { group: name } });
    return row;
  }

  async #members(groupId: string, q: Db['kysely'] | Tx = this.#deps.db.kysely): Promise<string[]> {
    const rows = await q
      .selectFrom('group_members')
      .innerJoin('principals', 'principals.id', 'group_members.principal_id')
      .select('principals.name')
      .where('group_members.group_id', '=', groupId)
      .orderBy('principals.name')
      .execute();
    return rows.map((r) => r.name);
  }

  async createGroup(actor: Actor, input: { name: string; description?: string }): Promise<GroupView> {
    const name = checkName(input.name, 'group');
    return this.#governed(actor, 'group:Create', groupResource(name), async (tx) => {
      if (await tx.selectFrom('groups').select('id').where('name', '=', name).executeTakeFirst()) throw new AppError('CONFLICT', { message: `A group called ${name} already exists` });
      const row = { id: newId('grp'), name, description: input.description ?? '', created_at: this.#now().toISOString(), created_by: actor.principal };
      await tx.insertInto('groups').values(row).execute();
      const view = rowToGroup(row, []);
      return { result: view, configChanges: [{ resourceType: 'group', resourceId: name, change: 'create', before: null, after: view }] };
    });
  }

  async listGroups(): Promise<GroupView[]> {
    const rows = await this.#deps.db.kysely.selectFrom('groups').selectAll().orderBy('name').execute();
    return Promise.all(rows.map(async (r) => rowToGroup(r, await this.#members(r.id))));
  }

  async describeGroup(name: string): Promise<GroupView> {
    const row = await this.#group(name);
    return rowToGroup(row, await this.#members(row.id));
  }

  async deleteGroup(actor: Actor, name: string): Promise<GroupView> {
    return this.#governed(actor, 'group:Delete', groupResource(name), async (tx) => {
      const row = await this.#group(name, tx);
      const view = rowToGroup(row, await this.#members(row.id, tx));
      await tx.deleteFrom('role_assignments').where('subject_type', '=', 'group').where('subject_id', '=', row.id).execute();
      await tx.deleteFrom('policy_attachments').where('subject_type', '=', 'group').where('subject_id', '=', row.id).execute();
      await tx.deleteFrom('groups').where('id', '=', row.id).execute();
      return { result: view, configChanges: [{ resourceType: 'group', resourceId: name, change: 'delete', before: view, after: null }] };
    });
  }

  async addMember(actor: Actor, group: string, user: string): Promise<GroupView> {
    return this.#governed(actor, 'group:AddMember', groupResource(group), async (tx) => {
      const g = await this.#group(group, tx);
      const u = await this.#row(user, tx);
      const before = rowToGroup(g, await this.#members(g.id, tx));
      if (!before.members.includes(user)) await tx.insertInto('group_members').values({ group_id: g.id, principal_id: u.id, created_at: this.#now().toISOString() }).execute();
      const after = rowToGroup(g, await this.#members(g.id, tx));
      return { result: after, details: { member: user }, configChanges: [{ resourceType: 'group-membership', resourceId: group, change: 'add-member', before, after }] };
    });
  }

  async removeMember(actor: Actor, group: string, user: string): Promise<GroupView> {
    return this.#governed(actor, 'group:RemoveMember', groupResource(group), async (tx) => {
      const g = await this.#group(group, tx);
      const u = await this.#row(user, tx);
      const before = rowToGroup(g, await this.#members(g.id, tx));
      await tx.deleteFrom('group_members').where('group_id', '=', g.id).where('principal_id', '=', u.id).execute();
      const after = rowToGroup(g, await this.#members(g.id, tx));
      return { result: after, details: { member: user }, configChanges: [{ resourceType: 'group-membership', resourceId: group, change: 'remove-member', before, after }] };
    });
  }

  /** Group ids for names (unknown names are skipped: OIDC may map to groups not created locally). */
  async groupIds(names: readonly string[]): Promise<string[]> {
    if (names.length === 0) return [];
    return (await this.#deps.db.kysely.selectFrom('groups').select('id').where('name', 'in', [...names]).execute()).map((r) => r.id);
  }
}

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDialects } from '../../../test/support/databases.js';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../../test/support/test-app.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { INITIAL_ADMIN_FILE } from '../../app/index.js';
import { listConfigChanges } from '../audit/index.js';
import { PROJECT_PLACEHOLDER } from '../policy/index.js';
import type { Principal } from './index.js';

const DENY_KEYS = { Version: '2025-01-01' as const, Statement: [{ Sid: 'NoKeys', Effect: 'Deny' as const, Action: 'key:*', Resource: '*' }] };

describe.each(testDialects())('identity store on %s', (dialect) => {
  let t: TestInstallation;
  beforeEach(async () => {
    t = await createTestInstallation(dialect, 'fs');
  });
  afterEach(async () => t?.dispose());

  const principal = async (name: string): Promise<Principal> => {
    const row = (await t.app.identity.users.findRow(name))!;
    return { id: row.id, name, kind: row.kind as 'user', auditName: `user:${name}`, authMethod: 'token', groups: await t.app.identity.users.groupNamesOf(row.id) };
  };
  const decide = async (name: string, action: string, resource: string) => (await t.app.identity.authorizer.decide(await principal(name), action, resource, { now: new Date(), sourceIp: '10.0.0.1' })).decision;

  it('init created the administrator with a generated password, written once to an owner-only file', async () => {
    const file = join(t.home, INITIAL_ADMIN_FILE);
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const password = /password: (\S+)/.exec(readFileSync(file, 'utf8'))![1]!;
    expect(password.length).toBeGreaterThanOrEqual(24);
    const login = await t.app.identity.authenticator.login('admin', password, { sourceIp: '127.0.0.1' });
    expect(login.principal.name).toBe('admin');
    expect(await decide('admin', 'key:Create', 'attest::key/new')).toBe('Allow');
    const stored = await t.app.db.kysely.selectFrom('principals').select('password_hash').where('name', '=', 'admin').executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$scrypt\$/);
    expect(stored.password_hash).not.toContain(password);
  });

  it('groups, project grants and attached policies decide; every change is in config history with before and after', async () => {
    const { users, access } = t.app.identity;
    await users.create(TEST_ACTOR, { name: 'erin' });
    await users.createGroup(TEST_ACTOR, { name: 'quants' });
    expect(await decide('erin', 'model:Train', 'attest:default:model/m1')).toBe('ImplicitDeny');
    await access.assignRole(TEST_ACTOR, { subjectType: 'group', subject: 'quants', role: 'data-scientist', project: 'default' });
    await users.addMember(TEST_ACTOR, 'quants', 'erin');
    expect(await decide('erin', 'model:Train', 'attest:default:model/m1')).toBe('Allow');
    expect(await decide('erin', 'model:Train', 'attest:other:model/m1')).toBe('ImplicitDeny');
    expect(await decide('erin', 'model:Approve', 'attest:default:model/m1')).toBe('ImplicitDeny');

    await access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: 'erin', role: 'security-administrator' });
    expect(await decide('erin', 'key:Rotate', 'attest::key/k1')).toBe('Allow');
    await access.createPolicy(TEST_ACTOR, { name: 'no-keys', document: DENY_KEYS });
    await access.attachPolicy(TEST_ACTOR, 'no-keys', 'group', 'quants');
    expect(await decide('erin', 'key:Rotate', 'attest::key/k1')).toBe('ExplicitDeny');
    await access.detachPolicy(TEST_ACTOR, 'no-keys', 'group', 'quants');
    await access.attachPolicy(TEST_ACTOR, 'no-keys', 'role', 'security-administrator');
    expect(await decide('erin', 'key:Rotate', 'attest::key/k1')).toBe('ExplicitDeny');
    await users.removeMember(TEST_ACTOR, 'quants', 'erin');
    expect(await decide('erin', 'model:Train', 'attest:default:model/m1')).toBe('ImplicitDeny');

    const history = await listConfigChanges(t.app.db);
    const kinds = history.map((h) => `${h.resourceType}:${h.change}`);
    for (const k of ['user:create', 'group:create', 'role-assignment:assign', 'group-membership:add-member', 'policy:create', 'policy-attachment:attach', 'policy-attachment:detach', 'group-membership:remove-member']) expect(kinds).toContain(k);
    const membership = history.filter((h) => h.resourceType === 'group-membership');
    expect(membership[0]).toMatchObject({ before: { members: [] }, after: { members: ['erin'] } });
    expect(membership[1]).toMatchObject({ before: { members: ['erin'] }, after: { members: [] } });
    expect(JSON.stringify(history)).not.toContain('$scrypt$');
    expect((await t.app.verifyAudit()).ok).toBe(true);
  });

  it('custom project roles must stay inside their project; grants need the right scope', async () => {
    const { access, users } = t.app.identity;
    await expect(access.createRole(TEST_ACTOR, { name: 'escape', scope: 'project', document: { Version: '2025-01-01', Statement: [{ Effect: 'Allow', Action: 'artifact:*', Resource: 'attest:*:artifact/*' }] } })).rejects.toMatchObject({ code: 'POLICY_INVALID' });
    await access.createRole(TEST_ACTOR, { name: 'reader', scope: 'project', document: { Version: '2025-01-01', Statement: [{ Effect: 'Allow', Action: 'artifact:Get', Resource: `attest:${PROJECT_PLACEHOLDER}:artifact/*` }] } });
    await users.create(TEST_ACTOR, { name: 'finn' });
    await expect(access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: 'finn', role: 'reader' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: 'finn', role: 'auditor', project: 'default' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: 'finn', role: 'reader', project: 'default' });
    expect(await decide('finn', 'artifact:Get', 'attest:default:artifact/art_1')).toBe('Allow');
    expect(await decide('finn', 'artifact:Get', 'attest:fraud:artifact/art_1')).toBe('ImplicitDeny');
    expect((await access.listAssignments({ project: 'default' })).map((a) => `${a.subject}:${a.role}`)).toEqual(['finn:reader']);
  });

  it('tokens are stored as hashes and refused once revoked; names and kinds are validated', async () => {
    const { users, tokens, authenticator } = t.app.identity;
    await users.create(TEST_ACTOR, { name: 'svc-ci', kind: 'service' });
    const { token, view } = await tokens.create(TEST_ACTOR, { owner: 'svc-ci', name: 'ci', scope: { name: 'read-only' } });
    const stored = await t.app.db.kysely.selectFrom('api_tokens').selectAll().where('prefix', '=', view.prefix).executeTakeFirstOrThrow();
    expect(stored.hash).not.toContain(token.slice(16));
    expect((await authenticator.authenticate(token)).token?.scope?.name).toBe('token-scope/read-only');
    await tokens.revoke(TEST_ACTOR, 'svc-ci', view.prefix);
    await expect(authenticator.authenticate(token)).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
    await expect(users.create(TEST_ACTOR, { name: 'svc-2', kind: 'service', password: 'a long enough password' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(users.create(TEST_ACTOR, { name: 'Bad Name' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(users.create(TEST_ACTOR, { name: 'svc-ci' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});

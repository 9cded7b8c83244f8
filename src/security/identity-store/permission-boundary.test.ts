/**
 * A configured grant boundary (`access.grantBoundaries` in attest.json): a custom role may be given
 * a managed policy as the boundary of what its holders grant; without it they grant only what they
 * hold; the boundary policy is part of its holders' own permissions (they cannot change it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../../../test/support/databases.js';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../../test/support/test-app.js';
import type { PolicyDocument } from '../policy/index.js';
import type { PermissionChange } from './index.js';
import { createIdentityServices } from './index.js';

const VIEWING: PolicyDocument = { Version: '2025-01-01', Statement: [{ Effect: 'Allow', Action: ['*:List', '*:Describe', 'project:ListMembers', 'lineage:Read', 'bias:Read'], Resource: 'attest:*:*' }] };

describe.each(testDialects())('configured grant boundaries on %s', (dialect) => {
  let t: TestInstallation;
  beforeAll(async () => {
    t = await createTestInstallation(dialect, 'fs');
    const { users, access } = t.app.identity;
    await access.createRole(TEST_ACTOR, { name: 'helpdesk', scope: 'installation', document: { Version: '2025-01-01', Statement: [{ Effect: 'Allow', Action: ['project:AddMember', 'policy:Update'], Resource: '*' }] } });
    await access.createPolicy(TEST_ACTOR, { name: 'helpdesk-grants', document: VIEWING });
    for (const name of ['hd', 'bob']) await users.create(TEST_ACTOR, { name });
    await access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: 'hd', role: 'helpdesk' });
  }, 60_000);
  afterAll(async () => t?.dispose());

  const check = async (boundaries: Record<string, string>, change: PermissionChange) => {
    const identity = createIdentityServices(t.app.db, t.app.ledger, { grantBoundaries: boundaries });
    const principal = await identity.users.principal('hd');
    return identity.boundary
      .check(principal, { principal: 'user:hd' }, 'project:AddMember', 'attest:default:project/default', change, { now: new Date() })
      .then(() => 'allowed')
      .catch((e: { code: string; details: { rule: string } }) => `${e.code}:${e.details.rule}`);
  };
  const grant = (role: string): PermissionChange => ({ kind: 'assign-role', subjectType: 'user', subject: 'bob', role, project: 'default' });

  it('holders of a role grant within its configured boundary, and only within it', async () => {
    expect(await check({}, grant('viewer'))).toBe('PERMISSION_BOUNDARY:grant-ceiling');
    expect(await check({ helpdesk: 'helpdesk-grants' }, grant('viewer'))).toBe('allowed');
    expect(await check({ helpdesk: 'helpdesk-grants' }, grant('data-scientist'))).toBe('PERMISSION_BOUNDARY:grant-ceiling');
    // A boundary that names a policy that does not exist grants nothing extra (fail closed).
    expect(await check({ helpdesk: 'no-such-policy' }, grant('viewer'))).toBe('PERMISSION_BOUNDARY:grant-ceiling');
  });

  it('the boundary policy of a role one holds is one’s own permission: changing it is a self-change', async () => {
    const widen: PermissionChange = { kind: 'update-policy', policy: 'helpdesk-grants', document: { Version: '2025-01-01', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };
    expect(await check({ helpdesk: 'helpdesk-grants' }, widen)).toBe('PERMISSION_BOUNDARY:self-change');
    expect(await check({ helpdesk: 'helpdesk-grants' }, { kind: 'delete-policy', policy: 'helpdesk-grants' })).toBe('PERMISSION_BOUNDARY:self-change');
    const denials = await t.app.ledger.list({ principal: 'user:hd', outcome: 'denied' });
    expect(denials.at(-1)!.details).toMatchObject({ decision: 'PermissionBoundary', rule: 'self-change', change: { kind: 'delete-policy', policy: 'helpdesk-grants' } });
  });
});

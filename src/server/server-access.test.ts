/**
 * Access hardening through the real server (issue 12, points 6, 7 and 9):
 * - permission boundaries: a security administrator's escalation attempts (self-assign
 *   administrator, attach allow-all to itself, join a project, join a group that holds
 *   administrator, grant beyond its ceiling, take over an administrator's credentials) are 403
 *   PERMISSION_BOUNDARY, change nothing, are audited as denied and raise an alert; what it is for
 *   (staffing projects, appointing auditors) still works;
 * - separation of duties: a checker action is refused to the resource's makers, through a route
 *   declared the way the registry will declare it and through the policy simulator;
 * - policies naming unknown actions are refused with POLICY_INVALID and nothing is stored.
 */
import { hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler } from '@fastify/type-provider-zod';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../../test/support/databases.js';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';
import { TEST_ACTOR } from '../../test/support/test-app.js';
import { httpStatusOf, isAppError } from '../kernel/index.js';
import type { ResourceProvenance } from '../security/policy/index.js';
import { provenanceFacts } from '../security/policy/index.js';
import { RouteKit } from './route-kit.js';

const ALLOW_ALL = { Version: '2025-01-01', Statement: [{ Sid: 'Everything', Effect: 'Allow', Action: '*', Resource: '*' }] };
const DENY_DEPLOY = { Version: '2025-01-01', Statement: [{ Sid: 'NoDeploy', Effect: 'Deny', Action: 'model:Deploy', Resource: '*' }] };

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

describe.each(testDialects())('permission boundaries over the API on %s', (dialect) => {
  let f: ServerFixture;
  const token = new Map<string, string>();
  const call = async (who: string, method: Method, url: string, payload?: unknown) =>
    f.server.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}), headers: { authorization: `Bearer ${token.get(who)}` } });

  beforeAll(async () => {
    f = await startServerFixture(dialect);
    const { users, access } = f.t.app.identity;
    token.set('root', await f.principal('root', [{ role: 'administrator' }]));
    token.set('secadm', await f.principal('secadm', [{ role: 'security-administrator' }]));
    token.set('dana', await f.principal('dana', [{ role: 'data-scientist', project: 'default' }]));
    await users.create(TEST_ACTOR, { name: 'bob' });
    await users.create(TEST_ACTOR, { name: 'ci-admin', kind: 'service' });
    await access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: 'ci-admin', role: 'administrator' });
    await users.createGroup(TEST_ACTOR, { name: 'admins' });
    await access.assignRole(TEST_ACTOR, { subjectType: 'group', subject: 'admins', role: 'administrator' });
    await users.createGroup(TEST_ACTOR, { name: 'sec-team' });
    await users.addMember(TEST_ACTOR, 'sec-team', 'secadm');
    await access.createPolicy(TEST_ACTOR, { name: 'allow-all', document: ALLOW_ALL as never });
    await access.createPolicy(TEST_ACTOR, { name: 'secadm-guard', document: DENY_DEPLOY as never });
    await access.attachPolicy(TEST_ACTOR, 'secadm-guard', 'user', 'secadm');
    await access.createPolicy(TEST_ACTOR, { name: 'bob-extra', document: DENY_DEPLOY as never });
    await access.attachPolicy(TEST_ACTOR, 'bob-extra', 'user', 'bob');
    await access.createRole(TEST_ACTOR, { name: 'key-user', scope: 'installation', document: { Version: '2025-01-01', Statement: [{ Effect: 'Allow', Action: ['key:Encrypt', 'key:Decrypt'], Resource: 'attest::key/*' }] } as never });
  }, 60_000);
  afterAll(async () => f?.dispose());

  /** Who may do what, as stored: assignments, attachments and group members. */
  const accessState = async () => {
    const { access, users } = f.t.app.identity;
    return {
      assignments: (await access.listAssignments()).map((a) => `${a.subjectType}:${a.subject}=${a.role}@${a.project ?? ''}`).sort(),
      attachments: (await access.listPolicies()).map((p) => `${p.name}v${p.version}->${p.attachments.map((a) => `${a.subjectType}:${a.subject}`).join(',')}`).sort(),
      groups: (await users.listGroups()).map((g) => `${g.name}:${g.members.join(',')}`).sort(),
      roles: (await access.listRoles()).map((r) => `${r.name}:${r.attachedPolicies.join(',')}`).sort(),
    };
  };

  const ATTEMPTS: { name: string; method: Method; url: string; payload?: unknown; action: string; rule: string }[] = [
    { name: 'self-assign administrator', method: 'POST', url: '/v1/role-assignments', payload: { subject: 'secadm', role: 'administrator' }, action: 'role:Assign', rule: 'self-change' },
    { name: 'attach allow-all to itself', method: 'POST', url: '/v1/users/secadm/policies', payload: { policy: 'allow-all' }, action: 'user:AttachPolicy', rule: 'self-change' },
    { name: 'add itself to a project', method: 'POST', url: '/v1/projects/default/members', payload: { subject: 'secadm', role: 'data-scientist' }, action: 'project:AddMember', rule: 'self-change' },
    { name: 'add itself to a group that holds administrator', method: 'POST', url: '/v1/groups/admins/members', payload: { user: 'secadm' }, action: 'group:AddMember', rule: 'self-change' },
    { name: 'attach allow-all to a group it is in', method: 'POST', url: '/v1/groups/sec-team/policies', payload: { policy: 'allow-all' }, action: 'group:AttachPolicy', rule: 'self-change' },
    { name: 'grant a role to a group it is in', method: 'POST', url: '/v1/role-assignments', payload: { subjectType: 'group', subject: 'sec-team', role: 'key-user' }, action: 'role:Assign', rule: 'self-change' },
    { name: 'attach allow-all to a role it holds', method: 'POST', url: '/v1/roles/security-administrator/policies', payload: { policy: 'allow-all' }, action: 'role:Update', rule: 'self-change' },
    { name: 'detach the guardrail attached to itself', method: 'DELETE', url: '/v1/users/secadm/policies/secadm-guard', action: 'user:DetachPolicy', rule: 'self-change' },
    { name: 'rewrite the guardrail attached to itself', method: 'PUT', url: '/v1/policies/secadm-guard', payload: { document: ALLOW_ALL }, action: 'policy:Update', rule: 'self-change' },
    { name: 'delete the guardrail attached to itself', method: 'DELETE', url: '/v1/policies/secadm-guard', action: 'policy:Delete', rule: 'self-change' },
    { name: 'leave its own group', method: 'DELETE', url: '/v1/groups/sec-team/members/secadm', action: 'group:RemoveMember', rule: 'self-change' },
    { name: 'make someone else administrator', method: 'POST', url: '/v1/role-assignments', payload: { subject: 'bob', role: 'administrator' }, action: 'role:Assign', rule: 'administrator-only' },
    { name: 'add someone else to the administrators group', method: 'POST', url: '/v1/groups/admins/members', payload: { user: 'bob' }, action: 'group:AddMember', rule: 'administrator-only' },
    { name: 'withdraw administrator from someone', method: 'DELETE', url: '/v1/role-assignments/user/root/administrator', action: 'role:Unassign', rule: 'administrator-only' },
    { name: 'attach allow-all to someone else (above its ceiling)', method: 'POST', url: '/v1/users/bob/policies', payload: { policy: 'allow-all' }, action: 'user:AttachPolicy', rule: 'grant-ceiling' },
    { name: 'grant a role that uses keys (above its ceiling)', method: 'POST', url: '/v1/role-assignments', payload: { subject: 'bob', role: 'key-user' }, action: 'role:Assign', rule: 'grant-ceiling' },
    { name: "widen a policy attached to someone else (above its ceiling)", method: 'PUT', url: '/v1/policies/bob-extra', payload: { document: ALLOW_ALL }, action: 'policy:Update', rule: 'grant-ceiling' },
    { name: "reset an administrator's password", method: 'PUT', url: '/v1/users/root/password', payload: { password: 'Correct-Horse-Battery-9' }, action: 'user:ResetPassword', rule: 'grant-ceiling' },
    { name: 'mint a token for an administrator service principal', method: 'POST', url: '/v1/users/ci-admin/tokens', payload: { name: 'mine' }, action: 'token:Create', rule: 'grant-ceiling' },
    { name: 'appoint another security administrator (a puppet that could then change its permissions)', method: 'POST', url: '/v1/role-assignments', payload: { subject: 'bob', role: 'security-administrator' }, action: 'role:Assign', rule: 'administrator-only' },
  ];

  it('every escalation attempt of a security administrator is 403 PERMISSION_BOUNDARY, changes nothing, is audited as denied and alerts', async () => {
    const before = await accessState();
    const fromSeq = (await f.t.app.ledger.head()).seq;
    for (const a of ATTEMPTS) {
      const r = await call('secadm', a.method, a.url, a.payload);
      expect(r.statusCode, `${a.name}: ${r.body}`).toBe(403);
      expect(r.json().error, a.name).toMatchObject({ code: 'PERMISSION_BOUNDARY', details: { rule: a.rule, action: a.action } });
    }
    expect(await accessState()).toEqual(before);
    const denials = await f.t.app.ledger.list({ afterSeq: fromSeq, principal: 'user:secadm', outcome: 'denied' });
    expect(denials.map((e) => [e.action, e.details.rule])).toEqual(ATTEMPTS.map((a) => [a.action, a.rule]));
    expect(denials[0]!.details).toMatchObject({ decision: 'PermissionBoundary', change: { kind: 'assign-role', subject: 'secadm', role: 'administrator' } });
    expect(denials[0]!.details.reason).toMatch(/cannot change its own permissions/);
    expect(await f.t.app.ledger.list({ afterSeq: fromSeq, principal: 'user:secadm', outcome: 'allowed' })).toEqual([]);

    await f.server.detectiveControls.idle();
    const alerts = await f.t.app.ledger.list({ afterSeq: fromSeq, action: 'alert:Fire' });
    const alerted = new Set(alerts.filter((e) => e.details.rule === 'permission-escalation-attempt').flatMap((e) => e.details.events as number[]));
    for (const d of denials) expect(alerted.has(d.seq), `${d.action} ${String(d.details.rule)} alerted`).toBe(true);
    expect(alerts.find((e) => e.details.rule === 'permission-escalation-attempt')!.details).toMatchObject({ severity: 'high', principal: 'user:secadm' });
  });

  it('what a security administrator is for still works, and every such change alerts', async () => {
    const fromSeq = (await f.t.app.ledger.head()).seq;
    const allowed: [Method, string, unknown][] = [
      ['POST', '/v1/projects/default/members', { subject: 'bob', role: 'data-scientist' }],
      ['POST', '/v1/projects/default/members', { subject: 'bob', role: 'model-validator' }],
      ['POST', '/v1/role-assignments', { subject: 'bob', role: 'auditor' }],
      ['POST', '/v1/users/bob/policies', { policy: 'secadm-guard' }],
      ['DELETE', '/v1/role-assignments/user/bob/auditor', undefined],
    ];
    for (const [method, url, payload] of allowed) {
      const r = await call('secadm', method, url, payload);
      expect(r.statusCode, `${method} ${url}: ${r.body}`).toBe(200);
    }
    await f.server.detectiveControls.idle();
    const changes = await f.t.app.ledger.list({ afterSeq: fromSeq, principal: 'user:secadm', outcome: 'allowed' });
    expect(changes).toHaveLength(allowed.length);
    const alerted = new Set((await f.t.app.ledger.list({ afterSeq: fromSeq, action: 'alert:Fire' })).filter((e) => e.details.rule === 'permission-change').flatMap((e) => e.details.events as number[]));
    for (const c of changes) expect(alerted.has(c.seq), c.action).toBe(true);
  });

  it('only an administrator grants administrator, and not even an administrator changes its own permissions', async () => {
    expect((await call('root', 'POST', '/v1/role-assignments', { subject: 'bob', role: 'administrator' })).statusCode).toBe(200);
    const self = await call('root', 'POST', '/v1/role-assignments', { subject: 'root', role: 'auditor' });
    expect(self.statusCode).toBe(403);
    expect(self.json().error).toMatchObject({ code: 'PERMISSION_BOUNDARY', details: { rule: 'self-change' } });
    expect((await call('root', 'DELETE', '/v1/role-assignments/user/bob/administrator')).statusCode).toBe(200);
  });

  it('a principal without the permission is refused by policy first (ACCESS_DENIED), audited and alerted all the same', async () => {
    const fromSeq = (await f.t.app.ledger.head()).seq;
    const r = await call('dana', 'POST', '/v1/role-assignments', { subject: 'dana', role: 'administrator' });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.code).toBe('ACCESS_DENIED');
    await f.server.detectiveControls.idle();
    const [denial] = await f.t.app.ledger.list({ afterSeq: fromSeq, principal: 'user:dana', outcome: 'denied' });
    const alerts = await f.t.app.ledger.list({ afterSeq: fromSeq, action: 'alert:Fire' });
    expect(alerts.some((e) => e.details.rule === 'permission-escalation-attempt' && (e.details.events as number[]).includes(denial!.seq))).toBe(true);
  });
});

describe('separation of duties and policy validation over the API', () => {
  let f: ServerFixture;
  let registry: FastifyInstance;
  const token = new Map<string, string>();
  /** Provenance as the model registry will supply it (the registry itself is not built yet). */
  const provenance = new Map<string, ResourceProvenance>([
    ['mp_1', { createdBy: 'user:dana', ancestors: [{ resourceId: 'ds_1', createdBy: 'user:erin' }] }],
    ['mp_2', { createdBy: 'service:pipeline', onBehalfOf: 'user:root' }],
  ]);

  beforeAll(async () => {
    f = await startServerFixture('sqlite');
    token.set('root', await f.principal('root', [{ role: 'administrator' }]));
    token.set('dana', await f.principal('dana', [{ role: 'data-scientist', project: 'default' }, { role: 'model-validator', project: 'default' }]));
    token.set('val', await f.principal('val', [{ role: 'model-validator', project: 'default' }]));
    token.set('erin', await f.principal('erin', [{ role: 'model-validator', project: 'default' }]));
    // A checker route declared the way the registry will declare it: the route's facts hook
    // supplies who made the model, the authorizer applies maker ≠ checker.
    registry = Fastify();
    registry.setValidatorCompiler(validatorCompiler);
    registry.setSerializerCompiler(serializerCompiler);
    registry.setErrorHandler((error, _req, reply) => {
      if (isAppError(error)) return reply.code(httpStatusOf(error)).send(error.toJSON());
      return reply.code(hasZodFastifySchemaValidationErrors(error) ? 400 : 500).send({ error: { code: 'INTERNAL', message: String(error), details: {} } });
    });
    const kit = new RouteKit(registry, f.t.app);
    kit.route({
      method: 'POST', url: '/v1/projects/:project/models/:id/approve', summary: 'Approve a model version', tags: ['registry'], action: 'model:Approve', audit: 'server',
      params: z.object({ project: z.string(), id: z.string() }),
      resource: ({ params }) => `attest:${params.project}:model/${params.id}`,
      facts: async ({ params }) => {
        const p = provenance.get(params.id);
        return p ? provenanceFacts(p) : {};
      },
      response: z.object({ approved: z.literal(true) }),
      handler: async () => ({ approved: true as const }),
    });
    await registry.ready();
  }, 60_000);
  afterAll(async () => {
    await registry?.close();
    await f?.dispose();
  });

  const approve = (who: string, id: string) => registry.inject({ method: 'POST', url: `/v1/projects/default/models/${id}/approve`, headers: { authorization: `Bearer ${token.get(who)}` } });

  it('a checker action is refused to the creator, to the makers upstream and to whoever a service principal acted for — administrators included — and allowed to an independent validator', async () => {
    const fromSeq = (await f.t.app.ledger.head()).seq;
    for (const [who, id, conflict] of [
      ['dana', 'mp_1', 'dana created attest:default:model/mp_1'],
      ['erin', 'mp_1', 'erin made attest:default:model/mp_1 or something it was derived from'],
      ['root', 'mp_2', 'root made attest:default:model/mp_2 or something it was derived from'],
      ['val', 'mp_unknown', 'who made attest:default:model/mp_unknown is unknown'],
    ] as const) {
      const r = await approve(who, id);
      expect(r.statusCode, `${who} ${id}: ${r.body}`).toBe(403);
      expect(r.json().error.code).toBe('SEPARATION_OF_DUTIES');
      expect(r.json().error.message).toContain(conflict);
    }
    expect((await approve('val', 'mp_1')).statusCode).toBe(200);
    expect((await approve('val', 'mp_2')).statusCode).toBe(200);
    const denials = await f.t.app.ledger.list({ afterSeq: fromSeq, action: 'model:Approve', outcome: 'denied' });
    expect(denials.map((e) => e.principal)).toEqual(['user:dana', 'user:erin', 'user:root', 'user:val']);
    expect(denials[0]!.details).toMatchObject({ decision: 'ExplicitDeny', layer: 'separation-of-duties', reason: expect.stringContaining('maker ≠ checker') });
    expect(await f.t.app.ledger.list({ afterSeq: fromSeq, action: 'model:Approve', outcome: 'allowed' })).toHaveLength(2);
  });

  it('the policy simulator shows the separation-of-duties denial with its reason', async () => {
    const simulate = (principal: string, context: string[]) =>
      f.server.inject({ method: 'POST', url: '/v1/policy-simulations', payload: { principal, action: 'validation:SignOff', resource: 'attest:default:validation/v1', context }, headers: { authorization: `Bearer ${token.get('root')}` } });
    const own = await simulate('dana', ['ResourceCreator=dana']);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toMatchObject({
      decision: 'ExplicitDeny',
      layer: 'separation-of-duties',
      decidingStatement: null,
      separationOfDuties: { allowed: false, reason: 'separation of duties: dana created attest:default:validation/v1 and cannot perform validation:SignOff on it (maker ≠ checker)' },
    });
    expect(own.json().text).toMatch(/^DENIED \(separation of duties/);
    const upstream = await simulate('erin', ['ResourceCreator=dana', 'ResourceMakers=erin']);
    expect(upstream.json()).toMatchObject({ decision: 'ExplicitDeny', layer: 'separation-of-duties' });
    const independent = await simulate('val', ['ResourceCreator=dana', 'ResourceMakers=erin']);
    expect(independent.json()).toMatchObject({ decision: 'Allow', layer: 'identity', decidingStatement: { policyName: 'role/model-validator@default', sid: 'Validation' }, separationOfDuties: { allowed: true } });
  });

  it('policies naming unknown actions are refused with POLICY_INVALID naming the action, on create and update, and nothing is stored', async () => {
    const admin = { authorization: `Bearer ${token.get('root')}` };
    const bad = { Version: '2025-01-01', Statement: [{ Effect: 'Allow', Action: ['model:Describe', 'model:Aprove'], Resource: '*' }] };
    const created = await f.server.inject({ method: 'POST', url: '/v1/policies', payload: { name: 'typo', document: bad }, headers: admin });
    expect(created.statusCode).toBe(400);
    expect(created.json().error).toMatchObject({ code: 'POLICY_INVALID', details: { action: 'model:Aprove' } });
    expect(created.json().error.message).toContain('"model:Aprove"');
    expect((await f.server.inject({ method: 'GET', url: '/v1/policies/typo', headers: admin })).statusCode).toBe(404);

    const good = { Version: '2025-01-01', Statement: [{ Effect: 'Deny', Action: 'model:Deploy', Resource: '*' }] };
    expect((await f.server.inject({ method: 'POST', url: '/v1/policies', payload: { name: 'ok', document: good }, headers: admin })).statusCode).toBe(200);
    const wildcard = { Version: '2025-01-01', Statement: [{ Effect: 'Deny', Action: 'registry:*', Resource: '*' }] };
    const updated = await f.server.inject({ method: 'PUT', url: '/v1/policies/ok', payload: { document: wildcard }, headers: admin });
    expect(updated.statusCode).toBe(400);
    expect(updated.json().error).toMatchObject({ code: 'POLICY_INVALID', details: { action: 'registry:*' } });
    expect((await f.server.inject({ method: 'GET', url: '/v1/policies/ok', headers: admin })).json()).toMatchObject({ version: 1, document: good });

    const role = await f.server.inject({ method: 'POST', url: '/v1/roles', payload: { name: 'typo-role', scope: 'installation', document: bad }, headers: admin });
    expect(role.json().error).toMatchObject({ code: 'POLICY_INVALID', details: { action: 'model:Aprove' } });
    expect((await f.server.inject({ method: 'GET', url: '/v1/roles/typo-role', headers: admin })).statusCode).toBe(404);
    const scoped = await f.server.inject({ method: 'POST', url: '/v1/users/root/tokens', payload: { name: 'typo', scope: { name: 'typo', document: bad } }, headers: admin });
    expect(scoped.json().error).toMatchObject({ code: 'POLICY_INVALID', details: { action: 'model:Aprove' } });
  });
});

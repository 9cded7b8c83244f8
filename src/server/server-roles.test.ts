/**
 * A role × action matrix over the running server for the built-in job-function roles, and the
 * issue's acceptance cases: a data scientist is refused (and audited as denied) on user management
 * and the audit ledger; an auditor reads the ledger and is refused any change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { testDialects } from '../../test/support/databases.js';
import { startServerFixture } from '../../test/support/server-fixture.js';

type Role = 'administrator' | 'security-administrator' | 'data-scientist' | 'ml-engineer' | 'model-validator' | 'auditor' | 'viewer';
const ROLES: Role[] = ['administrator', 'security-administrator', 'data-scientist', 'ml-engineer', 'model-validator', 'auditor', 'viewer'];
const PROJECT_ROLES = new Set<Role>(['data-scientist', 'ml-engineer', 'model-validator', 'viewer']);

interface Case {
  name: string;
  request: (role: Role, ctx: { artifactId: string }) => { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; payload?: unknown; headers?: Record<string, string> };
  allowed: Role[];
}

const CASES: Case[] = [
  { name: 'user:List', request: () => ({ method: 'GET', url: '/v1/users' }), allowed: ['administrator', 'security-administrator', 'auditor'] },
  { name: 'user:Create', request: (r) => ({ method: 'POST', url: '/v1/users', payload: { name: `made-by-${r}`, kind: 'service' } }), allowed: ['administrator', 'security-administrator'] },
  { name: 'group:Create', request: (r) => ({ method: 'POST', url: '/v1/groups', payload: { name: `g-${r}` } }), allowed: ['administrator', 'security-administrator'] },
  { name: 'policy:Create', request: (r) => ({ method: 'POST', url: '/v1/policies', payload: { name: `p-${r}`, document: { Version: '2025-01-01', Statement: { Effect: 'Deny', Action: 'model:Deploy', Resource: '*' } } } }), allowed: ['administrator', 'security-administrator'] },
  { name: 'policy:Simulate', request: () => ({ method: 'POST', url: '/v1/policy-simulations', payload: { principal: 'admin', action: 'audit:Read', resource: 'attest::audit/ledger' } }), allowed: ['administrator', 'security-administrator', 'auditor'] },
  { name: 'role:Assign', request: () => ({ method: 'POST', url: '/v1/role-assignments', payload: { subject: 'bystander', role: 'auditor' } }), allowed: ['administrator', 'security-administrator'] },
  { name: 'project:AddMember', request: () => ({ method: 'POST', url: '/v1/projects/default/members', payload: { subject: 'bystander', role: 'viewer' } }), allowed: ['administrator', 'security-administrator'] },
  { name: 'project:Create', request: (r) => ({ method: 'POST', url: '/v1/projects', payload: { name: `p-${r}` } }), allowed: ['administrator'] },
  { name: 'project:ListMembers', request: () => ({ method: 'GET', url: '/v1/projects/default/members' }), allowed: ROLES },
  { name: 'audit:Read', request: () => ({ method: 'GET', url: '/v1/audit?limit=5' }), allowed: ['administrator', 'security-administrator', 'auditor'] },
  { name: 'audit:Verify', request: () => ({ method: 'POST', url: '/v1/audit/verify' }), allowed: ['administrator', 'security-administrator', 'auditor'] },
  { name: 'config:Read', request: () => ({ method: 'GET', url: '/v1/config/history' }), allowed: ['administrator', 'security-administrator', 'auditor'] },
  { name: 'key:List', request: () => ({ method: 'GET', url: '/v1/keys' }), allowed: ['administrator', 'security-administrator', 'auditor'] },
  { name: 'key:Create', request: () => ({ method: 'POST', url: '/v1/keys', payload: {} }), allowed: ['administrator', 'security-administrator'] },
  { name: 'artifact:List', request: () => ({ method: 'GET', url: '/v1/projects/default/artifacts' }), allowed: ROLES },
  {
    name: 'artifact:Put',
    request: (r) => ({ method: 'POST', url: '/v1/projects/default/artifacts', payload: Buffer.from(`bytes from ${r}`), headers: { 'content-type': 'application/octet-stream' } }),
    allowed: ['administrator', 'data-scientist', 'ml-engineer'],
  },
  { name: 'artifact:Describe', request: (_r, c) => ({ method: 'GET', url: `/v1/projects/default/artifacts/${c.artifactId}` }), allowed: ROLES },
  { name: 'artifact:Get', request: (_r, c) => ({ method: 'GET', url: `/v1/projects/default/artifacts/${c.artifactId}/content` }), allowed: ['administrator', 'data-scientist', 'ml-engineer', 'model-validator', 'auditor'] },
  { name: 'artifact:SetLegalHold', request: (_r, c) => ({ method: 'POST', url: `/v1/projects/default/artifacts/${c.artifactId}/hold` }), allowed: ['administrator', 'security-administrator'] },
  { name: 'alert:List', request: () => ({ method: 'GET', url: '/v1/alert-rules' }), allowed: ['administrator', 'security-administrator', 'auditor'] },
];

describe.each(testDialects())('built-in roles over the API on %s', (dialect) => {
  let f: ServerFixture;
  const tokens = new Map<Role, string>();
  let artifactId = '';
  beforeAll(async () => {
    f = await startServerFixture(dialect);
    await f.t.app.identity.users.create({ principal: 'user:tester' }, { name: 'bystander', kind: 'service' });
    for (const role of ROLES) {
      tokens.set(role, await f.principal(`role-${role}`, [{ role, ...(PROJECT_ROLES.has(role) ? { project: 'default' } : {}) }]));
    }
    const admin = await f.server.inject({ method: 'POST', url: '/v1/projects/default/artifacts', payload: Buffer.from('evidence'), headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${tokens.get('administrator')}` } });
    expect(admin.statusCode).toBe(200);
    artifactId = admin.json().artifactId;
  }, 60_000);
  afterAll(async () => f?.dispose());

  for (const c of CASES) {
    it(`${c.name}: allowed for ${c.allowed.join(', ')}; 403 for everyone else`, async () => {
      for (const role of ROLES) {
        const req = c.request(role, { artifactId });
        const response = await f.server.inject({ method: req.method, url: req.url, ...(req.payload !== undefined ? { payload: req.payload as string } : {}), headers: { ...(req.headers ?? {}), authorization: `Bearer ${tokens.get(role)}` } });
        if (c.allowed.includes(role)) expect(response.statusCode, `${role} ${c.name}: ${response.body}`).toBe(200);
        else {
          expect(response.statusCode, `${role} ${c.name}: ${response.body}`).toBe(403);
          expect(response.json().error.code).toBe('ACCESS_DENIED');
        }
      }
    });
  }

  it('a data scientist gets 403 on user management and on the audit ledger, each audited as denied with the deciding layer', async () => {
    const headers = { authorization: `Bearer ${tokens.get('data-scientist')}` };
    const before = (await f.t.app.ledger.head()).seq;
    const attempts = [
      { method: 'GET' as const, url: '/v1/users' },
      { method: 'POST' as const, url: '/v1/users', payload: { name: 'sneaky' } },
      { method: 'POST' as const, url: '/v1/users/admin/lock' },
      { method: 'GET' as const, url: '/v1/audit' },
      { method: 'GET' as const, url: '/v1/audit/export' },
    ];
    for (const a of attempts) expect((await f.server.inject({ ...a, headers })).statusCode, a.url).toBe(403);
    const denials = await f.t.app.ledger.list({ afterSeq: before, principal: 'user:role-data-scientist', outcome: 'denied' });
    expect(denials.map((e) => e.action)).toEqual(['user:List', 'user:Create', 'user:Lock', 'audit:Read', 'audit:Export']);
    expect(denials[0]!.details).toMatchObject({ decision: 'ImplicitDeny', layer: 'identity' });
    expect(denials[0]!.requestId).toMatch(/^req_/);
    expect(denials[0]!.sourceIp).toBe('127.0.0.1');
  });

  it('an auditor reads the ledger and gets 403 on any change, with the explicit deny named in the ledger', async () => {
    const headers = { authorization: `Bearer ${tokens.get('auditor')}` };
    const ledger = await f.server.inject({ method: 'GET', url: '/v1/audit?limit=20', headers });
    expect(ledger.statusCode).toBe(200);
    expect(ledger.json().length).toBe(20);
    const before = (await f.t.app.ledger.head()).seq;
    const changes = [
      { method: 'POST' as const, url: '/v1/keys', payload: {} },
      { method: 'POST' as const, url: '/v1/users', payload: { name: 'nope' } },
      { method: 'DELETE' as const, url: `/v1/projects/default/artifacts/${artifactId}` },
      { method: 'POST' as const, url: '/v1/keys/alias%2Fattest-default/disable' },
      { method: 'PUT' as const, url: '/v1/policies/p-administrator', payload: { document: { Version: '2025-01-01', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } } } },
    ];
    for (const c of changes) expect((await f.server.inject({ ...c, headers })).statusCode, c.url).toBe(403);
    const denials = await f.t.app.ledger.list({ afterSeq: before, principal: 'user:role-auditor', outcome: 'denied' });
    expect(denials).toHaveLength(changes.length);
    expect(denials[0]!.details).toMatchObject({ decision: 'ExplicitDeny', decidingStatement: { policyName: 'role/auditor', sid: 'ChangeNothing' } });
  });

  it('project isolation: members see only their projects; another project is refused', async () => {
    const admin = { authorization: `Bearer ${tokens.get('administrator')}` };
    expect((await f.server.inject({ method: 'POST', url: '/v1/projects', payload: { name: 'fraud' }, headers: admin })).statusCode).toBe(200);
    const ds = { authorization: `Bearer ${tokens.get('data-scientist')}` };
    const visible = (await f.server.inject({ method: 'GET', url: '/v1/projects', headers: ds })).json() as { name: string }[];
    expect(visible.map((p) => p.name)).toEqual(['default']);
    expect((await f.server.inject({ method: 'GET', url: '/v1/projects/fraud/artifacts', headers: ds })).statusCode).toBe(403);
    const all = (await f.server.inject({ method: 'GET', url: '/v1/projects', headers: admin })).json() as { name: string }[];
    expect(all.map((p) => p.name)).toContain('fraud');
  });

  it('a read-only token of an administrator reads but cannot change anything', async () => {
    const { token } = await f.t.app.identity.tokens.create({ principal: 'user:tester' }, { owner: 'role-administrator', name: 'ro', scope: { name: 'read-only' } });
    const headers = { authorization: `Bearer ${token}` };
    expect((await f.server.inject({ method: 'GET', url: '/v1/audit?limit=1', headers })).statusCode).toBe(200);
    const denied = await f.server.inject({ method: 'POST', url: '/v1/keys', payload: {}, headers });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toMatch(/scope/);
  });

  it('policy changes go to config history with before and after; simulate names the deciding statement', async () => {
    const admin = { authorization: `Bearer ${tokens.get('administrator')}` };
    const document = { Version: '2025-01-01', Statement: [{ Sid: 'NoDeployFromOutside', Effect: 'Deny', Action: 'model:*', Resource: '*', Condition: { NotIpAddress: { 'attest:SourceIp': '10.0.0.0/8' } } }] };
    expect((await f.server.inject({ method: 'POST', url: '/v1/policies', payload: { name: 'guardrail', document }, headers: admin })).statusCode).toBe(200);
    expect((await f.server.inject({ method: 'POST', url: '/v1/users/role-data-scientist/policies', payload: { policy: 'guardrail' }, headers: admin })).statusCode).toBe(200);
    const updated = { ...document, Statement: [{ ...document.Statement[0], Action: 'model:Train' }] };
    expect((await f.server.inject({ method: 'PUT', url: '/v1/policies/guardrail', payload: { document: updated }, headers: admin })).statusCode).toBe(200);
    const history = (await f.server.inject({ method: 'GET', url: '/v1/config/history?type=policy&id=guardrail', headers: admin })).json() as { change: string; before: unknown; after: unknown }[];
    expect(history.map((h) => h.change)).toEqual(['create', 'update']);
    expect(history[1]!.before).toMatchObject({ version: 1, document });
    expect(history[1]!.after).toMatchObject({ version: 2, document: updated });
    const attach = (await f.server.inject({ method: 'GET', url: '/v1/config/history?type=policy-attachment', headers: admin })).json() as { before: unknown; after: unknown }[];
    expect(attach.at(-1)).toMatchObject({ before: [], after: ['guardrail'] });

    const sim = await f.server.inject({
      method: 'POST',
      url: '/v1/policy-simulations',
      payload: { principal: 'role-data-scientist', action: 'model:Train', resource: 'attest:default:model/m1', context: ['SourceIp=192.0.2.1'] },
      headers: admin,
    });
    expect(sim.json()).toMatchObject({ decision: 'ExplicitDeny', decidingStatement: { policyName: 'policy/guardrail@v2', sid: 'NoDeployFromOutside' } });
    const inside = await f.server.inject({
      method: 'POST',
      url: '/v1/policy-simulations',
      payload: { principal: 'role-data-scientist', action: 'model:Train', resource: 'attest:default:model/m1', context: ['SourceIp=10.1.2.3'] },
      headers: admin,
    });
    expect(inside.json()).toMatchObject({ decision: 'Allow', decidingStatement: { policyName: 'role/data-scientist@default', sid: 'ModelDevelopment' } });
  });
});

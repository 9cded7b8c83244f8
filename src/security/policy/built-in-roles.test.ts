import { describe, expect, it } from 'vitest';
import {
  ACTION_CATALOGUE,
  ACTION_NAMES,
  BUILT_IN_ROLES,
  type BuiltInRoleName,
  builtInRole,
  evaluate,
  type NamedPolicy,
  POLICY_VERSION,
  PROJECT_PLACEHOLDER,
  policiesForGrants,
  type RequestContext,
  type RoleDefinition,
  rolePolicy,
  SELF_SERVICE_POLICY,
  validatePolicyDocument,
} from './index.js';

/** The resource a request for `action` names, in `project`, owned by `owner` where that matters. */
function resourceFor(action: string, project: string, owner = 'usr_bob'): string {
  const info = ACTION_CATALOGUE.get(action)!;
  return info.resource.replaceAll('{project}', project).replaceAll('{owner}', owner).replaceAll('{id}', 'x1');
}

function policiesOf(role: BuiltInRoleName, project = 'credit'): NamedPolicy[] {
  const def = builtInRole(role)!;
  return [rolePolicy(def, def.scope === 'project' ? project : undefined)];
}

const context: RequestContext = {
  'attest:PrincipalId': 'usr_alice',
  'attest:SourceIp': '10.0.0.1',
  'attest:ResourceCreator': 'usr_bob',
  'attest:ApprovalStatus': 'Approved',
};

const allowedActions = (role: BuiltInRoleName, project = 'credit', resourceProject = project): Set<string> =>
  new Set(ACTION_NAMES.filter((a) => evaluate({ action: a, resource: resourceFor(a, resourceProject), context }, policiesOf(role, project)).decision === 'Allow'));

const of = (service: string, verbs: string): string[] => verbs.split(' ').map((v) => `${service}:${v}`);
const all = (service: string): string[] => ACTION_NAMES.filter((a) => a.startsWith(`${service}:`));
const readLevel = ACTION_NAMES.filter((a) => ['List', 'Read'].includes(ACTION_CATALOGUE.get(a)!.access));

/**
 * What each job function needs — and therefore exactly what its role allows. Written from the job
 * descriptions in the architecture document ("Who uses it, and for what"), independently of the
 * role documents.
 */
const NEEDS: Record<BuiltInRoleName, readonly string[]> = {
  administrator: ACTION_NAMES,
  'security-administrator': [
    ...all('user'),
    ...all('group'),
    ...all('token'),
    ...all('role'),
    ...all('policy'),
    ...all('audit'),
    ...all('config'),
    ...all('alert'),
    ...of('key', 'Create List Describe Enable Disable Rotate ScheduleDeletion CancelDeletion Rewrap'),
    ...of('project', 'List Describe ListMembers AddMember RemoveMember'),
    ...of('artifact', 'List Describe SetRetention SetLegalHold'),
  ],
  'data-scientist': [
    ...of('project', 'Describe ListMembers'),
    ...of('dataset', 'Register CreateVersion List Describe Read Profile'),
    ...of('artifact', 'Put Get List Describe'),
    ...of('experiment', 'Create List Describe Update'),
    ...of('trial', 'Create List Describe Update'),
    ...all('component'),
    ...of('model', 'Train Register List Describe Read Evaluate Explain'),
    ...all('bias'),
    'lineage:Read',
    'lineage:Associate',
    ...of('monitor', 'List Describe Run'),
    ...of('baseline', 'Create List Describe'),
    ...of('endpoint', 'List Describe'),
    ...of('pipeline', 'Create List Describe Update Start Stop'),
    ...all('job'),
  ],
  'ml-engineer': [
    ...of('project', 'Describe ListMembers'),
    ...of('pipeline', 'Create List Describe Update Delete Start Stop'),
    ...all('endpoint'),
    ...all('monitor'),
    ...all('baseline'),
    'lineage:Associate',
    ...of('model', 'Deploy List Describe Read'),
    ...of('dataset', 'List Describe Read'),
    ...of('artifact', 'Put Get List Describe'),
    ...of('experiment', 'List Describe'),
    ...of('trial', 'List Describe'),
    ...of('component', 'List Describe'),
    'bias:Read',
    'lineage:Read',
    ...all('job'),
  ],
  'model-validator': [
    ...of('project', 'Describe ListMembers'),
    ...of('model', 'List Describe Read Evaluate Explain Review Approve Reject'),
    'validation:SignOff',
    ...all('bias'),
    'lineage:Read',
    'pipeline:ApproveStep',
    ...of('dataset', 'List Describe Read'),
    ...of('artifact', 'Get List Describe'),
    ...of('experiment', 'List Describe'),
    ...of('trial', 'List Describe'),
    ...of('component', 'List Describe'),
    ...of('monitor', 'List Describe'),
    ...of('baseline', 'List Describe'),
    ...of('endpoint', 'List Describe'),
    ...of('pipeline', 'List Describe'),
    ...of('job', 'List Describe GetLogs Run'),
    ...of('review', 'List Describe Decide'),
  ],
  auditor: readLevel,
  viewer: [
    ...of('project', 'Describe ListMembers'),
    ...['artifact', 'dataset', 'experiment', 'trial', 'component', 'model', 'monitor', 'baseline', 'endpoint', 'pipeline', 'job'].flatMap((s) => of(s, 'List Describe')),
    'lineage:Read',
    'bias:Read',
    ...of('review', 'List Describe'),
  ],
};

describe('built-in roles: role × action matrix over the whole catalogue', () => {
  for (const role of BUILT_IN_ROLES) {
    it(`${role.name} can do exactly what its job needs`, () => {
      const expected = new Set(NEEDS[role.name as BuiltInRoleName]);
      for (const a of expected) expect(ACTION_CATALOGUE.has(a), a).toBe(true);
      const actual = allowedActions(role.name as BuiltInRoleName);
      expect([...actual].filter((a) => !expected.has(a)), 'allowed but not needed').toEqual([]);
      expect([...expected].filter((a) => !actual.has(a)), 'needed but not allowed').toEqual([]);
    });
  }

  it('project roles grant nothing in another project', () => {
    for (const role of ['data-scientist', 'ml-engineer', 'model-validator', 'viewer'] as const) {
      const elsewhere = [...allowedActions(role, 'credit', 'retail')];
      expect(elsewhere, role).toEqual([]);
    }
  });

  it('the issue text: data scientists, validators, auditors', () => {
    const ds = allowedActions('data-scientist');
    for (const a of ['model:Approve', 'model:Reject', 'model:Deploy', 'audit:Read', 'audit:Export', 'user:Create', 'user:List', 'key:Create', 'key:Decrypt']) expect(ds.has(a), a).toBe(false);
    const validator = allowedActions('model-validator');
    for (const a of ['model:Train', 'model:Register', 'model:Deploy']) expect(validator.has(a), a).toBe(false);
    const auditor = allowedActions('auditor');
    for (const a of ['audit:Read', 'audit:Verify', 'audit:Export', 'config:Read', 'dataset:Read', 'key:Describe']) expect(auditor.has(a), a).toBe(true);
    for (const a of ACTION_NAMES.filter((x) => !readLevel.includes(x))) expect(auditor.has(a), a).toBe(false);
  });

  it("the auditor's deny holds even if another grant allows a change", () => {
    const policies = [...policiesOf('auditor'), ...policiesOf('administrator')];
    const d = evaluate({ action: 'model:Approve', resource: 'attest:credit:model/m1', context }, policies);
    expect(d).toMatchObject({ decision: 'ExplicitDeny', decidingStatement: { policyName: 'role/auditor', sid: 'ChangeNothing' } });
    const own = evaluate({ action: 'token:Create', resource: 'attest::token/usr_alice/abcd1234', context }, [...policies, SELF_SERVICE_POLICY]);
    expect(own.decision).toBe('Allow');
  });

  it('ML engineers deploy only approved models', () => {
    const req = (status: string | undefined): string =>
      evaluate({ action: 'model:Deploy', resource: 'attest:credit:model/m1', context: status ? { 'attest:ApprovalStatus': status } : {} }, policiesOf('ml-engineer')).decision;
    expect(req('Approved')).toBe('Allow');
    expect(req('Pending')).toBe('ImplicitDeny');
    expect(req(undefined)).toBe('ImplicitDeny');
  });

  it('data scientists delete only the experiments they created', () => {
    const del = (creator: string): string =>
      evaluate({ action: 'experiment:Delete', resource: 'attest:credit:experiment/e1', context: { 'attest:PrincipalId': 'usr_alice', 'attest:ResourceCreator': creator } }, policiesOf('data-scientist')).decision;
    expect(del('usr_alice')).toBe('Allow');
    expect(del('usr_bob')).toBe('ImplicitDeny');
  });

  it('self-service: own tokens and password only', () => {
    const self = (action: string, resource: string): string => evaluate({ action, resource, context }, [SELF_SERVICE_POLICY]).decision;
    expect(self('token:Create', 'attest::token/usr_alice/abcd1234')).toBe('Allow');
    expect(self('token:Revoke', 'attest::token/usr_bob/abcd1234')).toBe('ImplicitDeny');
    expect(self('user:ChangePassword', 'attest::user/usr_alice')).toBe('Allow');
    expect(self('user:ChangePassword', 'attest::user/usr_bob')).toBe('ImplicitDeny');
    expect(self('user:ResetPassword', 'attest::user/usr_alice')).toBe('ImplicitDeny');
  });

  it('binding: project roles need a project, installation roles refuse one', () => {
    expect(() => rolePolicy(builtInRole('data-scientist')!)).toThrow(/must be granted in a project/);
    expect(() => rolePolicy(builtInRole('data-scientist')!, 'Bad Name')).toThrow();
    expect(() => rolePolicy(builtInRole('auditor')!, 'credit')).toThrow(/installation-wide/);
    const a = rolePolicy(builtInRole('viewer')!, 'credit');
    expect(a.name).toBe('role/viewer@credit');
    expect(rolePolicy(builtInRole('viewer')!, 'credit')).toBe(a);
    expect(JSON.stringify(a.document)).not.toContain('attest:Project');
  });

  it('project roles must confine every statement to their project', () => {
    const leaky = (Resource: string): RoleDefinition => ({
      name: 'leaky',
      description: 'custom',
      scope: 'project',
      document: { Version: POLICY_VERSION, Statement: [{ Effect: 'Allow', Action: 'model:Read', Resource }] },
    });
    expect(() => rolePolicy(leaky('*'), 'credit')).toThrow(/every Resource must start with/);
    expect(() => rolePolicy(leaky('attest:*:model/*'), 'credit')).toThrow(/every Resource must start with/);
    const bound = rolePolicy(leaky(`attest:${PROJECT_PLACEHOLDER}:model/*`), 'credit');
    expect(evaluate({ action: 'model:Read', resource: 'attest:credit:model/m' }, [bound]).decision).toBe('Allow');
    expect(evaluate({ action: 'model:Read', resource: 'attest:retail:model/m' }, [bound]).decision).toBe('ImplicitDeny');
  });

  it('turns role grants (e.g. from OIDC claims) into policies', () => {
    const policies = policiesForGrants([{ role: 'model-validator', project: 'credit' }, { role: 'auditor' }, { role: 'model-validator', project: 'credit' }]);
    expect(policies.map((p) => p.name)).toEqual(['builtin/self-service', 'role/model-validator@credit', 'role/auditor']);
    expect(() => policiesForGrants([{ role: 'wizard' }])).toThrow(/No such role/);
  });

  it('every role document is valid and every catalogue action has a resource template', () => {
    for (const role of BUILT_IN_ROLES) expect(validatePolicyDocument(role.document)).toBeTruthy();
    for (const [name, info] of ACTION_CATALOGUE) {
      expect(name).toMatch(/^[a-z]+:[A-Z][A-Za-z]+$/);
      expect(info.description.length).toBeGreaterThan(5);
      expect(info.resource).toMatch(/^attest:/);
    }
  });
});

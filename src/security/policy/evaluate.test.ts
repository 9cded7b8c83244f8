import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/index.js';
import {
  assertAllowed,
  type Decision,
  evaluate,
  evaluateWithScope,
  type NamedPolicy,
  POLICY_VERSION,
  policyVariable as v,
  type PolicyDocument,
  type RequestContext,
  requestContext,
  TOKEN_SCOPE_PRESETS,
  validatePolicyDocument,
} from './index.js';

const PRINCIPAL = v('attest:PrincipalId');

const policy = (name: string, Statement: PolicyDocument['Statement']): NamedPolicy => ({ name, document: { Version: POLICY_VERSION, Statement } });

const team = policy('team', [
  { Sid: 'Artifacts', Effect: 'Allow', Action: 'artifact:*', Resource: 'attest:credit:artifact/*' },
  { Sid: 'ReadModels', Effect: 'Allow', Action: ['model:Describe', 'model:List', 'model:Read'], Resource: 'attest:*:model/*' },
  { Sid: 'OwnTokens', Effect: 'Allow', Action: 'token:*', Resource: `attest::token/${PRINCIPAL}/*` },
  { Sid: 'EverythingButKeys', Effect: 'Allow', NotAction: ['key:*', 'user:*'], Resource: 'attest:sandbox:*' },
  {
    Sid: 'DeleteOwn',
    Effect: 'Allow',
    Action: 'experiment:Delete',
    Resource: 'attest:credit:experiment/*',
    Condition: { StringEquals: { 'attest:ResourceCreator': PRINCIPAL } },
  },
]);

const guard = policy('guard', [
  { Sid: 'NoDeletes', Effect: 'Deny', Action: 'artifact:Delete', Resource: 'attest:*:artifact/*' },
  {
    Sid: 'OnlyFromCorpNetwork',
    Effect: 'Deny',
    Action: '*',
    Resource: '*',
    Condition: { NotIpAddress: { 'attest:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } },
  },
  {
    Sid: 'MfaForApprovals',
    Effect: 'Deny',
    Action: 'model:Approve',
    Resource: '*',
    Condition: { BoolIfExists: { 'attest:MfaPresent': false } },
  },
]);

const approvers = policy('approvers', [
  { Sid: 'Approve', Effect: 'Allow', Action: 'model:Approve', Resource: 'attest:credit:model/*' },
  {
    Sid: 'NotAfterFreeze',
    Effect: 'Deny',
    Action: 'model:*',
    Resource: 'attest:credit:model/*',
    Condition: { DateGreaterThanEquals: { 'attest:CurrentTime': '2026-12-20T00:00:00Z' } },
  },
]);

const plainMfa = policy('plain-mfa', [
  { Sid: 'MfaFalse', Effect: 'Deny', Action: 'model:Approve', Resource: '*', Condition: { Bool: { 'attest:MfaPresent': 'false' } } },
]);

const inside: RequestContext = { 'attest:PrincipalId': 'usr_alice', 'attest:SourceIp': '10.1.2.3', 'attest:CurrentTime': new Date('2026-11-29T10:00:00Z') };

interface Case {
  readonly name: string;
  readonly policies: readonly NamedPolicy[];
  readonly action: string;
  readonly resource: string;
  readonly context?: RequestContext;
  readonly decision: Decision['decision'];
  readonly by?: string;
}

const cases: Case[] = [
  { name: 'wildcard action allows', policies: [team, guard], action: 'artifact:Get', resource: 'attest:credit:artifact/a1', context: inside, decision: 'Allow', by: 'team/Artifacts' },
  { name: 'explicit deny beats a wildcard allow', policies: [team, guard], action: 'artifact:Delete', resource: 'attest:credit:artifact/a1', context: inside, decision: 'ExplicitDeny', by: 'guard/NoDeletes' },
  { name: 'deny wins whatever the policy order', policies: [guard, team], action: 'artifact:Delete', resource: 'attest:credit:artifact/a1', context: inside, decision: 'ExplicitDeny', by: 'guard/NoDeletes' },
  { name: 'other project: implicit deny', policies: [team, guard], action: 'artifact:Get', resource: 'attest:retail:artifact/a1', context: inside, decision: 'ImplicitDeny' },
  { name: 'project wildcard matches any project', policies: [team, guard], action: 'model:Read', resource: 'attest:retail:model/m1', context: inside, decision: 'Allow', by: 'team/ReadModels' },
  { name: 'a project wildcard also matches the empty (installation-wide) project', policies: [team], action: 'model:Read', resource: 'attest::model/m1', context: inside, decision: 'Allow', by: 'team/ReadModels' },
  { name: 'action names are case-insensitive', policies: [team, guard], action: 'ARTIFACT:get', resource: 'attest:credit:artifact/a1', context: inside, decision: 'Allow', by: 'team/Artifacts' },
  { name: 'IPv4 outside the corporate ranges: deny', policies: [team, guard], action: 'artifact:Get', resource: 'attest:credit:artifact/a1', context: { ...inside, 'attest:SourceIp': '192.0.2.7' }, decision: 'ExplicitDeny', by: 'guard/OnlyFromCorpNetwork' },
  { name: 'IPv6 inside 2001:db8::/32: allow', policies: [team, guard], action: 'artifact:Get', resource: 'attest:credit:artifact/a1', context: { ...inside, 'attest:SourceIp': '2001:db8:ab::1' }, decision: 'Allow', by: 'team/Artifacts' },
  { name: 'IPv6 outside: deny', policies: [team, guard], action: 'artifact:Get', resource: 'attest:credit:artifact/a1', context: { ...inside, 'attest:SourceIp': '2001:db9::1' }, decision: 'ExplicitDeny', by: 'guard/OnlyFromCorpNetwork' },
  { name: 'IPv4-mapped IPv6 matches the IPv4 range', policies: [team, guard], action: 'artifact:Get', resource: 'attest:credit:artifact/a1', context: { ...inside, 'attest:SourceIp': '::ffff:10.9.8.7' }, decision: 'Allow', by: 'team/Artifacts' },
  { name: 'missing source address: a negated operator holds, so deny', policies: [team, guard], action: 'artifact:Get', resource: 'attest:credit:artifact/a1', context: { 'attest:PrincipalId': 'usr_alice' }, decision: 'ExplicitDeny', by: 'guard/OnlyFromCorpNetwork' },
  { name: 'NotAction allows what it does not list', policies: [team, guard], action: 'dataset:Read', resource: 'attest:sandbox:dataset/d1', context: inside, decision: 'Allow', by: 'team/EverythingButKeys' },
  { name: 'NotAction excludes what it lists', policies: [team, guard], action: 'user:Delete', resource: 'attest:sandbox:user/u1', context: inside, decision: 'ImplicitDeny' },
  { name: 'variable in Resource: own token', policies: [team, guard], action: 'token:Revoke', resource: 'attest::token/usr_alice/abcd1234', context: inside, decision: 'Allow', by: 'team/OwnTokens' },
  { name: "variable in Resource: someone else's token", policies: [team, guard], action: 'token:Revoke', resource: 'attest::token/usr_bob/abcd1234', context: inside, decision: 'ImplicitDeny' },
  { name: 'variable without a value: statement does not apply', policies: [team], action: 'token:Revoke', resource: 'attest::token/usr_alice/abcd1234', context: {}, decision: 'ImplicitDeny' },
  { name: 'variable value is literal, never a wildcard', policies: [team], action: 'token:Revoke', resource: 'attest::token/usr_bob/abcd1234', context: { 'attest:PrincipalId': '*' }, decision: 'ImplicitDeny' },
  { name: 'variable in a condition value: creator', policies: [team, guard], action: 'experiment:Delete', resource: 'attest:credit:experiment/e1', context: { ...inside, 'attest:ResourceCreator': 'usr_alice' }, decision: 'Allow', by: 'team/DeleteOwn' },
  { name: 'variable in a condition value: not the creator', policies: [team, guard], action: 'experiment:Delete', resource: 'attest:credit:experiment/e1', context: { ...inside, 'attest:ResourceCreator': 'usr_bob' }, decision: 'ImplicitDeny' },
  { name: 'BoolIfExists: MFA absent → the deny fires (IfExists holds on a missing key)', policies: [approvers, guard], action: 'model:Approve', resource: 'attest:credit:model/m1', context: inside, decision: 'ExplicitDeny', by: 'guard/MfaForApprovals' },
  { name: 'Bool without IfExists: MFA absent → that deny does not fire', policies: [approvers, plainMfa], action: 'model:Approve', resource: 'attest:credit:model/m1', context: inside, decision: 'Allow', by: 'approvers/Approve' },
  { name: 'BoolIfExists: MFA false → deny', policies: [approvers, guard], action: 'model:Approve', resource: 'attest:credit:model/m1', context: { ...inside, 'attest:MfaPresent': false }, decision: 'ExplicitDeny', by: 'guard/MfaForApprovals' },
  { name: 'BoolIfExists: MFA true → allow', policies: [approvers, guard], action: 'model:Approve', resource: 'attest:credit:model/m1', context: { ...inside, 'attest:MfaPresent': true }, decision: 'Allow', by: 'approvers/Approve' },
  { name: 'date condition: during the freeze → deny beats allow', policies: [approvers], action: 'model:Approve', resource: 'attest:credit:model/m1', context: { ...inside, 'attest:CurrentTime': new Date('2026-12-24T09:00:00Z') }, decision: 'ExplicitDeny', by: 'approvers/NotAfterFreeze' },
  { name: 'date condition: no time in context → the deny does not apply', policies: [approvers], action: 'model:Approve', resource: 'attest:credit:model/m1', context: { 'attest:PrincipalId': 'usr_alice' }, decision: 'Allow', by: 'approvers/Approve' },
  { name: 'no policies: implicit deny', policies: [], action: 'artifact:Get', resource: 'attest:credit:artifact/a1', context: inside, decision: 'ImplicitDeny' },
];

describe('evaluate: explicit deny > allow > implicit deny', () => {
  it.each(cases)('$name', (c) => {
    const d = evaluate({ action: c.action, resource: c.resource, context: c.context ?? {} }, c.policies);
    expect(d.decision).toBe(c.decision);
    if (c.by) {
      const [policyName, sid] = c.by.split('/');
      expect(d.decidingStatement).toMatchObject({ policyName, sid });
    } else {
      expect(d.decidingStatement).toBeUndefined();
    }
  });

  it('lists every matched statement and the index of the deciding one', () => {
    const d = evaluate({ action: 'artifact:Delete', resource: 'attest:credit:artifact/a1', context: { ...inside, 'attest:SourceIp': '8.8.8.8' } }, [team, guard]);
    expect(d.matchedStatements.map((s) => `${s.policyName}#${s.index}`)).toEqual(['team#0', 'guard#0', 'guard#1']);
    expect(d.decidingStatement).toEqual({ policyName: 'guard', sid: 'NoDeletes', index: 0, effect: 'Deny' });
  });

  it('NotResource applies everywhere except the listed resources', () => {
    const p = policy('p', [
      { Sid: 'All', Effect: 'Allow', Action: 'dataset:*', Resource: '*' },
      { Sid: 'NotOutsideCredit', Effect: 'Deny', Action: 'dataset:*', NotResource: 'attest:credit:*' },
    ]);
    expect(evaluate({ action: 'dataset:Read', resource: 'attest:credit:dataset/d' }, [p]).decision).toBe('Allow');
    expect(evaluate({ action: 'dataset:Read', resource: 'attest:retail:dataset/d' }, [p]).decidingStatement?.sid).toBe('NotOutsideCredit');
  });

  it('derives attest:ResourceProject from the resource name', () => {
    const p = policy('p', [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'attest:ResourceProject': ['credit', 'retail'] } } }]);
    expect(evaluate({ action: 'model:Read', resource: 'attest:credit:model/m' }, [p]).decision).toBe('Allow');
    expect(evaluate({ action: 'model:Read', resource: 'attest:fraud:model/m' }, [p]).decision).toBe('ImplicitDeny');
  });

  it('a wildcard in the project segment never crosses ":"', () => {
    const p = policy('p', [{ Effect: 'Allow', Action: '*', Resource: 'attest:cred*' }]);
    expect(evaluate({ action: 'model:Read', resource: 'attest:credit:model/m' }, [p]).decision).toBe('ImplicitDeny');
    const q = policy('q', [{ Effect: 'Allow', Action: '*', Resource: 'attest:cred*:*' }]);
    expect(evaluate({ action: 'model:Read', resource: 'attest:credit:model/m' }, [q]).decision).toBe('Allow');
  });

  it('builds the context from typed request facts', () => {
    const ctx = requestContext({ principalId: 'usr_alice', principalType: 'user', sourceIp: '192.0.2.1', now: new Date('2026-11-29T10:00:00Z'), groups: ['risk'] });
    expect(ctx).toEqual({
      'attest:PrincipalId': 'usr_alice',
      'attest:PrincipalType': 'user',
      'attest:SourceIp': '192.0.2.1',
      'attest:CurrentTime': new Date('2026-11-29T10:00:00Z'),
      'attest:PrincipalGroups': ['risk'],
    });
    const d = evaluate({ action: 'artifact:Get', resource: 'attest:credit:artifact/a1', context: ctx }, [team, guard]);
    expect(d.decidingStatement?.sid).toBe('OnlyFromCorpNetwork');
  });

  it('"?" matches exactly one character', () => {
    const p = policy('p', [{ Effect: 'Allow', Action: 'model:Re?d', Resource: 'attest:credit:model/v?' }]);
    expect(evaluate({ action: 'model:Read', resource: 'attest:credit:model/v1' }, [p]).decision).toBe('Allow');
    expect(evaluate({ action: 'model:Read', resource: 'attest:credit:model/v10' }, [p]).decision).toBe('ImplicitDeny');
  });
});

describe('token scopes: both the owner and the scope must allow', () => {
  const owner = policy('owner', [{ Sid: 'All', Effect: 'Allow', Action: '*', Resource: 'attest:credit:*' }]);
  const readOnly = policy('token-scope/ro', [{ Sid: 'ReadOnly', Effect: 'Allow', Action: ['*:List', '*:Describe', '*:Read', '*:Get'], Resource: '*' }]);
  const noSecrets = policy('token-scope/no-data', [
    { Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' },
    { Sid: 'NoData', Effect: 'Deny', Action: 'dataset:Read', Resource: '*' },
  ]);

  it('allows what both allow', () => {
    const d = evaluateWithScope({ action: 'model:Read', resource: 'attest:credit:model/m' }, [owner], [readOnly]);
    expect(d.decision).toBe('Allow');
    expect(d.decidingStatement?.policyName).toBe('owner');
  });
  it('a scope cannot widen the owner', () => {
    const d = evaluateWithScope({ action: 'model:Read', resource: 'attest:retail:model/m' }, [owner], [readOnly]);
    expect(d).toMatchObject({ decision: 'ImplicitDeny', layer: 'identity' });
  });
  it('the scope narrows the owner', () => {
    const d = evaluateWithScope({ action: 'model:Train', resource: 'attest:credit:model/m' }, [owner], [readOnly]);
    expect(d).toMatchObject({ decision: 'ImplicitDeny', layer: 'scope' });
  });
  it("a deny in the scope wins and is named", () => {
    const d = evaluateWithScope({ action: 'dataset:Read', resource: 'attest:credit:dataset/d' }, [owner], [noSecrets]);
    expect(d).toMatchObject({ decision: 'ExplicitDeny', layer: 'scope', decidingStatement: { policyName: 'token-scope/no-data', sid: 'NoData' } });
  });
  it('the read-only preset lets an administrator token read but not change', () => {
    const admin = policy('admin', [{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    const ro = [{ name: 'token-scope/read-only', document: TOKEN_SCOPE_PRESETS['read-only'] }];
    expect(evaluateWithScope({ action: 'audit:Export', resource: 'attest::audit/ledger' }, [admin], ro).decision).toBe('Allow');
    expect(evaluateWithScope({ action: 'key:Disable', resource: 'attest::key/k1' }, [admin], ro)).toMatchObject({ decision: 'ImplicitDeny', layer: 'scope' });
  });

  it('assertAllowed throws ACCESS_DENIED saying why, without naming the statement', () => {
    const req = { action: 'dataset:Read', resource: 'attest:credit:dataset/d' };
    const denied = (d: Decision): AppError => {
      try {
        assertAllowed(d, req);
      } catch (e) {
        return e as AppError;
      }
      throw new Error('not thrown');
    };
    const explicit = denied(evaluateWithScope(req, [owner], [noSecrets]));
    expect(explicit.code).toBe('ACCESS_DENIED');
    expect(explicit.message).toBe("Not authorised to perform dataset:Read on attest:credit:dataset/d: an explicit deny in the token's scope");
    expect(JSON.stringify(explicit.toJSON())).not.toContain('NoData');
    expect(denied(evaluate(req, [])).message).toContain('no policy allows it');
    expect(() => assertAllowed(evaluate(req, [owner]), req)).not.toThrow();
  });

  it('without a scope it is plain evaluation', () => {
    expect(evaluateWithScope({ action: 'model:Train', resource: 'attest:credit:model/m' }, [owner], undefined).decision).toBe('Allow');
  });
});

describe('policy documents are validated when compiled', () => {
  const bad: [string, unknown][] = [
    ['wrong version', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
    ['both Action and NotAction', { Version: POLICY_VERSION, Statement: [{ Effect: 'Allow', Action: '*', NotAction: 'a:B', Resource: '*' }] }],
    ['no Resource', { Version: POLICY_VERSION, Statement: [{ Effect: 'Allow', Action: '*' }] }],
    ['unknown element', { Version: POLICY_VERSION, Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Principal: '*' }] }],
    ['unknown operator', { Version: POLICY_VERSION, Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringSortOf: { 'attest:PrincipalId': 'x' } } }] }],
    ['bad CIDR', { Version: POLICY_VERSION, Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'attest:SourceIp': '10.0.0.0/33' } } }] }],
    ['bad date', { Version: POLICY_VERSION, Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { DateLessThan: { 'attest:CurrentTime': 'tomorrow' } } }] }],
    ['bad action', { Version: POLICY_VERSION, Statement: [{ Effect: 'Allow', Action: 'approve models', Resource: '*' }] }],
    ['variable in an action', { Version: POLICY_VERSION, Statement: [{ Effect: 'Allow', Action: `model:${v('attest:Verb')}`, Resource: '*' }] }],
    ['bad Effect', { Version: POLICY_VERSION, Statement: [{ Effect: 'Permit', Action: '*', Resource: '*' }] }],
  ];
  it.each(bad)('%s → POLICY_INVALID', (_name, doc) => {
    expect(() => validatePolicyDocument(doc)).toThrow(AppError);
    try {
      validatePolicyDocument(doc);
    } catch (e) {
      expect((e as AppError).code).toBe('POLICY_INVALID');
    }
  });
  const unknown: [string, unknown, string][] = [
    ['a misspelt action', { Version: POLICY_VERSION, Statement: [{ Effect: 'Allow', Action: ['model:Describe', 'model:Aprove'], Resource: '*' }] }, 'model:Aprove'],
    ['an unknown service', { Version: POLICY_VERSION, Statement: { Effect: 'Deny', Action: 'registry:Approve', Resource: '*' } }, 'registry:Approve'],
    ['a wildcard matching no action', { Version: POLICY_VERSION, Statement: [{ Effect: 'Allow', Action: 'model:Approve', Resource: '*' }, { Sid: 'Ops', Effect: 'Allow', Action: 'nosuch:*', Resource: '*' }] }, 'nosuch:*'],
    ['an unknown action in NotAction', { Version: POLICY_VERSION, Statement: [{ Effect: 'Deny', NotAction: ['audit:Read', 'audit:Shred'], Resource: '*' }] }, 'audit:Shred'],
  ];
  it.each(unknown)('%s → POLICY_INVALID naming the action', (_name, doc, action) => {
    let caught: unknown;
    try {
      validatePolicyDocument(doc);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('POLICY_INVALID');
    expect((caught as AppError).message).toContain(`"${action}"`);
    expect((caught as AppError).details).toMatchObject({ action });
  });
  it('accepts catalogue actions in any case and wildcards that match at least one action', () => {
    for (const action of ['*', 'MODEL:approve', 'model:*', '*:List', 'key:*Deletion', 'mo?el:Rea?']) {
      expect(validatePolicyDocument({ Version: POLICY_VERSION, Statement: { Effect: 'Allow', Action: action, Resource: '*' } }), action).toBeTruthy();
    }
  });
  it('evaluation still compiles a stored document whose action left the catalogue (it matches nothing)', () => {
    const legacy = { name: 'legacy', document: { Version: POLICY_VERSION as typeof POLICY_VERSION, Statement: [{ Effect: 'Allow' as const, Action: 'model:Aprove', Resource: '*' }] } };
    expect(evaluate({ action: 'model:Approve', resource: 'attest:credit:model/m1' }, [legacy]).decision).toBe('ImplicitDeny');
  });
  it('accepts a single statement object, as IAM does', () => {
    expect(validatePolicyDocument({ Version: POLICY_VERSION, Statement: { Effect: 'Deny', Action: 'key:*', Resource: '*' } })).toBeTruthy();
  });
});

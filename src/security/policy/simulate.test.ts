import { describe, expect, it } from 'vitest';
import { builtInRole, type NamedPolicy, parseContextArgs, POLICY_VERSION, rolePolicy, simulate } from './index.js';

const validator = rolePolicy(builtInRole('model-validator')!, 'credit');
const office: NamedPolicy = {
  name: 'corp/office-only',
  document: {
    Version: POLICY_VERSION,
    Statement: [{ Sid: 'DenyOutsideOffice', Effect: 'Deny', Action: '*', Resource: '*', Condition: { NotIpAddress: { 'attest:SourceIp': ['10.0.0.0/8', 'fd00::/8'] } } }],
  },
};

describe('policy simulate', () => {
  it('names the deciding statement of an allow', () => {
    const s = simulate([validator, office], 'model:Approve', 'attest:credit:model/mp_1', parseContextArgs(['SourceIp=10.2.3.4', 'PrincipalId=vic', 'ResourceCreator=dana']));
    expect(s.decision.decision).toBe('Allow');
    expect(s.text.split('\n')).toEqual([
      'ALLOWED',
      '  action:      model:Approve',
      '  resource:    attest:credit:model/mp_1',
      '  decided by:  statement 1 "Validation" (Allow) of policy "role/model-validator@credit"',
      '  separation of duties: vic made neither attest:credit:model/mp_1 nor anything it was derived from',
      'context:',
      '  attest:PrincipalId = vic',
      '  attest:ResourceCreator = dana',
      '  attest:SourceIp = 10.2.3.4',
      'matched statements:',
      '  statement 1 "Validation" (Allow) of policy "role/model-validator@credit"',
      'not applied (a condition did not hold):',
      '  statement 0 "DenyOutsideOffice" (Deny) of policy "corp/office-only": NotIpAddress attest:SourceIp',
    ]);
  });

  it('names the deny that beat an allow', () => {
    const s = simulate([validator, office], 'model:Approve', 'attest:credit:model/mp_1', parseContextArgs(['attest:SourceIp=2001:db8::1']));
    expect(s.decision.decision).toBe('ExplicitDeny');
    expect(s.text).toContain('DENIED (explicit deny)');
    expect(s.text).toContain('decided by:  statement 0 "DenyOutsideOffice" (Deny) of policy "corp/office-only"');
  });

  it('says when nothing allows, and warns about unknown actions and bad names', () => {
    const s = simulate([validator], 'model:Train', 'attest:credit:model/mp_1', {});
    expect(s.text).toContain('DENIED (implicit deny: no statement allows it)');
    expect(s.text).toContain('decided by:  no statement allows model:Train on attest:credit:model/mp_1');
    const w = simulate([validator], 'model:Trian', 'credit/model', {});
    expect(w.warnings).toHaveLength(2);
  });

  it("explains a denial by a token's scope", () => {
    const scope: NamedPolicy = { name: 'token-scope/ro', document: { Version: POLICY_VERSION, Statement: [{ Effect: 'Allow', Action: ['*:List', '*:Describe'], Resource: '*' }] } };
    const s = simulate([validator], 'model:Approve', 'attest:credit:model/mp_1', {}, { scope: [scope] });
    expect(s.text).toContain("no statement in the token's scope allows model:Approve");
  });

  it('shows the separation-of-duties denial of a checker action, with its reason', () => {
    const own = simulate([validator], 'model:Approve', 'attest:credit:model/mp_1', parseContextArgs(['PrincipalId=vic', 'ResourceCreator=user:vic']));
    expect(own.decision).toMatchObject({ decision: 'ExplicitDeny', layer: 'separation-of-duties', separationOfDuties: { allowed: false } });
    expect(own.decision.decidingStatement).toBeUndefined();
    expect(own.text.split('\n').slice(0, 4)).toEqual([
      'DENIED (separation of duties: the maker cannot be the checker)',
      '  action:      model:Approve',
      '  resource:    attest:credit:model/mp_1',
      '  decided by:  separation of duties: vic created attest:credit:model/mp_1 and cannot perform model:Approve on it (maker ≠ checker)',
    ]);
    // The policy statement that would have allowed it is still listed.
    expect(own.text).toContain('statement 1 "Validation" (Allow) of policy "role/model-validator@credit"');
    const upstream = simulate([validator], 'validation:SignOff', 'attest:credit:validation/v1', parseContextArgs(['PrincipalId=vic', 'ResourceCreator=dana', 'ResourceMakers=erin,vic']));
    expect(upstream.text).toContain('vic made attest:credit:validation/v1 or something it was derived from and cannot perform validation:SignOff on it');
    const unknown = simulate([validator], 'model:Reject', 'attest:credit:model/mp_1', parseContextArgs(['PrincipalId=vic']));
    expect(unknown.decision.layer).toBe('separation-of-duties');
    expect(unknown.text).toContain('who made attest:credit:model/mp_1 is unknown');
    expect(unknown.text).toContain('--context ResourceCreator=<maker>');
    // Not a checker action: no separation-of-duties verdict at all.
    expect(simulate([validator], 'model:Evaluate', 'attest:credit:model/mp_1', parseContextArgs(['PrincipalId=vic', 'ResourceCreator=vic'])).decision).toMatchObject({ decision: 'Allow', layer: 'identity' });
  });

  it('types --context values by key', () => {
    const c = parseContextArgs(['CurrentTime=2026-11-29T10:00:00Z', 'MfaPresent=true', 'PrincipalGroups=a,b', 'attest:Other=x=y']);
    expect(c['attest:CurrentTime']).toEqual(new Date('2026-11-29T10:00:00Z'));
    expect(c['attest:MfaPresent']).toBe(true);
    expect(c['attest:PrincipalGroups']).toEqual(['a', 'b']);
    expect(c['attest:Other']).toBe('x=y');
    expect(() => parseContextArgs(['MfaPresent=yes'])).toThrow(/true or false/);
    expect(() => parseContextArgs(['CurrentTime=soon'])).toThrow(/ISO 8601/);
    expect(() => parseContextArgs(['novalue'])).toThrow(/key=value/);
  });
});

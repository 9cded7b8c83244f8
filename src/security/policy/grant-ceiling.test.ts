import { describe, expect, it } from 'vitest';
import { builtInRole, exceedsCeiling, grantBoundaryOf, type NamedPolicy, POLICY_VERSION, type PolicyStatement, policyVariable, rolePolicy, SELF_SERVICE_POLICY } from './index.js';

const policy = (name: string, ...Statement: PolicyStatement[]): NamedPolicy => ({ name, document: { Version: POLICY_VERSION, Statement } });
const context = { 'attest:PrincipalId': 'grantor', 'attest:PrincipalType': 'user' };
const secAdmin = builtInRole('security-administrator')!;
const secAdminCeiling = [SELF_SERVICE_POLICY, rolePolicy(secAdmin), grantBoundaryOf(secAdmin)!];
const role = (name: string, project?: string) => rolePolicy(builtInRole(name)!, project);

describe('grant ceiling', () => {
  it('a grantor may pass on what it holds, narrower patterns included', () => {
    const mine = [policy('mine', { Effect: 'Allow', Action: 'model:*', Resource: 'attest:credit:*' })];
    expect(exceedsCeiling([policy('same', { Effect: 'Allow', Action: 'model:*', Resource: 'attest:credit:*' })], mine, context)).toBeUndefined();
    expect(exceedsCeiling([policy('narrower', { Effect: 'Allow', Action: 'model:Read', Resource: 'attest:credit:model/m*' })], mine, context)).toBeUndefined();
  });

  it('names the first permission beyond the ceiling: a wider resource, another action, NotAction and NotResource', () => {
    const mine = [policy('mine', { Effect: 'Allow', Action: 'model:*', Resource: 'attest:credit:*' })];
    expect(exceedsCeiling([policy('wider', { Sid: 'All', Effect: 'Allow', Action: 'model:Read', Resource: 'attest:*:*' })], mine, context)).toEqual({
      policyName: 'wider',
      sid: 'All',
      statement: 0,
      action: 'model:Read',
      resource: 'attest:*:*',
    });
    expect(exceedsCeiling([policy('other', { Effect: 'Allow', Action: 'dataset:Read', Resource: 'attest:credit:dataset/d1' })], mine, context)?.action).toBe('dataset:Read');
    expect(exceedsCeiling([policy('not-action', { Effect: 'Allow', NotAction: 'model:*', Resource: 'attest:credit:*' })], mine, context)?.action).toBe('artifact:Put');
    expect(exceedsCeiling([policy('not-resource', { Effect: 'Allow', Action: 'model:Read', NotResource: 'attest:retail:*' })], mine, context)?.resource).toBe('*');
  });

  it('deny statements are always grantable; the grantor’s own deny lowers its ceiling', () => {
    expect(exceedsCeiling([policy('guard', { Effect: 'Deny', Action: '*', Resource: '*' })], [], context)).toBeUndefined();
    const guarded = [policy('all', { Effect: 'Allow', Action: '*', Resource: '*' }), policy('no-keys', { Effect: 'Deny', Action: 'key:Decrypt', Resource: '*' })];
    expect(exceedsCeiling([policy('keys', { Effect: 'Allow', Action: 'key:*', Resource: 'attest::key/*' })], guarded, context)?.action).toBe('key:Decrypt');
  });

  it("a grantor's conditional permission does not count", () => {
    const own = [policy('own', { Effect: 'Allow', Action: 'experiment:Delete', Resource: 'attest:credit:*', Condition: { StringEquals: { 'attest:ResourceCreator': policyVariable('attest:PrincipalId') } } })];
    expect(exceedsCeiling([policy('del', { Effect: 'Allow', Action: 'experiment:Delete', Resource: 'attest:credit:experiment/*' })], own, context)?.action).toBe('experiment:Delete');
  });

  it("the security administrator's ceiling: job-function roles in any project, auditor, its own role; never administrator or key use", () => {
    for (const granted of [role('data-scientist', 'credit'), role('ml-engineer', 'retail'), role('model-validator', 'credit'), role('viewer', 'credit'), role('auditor'), role('security-administrator')]) {
      expect(exceedsCeiling([granted], secAdminCeiling, context), granted.name).toBeUndefined();
    }
    expect(exceedsCeiling([role('administrator')], secAdminCeiling, context)).toMatchObject({ policyName: 'role/administrator', action: 'artifact:Put', resource: '*' });
    expect(exceedsCeiling([policy('keys', { Effect: 'Allow', Action: 'key:Decrypt', Resource: 'attest::key/*' })], secAdminCeiling, context)?.action).toBe('key:Decrypt');
    expect(exceedsCeiling([policy('new-projects', { Effect: 'Allow', Action: 'project:Create', Resource: 'attest:*:project/*' })], secAdminCeiling, context)?.action).toBe('project:Create');
    // Without its grant boundary it could not staff a project with data access it does not hold.
    expect(exceedsCeiling([role('data-scientist', 'credit')], [SELF_SERVICE_POLICY, rolePolicy(secAdmin)], context)?.action).toBe('dataset:Register');
  });
});

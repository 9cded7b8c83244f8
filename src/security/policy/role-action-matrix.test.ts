/**
 * The role × action matrix: every built-in role × every catalogue action, as an explicit table
 * written out by hand (not recomputed from the role documents), so that any change to a role or to
 * the catalogue shows up here as a diff that a reviewer has to accept.
 *
 * Each principal holds one role (project roles granted in `credit`) plus the self-service policy
 * every principal has. The request names the action's catalogue resource in `credit` with id `x1`,
 * owned and created by someone else, with no approval status: so conditional grants (deleting
 * one's own experiments, deploying approved models, one's own tokens and password) do not apply,
 * and separation of duties lets checker actions through (the maker is someone else).
 *
 * A = allowed, . = implicit deny (nothing allows it), D = explicit deny (the auditor's ChangeNothing).
 */
import { describe, expect, it } from 'vitest';
import { ACTION_CATALOGUE, ACTION_NAMES, BUILT_IN_ROLE_NAMES, builtInRole, evaluateRequest, policiesForGrants, type RequestContext } from './index.js';

const COLUMNS = ['administrator', 'security-administrator', 'data-scientist', 'ml-engineer', 'model-validator', 'auditor', 'viewer'] as const;

const EXPECTED: Readonly<Record<string, string>> = {
  //                           adm sec ds  mle val aud vie
  'artifact:Put':               'A . A A . D .',
  'artifact:Get':               'A . A A A A .',
  'artifact:List':              'A A A A A A A',
  'artifact:Describe':          'A A A A A A A',
  'artifact:SetRetention':      'A A . . . D .',
  'artifact:SetLegalHold':      'A A . . . D .',
  'artifact:Delete':            'A . . . . D .',
  'key:Create':                 'A A . . . D .',
  'key:List':                   'A A . . . A .',
  'key:Describe':               'A A . . . A .',
  'key:Enable':                 'A A . . . D .',
  'key:Disable':                'A A . . . D .',
  'key:Rotate':                 'A A . . . D .',
  'key:ScheduleDeletion':       'A A . . . D .',
  'key:CancelDeletion':         'A A . . . D .',
  'key:Rewrap':                 'A A . . . D .',
  'key:Encrypt':                'A . . . . D .',
  'key:Decrypt':                'A . . . . D .',
  'audit:Read':                 'A A . . . A .',
  'audit:Verify':               'A A . . . A .',
  'audit:Export':               'A A . . . A .',
  'user:Create':                'A A . . . D .',
  'user:List':                  'A A . . . A .',
  'user:Describe':              'A A . . . A .',
  'user:Update':                'A A . . . D .',
  'user:Delete':                'A A . . . D .',
  'user:Lock':                  'A A . . . D .',
  'user:Unlock':                'A A . . . D .',
  'user:ResetPassword':         'A A . . . D .',
  'user:ChangePassword':        'A A . . . . .',
  'user:AttachPolicy':          'A A . . . D .',
  'user:DetachPolicy':          'A A . . . D .',
  'group:Create':               'A A . . . D .',
  'group:List':                 'A A . . . A .',
  'group:Describe':             'A A . . . A .',
  'group:Update':               'A A . . . D .',
  'group:Delete':               'A A . . . D .',
  'group:AddMember':            'A A . . . D .',
  'group:RemoveMember':         'A A . . . D .',
  'group:AttachPolicy':         'A A . . . D .',
  'group:DetachPolicy':         'A A . . . D .',
  'token:Create':               'A A . . . . .',
  'token:List':                 'A A . . . A .',
  'token:Describe':             'A A . . . A .',
  'token:Revoke':               'A A . . . . .',
  'role:Create':                'A A . . . D .',
  'role:List':                  'A A . . . A .',
  'role:Describe':              'A A . . . A .',
  'role:Update':                'A A . . . D .',
  'role:Delete':                'A A . . . D .',
  'role:Assign':                'A A . . . D .',
  'role:Unassign':              'A A . . . D .',
  'policy:Create':              'A A . . . D .',
  'policy:List':                'A A . . . A .',
  'policy:Describe':            'A A . . . A .',
  'policy:Update':              'A A . . . D .',
  'policy:Delete':              'A A . . . D .',
  'policy:Simulate':            'A A . . . A .',
  'policy:ApproveChange':       'A A . . . D .',
  'project:Create':             'A . . . . D .',
  'project:List':               'A A A A A A A',
  'project:Describe':           'A A A A A A A',
  'project:Update':             'A . . . . D .',
  'project:Delete':             'A . . . . D .',
  'project:ListMembers':        'A A A A A A A',
  'project:AddMember':          'A A . . . D .',
  'project:RemoveMember':       'A A . . . D .',
  'dataset:Register':           'A . A . . D .',
  'dataset:CreateVersion':      'A . A . . D .',
  'dataset:List':               'A . A A A A A',
  'dataset:Describe':           'A . A A A A A',
  'dataset:Read':               'A . A A A A .',
  'dataset:Profile':            'A . A . . D .',
  'dataset:Delete':             'A . . . . D .',
  'experiment:Create':          'A . A . . D .',
  'experiment:List':            'A . A A A A A',
  'experiment:Describe':        'A . A A A A A',
  'experiment:Update':          'A . A . . D .',
  'experiment:Delete':          'A . . . . D .',
  'trial:Create':               'A . A . . D .',
  'trial:List':                 'A . A A A A A',
  'trial:Describe':             'A . A A A A A',
  'trial:Update':               'A . A . . D .',
  'trial:Delete':               'A . . . . D .',
  'component:Create':           'A . A . . D .',
  'component:List':             'A . A A A A A',
  'component:Describe':         'A . A A A A A',
  'component:Update':           'A . A . . D .',
  'component:Complete':         'A . A . . D .',
  'lineage:Read':               'A . A A A A A',
  'lineage:Associate':          'A . A A . D .',
  'model:Train':                'A . A . . D .',
  'model:Reproduce':            'A . . . . A .',
  'model:Register':             'A . A . . D .',
  'model:List':                 'A . A A A A A',
  'model:Describe':             'A . A A A A A',
  'model:Read':                 'A . A A A A .',
  'model:Evaluate':             'A . A . A D .',
  'model:Explain':              'A . A . A D .',
  'model:Review':               'A . . . A D .',
  'model:Approve':              'A . . . A D .',
  'model:Reject':               'A . . . A D .',
  'model:Deploy':               'A . . . . D .',
  'validation:SignOff':         'A . . . A D .',
  'bias:Run':                   'A . A . A D .',
  'bias:Read':                  'A . A A A A A',
  'monitor:Create':             'A . . A . D .',
  'monitor:List':               'A . A A A A A',
  'monitor:Describe':           'A . A A A A A',
  'monitor:Update':             'A . . A . D .',
  'monitor:Delete':             'A . . A . D .',
  'monitor:Start':              'A . . A . D .',
  'monitor:Stop':               'A . . A . D .',
  'monitor:Run':                'A . A A . D .',
  'baseline:Create':            'A . A A . D .',
  'baseline:List':              'A . A A A A A',
  'baseline:Describe':          'A . A A A A A',
  'baseline:Update':            'A . . A . D .',
  'baseline:Delete':            'A . . A . D .',
  'endpoint:Create':            'A . . A . D .',
  'endpoint:List':              'A . A A A A A',
  'endpoint:Describe':          'A . A A A A A',
  'endpoint:Update':            'A . . A . D .',
  'endpoint:Delete':            'A . . A . D .',
  'endpoint:Invoke':            'A . . A . D .',
  'endpoint:RunBatchTransform': 'A . . A . D .',
  'endpoint:LookupDecision':    'A . . A . A .',
  'review:List':                'A . . . A A A',
  'review:Describe':            'A . . . A A A',
  'review:Decide':              'A . . . A D .',
  'pipeline:Create':            'A . A A . D .',
  'pipeline:List':              'A . A A A A A',
  'pipeline:Describe':          'A . A A A A A',
  'pipeline:Update':            'A . A A . D .',
  'pipeline:Delete':            'A . . A . D .',
  'pipeline:Start':             'A . A A . D .',
  'pipeline:Stop':              'A . A A . D .',
  'pipeline:ApproveStep':       'A . . . A D .',
  'job:Run':                    'A . A A A D .',
  'job:List':                   'A . A A A A A',
  'job:Describe':               'A . A A A A A',
  'job:GetLogs':                'A . A A A A .',
  'job:Cancel':                 'A . A A . D .',
  'config:Read':                'A A . . . A .',
  'config:Write':               'A A . . . D .',
  'alert:Create':               'A A . . . D .',
  'alert:List':                 'A A . . . A .',
  'alert:Describe':             'A A . . . A .',
  'alert:Update':               'A A . . . D .',
  'alert:Delete':               'A A . . . D .',
  'alert:Acknowledge':          'A A . . . D .',
};

const context: RequestContext = { 'attest:PrincipalId': 'matrix-user', 'attest:PrincipalType': 'user', 'attest:ResourceCreator': 'someone-else' };

function decide(role: string, action: string): string {
  const def = builtInRole(role)!;
  const resource = ACTION_CATALOGUE.get(action)!.resource.replaceAll('{project}', 'credit').replaceAll('{owner}', 'someone-else').replaceAll('{id}', 'x1');
  const policies = policiesForGrants([def.scope === 'project' ? { role, project: 'credit' } : { role }]);
  const d = evaluateRequest({ action, resource, context }, policies, undefined);
  return d.decision === 'Allow' ? 'A' : d.decision === 'ExplicitDeny' ? 'D' : '.';
}

describe('role × action matrix', () => {
  it('covers every built-in role and every catalogue action, no more', () => {
    expect([...COLUMNS]).toEqual([...BUILT_IN_ROLE_NAMES]);
    expect(Object.keys(EXPECTED)).toEqual([...ACTION_NAMES]);
    expect(COLUMNS.length * ACTION_NAMES.length).toBe(1057);
  });

  it('every cell decides as the table says', () => {
    const actual: Record<string, string> = {};
    for (const action of ACTION_NAMES) actual[action] = COLUMNS.map((role) => decide(role, action)).join(' ');
    // One assertion over the whole table, so a failure prints the full diff of changed rows.
    expect(actual).toEqual(EXPECTED);
  });
});

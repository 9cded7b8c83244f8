import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/index.js';
import {
  ACTION_CATALOGUE,
  assertAllowed,
  assertSeparationOfDuties,
  builtInRole,
  CHECKER_ACTIONS,
  type CreatorRecord,
  checkSeparationOfDuties,
  evaluateRequest,
  provenanceFacts,
  requestContext,
  rolePolicy,
  separationOfDuties,
} from './index.js';

const lineage: Record<string, CreatorRecord[]> = {
  mp_1: [
    { resourceId: 'tc_train', createdBy: 'svc_pipeline', onBehalfOf: 'usr_carol' },
    { resourceId: 'tc_prep', createdBy: 'usr_dave' },
    { resourceId: 'ds_v1', createdBy: 'usr_erin' },
  ],
};
const model = { id: 'mp_1', createdBy: 'usr_alice' };
const creatorsOf = async (id: string): Promise<CreatorRecord[]> => lineage[id] ?? [];

describe('separation of duties: maker ≠ checker', () => {
  it.each([
    ['an independent validator', { id: 'usr_vic' }, true, undefined],
    ['the creator', { id: 'usr_alice' }, false, 'self'],
    ['the creator under a linked identity', { id: 'oidc|alice', aliases: ['usr_alice'] }, false, 'self'],
    ['whoever a service principal trained it for', { id: 'usr_carol' }, false, 'ancestor'],
    ['the service principal itself', { id: 'svc_pipeline' }, false, 'ancestor'],
    ['the creator of an upstream processing step', { id: 'usr_dave' }, false, 'ancestor'],
    ['the creator of the training data', { id: 'usr_erin' }, false, 'ancestor'],
  ] as const)('%s → allowed=%s', async (_name, approver, allowed, relation) => {
    const d = await checkSeparationOfDuties({ approver, resource: model, creatorsOf });
    expect(d.allowed).toBe(allowed);
    if (relation) expect(d.conflicts[0]?.relation).toBe(relation);
    expect(d.reason).toContain(approver.id);
  });

  it('explains the conflict in one sentence', () => {
    const d = separationOfDuties({ id: 'usr_erin' }, model, lineage.mp_1!);
    expect(d.reason).toBe('usr_erin cannot approve mp_1: they created ds_v1, from which mp_1 was derived');
    const self = separationOfDuties({ id: 'usr_alice' }, model, []);
    expect(self.reason).toBe('usr_alice cannot approve mp_1: they created mp_1');
  });

  it('throws SEPARATION_OF_DUTIES when asserted', () => {
    const d = separationOfDuties({ id: 'usr_alice' }, model, []);
    expect(() => assertSeparationOfDuties(d)).toThrow(AppError);
    try {
      assertSeparationOfDuties(d);
    } catch (e) {
      expect((e as AppError).code).toBe('SEPARATION_OF_DUTIES');
    }
    expect(() => assertSeparationOfDuties(separationOfDuties({ id: 'usr_vic' }, model, []))).not.toThrow();
  });

  it('accepts a synchronous lineage lookup', async () => {
    const d = await checkSeparationOfDuties({ approver: { id: 'usr_dave' }, resource: model, creatorsOf: (id) => lineage[id] ?? [] });
    expect(d.allowed).toBe(false);
  });
});

describe('separation of duties in the authorizer (checker actions of the catalogue)', () => {
  const admin = rolePolicy(builtInRole('administrator')!);
  const validator = rolePolicy(builtInRole('model-validator')!, 'credit');
  const ask = (action: string, principalId: string, provenance?: Parameters<typeof provenanceFacts>[0]) =>
    evaluateRequest(
      { action, resource: 'attest:credit:model/mp_1', context: requestContext({ principalId, principalType: 'user', now: new Date(), ...(provenance ? provenanceFacts(provenance) : {}) }) },
      [admin, validator],
      undefined,
    );

  it('marks approvals, rejections and sign-offs (and only those) as checker actions', () => {
    expect([...ACTION_CATALOGUE.values()].filter((a) => a.checker).map((a) => `${a.service}:${a.verb}`)).toEqual(['policy:ApproveChange', 'model:Approve', 'model:Reject', 'validation:SignOff', 'pipeline:ApproveStep']);
    expect([...CHECKER_ACTIONS].sort()).toEqual(['model:Approve', 'model:Reject', 'pipeline:ApproveStep', 'policy:ApproveChange', 'validation:SignOff']);
  });

  it.each(CHECKER_ACTIONS)('%s is denied to the creator even with Action "*", and allowed to anyone else', (action) => {
    const own = ask(action, 'alice', { createdBy: 'user:alice' });
    expect(own).toMatchObject({ decision: 'ExplicitDeny', layer: 'separation-of-duties', separationOfDuties: { allowed: false, conflicts: [{ relation: 'self', principal: 'alice' }] } });
    expect(() => assertAllowed(own, { action, resource: 'attest:credit:model/mp_1' })).toThrowError(expect.objectContaining({ code: 'SEPARATION_OF_DUTIES' }));
    expect(ask(action, 'vic', { createdBy: 'user:alice' })).toMatchObject({ decision: 'Allow', layer: 'identity', separationOfDuties: { allowed: true } });
  });

  it('denies the user a service principal acted for and the makers of what the resource was derived from', () => {
    const provenance = { createdBy: 'service:pipeline', onBehalfOf: 'user:carol', ancestors: lineage.mp_1! };
    expect(provenanceFacts(provenance)).toEqual({ resourceCreator: 'pipeline', resourceMakers: ['carol', 'svc_pipeline', 'usr_carol', 'usr_dave', 'usr_erin'] });
    for (const who of ['carol', 'pipeline', 'usr_dave', 'usr_erin']) expect(ask('model:Approve', who, provenance).layer, who).toBe('separation-of-duties');
    expect(ask('model:Approve', 'vic', provenance).decision).toBe('Allow');
  });

  it('fails closed: a checker action on a resource whose maker is unknown is denied', () => {
    const d = ask('model:Approve', 'vic');
    expect(d).toMatchObject({ decision: 'ExplicitDeny', layer: 'separation-of-duties' });
    expect(d.separationOfDuties?.reason).toMatch(/who made attest:credit:model\/mp_1 is unknown/);
  });

  it('leaves other actions and policy denials alone', () => {
    expect(ask('model:Evaluate', 'alice', { createdBy: 'alice' })).toMatchObject({ decision: 'Allow', layer: 'identity' });
    expect(ask('model:Evaluate', 'alice', { createdBy: 'alice' }).separationOfDuties).toBeUndefined();
    const ds = rolePolicy(builtInRole('data-scientist')!, 'credit');
    const d = evaluateRequest({ action: 'model:Approve', resource: 'attest:credit:model/mp_1', context: { 'attest:PrincipalId': 'alice', 'attest:ResourceCreator': 'alice' } }, [ds], undefined);
    expect(d).toMatchObject({ decision: 'ImplicitDeny', layer: 'identity', separationOfDuties: { allowed: false } });
  });
});


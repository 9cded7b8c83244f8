import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/index.js';
import { assertSeparationOfDuties, type CreatorRecord, checkSeparationOfDuties, separationOfDuties } from './index.js';

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

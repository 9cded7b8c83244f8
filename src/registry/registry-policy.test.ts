/**
 * The registry's separation of duties as `attest policy simulate` shows it: the same rule the
 * authorizer runs, with the makers' groups when the project's same-group rule is on; and the
 * model card printed to PDF with Chromium (skipped when Chromium is not installed).
 */
import { describe, expect, it } from 'vitest';
import { builtInRole, rolePolicy, simulate } from '../security/policy/index.js';
import { chromiumPath, htmlToPdf, page } from './index.js';

describe('approval in policy simulate', () => {
  const validator = [rolePolicy(builtInRole('model-validator')!, 'credit')];
  const resource = 'attest:credit:model/credit-default/3';

  it('denies the maker and anyone in the lineage, allows an independent validator', () => {
    const maker = simulate(validator, 'model:Approve', resource, { 'attest:PrincipalId': 'dana', 'attest:ResourceCreator': 'dana', 'attest:ResourceMakers': ['paul'] });
    expect(maker.decision.decision).toBe('ExplicitDeny');
    expect(maker.text).toContain('DENIED (separation of duties');
    const ancestor = simulate(validator, 'model:Approve', resource, { 'attest:PrincipalId': 'paul', 'attest:ResourceCreator': 'dana', 'attest:ResourceMakers': ['paul'] });
    expect(ancestor.decision.decision).toBe('ExplicitDeny');
    const independent = simulate(validator, 'model:Approve', resource, { 'attest:PrincipalId': 'victor', 'attest:ResourceCreator': 'dana', 'attest:ResourceMakers': ['paul'] });
    expect(independent.decision.decision).toBe('Allow');
  });

  it("denies a member of a maker's group under the same-group rule", () => {
    const context = { 'attest:PrincipalId': 'rita', 'attest:PrincipalGroups': ['model-dev'], 'attest:ResourceCreator': 'dana', 'attest:ResourceMakers': [], 'attest:ResourceMakerGroups': ['model-dev'] };
    const same = simulate(validator, 'model:Approve', resource, context);
    expect(same.decision.decision).toBe('ExplicitDeny');
    expect(same.text).toContain('same group');
    const other = simulate(validator, 'validation:SignOff', 'attest:credit:validation/credit-default/3', { ...context, 'attest:PrincipalGroups': ['risk'] });
    expect(other.decision.decision).toBe('Allow');
  });
});

describe('PDF export', () => {
  it.skipIf(!chromiumPath())('prints HTML to PDF with headless Chromium, offline', async () => {
    const pdf = await htmlToPdf(page('card', '<h1>Model card</h1>'), { timeoutMs: 120_000 });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  }, 150_000);
});

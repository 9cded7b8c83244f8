/**
 * @module security/policy/grant-ceiling
 * How far a principal may grant: the *grant ceiling*. A role assignment, a policy attachment, a
 * group membership or a new version of an attached policy hands permissions to someone; it is
 * allowed only if everything it hands out lies within the grantor's ceiling — the grantor's own
 * policies plus the grant boundaries of the roles it holds (IAM's rule that a delegated
 * administrator may pass on only what a permissions boundary lets it).
 *
 * The check is conservative (it may refuse a grant that is in fact narrow enough, never the other
 * way round): for every Allow statement of the granted policies, every catalogue action it covers
 * (`NotAction` expanded over the catalogue) must be allowed by the ceiling on each of its
 * `Resource` patterns, taken literally as a resource name (`NotResource` counts as `*`). A ceiling
 * pattern that matches the granted pattern as a string covers every resource the granted pattern
 * matches (its `*` matches the granted `*` and whatever it stands for). The granted statement's
 * conditions are ignored (they only narrow it) and the ceiling is evaluated in the grantor's own
 * request context, so a conditional permission of the grantor (say, "experiments I created")
 * does not count. Deny statements are always grantable.
 */
import { ACTION_NAMES } from './action-catalogue.js';
import { type CompiledPolicy, compilePolicy } from './compile-policy.js';
import type { RequestContext } from './context-keys.js';
import { evaluate, type PolicySet } from './evaluate.js';

/** The first permission a grant would hand out beyond the ceiling. */
export interface CeilingExcess {
  readonly policyName: string;
  readonly sid: string | undefined;
  readonly statement: number;
  readonly action: string;
  readonly resource: string;
}

/**
 * The first permission of `granted` that `ceiling` does not hold, or `undefined` if all of it lies
 * within the ceiling.
 * @example exceedsCeiling([rolePolicy(builtInRole('administrator')!)], securityAdminPolicies, context)
 * // → { policyName: 'role/administrator', action: 'artifact:Put', resource: '*', … }
 */
export function exceedsCeiling(granted: PolicySet, ceiling: PolicySet, context: RequestContext): CeilingExcess | undefined {
  for (const policy of granted) {
    const compiled: CompiledPolicy = 'statementsFor' in policy ? policy : compilePolicy(policy);
    for (const s of compiled.statements) {
      if (s.effect !== 'Allow') continue;
      const actions = ACTION_NAMES.filter((name) => s.actions.some((p) => p.test(name, {}) === true) !== s.notAction);
      const resources = s.notResource ? ['*'] : s.resources.map((p) => p.source);
      for (const action of actions) {
        for (const resource of resources) {
          if (evaluate({ action, resource, context }, ceiling).decision !== 'Allow') {
            return { policyName: policy.name, sid: s.sid, statement: s.index, action, resource };
          }
        }
      }
    }
  }
  return undefined;
}

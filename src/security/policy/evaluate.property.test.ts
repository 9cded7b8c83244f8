import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Decision, evaluate, evaluateWithScope, type NamedPolicy, POLICY_VERSION, type PolicyStatement } from './index.js';

/** An independent wildcard matcher (memoised recursion, no RegExp) to check the compiled one against. */
function globMatch(pattern: string, value: string, segmented: boolean, ignoreCase: boolean): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const s = ignoreCase ? value.toLowerCase() : value;
  if (p === '*') return true;
  const colonsBefore: number[] = [0];
  for (let i = 0; i < p.length; i++) colonsBefore.push(colonsBefore[i]! + (p[i] === ':' ? 1 : 0));
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (s.length + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let result: boolean;
    if (i === p.length) result = j === s.length;
    else {
      const restricted = segmented && colonsBefore[i]! < 2;
      const canEat = j < s.length && !(restricted && s[j] === ':');
      if (p[i] === '*') result = go(i + 1, j) || (canEat && go(i, j + 1));
      else if (p[i] === '?') result = canEat && go(i + 1, j + 1);
      else result = j < s.length && p[i] === s[j] && go(i + 1, j + 1);
    }
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);

/** IAM's rule written as plainly as possible, for statements without conditions or variables. */
function reference(action: string, resource: string, policies: NamedPolicy[]): Decision['decision'] {
  let allow = false;
  for (const policy of policies) {
    const statements = Array.isArray(policy.document.Statement) ? policy.document.Statement : [policy.document.Statement];
    for (const s of statements) {
      const actionHit = asList(s.Action ?? s.NotAction).some((a) => globMatch(a, action, false, true));
      const resourceHit = asList(s.Resource ?? s.NotResource).some((r) => globMatch(r, resource, true, false));
      if (actionHit === (s.NotAction !== undefined) || resourceHit === (s.NotResource !== undefined)) continue;
      if (s.Effect === 'Deny') return 'ExplicitDeny';
      allow = true;
    }
  }
  return allow ? 'Allow' : 'ImplicitDeny';
}

// The compiler refuses action patterns outside this shape (as IAM does), so only generate those.
const ACTION_SYNTAX = /^(\*|[a-z*?][a-z0-9*?-]*:[A-Za-z*?][A-Za-z0-9*?]*)$/i;
const ACTIONS = ['model:Approve', 'model:Read', 'model:Train', 'dataset:Read', 'dataset:List', 'audit:Read', 'key:Decrypt', 'artifact:Delete'];
const RESOURCES = ['attest:credit:model/m1', 'attest:credit:dataset/d1', 'attest:retail:model/m2', 'attest::audit/ledger', 'attest::key/k1', 'attest:credit:artifact/a/b'];

/** A pattern derived from a concrete name by replacing some characters or tails with wildcards. */
const patternFrom = (names: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant('*') },
    {
      weight: 6,
      arbitrary: fc.tuple(fc.constantFrom(...names), fc.array(fc.tuple(fc.nat(), fc.constantFrom('*', '?', 'cut')), { maxLength: 2 })).map(([name, edits]) => {
        let out = name;
        for (const [at, kind] of edits) {
          const i = at % out.length;
          out = kind === 'cut' ? `${out.slice(0, i)}*` : `${out.slice(0, i)}${kind}${out.slice(i + 1)}`;
        }
        return out;
      }),
    },
  );

const statement: fc.Arbitrary<PolicyStatement> = fc
  .record({
    effect: fc.constantFrom('Allow' as const, 'Deny' as const),
    actions: fc.array(patternFrom(ACTIONS).filter((a) => ACTION_SYNTAX.test(a)), { minLength: 1, maxLength: 3 }),
    notAction: fc.boolean(),
    resources: fc.array(patternFrom(RESOURCES), { minLength: 1, maxLength: 3 }),
    notResource: fc.boolean(),
  })
  .map((r) => ({
    Effect: r.effect,
    ...(r.notAction ? { NotAction: r.actions } : { Action: r.actions }),
    ...(r.notResource ? { NotResource: r.resources } : { Resource: r.resources }),
  }));

const policySet = fc.array(fc.array(statement, { minLength: 1, maxLength: 4 }), { minLength: 0, maxLength: 3 }).map((docs) =>
  docs.map((Statement, i): NamedPolicy => ({ name: `p${i}`, document: { Version: POLICY_VERSION, Statement } })),
);

const request = fc.record({ action: fc.constantFrom(...ACTIONS), resource: fc.constantFrom(...RESOURCES) });

describe('evaluator properties', () => {
  it('agrees with a plain reference implementation of deny > allow > implicit deny', () => {
    fc.assert(
      fc.property(policySet, request, (policies, req) => {
        expect(evaluate(req, policies).decision).toBe(reference(req.action, req.resource, policies));
      }),
      { numRuns: 400 },
    );
  });

  it('the order of policies does not change the decision', () => {
    fc.assert(
      fc.property(policySet, request, (policies, req) => {
        expect(evaluate(req, [...policies].reverse()).decision).toBe(evaluate(req, policies).decision);
      }),
      { numRuns: 200 },
    );
  });

  it('adding a Deny never grants; adding an Allow never takes away', () => {
    fc.assert(
      fc.property(policySet, statement, request, (policies, extra, req) => {
        const before = evaluate(req, policies).decision;
        const after = evaluate(req, [...policies, { name: 'extra', document: { Version: POLICY_VERSION, Statement: [extra] } }]).decision;
        if (extra.Effect === 'Deny' && before !== 'Allow') expect(after).not.toBe('Allow');
        if (extra.Effect === 'Allow' && before === 'Allow') expect(after).toBe('Allow');
        if (before === 'ExplicitDeny') expect(after).toBe('ExplicitDeny');
      }),
      { numRuns: 300 },
    );
  });

  it('the deciding statement is a matched statement with the deciding effect', () => {
    fc.assert(
      fc.property(policySet, request, (policies, req) => {
        const d = evaluate(req, policies);
        if (d.decision === 'ImplicitDeny') expect(d.matchedStatements).toEqual([]);
        else {
          expect(d.matchedStatements).toContainEqual(d.decidingStatement);
          expect(d.decidingStatement?.effect).toBe(d.decision === 'Allow' ? 'Allow' : 'Deny');
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a scoped token is allowed only if its owner and its scope both allow', () => {
    fc.assert(
      fc.property(policySet, policySet, request, (owner, scope, req) => {
        const both = evaluateWithScope(req, owner, scope).decision === 'Allow';
        expect(both).toBe(evaluate(req, owner).decision === 'Allow' && evaluate(req, scope).decision === 'Allow');
      }),
      { numRuns: 200 },
    );
  });
});

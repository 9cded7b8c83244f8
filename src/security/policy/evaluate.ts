/**
 * @module security/policy/evaluate
 * The decision: explicit deny > allow > implicit deny (IAM's evaluation logic for identity-based
 * policies, docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 * Every decision says which statement decided it, so the audit entry for the request can name it.
 *
 * A statement applies when its Action (or NotAction) covers the action, its Resource (or
 * NotResource) covers the resource, and all its conditions hold. If any applicable statement denies,
 * the decision is `ExplicitDeny` and the first such statement decides; otherwise, if one allows, it
 * is `Allow` (the first allowing statement decides); otherwise `ImplicitDeny`.
 *
 * An API token with a narrower scope is evaluated twice — its owner's policies and the scope — and
 * is allowed only when both allow ({@link evaluateWithScope}).
 */
import { AppError } from '../../kernel/index.js';
import { type CompiledPolicy, type CompiledStatement, compilePolicy } from './compile-policy.js';
import type { RequestContext } from './context-keys.js';
import type { NamedPolicy } from './policy-document.js';
import { tryParseResourceName } from './resource-name.js';
import type { SodDecision } from './separation-of-duties.js';

/** What is being asked: may the principal described by `context` do `action` on `resource`? */
export interface AuthorizationRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: RequestContext;
}

/** A reference to one statement of one policy. */
export interface StatementRef {
  readonly policyName: string;
  readonly sid: string | undefined;
  /** Position of the statement in its document (0-based). */
  readonly index: number;
  readonly effect: 'Allow' | 'Deny';
}

/** A statement whose action and resource matched but whose conditions did not all hold. */
export interface NearMiss {
  readonly statement: StatementRef;
  readonly failedConditions: readonly { readonly operator: string; readonly key: string }[];
}

/** The outcome of an evaluation. */
export interface Decision {
  readonly decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  readonly decidingStatement?: StatementRef;
  readonly matchedStatements: readonly StatementRef[];
  /** Only with `{ explain: true }`: statements that would have applied but for their conditions. */
  readonly nearMisses?: readonly NearMiss[];
  /**
   * What decided: the principal's own policies, the token's scope, or separation of duties (a
   * checker action on a resource the caller made; no statement decides then).
   */
  readonly layer: 'identity' | 'scope' | 'separation-of-duties';
  /** For a checker action (approval, sign-off): the maker ≠ checker verdict with its reason. */
  readonly separationOfDuties?: SodDecision;
}

/** Options for {@link evaluate}. */
export interface EvaluateOptions {
  /** Record near misses (slower; for `policy simulate`). */
  readonly explain?: boolean;
}

/** Policies as given by callers: named documents or already compiled ones. */
export type PolicySet = readonly (NamedPolicy | CompiledPolicy)[];

function compiled(policy: NamedPolicy | CompiledPolicy): CompiledPolicy {
  return 'statementsFor' in policy ? policy : compilePolicy(policy);
}

/** Adds the keys derived from the resource name, unless the caller set them. */
function withResourceKeys(resource: string, context: RequestContext | undefined): RequestContext {
  const base = context ?? {};
  if (base['attest:ResourceProject'] !== undefined && base['attest:ResourceType'] !== undefined) return base;
  const parsed = tryParseResourceName(resource);
  if (!parsed) return base;
  return {
    'attest:ResourceProject': parsed.project,
    'attest:ResourceType': parsed.type,
    ...base,
  };
}

function refOf(policyName: string, s: CompiledStatement): StatementRef {
  return { policyName, sid: s.sid, index: s.index, effect: s.effect };
}

function resourceApplies(s: CompiledStatement, resource: string, context: RequestContext): boolean {
  if (!s.notResource) return s.resources.some((p) => p.test(resource, context) === true);
  // NotResource: applies when no pattern matches; an unresolvable variable makes it not apply.
  for (const p of s.resources) {
    const hit = p.test(resource, context);
    if (hit !== false) return false;
  }
  return true;
}

/**
 * Decides a request against a set of policies.
 * @example
 * evaluate({ action: 'model:Approve', resource: 'attest:credit:model/mp_1', context }, [adminPolicy])
 * // → { decision: 'Allow', decidingStatement: { policyName: 'role/administrator', sid: 'All', index: 0, … }, … }
 */
export function evaluate(request: AuthorizationRequest, policies: PolicySet, options: EvaluateOptions = {}): Decision {
  const context = withResourceKeys(request.resource, request.context);
  const matched: StatementRef[] = [];
  const nearMisses: NearMiss[] = [];
  let firstDeny: StatementRef | undefined;
  let firstAllow: StatementRef | undefined;
  for (const item of policies) {
    const policy = compiled(item);
    for (const s of policy.statementsFor(request.action)) {
      if (!resourceApplies(s, request.resource, context)) continue;
      if (options.explain) {
        const failed = s.conditions.filter((c) => !c.test(context)).map((c) => ({ operator: c.operator, key: c.key }));
        if (failed.length > 0) {
          nearMisses.push({ statement: refOf(policy.name, s), failedConditions: failed });
          continue;
        }
      } else if (!s.conditions.every((c) => c.test(context))) {
        continue;
      }
      const ref = refOf(policy.name, s);
      matched.push(ref);
      if (s.effect === 'Deny') firstDeny ??= ref;
      else firstAllow ??= ref;
    }
  }
  const decidingStatement = firstDeny ?? firstAllow;
  const decision = firstDeny ? 'ExplicitDeny' : firstAllow ? 'Allow' : 'ImplicitDeny';
  return {
    decision,
    ...(decidingStatement ? { decidingStatement } : {}),
    matchedStatements: matched,
    ...(options.explain ? { nearMisses } : {}),
    layer: 'identity',
  };
}

/**
 * Decides a request made with a scoped API token: the owner's policies and the token's scope must
 * both allow. An explicit deny in either wins; an allow by the owner that the scope does not cover
 * is an implicit deny decided by the scope layer. Without a scope this is {@link evaluate}.
 */
export function evaluateWithScope(
  request: AuthorizationRequest,
  identityPolicies: PolicySet,
  scopePolicies: PolicySet | undefined,
  options: EvaluateOptions = {},
): Decision {
  const identity = evaluate(request, identityPolicies, options);
  if (!scopePolicies || identity.decision === 'ExplicitDeny') return identity;
  const scope = { ...evaluate(request, scopePolicies, options), layer: 'scope' as const };
  const matchedStatements = [...identity.matchedStatements, ...scope.matchedStatements];
  const nearMisses = options.explain ? [...(identity.nearMisses ?? []), ...(scope.nearMisses ?? [])] : undefined;
  const merged = (d: Decision): Decision => ({ ...d, matchedStatements, ...(nearMisses ? { nearMisses } : {}) });
  if (scope.decision === 'ExplicitDeny') return merged(scope);
  if (identity.decision === 'ImplicitDeny') return merged(identity);
  if (scope.decision === 'ImplicitDeny') return merged(scope);
  return merged(identity);
}

/** True if the decision allows the request. */
export function isAllowed(decision: Decision): boolean {
  return decision.decision === 'Allow';
}

/**
 * Throws ACCESS_DENIED unless the decision allows. The message says whether a deny statement or the
 * absence of an allow decided, as IAM's messages do; which statement decided is for the audit entry
 * (the caller records `decision`), not for the response.
 */
export function assertAllowed(decision: Decision, request: AuthorizationRequest): void {
  if (decision.decision === 'Allow') return;
  if (decision.layer === 'separation-of-duties') {
    throw new AppError('SEPARATION_OF_DUTIES', {
      message: decision.separationOfDuties?.reason ?? `Not authorised to perform ${request.action} on ${request.resource}: separation of duties`,
      details: { action: request.action, resource: request.resource, decision: decision.decision, conflicts: decision.separationOfDuties?.conflicts ?? [] },
    });
  }
  const why =
    decision.decision === 'ExplicitDeny'
      ? `an explicit deny in ${decision.layer === 'scope' ? "the token's scope" : 'a policy'}`
      : decision.layer === 'scope'
        ? "the token's scope does not allow it"
        : 'no policy allows it';
  throw new AppError('ACCESS_DENIED', {
    message: `Not authorised to perform ${request.action} on ${request.resource}: ${why}`,
    details: { action: request.action, resource: request.resource, decision: decision.decision },
  });
}

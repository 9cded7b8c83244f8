/**
 * @module security/policy/separation-of-duties
 * Maker ≠ checker (architecture invariant 5; whitepaper: independent model validation). The rule:
 * *the approver of a resource must not be its creator, nor the creator of anything it was derived
 * from*. "Creator" includes the principal a service principal acted for (a pipeline run started by
 * Alice creates a model on Alice's behalf), and an approver is matched under every identity that
 * names the same person (local user id, linked OIDC subject).
 *
 * The rule is independent of policies: an administrator whose policies allow `model:Approve` is
 * still refused on their own model. It is enforced in two places:
 * - by the authorizer for every checker action of the catalogue ({@link evaluateRequest}): the
 *   capability that owns the resource supplies who made it as request facts
 *   (`attest:ResourceCreator`, `attest:ResourceMakers`; {@link provenanceFacts} builds them from
 *   its {@link ResourceProvenance}), and a checker action on a resource whose maker is not known is
 *   denied (fail closed);
 * - by a capability that needs the full lineage walk, with {@link checkSeparationOfDuties}.
 */
import { AppError } from '../../kernel/index.js';
import { isCheckerAction } from './action-catalogue.js';
import { contextString, type RequestContext } from './context-keys.js';
import { type AuthorizationRequest, type Decision, type EvaluateOptions, evaluateWithScope, type PolicySet } from './evaluate.js';

/** Who created one resource in the lineage of the resource being approved. */
export interface CreatorRecord {
  readonly resourceId: string;
  /** The principal that created it (a user, or a service principal). */
  readonly createdBy: string;
  /** The user a service principal acted for, if any. */
  readonly onBehalfOf?: string;
}

/** The person approving. */
export interface Approver {
  readonly id: string;
  /** Other identities of the same person (e.g. a linked OIDC subject). */
  readonly aliases?: readonly string[];
}

/** The resource being approved. */
export interface ApprovalTarget {
  readonly id: string;
  readonly createdBy: string;
  readonly onBehalfOf?: string;
}

/** Inputs to {@link checkSeparationOfDuties}. */
export interface SeparationOfDutiesInput {
  readonly approver: Approver;
  readonly resource: ApprovalTarget;
  /**
   * The creators of every lineage ancestor of `resourceId` (datasets, processing and training
   * components, parent models…), transitively. May be asynchronous (a lineage query).
   */
  readonly creatorsOf: (resourceId: string) => Iterable<CreatorRecord> | Promise<Iterable<CreatorRecord>>;
}

/** One reason the approver is conflicted. */
export interface SodConflict {
  readonly resourceId: string;
  readonly relation: 'self' | 'ancestor' | 'same-group';
  readonly role: 'creator' | 'on-behalf-of' | 'group-member';
  readonly principal: string;
}

/** The outcome, with a sentence for the audit entry and the API error. */
export interface SodDecision {
  readonly allowed: boolean;
  readonly reason: string;
  readonly conflicts: readonly SodConflict[];
}

/**
 * Applies the rule to already-collected creator records (pure, synchronous).
 * @example separationOfDuties({ id: 'usr_v' }, { id: 'mp_1', createdBy: 'usr_ds' }, []) // allowed
 */
export function separationOfDuties(approver: Approver, resource: ApprovalTarget, ancestors: Iterable<CreatorRecord>): SodDecision {
  const me = new Set([approver.id, ...(approver.aliases ?? [])]);
  const conflicts: SodConflict[] = [];
  const consider = (record: CreatorRecord, relation: SodConflict['relation']): void => {
    if (me.has(record.createdBy)) conflicts.push({ resourceId: record.resourceId, relation, role: 'creator', principal: record.createdBy });
    if (record.onBehalfOf !== undefined && me.has(record.onBehalfOf)) {
      conflicts.push({ resourceId: record.resourceId, relation, role: 'on-behalf-of', principal: record.onBehalfOf });
    }
  };
  consider({ resourceId: resource.id, createdBy: resource.createdBy, ...(resource.onBehalfOf !== undefined ? { onBehalfOf: resource.onBehalfOf } : {}) }, 'self');
  for (const record of ancestors) if (record.resourceId !== resource.id) consider(record, 'ancestor');
  if (conflicts.length === 0) {
    return { allowed: true, reason: `${approver.id} created neither ${resource.id} nor anything it was derived from`, conflicts };
  }
  const first = conflicts[0]!;
  const what = first.relation === 'self' ? resource.id : `${first.resourceId}, from which ${resource.id} was derived`;
  const how = first.role === 'creator' ? 'created' : 'had a service principal create';
  return { allowed: false, reason: `${approver.id} cannot approve ${resource.id}: they ${how} ${what}`, conflicts };
}

/**
 * The reusable rule: collects the lineage creators through `creatorsOf` and decides.
 * @example
 * const d = await checkSeparationOfDuties({ approver: { id: 'usr_v' }, resource: model, creatorsOf: lineage.creatorsOf });
 * if (!d.allowed) throw new AppError('SEPARATION_OF_DUTIES', { message: d.reason });
 */
export async function checkSeparationOfDuties(input: SeparationOfDutiesInput): Promise<SodDecision> {
  const ancestors = await input.creatorsOf(input.resource.id);
  return separationOfDuties(input.approver, input.resource, ancestors);
}

/** Throws SEPARATION_OF_DUTIES with the decision's reason unless it allows. */
export function assertSeparationOfDuties(decision: SodDecision): void {
  if (!decision.allowed) {
    throw new AppError('SEPARATION_OF_DUTIES', { message: decision.reason, details: { conflicts: decision.conflicts } });
  }
}

/**
 * Who made a resource, as the capability that owns it knows: the port checker actions need. The
 * registry, for a model version, names its creator, the user a pipeline's service principal acted
 * for, and the creators of its lineage ancestors.
 */
export interface ResourceProvenance {
  readonly createdBy: string;
  readonly onBehalfOf?: string;
  readonly ancestors?: Iterable<CreatorRecord>;
}

/** `user:alice`, `service:etl` and `alice` all name the principal `alice`. */
function principalName(id: string): string {
  return id.replace(/^(user|service):/, '');
}

/**
 * The request facts for a resource's provenance, for a route's `facts` hook: the creator and every
 * other maker (on-behalf-of users, ancestors' creators), as principal names.
 * @example provenanceFacts({ createdBy: 'service:etl', onBehalfOf: 'user:alice' }) // { resourceCreator: 'etl', resourceMakers: ['alice'] }
 */
export function provenanceFacts(provenance: ResourceProvenance): { resourceCreator: string; resourceMakers: string[] } {
  const makers = new Set<string>();
  if (provenance.onBehalfOf !== undefined) makers.add(principalName(provenance.onBehalfOf));
  for (const a of provenance.ancestors ?? []) {
    makers.add(principalName(a.createdBy));
    if (a.onBehalfOf !== undefined) makers.add(principalName(a.onBehalfOf));
  }
  const creator = principalName(provenance.createdBy);
  makers.delete(creator);
  return { resourceCreator: creator, resourceMakers: [...makers].sort() };
}

/**
 * Separation of duties for one request: `undefined` unless the action is a checker action;
 * otherwise allowed only if the caller (`attest:PrincipalId`) is neither `attest:ResourceCreator`
 * nor one of `attest:ResourceMakers`. Without `attest:ResourceCreator` it is denied: maker ≠
 * checker cannot be shown, so the checker action cannot go ahead.
 */
export function separationOfDutiesFor(action: string, resource: string, context: RequestContext): SodDecision | undefined {
  if (!isCheckerAction(action)) return undefined;
  const who = principalName(contextString(context, 'attest:PrincipalId') ?? '');
  const creator = contextString(context, 'attest:ResourceCreator');
  if (creator === undefined || creator === '') {
    return { allowed: false, reason: `separation of duties: who made ${resource} is unknown (no attest:ResourceCreator), so ${who} cannot perform ${action} on it`, conflicts: [] };
  }
  const rawMakers = context['attest:ResourceMakers'];
  const makers = typeof rawMakers === 'string' ? [rawMakers] : Array.isArray(rawMakers) ? (rawMakers as readonly string[]) : [];
  const conflicts: SodConflict[] = [];
  if (principalName(creator) === who) conflicts.push({ resourceId: resource, relation: 'self', role: 'creator', principal: who });
  if (makers.some((m) => principalName(m) === who)) conflicts.push({ resourceId: resource, relation: 'ancestor', role: 'creator', principal: who });
  // The same-group rule (opt-in per capability): the owning capability lists the makers' groups.
  const rawGroups = context['attest:ResourceMakerGroups'];
  const makerGroups = new Set(typeof rawGroups === 'string' ? [rawGroups] : Array.isArray(rawGroups) ? (rawGroups as readonly string[]) : []);
  const rawMine = context['attest:PrincipalGroups'];
  const mine = typeof rawMine === 'string' ? [rawMine] : Array.isArray(rawMine) ? (rawMine as readonly string[]) : [];
  for (const g of mine) if (makerGroups.has(g)) conflicts.push({ resourceId: resource, relation: 'same-group', role: 'group-member', principal: `${who} (group ${g})` });
  if (conflicts.length === 0) {
    return { allowed: true, reason: `separation of duties: ${who} made neither ${resource} nor anything it was derived from`, conflicts };
  }
  const first = conflicts[0]!;
  const how =
    first.relation === 'self' ? `created ${resource}` : first.relation === 'ancestor' ? `made ${resource} or something it was derived from` : `is in the same group as a maker of ${resource} (${first.principal})`;
  return { allowed: false, reason: `separation of duties: ${who} ${how} and cannot perform ${action} on it (maker ≠ checker)`, conflicts };
}

/**
 * The authorizer's decision: policies ({@link evaluateWithScope}), then separation of duties for a
 * checker action. A policy allow that separation of duties refuses becomes an `ExplicitDeny` of the
 * `separation-of-duties` layer; a decision on a checker action always carries the rule's verdict,
 * so the simulator can show it.
 */
export function evaluateRequest(request: AuthorizationRequest, identityPolicies: PolicySet, scopePolicies: PolicySet | undefined, options: EvaluateOptions = {}): Decision {
  const decision = evaluateWithScope(request, identityPolicies, scopePolicies, options);
  const sod = separationOfDutiesFor(request.action, request.resource, request.context ?? {});
  if (!sod) return decision;
  if (decision.decision !== 'Allow' || sod.allowed) return { ...decision, separationOfDuties: sod };
  const { decidingStatement: _policyAllow, ...rest } = decision;
  return { ...rest, decision: 'ExplicitDeny', layer: 'separation-of-duties', separationOfDuties: sod };
}

/**
 * @module security/policy/separation-of-duties
 * Maker ≠ checker (architecture invariant 5; whitepaper: independent model validation). The rule:
 * *the approver of a resource must not be its creator, nor the creator of anything it was derived
 * from*. "Creator" includes the principal a service principal acted for (a pipeline run started by
 * Alice creates a model on Alice's behalf), and an approver is matched under every identity that
 * names the same person (local user id, linked OIDC subject).
 *
 * The rule is independent of policies: an administrator whose policies allow `model:Approve` is
 * still refused on their own model. The registry calls {@link checkSeparationOfDuties} before
 * recording an approval and audits the returned reason.
 */
import { AppError } from '../../kernel/index.js';

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
  readonly relation: 'self' | 'ancestor';
  readonly role: 'creator' | 'on-behalf-of';
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

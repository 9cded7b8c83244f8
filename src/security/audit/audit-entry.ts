/**
 * @module security/audit/audit-entry
 * The audit entry (the CloudTrail part) and its hash. Each entry's hash is SHA-256 over the RFC
 * 8785 canonical JSON of all its fields including the previous entry's hash, so any edit,
 * deletion, insertion or reordering breaks the chain from that entry on.
 */
import { createHmac, hash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../../kernel/index.js';

export const AUDIT_OUTCOMES = ['allowed', 'denied', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** The hash the first entry chains to. */
export const GENESIS_HASH = '0'.repeat(64);

/** Who acted, from where: recorded with every entry. */
export interface Actor {
  /** Principal id, e.g. `user:alice`, `service:pipeline-7`, `os:root` for the local CLI. */
  readonly principal: string;
  readonly sourceIp?: string | null;
  readonly userAgent?: string | null;
  readonly requestId?: string | null;
}

export const AuditEntrySchema = z.object({
  seq: z.number().int().positive(),
  id: z.string(),
  time: z.string(),
  principal: z.string(),
  action: z.string(),
  resource: z.string(),
  outcome: z.enum(AUDIT_OUTCOMES),
  sourceIp: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** What a capability records: the action, its target, the outcome and non-secret details. */
export interface AuditRecord {
  readonly action: string;
  readonly resource: string;
  readonly outcome: AuditOutcome;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** SHA-256 (hex) of an entry's canonical form, covering every field but `hash` itself. */
export function hashEntry(entry: Omit<AuditEntry, 'hash'>): string {
  return hash('sha256', canonicalEntry(entry), 'hex');
}

const str = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));

/**
 * The entry's RFC 8785 form, byte for byte what `canonicalJson` gives for the twelve fields, built
 * directly: the top-level keys are fixed, so they are written in their sorted order and only
 * `details` goes through the general canonicaliser. Verification spends most of its time here.
 */
function canonicalEntry(e: Omit<AuditEntry, 'hash'>): string {
  const fields = [e.seq, e.id, e.time, e.principal, e.action, e.resource, e.outcome, e.sourceIp, e.userAgent, e.requestId, e.details, e.prevHash];
  if (fields.includes(undefined as never) || !Number.isSafeInteger(e.seq)) {
    const { seq, id, time, principal, action, resource, outcome, sourceIp, userAgent, requestId, details, prevHash } = e;
    return canonicalJson({ seq, id, time, principal, action, resource, outcome, sourceIp, userAgent, requestId, details, prevHash });
  }
  return `{"action":${str(e.action)},"details":${canonicalJson(e.details)},"id":${str(e.id)},"outcome":${str(e.outcome)},"prevHash":${str(e.prevHash)},"principal":${str(e.principal)},"requestId":${str(e.requestId)},"resource":${str(e.resource)},"seq":${e.seq},"sourceIp":${str(e.sourceIp)},"time":${str(e.time)},"userAgent":${str(e.userAgent)}}`;
}

/** The bytes a checkpoint signature covers. */
export function checkpointPayload(seq: number, headHash: string, createdAt: string): Buffer {
  return Buffer.from(canonicalJson({ type: 'attest-audit-checkpoint/1', seq, headHash, createdAt }));
}

/**
 * The entry's MAC: HMAC-SHA256 (hex) over its 32-byte chain hash under the key provider's audit MAC
 * key. The chain hash already commits to every field and to the entry before, so the MAC proves
 * the entry was written by a process holding the key, which a database-only writer does not.
 */
export function entryMac(macKey: Buffer, entryHashHex: string): string {
  return createHmac('sha256', macKey).update(Buffer.from(entryHashHex, 'hex')).digest('hex');
}

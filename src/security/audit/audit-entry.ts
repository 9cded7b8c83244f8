/**
 * @module security/audit/audit-entry
 * The audit entry (the CloudTrail part) and its hash. Each entry's hash is SHA-256 over the RFC
 * 8785 canonical JSON of all its fields including the previous entry's hash, so any edit,
 * deletion, insertion or reordering breaks the chain from that entry on.
 */
import { createHash, createHmac } from 'node:crypto';
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
  const body = canonicalJson({
    seq: entry.seq,
    id: entry.id,
    time: entry.time,
    principal: entry.principal,
    action: entry.action,
    resource: entry.resource,
    outcome: entry.outcome,
    sourceIp: entry.sourceIp,
    userAgent: entry.userAgent,
    requestId: entry.requestId,
    details: entry.details,
    prevHash: entry.prevHash,
  });
  return createHash('sha256').update(body).digest('hex');
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

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
 * An entry as its row stores it (the `audit_events` columns): `details` as the stored JSON text
 * (not parsed), the MAC (null for entries written before MACs, or stripped), and `seq` as the
 * driver returns it (PostgreSQL's bigint comes as a string). Verification reads entries in this
 * form so a million rows cost no JSON parsing or object rebuilding ({@link storedEntryMatchesHash}).
 */
export interface StoredEntry {
  readonly seq: number | string;
  readonly id: string;
  readonly time: string;
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly outcome: string;
  readonly source_ip: string | null;
  readonly user_agent: string | null;
  readonly request_id: string | null;
  readonly details: string;
  readonly prev_hash: string;
  readonly hash: string;
  readonly mac: string | null;
}

/**
 * Whether a stored entry's content hashes to its stored hash. Fast path: the stored details text is
 * put into the canonical form as it is — entries are appended with canonical details, and SHA-256
 * of the resulting string can equal the stored hash only if it is exactly the string the writer
 * hashed. When that fails (details stored in another key order by older versions, or an edit) the
 * details are parsed and canonicalised, which is the definition, and compared again.
 */
export function storedEntryMatchesHash(e: StoredEntry): boolean {
  const seq = Number(e.seq);
  if (!Number.isSafeInteger(seq)) return false;
  const head = `{"action":${str(e.action)},"details":`;
  const tail = `,"id":${str(e.id)},"outcome":${str(e.outcome)},"prevHash":${str(e.prev_hash)},"principal":${str(e.principal)},"requestId":${str(e.request_id)},"resource":${str(e.resource)},"seq":${seq},"sourceIp":${str(e.source_ip)},"time":${str(e.time)},"userAgent":${str(e.user_agent)}}`;
  if (hash('sha256', head + e.details + tail, 'hex') === e.hash) return true;
  let details: unknown;
  try {
    details = JSON.parse(e.details);
  } catch {
    return false;
  }
  if (details === null || typeof details !== 'object' || Array.isArray(details)) return false;
  return hash('sha256', head + canonicalJson(details) + tail, 'hex') === e.hash;
}

/** HMAC-SHA256 pads of a key (RFC 2104), each followed by room for the 32-byte message. */
interface MacPads {
  inner: Buffer;
  outer: Buffer;
}
const padsByKey = new WeakMap<Buffer, MacPads>();

function macPads(key: Buffer): MacPads {
  let pads = padsByKey.get(key);
  if (!pads) {
    const block = Buffer.alloc(64);
    (key.length > 64 ? hash('sha256', key, 'buffer') : key).copy(block);
    const inner = Buffer.alloc(96);
    const outer = Buffer.alloc(96);
    for (let i = 0; i < 64; i++) {
      inner[i] = block[i]! ^ 0x36;
      outer[i] = block[i]! ^ 0x5c;
    }
    pads = { inner, outer };
    padsByKey.set(key, pads);
  }
  return pads;
}

/**
 * The entry's MAC: HMAC-SHA256 (hex) over its 32-byte chain hash under the key provider's audit MAC
 * key. The chain hash already commits to every field and to the entry before, so the MAC proves
 * the entry was written by a process holding the key, which a database-only writer does not.
 * Computed from the key's precomputed pads with two one-shot hashes (the same value as
 * `createHmac`, at about half the cost per entry, which verification of 1M entries feels).
 */
export function entryMac(macKey: Buffer, entryHashHex: string): string {
  const { inner, outer } = macPads(macKey);
  if (entryHashHex.length !== 64 || inner.write(entryHashHex, 64, 'hex') !== 32) return createHmac('sha256', macKey).update(Buffer.from(entryHashHex, 'hex')).digest('hex');
  hash('sha256', inner, 'buffer').copy(outer, 64);
  return hash('sha256', outer, 'hex');
}

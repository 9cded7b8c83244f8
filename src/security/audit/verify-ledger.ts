/**
 * @module security/audit/verify-ledger
 * `attest audit verify`: walks the hash chain and the signed checkpoints and names the first entry
 * that does not check out. What each check catches, for someone with write access to the database:
 * - an edited entry: its recomputed hash differs from the stored one;
 * - an edited entry whose hash was recomputed too: the next entry's `prevHash` no longer matches;
 * - a deleted or inserted entry: a gap or repeat in the sequence, or a broken `prevHash` link;
 * - reordered entries: the `prevHash` links no longer follow the sequence;
 * - the whole chain rewritten after a point: signed checkpoints (Ed25519, keys whose public halves
 *   come from the key provider, not the database) no longer match the entries they cover;
 * - the newest entries deleted: a signed checkpoint or the external anchor points past the end.
 */
import { createPublicKey, verify as edVerify } from 'node:crypto';
import type { Db } from '../../platform/db/index.js';
import type { AuditLedger } from './audit-ledger.js';
import { GENESIS_HASH, checkpointPayload, hashEntry } from './audit-entry.js';

export interface VerifyProblem {
  /** Sequence number of the first entry found bad (or the checkpoint's seq). */
  seq: number;
  /** Id of that entry when it exists. */
  entryId?: string;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  entriesChecked: number;
  checkpointsChecked: number;
  headSeq: number;
  /** The first problem, in ledger order; undefined when the ledger verifies. */
  firstProblem?: VerifyProblem;
  problems: VerifyProblem[];
}

export interface VerifyOptions {
  /** Resolves a checkpoint signer's trusted public key (SPKI DER base64) outside the database. */
  trustedPublicKey(keyId: string, version: number): Promise<string | undefined>;
  /** The newest checkpoint as recorded outside the database (e.g. the home's anchor file). */
  anchor?: { seq: number; headHash: string };
}

export async function verifyLedger(db: Db, ledger: AuditLedger, options: VerifyOptions): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const hashes = new Map<number, { hash: string; id: string }>();
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  let chainBroken = false;
  for await (const entry of ledger.iterate()) {
    count++;
    hashes.set(entry.seq, { hash: entry.hash, id: entry.id });
    if (chainBroken) continue;
    if (entry.seq !== expectedSeq) {
      problems.push({
        seq: entry.seq,
        entryId: entry.id,
        reason: entry.seq > expectedSeq ? `entries ${expectedSeq}..${entry.seq - 1} are missing (deleted)` : `sequence number repeats or goes back (expected ${expectedSeq})`,
      });
      chainBroken = true;
      continue;
    }
    const { hash, ...unhashed } = entry;
    if (hashEntry(unhashed) !== hash) {
      problems.push({ seq: entry.seq, entryId: entry.id, reason: 'entry content does not match its hash (edited)' });
      chainBroken = true;
      continue;
    }
    if (entry.prevHash !== prevHash) {
      problems.push({ seq: entry.seq, entryId: entry.id, reason: 'entry does not chain to the previous entry (edited, inserted, deleted or reordered before it)' });
      chainBroken = true;
      continue;
    }
    prevHash = hash;
    expectedSeq++;
  }
  const head = { seq: expectedSeq - 1 };

  const checkpoints = await db.kysely.selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'asc').execute();
  for (const cp of checkpoints) {
    const seq = Number(cp.seq);
    const publicKey = await options.trustedPublicKey(cp.key_id, cp.key_version);
    const signatureOk =
      publicKey !== undefined &&
      safeVerify(checkpointPayload(seq, cp.head_hash, cp.created_at), publicKey, Buffer.from(cp.signature, 'base64'));
    if (!signatureOk) {
      problems.push({ seq, reason: `checkpoint at ${seq} has no valid signature from a trusted key` });
      continue;
    }
    const covered = hashes.get(seq);
    if (!covered) problems.push({ seq, reason: `checkpoint at ${seq} covers an entry that no longer exists (deleted)` });
    else if (covered.hash !== cp.head_hash) problems.push({ seq, entryId: covered.id, reason: `entries up to ${seq} differ from what the checkpoint signed (rewritten)` });
  }
  if (options.anchor && options.anchor.seq > 0) {
    const covered = hashes.get(options.anchor.seq);
    if (!covered) problems.push({ seq: options.anchor.seq, reason: `the external anchor names entry ${options.anchor.seq}, which no longer exists (deleted)` });
    else if (covered.hash !== options.anchor.headHash) problems.push({ seq: options.anchor.seq, entryId: covered.id, reason: `entry ${options.anchor.seq} differs from the external anchor (rewritten)` });
  }
  problems.sort((a, b) => a.seq - b.seq);
  return {
    ok: problems.length === 0,
    entriesChecked: count,
    checkpointsChecked: checkpoints.length,
    headSeq: head.seq,
    ...(problems[0] ? { firstProblem: problems[0] } : {}),
    problems,
  };
}

function safeVerify(payload: Buffer, spkiBase64: string, signature: Buffer): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(spkiBase64, 'base64'), format: 'der', type: 'spki' });
    return edVerify(null, payload, key, signature);
  } catch {
    return false;
  }
}

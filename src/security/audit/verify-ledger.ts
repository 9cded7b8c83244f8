/**
 * @module security/audit/verify-ledger
 * Full verification of the ledger: walks every entry once, in order, and reports the first entry
 * that does not check out. What each check catches, for someone with write access to the database:
 * - an edited entry: its recomputed hash differs from the stored one;
 * - an edited entry whose hash was recomputed too: the next entry's `prevHash` no longer matches,
 *   and its MAC (under a key the database never holds) does not match the new hash;
 * - a deleted or inserted entry: a gap or repeat in the sequence, or a broken `prevHash` link;
 * - reordered entries: the `prevHash` links no longer follow the sequence;
 * - a forged entry appended with a correct hash, or MACs stripped: its MAC is missing or wrong
 *   (from the sequence number recorded outside the database on, every entry must carry one);
 * - the whole chain rewritten or truncated below a published head: the signed tree heads of the
 *   anchor history and witnesses (outside the database) no longer match the chain hash or the
 *   Merkle root of the entries they cover;
 * - checkpoint rows deleted: a head of the anchor history has no row any more;
 * - the anchor history rolled back to an older copy: the database holds a newer signed tree head.
 * One pass costs per entry a canonical-JSON hash, one HMAC, one Merkle leaf hash and on average one
 * node hash; roots are folded only at the sizes some head names.
 */
import type { Db } from '../../platform/db/index.js';
import type { AuditLedger } from './audit-ledger.js';
import type { StoredEntry } from './audit-entry.js';
import { GENESIS_HASH, checkpointPayload, entryMac, storedEntryMatchesHash } from './audit-entry.js';
import type { HistoryLine } from './anchor-history.js';
import { MerkleFrontier, leafHash } from './merkle.js';
import type { SignedTreeHead, TrustedKeyLookup } from './tree-head.js';
import { TREE_HEAD_FORMAT, verifyEd25519, verifyTreeHead } from './tree-head.js';

export interface VerifyProblem {
  /** Sequence number of the first entry found bad (or the tree size a head names). */
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

/** Which entries must carry a MAC, and the key to check it with (both from outside the database). */
export interface MacPolicy {
  readonly key: Buffer;
  /** Entries from this sequence number on must carry a valid MAC. */
  readonly requiredFromSeq: number;
}

export interface VerifyOptions {
  /** Resolves a signer's trusted public key (SPKI DER base64) outside the database. */
  trustedPublicKey: TrustedKeyLookup;
  /** The anchor history (every signed tree head this installation issued), as read from its file. */
  history?: readonly HistoryLine[];
  /** Copies kept by witnesses (each a history of heads it received). */
  witnesses?: readonly { name: string; lines: readonly HistoryLine[] }[];
  /** The pre-history anchor file (`audit-anchor.json`): the newest checkpoint when it was written. */
  anchor?: { seq: number; headHash: string };
  mac?: MacPolicy;
}

/** What the walk saw at one sequence number some head names. */
interface Observed {
  hash: string;
  id: string;
  /** Merkle root of entries 1..seq, when the chain verified up to there. */
  root?: string;
}

/**
 * Checks entries one by one against the chain, the MAC policy and the growing Merkle tree. Used by
 * full verification from genesis and by checkpoints from the last trusted head.
 */
export class ChainWalker {
  seq: number;
  hash: string;
  readonly frontier: MerkleFrontier;
  broken = false;
  count = 0;
  readonly observed = new Map<number, Observed>();
  readonly #watch: ReadonlySet<number>;
  readonly #mac: MacPolicy | undefined;

  constructor(start: { seq: number; hash: string; frontier: MerkleFrontier }, watch: ReadonlySet<number>, mac: MacPolicy | undefined) {
    this.seq = start.seq;
    this.hash = start.hash;
    this.frontier = start.frontier;
    this.#watch = watch;
    this.#mac = mac;
  }

  /** Checks the next stored entry; returns the problem that breaks the chain, if any. */
  accept(entry: StoredEntry): VerifyProblem | undefined {
    this.count++;
    const seq = Number(entry.seq);
    const watched = this.#watch.has(seq);
    if (this.broken) {
      if (watched) this.observed.set(seq, { hash: entry.hash, id: entry.id });
      return undefined;
    }
    const problem = this.#check(entry, seq);
    if (problem) {
      this.broken = true;
      if (watched) this.observed.set(seq, { hash: entry.hash, id: entry.id });
      return problem;
    }
    this.frontier.push(leafHash(entry.hash));
    this.seq = seq;
    this.hash = entry.hash;
    if (watched) this.observed.set(seq, { hash: entry.hash, id: entry.id, root: this.frontier.root().toString('hex') });
    return undefined;
  }

  #check(entry: StoredEntry, seq: number): VerifyProblem | undefined {
    const expectedSeq = this.seq + 1;
    if (seq !== expectedSeq) {
      return {
        seq,
        entryId: entry.id,
        reason: seq > expectedSeq ? `entries ${expectedSeq}..${seq - 1} are missing (deleted)` : `sequence number repeats or goes back (expected ${expectedSeq})`,
      };
    }
    const { hash, mac } = entry;
    if (!storedEntryMatchesHash(entry)) return { seq, entryId: entry.id, reason: 'entry content does not match its hash (edited)' };
    if (entry.prev_hash !== this.hash) {
      return { seq, entryId: entry.id, reason: 'entry does not chain to the previous entry (edited, inserted, deleted or reordered before it)' };
    }
    if (this.#mac) {
      if (mac === null) {
        if (seq >= this.#mac.requiredFromSeq) return { seq, entryId: entry.id, reason: 'entry has no MAC (forged by a writer without the audit MAC key, or its MAC was stripped)' };
      } else if (mac !== entryMac(this.#mac.key, hash)) {
        return { seq, entryId: entry.id, reason: 'entry MAC does not match (forged or rewritten by a writer without the audit MAC key)' };
      }
    }
    return undefined;
  }
}

/**
 * Rows per page of the verification walk. On SQLite (in process, no round trip) small pages keep
 * each page's row objects short-lived, so they die in the young generation: on 100,000 entries
 * pages of 20,000 rows cost about 2.2–2.7 s of garbage-collection pauses, pages of 2,000 about
 * 0.75 s. On PostgreSQL each page is a query over the network, and large pages let the server
 * stream while the previous page is hashed (the 200k-entry bench fell from 1.54 to 0.73 of the
 * chain-only walk with 2,000-row pages), so it keeps large pages.
 */
const VERIFY_PAGE_ROWS = { sqlite: 2_000, postgres: 20_000 } as const;

/** A checkpoint row as a signed tree head (rows from before migration 0005 have no tree root). */
export function rowToTreeHead(row: { seq: number | string; head_hash: string; created_at: string; key_id: string; key_version: number; signature: string; tree_root: string | null }): SignedTreeHead | undefined {
  if (row.tree_root === null) return undefined;
  return { format: TREE_HEAD_FORMAT, treeSize: Number(row.seq), rootHash: row.tree_root, chainHead: row.head_hash, createdAt: row.created_at, keyId: row.key_id, keyVersion: row.key_version, signature: row.signature };
}

export async function verifyLedger(db: Db, ledger: AuditLedger, options: VerifyOptions): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  // Rows are read before the history: a concurrent checkpoint appends its line before inserting
  // its row, so a row read first always has its line in a history read after.
  const rows = await db.kysely.selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'asc').execute();
  const history = options.history ?? [];
  const sources: { name: string; lines: readonly HistoryLine[]; isHistory: boolean }[] = [
    { name: 'the anchor history', lines: history, isHistory: true },
    ...(options.witnesses ?? []).map((w) => ({ ...w, isHistory: false })),
  ];

  // Heads that must be matched by the entries, each with where it came from.
  const heads: { head: SignedTreeHead; source: string }[] = [];
  const verifiedSignatures = new Set<string>();
  for (const source of sources) {
    for (const line of source.lines) {
      if (!line.head) {
        problems.push({ seq: 0, reason: `line ${line.line} of ${source.name} is not a signed tree head (damaged)` });
        continue;
      }
      if (!verifiedSignatures.has(line.head.signature) && !(await verifyTreeHead(line.head, options.trustedPublicKey))) {
        problems.push({ seq: line.head.treeSize, reason: `line ${line.line} of ${source.name} has no valid signature from a trusted key (forged)` });
        continue;
      }
      verifiedSignatures.add(line.head.signature);
      heads.push({ head: line.head, source: source.name });
    }
  }
  const rowHeads = new Map<number, SignedTreeHead>();
  const legacyRows: typeof rows = [];
  for (const row of rows) {
    const seq = Number(row.seq);
    const head = rowToTreeHead(row);
    if (!head) {
      legacyRows.push(row);
      continue;
    }
    if (!verifiedSignatures.has(head.signature) && !(await verifyTreeHead(head, options.trustedPublicKey))) {
      problems.push({ seq, reason: `checkpoint at ${seq} has no valid signature from a trusted key` });
      continue;
    }
    verifiedSignatures.add(head.signature);
    rowHeads.set(seq, head);
    heads.push({ head, source: 'the checkpoint table' });
  }
  for (const row of legacyRows) {
    const seq = Number(row.seq);
    const publicKey = await options.trustedPublicKey(row.key_id, row.key_version);
    if (publicKey === undefined || !verifyEd25519(checkpointPayload(seq, row.head_hash, row.created_at), publicKey, row.signature)) {
      problems.push({ seq, reason: `checkpoint at ${seq} has no valid signature from a trusted key` });
    }
  }

  const historySizes = history.flatMap((l) => (l.head && verifiedSignatures.has(l.head.signature) ? [l.head.treeSize] : []));
  const newestAnchored = historySizes.length > 0 ? Math.max(...historySizes) : 0;
  for (const [seq] of rowHeads) {
    if (seq > newestAnchored) {
      problems.push({ seq, reason: `the database holds a signed tree head at ${seq} but the anchor history ends at ${newestAnchored} (the anchor history was rolled back or replaced)` });
    }
  }
  for (const size of new Set(historySizes)) {
    if (size < newestAnchored && !rowHeads.has(size) && size > 0) {
      problems.push({ seq: size, reason: `the signed tree head at ${size} is in the anchor history but its checkpoint row is gone (deleted from the database)` });
    }
  }

  const watch = new Set<number>([...heads.map((h) => h.head.treeSize), ...legacyRows.map((r) => Number(r.seq))]);
  if (options.anchor) watch.add(options.anchor.seq);
  const walker = new ChainWalker({ seq: 0, hash: GENESIS_HASH, frontier: new MerkleFrontier() }, watch, options.mac);
  for await (const page of ledger.scan(0, VERIFY_PAGE_ROWS[db.dialect])) {
    for (const stored of page) {
      const problem = walker.accept(stored);
      if (problem) problems.push(problem);
    }
  }

  for (const { head, source } of heads) {
    if (head.treeSize === 0) continue;
    const seen = walker.observed.get(head.treeSize);
    if (!seen) problems.push({ seq: head.treeSize, reason: `${source} names entry ${head.treeSize}, which no longer exists (deleted or truncated)` });
    else if (seen.hash !== head.chainHead || (seen.root !== undefined && seen.root !== head.rootHash)) {
      problems.push({ seq: head.treeSize, entryId: seen.id, reason: `entries up to ${head.treeSize} differ from the signed tree head in ${source} (rewritten)` });
    }
  }
  for (const row of legacyRows) {
    const seq = Number(row.seq);
    const seen = walker.observed.get(seq);
    if (!seen) problems.push({ seq, reason: `checkpoint at ${seq} covers an entry that no longer exists (deleted)` });
    else if (seen.hash !== row.head_hash) problems.push({ seq, entryId: seen.id, reason: `entries up to ${seq} differ from what the checkpoint signed (rewritten)` });
  }
  if (options.anchor && options.anchor.seq > 0) {
    const seen = walker.observed.get(options.anchor.seq);
    if (!seen) problems.push({ seq: options.anchor.seq, reason: `the external anchor names entry ${options.anchor.seq}, which no longer exists (deleted)` });
    else if (seen.hash !== options.anchor.headHash) problems.push({ seq: options.anchor.seq, entryId: seen.id, reason: `entry ${options.anchor.seq} differs from the external anchor (rewritten)` });
  }
  problems.sort((a, b) => a.seq - b.seq);
  return {
    ok: problems.length === 0,
    entriesChecked: walker.count,
    checkpointsChecked: rows.length,
    headSeq: walker.seq,
    ...(problems[0] ? { firstProblem: problems[0] } : {}),
    problems,
  };
}

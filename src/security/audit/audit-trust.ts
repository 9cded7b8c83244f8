/**
 * @module security/audit/audit-trust
 * Who vouches for the ledger: signs tree heads, keeps the anchor history outside the database,
 * mirrors heads to witnesses, and verifies. A tree head is signed only after the entries since the
 * last trusted head verify (chain, MACs, Merkle tree) and that head is still present and unchanged,
 * so a tampered database is never re-anchored: the anchor never moves backwards or sideways, and
 * every later checkpoint refuses with AUDIT_CHAIN_BROKEN until the ledger is restored.
 */
import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { AppError } from '../../kernel/index.js';
import type { Db } from '../../platform/db/index.js';
import type { AuditLedger, CheckpointSigner } from './audit-ledger.js';
import { GENESIS_HASH, checkpointPayload, hashEntry } from './audit-entry.js';
import type { HistoryLine } from './anchor-history.js';
import { AnchorHistory, appendLineDurably, readAnchorHistory } from './anchor-history.js';
import type { EvidenceBundle, InclusionEvidence } from './evidence-bundle.js';
import { buildEvidenceBundle, proveEntry } from './evidence-bundle.js';
import { MerkleFrontier } from './merkle.js';
import type { SignedTreeHead, TrustedKeyLookup } from './tree-head.js';
import { TREE_HEAD_FORMAT, treeHeadPayload, verifyEd25519, verifyTreeHead } from './tree-head.js';
import type { MacPolicy, VerifyProblem, VerifyReport } from './verify-ledger.js';
import { ChainWalker, rowToTreeHead, verifyLedger } from './verify-ledger.js';
import type { StoreWitness } from './store-witness.js';

/** Where signed tree heads are mirrored besides the anchor history. */
export interface WitnessTargets {
  /** A file (on another volume or machine) that receives every head, appended like the history. */
  readonly file?: string;
  /** An HTTPS endpoint that receives every head as a JSON POST. */
  readonly url?: string;
  /** The write-once artifact store, which keeps every head as an object of its own ({@link StoreWitness}). */
  readonly store?: StoreWitness;
}

export interface AuditTrustDeps {
  readonly db: Db;
  readonly ledger: AuditLedger;
  readonly signer: CheckpointSigner;
  readonly trustedPublicKey: TrustedKeyLookup;
  /** The anchor history file, e.g. `<home>/audit-anchors.jsonl`. */
  readonly historyPath: string;
  /** The pre-history single anchor file (`<home>/audit-anchor.json`), still honoured when present. */
  readonly legacyAnchorPath?: string;
  readonly witness?: WitnessTargets;
  readonly mac?: MacPolicy;
  readonly now?: () => Date;
}

export interface CheckpointOutcome {
  /** The head signed now, or undefined when the newest head already covered every entry. */
  readonly signed: SignedTreeHead | undefined;
  /** The newest trusted head after this call. */
  readonly head: SignedTreeHead | undefined;
  /** Witness deliveries that failed (the head is in the history regardless). */
  readonly witnessErrors: readonly string[];
}

/** The state a checkpoint continues from: a trusted head and the compact range at its size. */
interface TrustedState {
  readonly head: SignedTreeHead;
  readonly frontier: MerkleFrontier;
}

export class AuditTrust {
  readonly #deps: AuditTrustDeps;
  readonly #history: AnchorHistory;
  #newest: SignedTreeHead | undefined;
  #state: TrustedState | undefined;
  #rowEnsuredFor: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(deps: AuditTrustDeps) {
    this.#deps = deps;
    this.#history = new AnchorHistory(deps.historyPath);
  }

  /** Signs a tree head over new entries after verifying them; serialised within the process. */
  checkpoint(): Promise<CheckpointOutcome> {
    const run = this.#queue.then(() => this.#checkpoint());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Full verification against the database's checkpoints, the anchor history, witnesses and the legacy anchor. */
  async verify(): Promise<VerifyReport> {
    const witnessFile = this.#deps.witness?.file;
    const witnessStore = this.#deps.witness?.store;
    const witnesses = [
      ...(witnessFile ? [{ name: `the witness file ${witnessFile}`, lines: readAnchorHistory(witnessFile) }] : []),
      ...(witnessStore ? [{ name: witnessStore.name, lines: await witnessStore.read() }] : []),
    ];
    const anchor = this.#legacyAnchor();
    return verifyLedger(this.#deps.db, this.#deps.ledger, {
      trustedPublicKey: this.#deps.trustedPublicKey,
      history: readAnchorHistory(this.#deps.historyPath),
      ...(witnesses.length > 0 ? { witnesses } : {}),
      ...(anchor ? { anchor } : {}),
      ...(this.#deps.mac ? { mac: this.#deps.mac } : {}),
    });
  }

  /** The newest signed tree head of the anchor history (after reading what other processes appended). */
  async newestHead(): Promise<SignedTreeHead | undefined> {
    await this.#refreshHistory([]);
    return this.#newest;
  }

  /** Every validly signed head of the anchor history, oldest first by tree size. */
  async historyHeads(): Promise<SignedTreeHead[]> {
    const heads: SignedTreeHead[] = [];
    for (const line of readAnchorHistory(this.#deps.historyPath)) {
      if (line.head && (await verifyTreeHead(line.head, this.#deps.trustedPublicKey))) heads.push(line.head);
    }
    return heads.sort((a, b) => a.treeSize - b.treeSize);
  }

  /** The inclusion proof of entry `seq` in the newest signed tree head. */
  async prove(seq: number): Promise<InclusionEvidence> {
    return proveEntry({ ledger: this.#deps.ledger, heads: await this.historyHeads(), trustedPublicKey: this.#deps.trustedPublicKey }, seq);
  }

  /** The evidence bundle for entries fromSeq..toSeq (default: everything the newest head covers). */
  async bundle(range: { fromSeq?: number; toSeq?: number } = {}): Promise<EvidenceBundle> {
    return buildEvidenceBundle({ ledger: this.#deps.ledger, heads: await this.historyHeads(), trustedPublicKey: this.#deps.trustedPublicKey }, range, this.#deps.now?.() ?? new Date());
  }

  async #refreshHistory(problems: VerifyProblem[]): Promise<void> {
    const lines: HistoryLine[] = this.#history.readNew();
    if (this.#history.shrunk) problems.push({ seq: this.#newest?.treeSize ?? 0, reason: `the anchor history ${this.#deps.historyPath} shrank while in use (truncated or replaced)` });
    for (const { line, head } of lines) {
      if (!head || !(await verifyTreeHead(head, this.#deps.trustedPublicKey))) {
        problems.push({ seq: head?.treeSize ?? 0, reason: `line ${line} of the anchor history is not a validly signed tree head (damaged or forged)` });
        continue;
      }
      if (!this.#newest || head.treeSize > this.#newest.treeSize) this.#newest = head;
    }
  }

  #legacyAnchor(): { seq: number; headHash: string } | undefined {
    const path = this.#deps.legacyAnchorPath;
    if (!path || !existsSync(path)) return undefined;
    try {
      const anchor = JSON.parse(readFileSync(path, 'utf8')) as { seq?: unknown; headHash?: unknown };
      if (typeof anchor.seq === 'number' && typeof anchor.headHash === 'string') return { seq: anchor.seq, headHash: anchor.headHash };
    } catch {
      throw new AppError('AUDIT_CHAIN_BROKEN', { message: `The audit anchor ${path} is unreadable` });
    }
    throw new AppError('AUDIT_CHAIN_BROKEN', { message: `The audit anchor ${path} is malformed` });
  }

  /** Where to continue from: the cached state, the newest head's stored frontier, or genesis. */
  async #startState(newest: SignedTreeHead | undefined): Promise<{ seq: number; hash: string; frontier: MerkleFrontier }> {
    if (!newest) return { seq: 0, hash: GENESIS_HASH, frontier: new MerkleFrontier() };
    if (this.#state && this.#state.head.signature === newest.signature) {
      return { seq: newest.treeSize, hash: newest.chainHead, frontier: this.#state.frontier.clone() };
    }
    const row = await this.#deps.db.kysely.selectFrom('audit_checkpoints').select(['tree_frontier', 'tree_root']).where('seq', '=', newest.treeSize).executeTakeFirst();
    if (row?.tree_frontier) {
      try {
        const frontier = MerkleFrontier.fromJSON(newest.treeSize, JSON.parse(row.tree_frontier) as string[]);
        // The row is only a hint: it is used only if it folds to the root the signed head names.
        if (frontier.root().toString('hex') === newest.rootHash) return { seq: newest.treeSize, hash: newest.chainHead, frontier };
      } catch {
        // A damaged hint costs a walk from genesis, nothing more.
      }
    }
    return { seq: 0, hash: GENESIS_HASH, frontier: new MerkleFrontier() };
  }

  async #checkpoint(): Promise<CheckpointOutcome> {
    const { db, ledger } = this.#deps;
    const problems: VerifyProblem[] = [];
    // Rows first, then the history: a concurrent signer appends its line before inserting its row.
    const newestRow = await db.kysely.selectFrom('audit_checkpoints').select(sql<number | string | null>`max(seq)`.as('seq')).where('tree_root', 'is not', null).executeTakeFirst();
    await this.#refreshHistory(problems);
    const newest = this.#newest;
    const anchoredSize = newest?.treeSize ?? 0;
    if (newestRow?.seq !== null && newestRow?.seq !== undefined && Number(newestRow.seq) > anchoredSize) {
      const newer = await db.kysely.selectFrom('audit_checkpoints').selectAll().where('tree_root', 'is not', null).where('seq', '>', anchoredSize).orderBy('seq', 'asc').execute();
      for (const row of newer) {
        const head = rowToTreeHead(row);
        if (head && (await verifyTreeHead(head, this.#deps.trustedPublicKey))) {
          problems.push({ seq: head.treeSize, reason: `the database holds a signed tree head at ${head.treeSize} but the anchor history ends at ${anchoredSize} (the anchor history was rolled back or replaced)` });
        }
      }
    }
    // Checkpoints signed before migration 0005 (no tree root) still pin the entries they cover.
    const legacyRows = await db.kysely.selectFrom('audit_checkpoints').selectAll().where('tree_root', 'is', null).where('seq', '>', anchoredSize).orderBy('seq', 'asc').execute();
    const start = await this.#startState(newest);
    if (newest && newest.treeSize > 0 && start.seq === newest.treeSize) {
      const entry = await ledger.entryAt(newest.treeSize);
      if (!entry) problems.push({ seq: newest.treeSize, reason: `the last anchored entry ${newest.treeSize} no longer exists (deleted or truncated)` });
      else {
        const { hash, ...unhashed } = entry;
        if (hash !== newest.chainHead || hashEntry(unhashed) !== hash) problems.push({ seq: newest.treeSize, entryId: entry.id, reason: `entry ${newest.treeSize} differs from the last anchored head (rewritten)` });
      }
    }
    const anchor = this.#legacyAnchor();
    const watch = new Set<number>([...legacyRows.map((r) => Number(r.seq)), ...(newest ? [newest.treeSize] : []), ...(anchor ? [anchor.seq] : [])]);
    const walker = new ChainWalker(start, watch, this.#deps.mac);
    if (problems.length === 0) {
      scan: for await (const page of ledger.scan(start.seq)) {
        for (const stored of page) {
          const problem = walker.accept(stored);
          if (problem) {
            problems.push(problem);
            break scan;
          }
        }
      }
    }
    if (problems.length === 0) {
      const expect = (seq: number, hash: string, root: string | undefined, what: string) => {
        if (seq === 0 || seq <= start.seq) return;
        const seen = walker.observed.get(seq);
        if (!seen) problems.push({ seq, reason: `${what} names entry ${seq}, which no longer exists (deleted or truncated)` });
        else if (seen.hash !== hash || (root !== undefined && seen.root !== root)) problems.push({ seq, entryId: seen.id, reason: `entries up to ${seq} differ from ${what} (rewritten)` });
      };
      if (newest) expect(newest.treeSize, newest.chainHead, newest.rootHash, 'the last anchored head');
      if (anchor) expect(anchor.seq, anchor.headHash, undefined, 'the legacy anchor file');
      for (const row of legacyRows) {
        const seq = Number(row.seq);
        const key = await this.#deps.trustedPublicKey(row.key_id, row.key_version);
        if (key !== undefined && verifyEd25519(checkpointPayload(seq, row.head_hash, row.created_at), key, row.signature)) expect(seq, row.head_hash, undefined, `the checkpoint at ${seq}`);
      }
    }
    if (problems.length > 0) {
      problems.sort((a, b) => a.seq - b.seq);
      const first = problems[0]!;
      throw new AppError('AUDIT_CHAIN_BROKEN', {
        message: `Refusing to sign a checkpoint: the audit ledger failed verification at entry ${first.seq}${first.entryId ? ` (${first.entryId})` : ''}: ${first.reason}`,
        details: { problems },
      });
    }
    if (newest) await this.#ensureRow(newest, walker.seq === newest.treeSize ? walker.frontier : undefined);
    if (newest && walker.seq === newest.treeSize) {
      this.#state = { head: newest, frontier: walker.frontier };
      return { signed: undefined, head: newest, witnessErrors: [] };
    }
    if (walker.seq === 0) return { signed: undefined, head: newest, witnessErrors: [] };
    const unsigned = { treeSize: walker.seq, rootHash: walker.frontier.root().toString('hex'), chainHead: walker.hash, createdAt: (this.#deps.now?.() ?? new Date()).toISOString() };
    const signed = await this.#deps.signer.sign(treeHeadPayload(unsigned));
    const head: SignedTreeHead = { format: TREE_HEAD_FORMAT, ...unsigned, keyId: signed.keyId, keyVersion: signed.keyVersion, signature: signed.signature.toString('base64') };
    // The history first: a crash before the row leaves a head the row repair above restores; the
    // other order would leave a signed row newer than the history, which reads as a rollback.
    const line = JSON.stringify(head);
    appendLineDurably(this.#deps.historyPath, line);
    this.#history.readNew();
    this.#newest = head;
    this.#state = { head, frontier: walker.frontier };
    const witnessErrors = await this.#mirror(head, line);
    await this.#ensureRow(head, walker.frontier);
    return { signed: head, head, witnessErrors };
  }

  /** Makes sure the head has its checkpoint row (restores the row a crash after the history append lost). */
  async #ensureRow(head: SignedTreeHead, frontier: MerkleFrontier | undefined): Promise<void> {
    if (this.#rowEnsuredFor === head.signature) return;
    await this.#deps.db.kysely
      .insertInto('audit_checkpoints')
      .values({
        seq: head.treeSize,
        head_hash: head.chainHead,
        created_at: head.createdAt,
        key_id: head.keyId,
        key_version: head.keyVersion,
        signature: head.signature,
        tree_root: head.rootHash,
        tree_frontier: frontier ? JSON.stringify(frontier.toJSON()) : null,
      })
      .onConflict((oc) => oc.column('seq').doNothing())
      .execute();
    this.#rowEnsuredFor = head.signature;
  }

  async #mirror(head: SignedTreeHead, line: string): Promise<string[]> {
    const errors: string[] = [];
    const { file, url, store } = this.#deps.witness ?? {};
    if (store) {
      try {
        await store.append(line);
      } catch (error) {
        errors.push(`${store.name}: ${(error as Error).message}`);
      }
    }
    if (file) {
      try {
        appendLineDurably(file, line);
      } catch (error) {
        errors.push(`witness file ${file}: ${(error as Error).message}`);
      }
    }
    if (url) {
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'attest-audit-witness/1' }, body: JSON.stringify(head), signal: AbortSignal.timeout(5000) });
        await response.arrayBuffer().catch(() => undefined);
        if (!response.ok) errors.push(`witness ${new URL(url).origin}: HTTP ${response.status}`);
      } catch (error) {
        errors.push(`witness ${new URL(url).origin}: ${(error as Error).message}`);
      }
    }
    return errors;
  }
}

/**
 * @module security/audit/evidence-bundle
 * Evidence an examiner checks offline, with nothing but the bundle and the public key fingerprints
 * the institution published: entries of a range with their RFC 9162 inclusion proofs, the signed
 * tree heads, consistency proofs between consecutive heads, and the public keys that signed them.
 * The format is specified in docs/audit-evidence.md; scripts/verify-audit-bundle.py is an
 * independent verifier of it.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../kernel/index.js';
import type { AuditEntry } from './audit-entry.js';
import { AuditEntrySchema, hashEntry } from './audit-entry.js';
import type { AuditLedger } from './audit-ledger.js';
import { MerkleTree, leafHash, verifyConsistency, verifyInclusion } from './merkle.js';
import type { SignedTreeHead, TrustedKeyLookup } from './tree-head.js';
import { SignedTreeHeadSchema, treeHeadPayload, verifyEd25519 } from './tree-head.js';

export const EVIDENCE_BUNDLE_FORMAT = 'attest-audit-bundle/1';

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const PublicKeySchema = z.object({ keyId: z.string(), keyVersion: z.number().int().positive(), spki: z.string() });
export type BundlePublicKey = z.infer<typeof PublicKeySchema>;

export const EntryProofSchema = z.object({
  entry: AuditEntrySchema,
  /** Tree size the proof is against (the bundle's last tree head). */
  treeSize: z.number().int().positive(),
  /** RFC 9162 inclusion proof of leaf seq-1, hex node hashes from the leaf upwards. */
  inclusionProof: z.array(Hex64),
});
export type EntryProof = z.infer<typeof EntryProofSchema>;

export const EvidenceBundleSchema = z.object({
  format: z.literal(EVIDENCE_BUNDLE_FORMAT),
  createdAt: z.string(),
  publicKeys: z.array(PublicKeySchema),
  /** Ascending by tree size, each size once; the last one is what the inclusion proofs are against. */
  treeHeads: z.array(SignedTreeHeadSchema).min(1),
  /** One per consecutive pair of tree heads. */
  consistencyProofs: z.array(z.object({ fromSize: z.number().int().positive(), toSize: z.number().int().positive(), proof: z.array(Hex64) })),
  /** Consecutive entries, ascending by seq. */
  entries: z.array(EntryProofSchema),
});
export type EvidenceBundle = z.infer<typeof EvidenceBundleSchema>;

/** An entry's inclusion proof and the signed tree head it is against (`attest audit prove`). */
export interface InclusionEvidence {
  readonly entry: AuditEntry;
  readonly leafIndex: number;
  readonly treeHead: SignedTreeHead;
  readonly inclusionProof: string[];
  readonly publicKey: BundlePublicKey;
}

/** SHA-256 fingerprint (hex) of a public key's DER, for comparing with the published one. */
export function keyFingerprint(spkiBase64: string): string {
  return createHash('sha256').update(Buffer.from(spkiBase64, 'base64')).digest('hex');
}

export interface EvidenceSource {
  readonly ledger: AuditLedger;
  /** Validly signed heads of the anchor history, ascending. */
  readonly heads: readonly SignedTreeHead[];
  readonly trustedPublicKey: TrustedKeyLookup;
}

/** The tree over entries 1..head.treeSize, refused unless it matches the signed root. */
async function treeFor(source: EvidenceSource, head: SignedTreeHead): Promise<MerkleTree> {
  const hashes = await source.ledger.chainHashes(head.treeSize);
  const tree = new MerkleTree(hashes.map(leafHash));
  if (tree.size !== head.treeSize || tree.root().toString('hex') !== head.rootHash) {
    throw new AppError('AUDIT_CHAIN_BROKEN', { message: `The ledger's entries 1..${head.treeSize} no longer match the signed tree head; run attest audit verify` });
  }
  return tree;
}

async function publicKeysOf(source: EvidenceSource, heads: readonly SignedTreeHead[]): Promise<BundlePublicKey[]> {
  const keys = new Map<string, BundlePublicKey>();
  for (const h of heads) {
    const id = `${h.keyId}:${h.keyVersion}`;
    if (keys.has(id)) continue;
    const spki = await source.trustedPublicKey(h.keyId, h.keyVersion);
    if (spki === undefined) throw new AppError('AUDIT_CHAIN_BROKEN', { message: `The tree head at ${h.treeSize} was signed by ${id}, which the keyring does not vouch for` });
    keys.set(id, { keyId: h.keyId, keyVersion: h.keyVersion, spki });
  }
  return [...keys.values()];
}

function newestHead(source: EvidenceSource): SignedTreeHead {
  const head = source.heads[source.heads.length - 1];
  if (!head) throw new AppError('NOT_FOUND', { message: 'No signed tree head yet; run attest audit checkpoint' });
  return head;
}

/** The inclusion proof of one entry in the newest signed tree head. */
export async function proveEntry(source: EvidenceSource, seq: number): Promise<InclusionEvidence> {
  const head = newestHead(source);
  if (!Number.isInteger(seq) || seq < 1 || seq > head.treeSize) {
    throw new AppError('NOT_FOUND', { message: `Entry ${seq} is not covered by the newest signed tree head (size ${head.treeSize})` });
  }
  const tree = await treeFor(source, head);
  const entry = await source.ledger.entryAt(seq);
  if (!entry || leafHash(entry.hash).compare(tree.leaf(seq - 1)) !== 0) throw new AppError('AUDIT_CHAIN_BROKEN', { message: `Entry ${seq} is missing or differs from the tree` });
  const [publicKey] = await publicKeysOf(source, [head]);
  return { entry, leafIndex: seq - 1, treeHead: head, inclusionProof: tree.inclusionProof(seq - 1, head.treeSize).map((b) => b.toString('hex')), publicKey: publicKey! };
}

/** At most this many tree heads in a bundle (the first, the last, and evenly spaced ones between). */
const MAX_BUNDLE_HEADS = 64;

/** Builds the evidence bundle for entries fromSeq..toSeq (clamped to the newest signed tree head). */
export async function buildEvidenceBundle(source: EvidenceSource, range: { fromSeq?: number; toSeq?: number } = {}, now: Date = new Date()): Promise<EvidenceBundle> {
  const last = newestHead(source);
  const fromSeq = Math.max(1, range.fromSeq ?? 1);
  const toSeq = Math.min(last.treeSize, range.toSeq ?? last.treeSize);
  if (fromSeq > toSeq) throw new AppError('INVALID_INPUT', { message: `No signed entries in ${fromSeq}..${toSeq} (the newest tree head covers 1..${last.treeSize})` });
  const bySize = new Map<number, SignedTreeHead>();
  for (const h of source.heads) if (h.treeSize > 0 && !bySize.has(h.treeSize)) bySize.set(h.treeSize, h);
  bySize.set(last.treeSize, last);
  let heads = [...bySize.values()].sort((a, b) => a.treeSize - b.treeSize);
  if (heads.length > MAX_BUNDLE_HEADS) {
    const step = (heads.length - 1) / (MAX_BUNDLE_HEADS - 1);
    heads = Array.from({ length: MAX_BUNDLE_HEADS }, (_, i) => heads[Math.round(i * step)]!);
  }
  const tree = await treeFor(source, last);
  for (const h of heads) {
    if (tree.root(0, h.treeSize).toString('hex') !== h.rootHash) throw new AppError('AUDIT_CHAIN_BROKEN', { message: `The ledger no longer matches the signed tree head at ${h.treeSize}; run attest audit verify` });
  }
  const consistencyProofs = heads.slice(1).map((h, i) => ({
    fromSize: heads[i]!.treeSize,
    toSize: h.treeSize,
    proof: tree.consistencyProof(heads[i]!.treeSize, h.treeSize).map((b) => b.toString('hex')),
  }));
  const entries = await source.ledger.list({ afterSeq: fromSeq - 1, limit: toSeq - fromSeq + 1 });
  return {
    format: EVIDENCE_BUNDLE_FORMAT,
    createdAt: now.toISOString(),
    publicKeys: await publicKeysOf(source, heads),
    treeHeads: heads,
    consistencyProofs,
    entries: entries.map((entry) => ({ entry, treeSize: last.treeSize, inclusionProof: tree.inclusionProof(entry.seq - 1, last.treeSize).map((b) => b.toString('hex')) })),
  };
}

export interface BundleReport {
  ok: boolean;
  entriesChecked: number;
  treeHeadsChecked: number;
  /** The signing keys with their SHA-256 fingerprints, to compare with the published ones. */
  keys: { keyId: string; keyVersion: number; fingerprint: string }[];
  /** The range of entries proven, when any. */
  range?: { fromSeq: number; toSeq: number };
  problems: string[];
}

/** Verifies a bundle offline: signatures, consistency between heads, entry hashes, chain links and inclusion. */
export function verifyEvidenceBundle(input: unknown): BundleReport {
  const parsed = EvidenceBundleSchema.safeParse(input);
  if (!parsed.success) return { ok: false, entriesChecked: 0, treeHeadsChecked: 0, keys: [], problems: [`not an ${EVIDENCE_BUNDLE_FORMAT} bundle: ${parsed.error.issues[0]?.message ?? 'malformed'}`] };
  const bundle = parsed.data;
  const problems: string[] = [];
  const keys = new Map(bundle.publicKeys.map((k) => [`${k.keyId}:${k.keyVersion}`, k.spki]));
  const heads = bundle.treeHeads;
  for (const h of heads) {
    const spki = keys.get(`${h.keyId}:${h.keyVersion}`);
    if (spki === undefined || !verifyEd25519(treeHeadPayload(h), spki, h.signature)) problems.push(`tree head ${h.treeSize}: signature does not verify with the bundled key ${h.keyId}:${h.keyVersion}`);
  }
  for (let i = 1; i < heads.length; i++) {
    const a = heads[i - 1]!;
    const b = heads[i]!;
    if (b.treeSize <= a.treeSize) {
      problems.push(`tree heads are not in ascending size order at ${b.treeSize}`);
      continue;
    }
    const proof = bundle.consistencyProofs.find((p) => p.fromSize === a.treeSize && p.toSize === b.treeSize);
    if (!proof) problems.push(`no consistency proof from ${a.treeSize} to ${b.treeSize}`);
    else if (!verifyConsistency(a.treeSize, b.treeSize, proof.proof.map((x) => Buffer.from(x, 'hex')), Buffer.from(a.rootHash, 'hex'), Buffer.from(b.rootHash, 'hex'))) {
      problems.push(`tree head ${b.treeSize} is not an append-only extension of ${a.treeSize} (consistency proof fails)`);
    }
  }
  const last = heads[heads.length - 1]!;
  let previous: AuditEntry | undefined;
  for (const { entry, treeSize, inclusionProof } of bundle.entries) {
    const { hash, ...unhashed } = entry;
    if (hashEntry(unhashed) !== hash) problems.push(`entry ${entry.seq}: content does not match its hash`);
    if (previous && (entry.seq !== previous.seq + 1 || entry.prevHash !== previous.hash)) problems.push(`entry ${entry.seq}: does not follow entry ${previous.seq} in the chain`);
    if (treeSize !== last.treeSize) problems.push(`entry ${entry.seq}: proof is against tree size ${treeSize}, not the last tree head ${last.treeSize}`);
    else if (!verifyInclusion(leafHash(hash), entry.seq - 1, treeSize, inclusionProof.map((x) => Buffer.from(x, 'hex')), Buffer.from(last.rootHash, 'hex'))) {
      problems.push(`entry ${entry.seq}: inclusion proof does not lead to the root of tree head ${treeSize}`);
    }
    if (entry.seq === last.treeSize && hash !== last.chainHead) problems.push(`entry ${entry.seq}: differs from the chain head the last tree head signed`);
    previous = entry;
  }
  const first = bundle.entries[0]?.entry;
  return {
    ok: problems.length === 0,
    entriesChecked: bundle.entries.length,
    treeHeadsChecked: heads.length,
    keys: bundle.publicKeys.map((k) => ({ keyId: k.keyId, keyVersion: k.keyVersion, fingerprint: keyFingerprint(k.spki) })),
    ...(first && previous ? { range: { fromSeq: first.seq, toSeq: previous.seq } } : {}),
    problems,
  };
}

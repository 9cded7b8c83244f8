/**
 * @module security/audit/tree-head
 * Signed tree heads (RFC 9162 §4.3 in spirit): the ledger's size, the Merkle root of its entries
 * and the hash-chain head at that size, signed with Ed25519 by the audit signing key. One line of
 * the anchor history is one signed tree head, self-contained: anyone with the public key can check
 * it without the database.
 */
import { createPublicKey, verify as edVerify } from 'node:crypto';
import { z } from 'zod';

export const TREE_HEAD_FORMAT = 'attest-sth/1';

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const SignedTreeHeadSchema = z.object({
  format: z.literal(TREE_HEAD_FORMAT),
  /** Number of entries covered: entries 1..treeSize. */
  treeSize: z.number().int().nonnegative(),
  /** RFC 9162 Merkle root (hex) over the leaves of entries 1..treeSize. */
  rootHash: Hex64,
  /** The chain hash of entry treeSize (the genesis hash for an empty ledger). */
  chainHead: Hex64,
  createdAt: z.string(),
  keyId: z.string(),
  keyVersion: z.number().int().positive(),
  /** Ed25519 signature (base64) over {@link treeHeadPayload}. */
  signature: z.string(),
});
export type SignedTreeHead = z.infer<typeof SignedTreeHeadSchema>;
export type UnsignedTreeHead = Pick<SignedTreeHead, 'treeSize' | 'rootHash' | 'chainHead' | 'createdAt'>;

/** The exact bytes signed: five newline-terminated UTF-8 lines, easy to rebuild in any language. */
export function treeHeadPayload(head: UnsignedTreeHead): Buffer {
  return Buffer.from(`${TREE_HEAD_FORMAT}\n${head.treeSize}\n${head.rootHash}\n${head.chainHead}\n${head.createdAt}\n`, 'utf8');
}

/** True if `signature` (base64) is a valid Ed25519 signature of `payload` by the SPKI (base64 DER) key. */
export function verifyEd25519(payload: Buffer, spkiBase64: string, signatureBase64: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(spkiBase64, 'base64'), format: 'der', type: 'spki' });
    return edVerify(null, payload, key, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

/** Resolves a signer's public key from a trust root outside the database (the keyring, or a bundle's listed keys). */
export type TrustedKeyLookup = (keyId: string, version: number) => Promise<string | undefined> | string | undefined;

export async function verifyTreeHead(head: SignedTreeHead, trustedPublicKey: TrustedKeyLookup): Promise<boolean> {
  const spki = await trustedPublicKey(head.keyId, head.keyVersion);
  return spki !== undefined && verifyEd25519(treeHeadPayload(head), spki, head.signature);
}

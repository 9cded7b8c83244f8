/**
 * @module security/keys/key-provider
 * The key provider port (the KMS part of the whitepaper's "Data encryption"). Attest keeps key
 * metadata (alias, state, versions, deletion schedule) in its metadata store; the provider holds
 * or protects the key material itself and performs the operations that need it. The embedded
 * default is a local keyring ({@link LocalKeyring}); an AWS KMS adapter maps a version to a KMS key
 * and uses Encrypt/Decrypt/Sign, a HashiCorp Vault Transit adapter maps it to a transit key version
 * (encrypt/decrypt/sign endpoints) — neither needs anything beyond this interface.
 */

/** What the metadata store keeps for one key version. */
export interface KeyVersionMaterial {
  readonly keyId: string;
  readonly version: number;
  /** Provider-specific: wrapped key material (local keyring) or a remote key reference. Never plaintext. */
  readonly material: string;
}

export interface KeyProvider {
  /** Provider name recorded with each key, e.g. "local". */
  readonly name: string;
  /** Creates material for a new symmetric (AES-256) key version. */
  createSymmetricVersion(keyId: string, version: number): Promise<{ material: string }>;
  /** Creates material for a new Ed25519 signing key version; returns its public key (SPKI DER, base64). */
  createSigningVersion(keyId: string, version: number): Promise<{ material: string; publicKey: string }>;
  /** Wraps a data key under a symmetric key version; `context` is bound as additional authenticated data. */
  wrapDataKey(version: KeyVersionMaterial, dataKey: Buffer, context: Buffer): Promise<Buffer>;
  /** Unwraps a data key; fails with DECRYPTION_FAILED if the key version or context does not match. */
  unwrapDataKey(version: KeyVersionMaterial, wrapped: Buffer, context: Buffer): Promise<Buffer>;
  /** Signs `data` with a signing key version (Ed25519). */
  sign(version: KeyVersionMaterial, data: Buffer): Promise<Buffer>;
  /**
   * The public key of a signing key version from the provider's own records (not the metadata
   * store), or undefined if the provider never issued it: the trust anchor for audit checkpoints.
   */
  trustedPublicKey(keyId: string, version: number): Promise<string | undefined>;
  /**
   * The secret that authenticates audit entries (HMAC-SHA256), the same in every process of the
   * installation and never stored in the metadata store, so a database-only writer cannot forge
   * or rewrite an entry unnoticed. A remote provider returns a data key it unwraps or derives.
   */
  auditMacKey(): Promise<Buffer>;
  /** Destroys the material of a version (crypto-shredding at the end of a deletion waiting period). */
  destroyVersion(version: KeyVersionMaterial): Promise<void>;
}

/**
 * @module security/keys/local-keyring
 * The embedded default key provider. A keyring file (mode 0600) holds a 256-bit root secret —
 * either as is, protected by file permissions, or sealed with a key derived from a passphrase
 * (scrypt) so the file alone is useless. Every customer-managed key version's material is
 * generated here and stored in the metadata database only wrapped under the root secret
 * (AES-256-GCM, bound to the key id and version), so the database never holds a usable key.
 * The keyring also records the audit checkpoint public keys it has issued: the trust anchor
 * `audit verify` checks signatures against, kept outside the database an attacker might edit,
 * and derives the audit MAC key from the root secret (HKDF-SHA256 with its own label), so every
 * keyring has one from its creation on, existing keyrings included, with nothing more to store.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  scryptSync,
  sign as edSign,
} from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../../kernel/index.js';
import type { KeyProvider, KeyVersionMaterial } from './key-provider.js';

const KeyringFileSchema = z.object({
  format: z.literal('attest-keyring/1'),
  protection: z.enum(['file', 'passphrase']),
  root: z.string().optional(),
  sealedRoot: z.string().optional(),
  scrypt: z.object({ salt: z.string(), N: z.number().int(), r: z.number().int(), p: z.number().int() }).optional(),
  /** Audit checkpoint public keys issued by this keyring: `keyId:version` → SPKI base64. */
  trustedSigningKeys: z.record(z.string(), z.string()).default({}),
});
type KeyringFile = z.infer<typeof KeyringFileSchema>;

const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;

function gcmSeal(key: Buffer, plain: Buffer, aad: Buffer): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), body]);
}

function gcmOpen(key: Buffer, sealed: Buffer, aad: Buffer, what: string): Buffer {
  if (sealed.length < 28) throw new AppError('DECRYPTION_FAILED', { message: `Decryption failed: ${what} is truncated` });
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
  } catch {
    throw new AppError('DECRYPTION_FAILED', { message: `Decryption failed: ${what} does not authenticate` });
  }
}

function deriveFromPassphrase(passphrase: string, salt: Buffer, p: { N: number; r: number; p: number }): Buffer {
  return scryptSync(passphrase.normalize('NFKC'), salt, 32, { N: p.N, r: p.r, p: p.p, maxmem: 256 * p.N * p.r });
}

/** Writes a file readable only by its owner, atomically, refusing to replace an existing one when `exclusive`. */
export function writeOwnerOnlyFile(path: string, content: string, exclusive: boolean): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (exclusive) {
    let exists = false;
    try {
      statSync(path);
      exists = true;
    } catch {
      exists = false;
    }
    if (exists) throw new AppError('CONFLICT', { message: `${path} already exists; refusing to overwrite it` });
  }
  renameSync(tmp, path);
}

export interface KeyringOptions {
  /** Path of the keyring file. */
  path: string;
  /** Passphrase that seals the root secret; omit for a file protected by permissions only. */
  passphrase?: string;
}

/** A local keyring: the {@link KeyProvider} of the embedded default. */
export class LocalKeyring implements KeyProvider {
  readonly name = 'local';
  readonly #path: string;
  readonly #root: Buffer;
  #file: KeyringFile;
  readonly #materialCache = new Map<string, Buffer>();

  private constructor(path: string, root: Buffer, file: KeyringFile) {
    this.#path = path;
    this.#root = root;
    this.#file = file;
  }

  /** Creates a new keyring file (fails if one exists). */
  static create(options: KeyringOptions): LocalKeyring {
    const root = randomBytes(32);
    let file: KeyringFile;
    if (options.passphrase !== undefined) {
      if (options.passphrase.length < 12) throw new AppError('INVALID_CONFIG', { message: 'The keyring passphrase must be at least 12 characters' });
      const salt = randomBytes(16);
      const kek = deriveFromPassphrase(options.passphrase, salt, SCRYPT);
      file = {
        format: 'attest-keyring/1',
        protection: 'passphrase',
        sealedRoot: gcmSeal(kek, root, Buffer.from('attest-keyring-root')).toString('base64'),
        scrypt: { salt: salt.toString('base64'), ...SCRYPT },
        trustedSigningKeys: {},
      };
    } else {
      file = { format: 'attest-keyring/1', protection: 'file', root: root.toString('base64'), trustedSigningKeys: {} };
    }
    writeOwnerOnlyFile(options.path, `${JSON.stringify(file, null, 2)}\n`, true);
    return new LocalKeyring(options.path, root, file);
  }

  /** Opens an existing keyring file. */
  static open(options: KeyringOptions): LocalKeyring {
    let raw: string;
    try {
      raw = readFileSync(options.path, 'utf8');
    } catch (error) {
      throw new AppError('KEYRING_LOCKED', { message: `Cannot read the keyring ${options.path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, cause: error });
    }
    const mode = statSync(options.path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new AppError('KEYRING_LOCKED', { message: `The keyring ${options.path} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it` });
    }
    let file: KeyringFile;
    try {
      file = KeyringFileSchema.parse(JSON.parse(raw));
    } catch (error) {
      throw new AppError('KEYRING_LOCKED', { message: `The keyring ${options.path} is not a valid Attest keyring`, cause: error });
    }
    let root: Buffer;
    if (file.protection === 'passphrase') {
      if (options.passphrase === undefined) throw new AppError('KEYRING_LOCKED', { message: 'The keyring is sealed with a passphrase; set ATTEST_KEYRING_PASSPHRASE' });
      const params = file.scrypt!;
      const kek = deriveFromPassphrase(options.passphrase, Buffer.from(params.salt, 'base64'), params);
      try {
        root = gcmOpen(kek, Buffer.from(file.sealedRoot ?? '', 'base64'), Buffer.from('attest-keyring-root'), 'the keyring');
      } catch {
        throw new AppError('KEYRING_LOCKED', { message: 'The keyring passphrase is wrong' });
      }
    } else {
      root = Buffer.from(file.root ?? '', 'base64');
    }
    if (root.length !== 32) throw new AppError('KEYRING_LOCKED', { message: 'The keyring root secret is damaged' });
    return new LocalKeyring(options.path, root, file);
  }

  #materialAad(keyId: string, version: number, kind: string): Buffer {
    return Buffer.from(`attest-cmk/${kind}/${keyId}/${version}`);
  }

  #unseal(v: KeyVersionMaterial, kind: 'sym' | 'sig'): Buffer {
    const cacheKey = `${kind}:${v.keyId}:${v.version}`;
    const cached = this.#materialCache.get(cacheKey);
    if (cached) return cached;
    if (v.material === '') throw new AppError('KEY_INVALID_STATE', { message: `Key ${v.keyId} version ${v.version} has been destroyed` });
    const material = gcmOpen(this.#root, Buffer.from(v.material, 'base64'), this.#materialAad(v.keyId, v.version, kind), `key ${v.keyId} version ${v.version}`);
    this.#materialCache.set(cacheKey, material);
    return material;
  }

  async createSymmetricVersion(keyId: string, version: number): Promise<{ material: string }> {
    const material = randomBytes(32);
    return { material: gcmSeal(this.#root, material, this.#materialAad(keyId, version, 'sym')).toString('base64') };
  }

  async createSigningVersion(keyId: string, version: number): Promise<{ material: string; publicKey: string }> {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    const spki = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    this.#file = { ...this.#file, trustedSigningKeys: { ...this.#file.trustedSigningKeys, [`${keyId}:${version}`]: spki } };
    writeOwnerOnlyFile(this.#path, `${JSON.stringify(this.#file, null, 2)}\n`, false);
    return { material: gcmSeal(this.#root, pkcs8, this.#materialAad(keyId, version, 'sig')).toString('base64'), publicKey: spki };
  }

  async wrapDataKey(version: KeyVersionMaterial, dataKey: Buffer, context: Buffer): Promise<Buffer> {
    return gcmSeal(this.#unseal(version, 'sym'), dataKey, context);
  }

  async unwrapDataKey(version: KeyVersionMaterial, wrapped: Buffer, context: Buffer): Promise<Buffer> {
    return gcmOpen(this.#unseal(version, 'sym'), wrapped, context, 'the data key');
  }

  async sign(version: KeyVersionMaterial, data: Buffer): Promise<Buffer> {
    const key = createPrivateKey({ key: this.#unseal(version, 'sig'), format: 'der', type: 'pkcs8' });
    return edSign(null, data, key);
  }

  async destroyVersion(version: KeyVersionMaterial): Promise<void> {
    this.#materialCache.delete(`sym:${version.keyId}:${version.version}`);
    this.#materialCache.delete(`sig:${version.keyId}:${version.version}`);
  }

  async auditMacKey(): Promise<Buffer> {
    return Buffer.from(hkdfSync('sha256', this.#root, Buffer.alloc(0), Buffer.from('attest-audit-entry-mac/1'), 32));
  }

  async trustedPublicKey(keyId: string, version: number): Promise<string | undefined> {
    return this.#file.trustedSigningKeys[`${keyId}:${version}`];
  }
}

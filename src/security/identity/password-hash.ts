/**
 * @module security/identity/password-hash
 * Password hashing with scrypt (node:crypto). Parameters follow the OWASP Password Storage Cheat
 * Sheet (scrypt: N = 2^17, r = 8, p = 1) and are encoded in the hash string in the PHC format
 * `$scrypt$ln=17,r=8,p=1$<salt>$<hash>` (base64 without padding), so they can be raised later
 * without invalidating stored hashes ({@link needsRehash}). Passwords are NFKC-normalised first
 * (NIST SP 800-63B §5.1.1.2) so the same password typed on different keyboards verifies.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost parameters. `logN` is log2 of the CPU/memory cost N. */
export interface ScryptParams {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

/** OWASP's recommended minimum for scrypt. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = Object.freeze({ logN: 17, r: 8, p: 1 });

const SALT_BYTES = 16;
const KEY_BYTES = 32;
// Bounds keep a tampered hash string from making verification allocate gigabytes or run for minutes.
const LIMITS = { logN: [10, 20], r: [1, 32], p: [1, 16] } as const;
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{16,})$/;

function derive(password: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  const N = 2 ** params.logN;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, length, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function withinLimits(params: ScryptParams): boolean {
  return (Object.keys(LIMITS) as (keyof ScryptParams)[]).every((k) => params[k] >= LIMITS[k][0] && params[k] <= LIMITS[k][1]);
}

const b64 = (buf: Buffer): string => buf.toString('base64').replace(/=+$/, '');

/**
 * Hashes a password with a fresh random salt.
 * @example const stored = await hashPassword('correct horse battery staple');
 */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  if (!withinLimits(params)) throw new RangeError('scrypt parameters out of range');
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params, KEY_BYTES);
  return `$scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

/** The parameters encoded in a stored hash, or `undefined` if it is not one of ours. */
export function parsePasswordHash(stored: string): (ScryptParams & { salt: Buffer; key: Buffer }) | undefined {
  const m = PHC.exec(stored);
  if (!m) return undefined;
  const params = { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (!withinLimits(params)) return undefined;
  return { ...params, salt: Buffer.from(m[4]!, 'base64'), key: Buffer.from(m[5]!, 'base64') };
}

/**
 * A well-formed hash with a random salt and a random key: no password derives to it, and building
 * it costs nothing, while verifying against it costs exactly one derivation at the default cost.
 */
const DUMMY_HASH = `$scrypt$ln=${DEFAULT_SCRYPT_PARAMS.logN},r=${DEFAULT_SCRYPT_PARAMS.r},p=${DEFAULT_SCRYPT_PARAMS.p}$${b64(randomBytes(SALT_BYTES))}$${b64(randomBytes(KEY_BYTES))}`;

/**
 * Checks a password against a stored hash in constant time. Pass `undefined` when the user does not
 * exist: the same work is done against a dummy hash, so response time does not reveal which
 * usernames exist. Malformed hashes verify as false.
 */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  if (stored === undefined) {
    await verifyPassword(password, DUMMY_HASH);
    return false;
  }
  const parsed = parsePasswordHash(stored);
  if (!parsed || parsed.key.length < 16) return false;
  const key = await derive(password, parsed.salt, parsed, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/** True if a stored hash used weaker parameters than `params` (re-hash it at the next successful login). */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): boolean {
  const parsed = parsePasswordHash(stored);
  return !parsed || parsed.logN < params.logN || parsed.r < params.r || parsed.p < params.p || parsed.key.length < KEY_BYTES;
}

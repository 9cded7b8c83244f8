/**
 * @module server/presigned-url
 * Presigned download URLs for one artifact (the whitepaper's presigned, time-limited URL): the
 * token carries its single purpose, the artifact, the project, who signed it and with which of
 * their tokens, its expiry and optionally the one source address allowed to use it, MAC'd with
 * HMAC-SHA256 under a server secret kept in the home (owner-only file, created on first start).
 * The URL is a credential derived from the signing token: at use the server checks that token and
 * its owner again, so revoking the token or deleting or locking the signer ends the URL too.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../kernel/index.js';
import { writeOwnerOnlyFile } from '../security/keys/index.js';
import { parseIp } from '../security/policy/index.js';

export const SERVER_SECRET_FILE = 'server-secret';
const PURPOSE = 'artifact:Get';

export const PresignedClaims = z.strictObject({
  purpose: z.literal(PURPOSE),
  artifactId: z.string(),
  project: z.string(),
  issuer: z.string(),
  /** The prefix of the API or session token the URL was signed with. */
  token: z.string(),
  expiresAt: z.number().int(),
  sourceIp: z.string().optional(),
});
export type PresignedClaims = z.infer<typeof PresignedClaims>;

/** A client address a URL may be bound to: one IPv4 or IPv6 address, nothing else. */
export const BindSourceIp = z
  .string()
  .max(64)
  .refine((text) => parseIp(text) !== undefined, { message: 'bindSourceIp must be one IPv4 or IPv6 address' });

/** True if `a` and `b` are the same address (an IPv4-mapped IPv6 address equals its IPv4 address). */
function sameAddress(a: string, b: string): boolean {
  const x = parseIp(a);
  const y = parseIp(b);
  return x !== undefined && y !== undefined && x.version === y.version && x.value === y.value;
}

/** The path prefix of presigned downloads: everything after it is a credential. */
export const PRESIGNED_PATH = '/v1/presigned/';

/** Reads the server secret, creating it (exclusively, mode 0600) on first use. */
export function loadServerSecret(home: string): Buffer {
  const path = join(home, SERVER_SECRET_FILE);
  if (!existsSync(path)) {
    try {
      writeOwnerOnlyFile(path, `${randomBytes(32).toString('hex')}\n`, true);
    } catch (error) {
      if (!existsSync(path)) throw error;
    }
  }
  const secret = Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  if (secret.length < 32) throw new AppError('INVALID_CONFIG', { message: `${path} does not hold a 256-bit secret` });
  return secret;
}

const mac = (secret: Buffer, payload: string) => createHmac('sha256', secret).update(`attest-presigned/1.${payload}`).digest('base64url');

/** Signs claims into a URL-safe token `<payload>.<mac>`. */
export function signPresigned(secret: Buffer, claims: PresignedClaims): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

/**
 * Verifies a token for a request from `sourceIp` at `now`.
 * @throws AppError UNAUTHENTICATED (bad MAC, malformed) or TOKEN_EXPIRED, ACCESS_DENIED (wrong address)
 */
export function verifyPresigned(secret: Buffer, token: string, sourceIp: string, now: Date): PresignedClaims {
  const [payload, tag, ...rest] = token.split('.');
  if (!payload || !tag || rest.length > 0) throw new AppError('UNAUTHENTICATED', { message: 'Malformed presigned URL' });
  const expected = Buffer.from(mac(secret, payload));
  const actual = Buffer.from(tag);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) throw new AppError('UNAUTHENTICATED', { message: 'The presigned URL signature does not match' });
  const parsed = PresignedClaims.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  if (!parsed.success) throw new AppError('UNAUTHENTICATED', { message: 'Malformed presigned URL' });
  if (now.getTime() >= parsed.data.expiresAt) throw new AppError('TOKEN_EXPIRED', { message: 'The presigned URL has expired' });
  if (parsed.data.sourceIp !== undefined && !sameAddress(parsed.data.sourceIp, sourceIp)) throw new AppError('ACCESS_DENIED', { message: 'The presigned URL is bound to another source address' });
  return parsed.data;
}

/**
 * @module security/identity/api-token
 * API tokens: `attest_<prefix>_<secret>`, where the prefix is 8 base32 characters (40 random bits,
 * stored in clear so a token can be found, listed and revoked by it — and recognised by secret
 * scanners) and the secret is 32 random bytes in base32. The token is shown once; only its SHA-256
 * is stored (a fast hash is enough: 256 random bits cannot be guessed, unlike passwords). A token
 * may carry a narrower scope (a policy document intersected with its owner's policies), an expiry,
 * and a revocation.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError, base32 } from '../../kernel/index.js';
import { PolicyDocument } from '../policy/index.js';

const TOKEN_RE = /^attest_([a-z2-7]{8})_([a-z2-7]{52})$/;

/** Default lifetime of a new token: 90 days. */
export const DEFAULT_TOKEN_LIFETIME_MS = 90 * 24 * 3600 * 1000;

/** The stored form of a token (never the secret). Timestamps are ISO 8601 strings. */
export const ApiTokenRecord = z.object({
  prefix: z.string().regex(/^[a-z2-7]{8}$/),
  ownerId: z.string().min(1),
  name: z.string().min(1).max(128),
  /** SHA-256 of the whole token text, hex. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
  revokedBy: z.string().nullable(),
  lastUsedAt: z.iso.datetime().nullable(),
  /** Optional narrower scope: the token may do only what both its owner and this allow. */
  scope: z.object({ name: z.string().min(1).max(128), document: PolicyDocument }).nullable(),
});
export type ApiTokenRecord = z.infer<typeof ApiTokenRecord>;

/** Options for {@link issueApiToken}. */
export interface IssueApiTokenOptions {
  readonly ownerId: string;
  readonly name: string;
  readonly now: Date;
  /** Lifetime in ms; `null` = never expires; default {@link DEFAULT_TOKEN_LIFETIME_MS}. */
  readonly lifetimeMs?: number | null;
  readonly scope?: { readonly name: string; readonly document: PolicyDocument } | null;
}

/** SHA-256 of a token's text, hex: the only form that is stored. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Splits a presented token; `undefined` if it is not an Attest token. */
export function parseApiToken(token: string): { prefix: string; secret: string } | undefined {
  const m = TOKEN_RE.exec(token);
  return m ? { prefix: m[1]!, secret: m[2]! } : undefined;
}

/**
 * Creates a token. Show `token` to the user once; store `record`.
 * @example const { token, record } = issueApiToken({ ownerId: 'usr_a', name: 'ci', now: new Date() });
 */
export function issueApiToken(options: IssueApiTokenOptions): { token: string; record: ApiTokenRecord } {
  const prefix = base32(randomBytes(5));
  const token = `attest_${prefix}_${base32(randomBytes(32))}`;
  const lifetime = options.lifetimeMs === undefined ? DEFAULT_TOKEN_LIFETIME_MS : options.lifetimeMs;
  if (lifetime !== null && !(lifetime > 0)) throw new AppError('INVALID_INPUT', { message: 'A token lifetime must be positive' });
  const record = ApiTokenRecord.parse({
    prefix,
    ownerId: options.ownerId,
    name: options.name,
    hash: hashApiToken(token),
    createdAt: options.now.toISOString(),
    expiresAt: lifetime === null ? null : new Date(options.now.getTime() + lifetime).toISOString(),
    revokedAt: null,
    revokedBy: null,
    lastUsedAt: null,
    scope: options.scope ?? null,
  });
  return { token, record };
}

/**
 * Checks a presented token against the record found by its prefix. The secret is compared first and
 * in constant time, so a wrong secret never learns whether the token is revoked or expired.
 * @throws AppError INVALID_CREDENTIALS, TOKEN_REVOKED or TOKEN_EXPIRED
 */
export function verifyApiToken(presented: string, record: ApiTokenRecord | undefined, now: Date): void {
  const parsed = parseApiToken(presented);
  const expected = Buffer.from(record?.hash ?? '0'.repeat(64), 'hex');
  const actual = Buffer.from(hashApiToken(presented), 'hex');
  const same = timingSafeEqual(expected, actual);
  if (!parsed || !record || !same || parsed.prefix !== record.prefix) throw new AppError('INVALID_CREDENTIALS', { message: 'Invalid API token' });
  if (record.revokedAt !== null) throw new AppError('TOKEN_REVOKED', { details: { prefix: record.prefix } });
  if (record.expiresAt !== null && now.getTime() >= Date.parse(record.expiresAt)) throw new AppError('TOKEN_EXPIRED', { details: { prefix: record.prefix } });
}

/** The record after revocation (idempotent: the first revocation's time and author are kept). */
export function revokeApiToken(record: ApiTokenRecord, by: string, now: Date): ApiTokenRecord {
  if (record.revokedAt !== null) return record;
  return { ...record, revokedAt: now.toISOString(), revokedBy: by };
}

/** A safe-to-display description: prefix and metadata, never the hash. */
export function describeApiToken(record: ApiTokenRecord): Omit<ApiTokenRecord, 'hash'> {
  const { hash: _hash, ...rest } = record;
  return rest;
}

import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/index.js';
import { POLICY_VERSION, type PolicyDocument } from '../policy/index.js';
import { ApiTokenRecord, describeApiToken, hashApiToken, issueApiToken, parseApiToken, revokeApiToken, verifyApiToken } from './index.js';

const now = new Date('2026-11-29T10:00:00Z');
const codeOf = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof AppError ? e.code : 'not-an-app-error';
  }
};

describe('API tokens', () => {
  it('issues attest_<prefix8>_<secret> from 32 random bytes and stores only the SHA-256', () => {
    const { token, record } = issueApiToken({ ownerId: 'usr_alice', name: 'ci', now });
    expect(token).toMatch(/^attest_[a-z2-7]{8}_[a-z2-7]{52}$/);
    expect(parseApiToken(token)?.prefix).toBe(record.prefix);
    expect(record.hash).toBe(hashApiToken(token));
    expect(JSON.stringify(record)).not.toContain(parseApiToken(token)!.secret);
    expect(record.expiresAt).toBe('2027-02-27T10:00:00.000Z');
    expect(ApiTokenRecord.parse(record)).toEqual(record);
    expect(describeApiToken(record)).not.toHaveProperty('hash');
  });

  it('accepts the token while valid', () => {
    const { token, record } = issueApiToken({ ownerId: 'usr_alice', name: 'ci', now });
    expect(codeOf(() => verifyApiToken(token, record, now))).toBeUndefined();
  });

  it('rejects wrong secrets, other records and garbage as INVALID_CREDENTIALS', () => {
    const a = issueApiToken({ ownerId: 'usr_alice', name: 'a', now });
    const b = issueApiToken({ ownerId: 'usr_alice', name: 'b', now });
    const tampered = `${a.token.slice(0, -1)}${a.token.endsWith('a') ? 'b' : 'a'}`;
    expect(codeOf(() => verifyApiToken(tampered, a.record, now))).toBe('INVALID_CREDENTIALS');
    expect(codeOf(() => verifyApiToken(b.token, a.record, now))).toBe('INVALID_CREDENTIALS');
    expect(codeOf(() => verifyApiToken('Bearer nonsense', a.record, now))).toBe('INVALID_CREDENTIALS');
    expect(codeOf(() => verifyApiToken(a.token, undefined, now))).toBe('INVALID_CREDENTIALS');
  });

  it('refuses a revoked token on its next use', () => {
    const { token, record } = issueApiToken({ ownerId: 'usr_alice', name: 'ci', now });
    const revoked = revokeApiToken(record, 'usr_sec', now);
    expect(revoked).toMatchObject({ revokedBy: 'usr_sec', revokedAt: now.toISOString() });
    expect(revokeApiToken(revoked, 'usr_other', new Date(now.getTime() + 1000))).toBe(revoked);
    expect(codeOf(() => verifyApiToken(token, revoked, now))).toBe('TOKEN_REVOKED');
  });

  it('refuses an expired token; null lifetime never expires', () => {
    const { token, record } = issueApiToken({ ownerId: 'usr_alice', name: 'ci', now, lifetimeMs: 60_000 });
    expect(codeOf(() => verifyApiToken(token, record, new Date(now.getTime() + 59_999)))).toBeUndefined();
    expect(codeOf(() => verifyApiToken(token, record, new Date(now.getTime() + 60_000)))).toBe('TOKEN_EXPIRED');
    const forever = issueApiToken({ ownerId: 'usr_alice', name: 'svc', now, lifetimeMs: null });
    expect(forever.record.expiresAt).toBeNull();
    expect(codeOf(() => verifyApiToken(forever.token, forever.record, new Date('2100-01-01')))).toBeUndefined();
    expect(codeOf(() => issueApiToken({ ownerId: 'u', name: 'x', now, lifetimeMs: 0 }))).toBe('INVALID_INPUT');
  });

  it('carries an optional narrower scope', () => {
    const document: PolicyDocument = { Version: POLICY_VERSION, Statement: [{ Effect: 'Allow', Action: '*:List', Resource: '*' }] };
    const scope = { name: 'read-only', document };
    const { record } = issueApiToken({ ownerId: 'usr_alice', name: 'ro', now, scope });
    expect(record.scope).toEqual(scope);
  });
});

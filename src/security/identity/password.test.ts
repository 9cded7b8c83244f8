import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/index.js';
import { assertPasswordAcceptable, checkPasswordPolicy, DEFAULT_SCRYPT_PARAMS, hashPassword, needsRehash, parsePasswordHash, verifyPassword } from './index.js';

const FAST = { logN: 10, r: 8, p: 1 };

describe('password hashing (scrypt)', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple', FAST);
    expect(stored).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same password here', FAST)).not.toBe(await hashPassword('same password here', FAST));
  });

  it('uses OWASP parameters by default, encoded in the hash', async () => {
    // One derivation at full cost; verification itself is covered at a lower cost above.
    const stored = await hashPassword('a default-cost password');
    expect(parsePasswordHash(stored)).toMatchObject(DEFAULT_SCRYPT_PARAMS);
    expect(needsRehash(stored)).toBe(false);
    expect(needsRehash(await hashPassword('x', FAST))).toBe(true);
  });

  it('normalises Unicode so composed and decomposed forms match', async () => {
    const stored = await hashPassword('caf\u00e9 au lait, s\u2019il vous pla\u00eet', FAST);
    expect(await verifyPassword('cafe\u0301 au lait, s\u2019il vous pla\u00eet', stored)).toBe(true);
  });

  it('treats malformed or out-of-bounds hashes as a mismatch', async () => {
    expect(await verifyPassword('x', 'plaintext')).toBe(false);
    expect(await verifyPassword('x', '$scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
  });

  it('spends the same work for unknown users and says no', async () => {
    expect(await verifyPassword('anything at all', undefined)).toBe(false);
  });
});

describe('password policy (NIST SP 800-63B)', () => {
  it.each([
    ['short1', false, 'at least 12 characters'],
    ['Password1234', false, 'not a commonly used password'],
    ['aaaaaaaaaaaaaaaa', false, 'not a single repeated character or a simple sequence'],
    ['abcdefghijklmnop', false, 'not a single repeated character or a simple sequence'],
    ['alice-in-wonderland', false, 'must not contain the username'],
    ['purple monkey dishwasher', true, undefined],
    ['ünïcødé pässwörd ✓', true, undefined],
  ])('%s → ok=%s', (pw, ok, problem) => {
    const check = checkPasswordPolicy(pw, { username: 'alice' });
    expect(check.ok).toBe(ok);
    if (problem) expect(check.problems).toContain(problem);
  });

  it('throws PASSWORD_REJECTED with the reasons', () => {
    expect(() => assertPasswordAcceptable('short')).toThrow(AppError);
    try {
      assertPasswordAcceptable('short');
    } catch (e) {
      expect((e as AppError).code).toBe('PASSWORD_REJECTED');
      expect((e as AppError).message).toContain('at least 12 characters');
    }
  });
});

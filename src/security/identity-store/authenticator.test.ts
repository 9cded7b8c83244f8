import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../../test/support/test-app.js';
import { createIdentityServices } from './index.js';

describe('password login and lockout with a controlled clock', () => {
  let t: TestInstallation;
  let clock = new Date('2026-06-01T09:00:00Z');
  let identity: ReturnType<typeof createIdentityServices>;
  const meta = { sourceIp: '10.0.0.5', userAgent: 'test' };
  beforeAll(async () => {
    t = await createTestInstallation('sqlite', 'fs');
    identity = createIdentityServices(t.app.db, t.app.ledger, { now: () => clock, sessionTtlMs: 10 * 60_000 });
    await identity.users.create(TEST_ACTOR, { name: 'gina', password: 'a perfectly fine passphrase' });
  }, 60_000);
  afterAll(async () => t?.dispose());
  const advance = (ms: number) => {
    clock = new Date(clock.getTime() + ms);
  };

  it('failures spread beyond the 5-minute window do not lock', async () => {
    for (let i = 0; i < 4; i++) {
      await expect(identity.authenticator.login('gina', `nope-${i}-xx`, meta)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
      advance(2 * 60_000);
    }
    await expect(identity.authenticator.login('gina', 'nope-5-xx', meta)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect((await identity.users.describe('gina')).status).toBe('active');
  });

  it('five within five minutes lock for 15 minutes; afterwards the right password works and unlocks', async () => {
    advance(10 * 60_000);
    for (let i = 0; i < 5; i++) await expect(identity.authenticator.login('gina', `bad-${i}-xx`, meta)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    const locked = await identity.users.describe('gina');
    expect(locked.status).toBe('locked');
    expect(locked.lockedUntil).toBe(new Date(clock.getTime() + 15 * 60_000).toISOString());
    await expect(identity.authenticator.login('gina', 'a perfectly fine passphrase', meta)).rejects.toMatchObject({ code: 'ACCOUNT_LOCKED' });
    advance(16 * 60_000);
    const session = await identity.authenticator.login('gina', 'a perfectly fine passphrase', meta);
    expect((await identity.users.describe('gina')).status).toBe('active');
    expect(session.expiresAt).toBe(new Date(clock.getTime() + 10 * 60_000).toISOString());
    const principal = await identity.authenticator.authenticate(session.token);
    expect(principal).toMatchObject({ name: 'gina', authMethod: 'password', token: { kind: 'session' } });
    advance(11 * 60_000);
    await expect(identity.authenticator.authenticate(session.token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('unknown users and service principals cannot log in with a password, and the attempt is audited', async () => {
    await identity.users.create(TEST_ACTOR, { name: 'svc-batch', kind: 'service' });
    await expect(identity.authenticator.login('svc-batch', 'anything-at-all', meta)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    await expect(identity.authenticator.login('ghost', 'anything-at-all', meta)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    const entries = await t.app.ledger.list({ action: 'auth:Login', principal: 'anonymous' });
    expect(entries.map((e) => e.details.username)).toEqual(['svc-batch', 'ghost']);
  });
});

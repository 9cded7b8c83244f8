import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../../test/support/test-app.js';
import { testDialects } from '../../../test/support/databases.js';
import { createIdentityServices, TOKEN_CACHE_MS } from './index.js';

describe.each(testDialects())('authenticated tokens are cached briefly on %s', (dialect) => {
  let t: TestInstallation;
  beforeAll(async () => {
    t = await createTestInstallation(dialect, 'fs');
    await t.app.identity.users.create(TEST_ACTOR, { name: 'cached' });
  }, 60_000);
  afterAll(async () => t?.dispose());

  it('a revocation in this process refuses the very next request', async () => {
    const { authenticator, tokens } = t.app.identity;
    const { token, view } = await tokens.create(TEST_ACTOR, { owner: 'cached', name: 'same-process' });
    expect((await authenticator.authenticate(token)).name).toBe('cached');
    expect((await authenticator.authenticate(token)).name).toBe('cached');
    await tokens.revoke(TEST_ACTOR, 'cached', view.prefix);
    await expect(authenticator.authenticate(token)).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
  });

  it('a revocation by another process (its own identity services) is refused within 1 s', async () => {
    expect(TOKEN_CACHE_MS).toBeLessThanOrEqual(1000);
    const { authenticator, tokens } = t.app.identity;
    const { token, view } = await tokens.create(TEST_ACTOR, { owner: 'cached', name: 'other-process' });
    expect((await authenticator.authenticate(token)).name).toBe('cached');
    const elsewhere = createIdentityServices(t.app.db, t.app.ledger);
    await elsewhere.tokens.revoke(TEST_ACTOR, 'cached', view.prefix);
    await sleep(1000);
    await expect(authenticator.authenticate(token)).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
  });

  it('concurrent requests that miss the cache together read the token once, and a revocation still refuses the next of them', async () => {
    const { authenticator, tokens } = t.app.identity;
    const { token, view } = await tokens.create(TEST_ACTOR, { owner: 'cached', name: 'concurrent' });
    const verify = vi.spyOn(tokens, 'verify');
    try {
      const principals = await Promise.all(Array.from({ length: 16 }, () => authenticator.authenticate(token)));
      expect(principals.every((p) => p.name === 'cached')).toBe(true);
      expect(verify).toHaveBeenCalledTimes(1);
      await tokens.revoke(TEST_ACTOR, 'cached', view.prefix);
      const after = await Promise.allSettled(Array.from({ length: 4 }, () => authenticator.authenticate(token)));
      expect(after.every((r) => r.status === 'rejected')).toBe(true);
    } finally {
      verify.mockRestore();
    }
  });

  it('a lock in this process refuses the next request; an expired token is never served from the cache', async () => {
    const { authenticator, tokens, users } = t.app.identity;
    const { token } = await tokens.create(TEST_ACTOR, { owner: 'cached', name: 'lock' });
    await authenticator.authenticate(token);
    await users.lock(TEST_ACTOR, 'cached', null, 'test');
    await expect(authenticator.authenticate(token)).rejects.toMatchObject({ code: 'ACCOUNT_LOCKED' });
    await users.unlock(TEST_ACTOR, 'cached');
    const shortLived = await tokens.create(TEST_ACTOR, { owner: 'cached', name: 'short', lifetimeMs: 300 });
    await authenticator.authenticate(shortLived.token);
    await sleep(350);
    await expect(authenticator.authenticate(shortLived.token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });
});

/**
 * A configured webhook whose secret is missing from the environment fails only its deliveries:
 * local commands keep working, the alert is still fired and recorded, and the failed delivery is
 * in the ledger with the reason.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_FILE_NAME, loadConfig } from '../../config/index.js';
import { buildServer } from '../../server/index.js';
import { cli } from '../../../test/support/cli.js';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../../test/support/test-app.js';

describe('an alert webhook without its secret', () => {
  let t: TestInstallation;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    t = await createTestInstallation('sqlite', 'fs');
    const path = join(t.home, CONFIG_FILE_NAME);
    let config: Record<string, unknown> = {};
    try {
      config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch {
      // initHome may not write a configuration file; start from an empty one.
    }
    writeFileSync(path, JSON.stringify({ ...config, alerts: { webhooks: [{ url: 'http://127.0.0.1:9/hook' }] } }));
    env = { ...t.env };
    delete env.ATTEST_WEBHOOK_SECRET;
  }, 60_000);
  afterAll(async () => t?.dispose());

  it('does not stop local commands', async () => {
    expect(loadConfig(t.home, env).alerts.webhooks).toEqual([{ url: 'http://127.0.0.1:9/hook', secretEnv: 'ATTEST_WEBHOOK_SECRET', secret: undefined }]);
    const result = await cli(['keys', 'list'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('records the alert and marks its delivery failed with the reason', async () => {
    const app = await t.reopen();
    const server = await buildServer(app, { controls: { pollMs: 60_000, verifyEveryMs: 0 } });
    await server.ready();
    try {
      await app.identity.users.create(TEST_ACTOR, { name: 'dora', password: 'correct horse battery staple' });
      for (let i = 0; i < 6; i++) await server.inject({ method: 'POST', url: '/v1/login', payload: { username: 'dora', password: `wrong-${i}` } });
      await server.detectiveControls.idle();
      const fired = await app.ledger.list({ action: 'alert:Fire' });
      expect(fired.length).toBeGreaterThan(0);
      const deliveries = await app.ledger.list({ action: 'alert:Deliver' });
      expect(deliveries.length).toBe(fired.length);
      expect(deliveries[0]).toMatchObject({ outcome: 'failed', principal: 'system:attest' });
      expect(deliveries[0]!.details.alertId).toBe(fired[0]!.details.id);
      expect(String(deliveries[0]!.details.reason)).toContain('ATTEST_WEBHOOK_SECRET');
    } finally {
      await server.close();
    }
  });
});

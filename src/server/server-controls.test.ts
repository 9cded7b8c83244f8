/**
 * Detective and corrective controls through the server: six wrong passwords lock the user, the
 * lock is in the ledger, and a webhook receiver on 127.0.0.1 gets correctly signed alerts (after a
 * failed first delivery, retried); a tampered ledger fails the scheduled verification and alerts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';
import { TEST_ACTOR } from '../../test/support/test-app.js';
import type { Alert } from '../security/controls/index.js';
import { verifyAlertSignature, webhookSink } from '../security/controls/index.js';

const SECRET = 'test-webhook-secret-0123456789';

interface Received {
  alert: Alert;
  signatureValid: boolean;
}

describe('detective and corrective controls', () => {
  let f: ServerFixture;
  let receiver: Server;
  const received: Received[] = [];
  let requests = 0;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests++;
        // The first delivery fails: the sink must retry with backoff.
        if (requests === 1) {
          res.writeHead(503).end();
          return;
        }
        const body = Buffer.concat(chunks);
        received.push({ alert: JSON.parse(body.toString('utf8')) as Alert, signatureValid: verifyAlertSignature(body, SECRET, req.headers['x-attest-signature'] as string | undefined) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    f = await startServerFixture('sqlite', { alertSinks: [webhookSink({ url, secret: SECRET, baseDelayMs: 20 })] });
  }, 60_000);
  afterAll(async () => {
    await f?.dispose();
    await new Promise((r) => receiver.close(r));
  });

  it('six wrong passwords lock the user; the lock is in the ledger; the webhook receives a correctly signed alert', async () => {
    await f.t.app.identity.users.create(TEST_ACTOR, { name: 'carol', password: 'correct horse battery staple' });
    const statuses: number[] = [];
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await f.server.inject({ method: 'POST', url: '/v1/login', payload: { username: 'carol', password: `Guess-zq-${i}` } });
      statuses.push(r.statusCode);
      codes.push(r.json().error.code);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 403]);
    expect(codes.at(-1)).toBe('ACCOUNT_LOCKED');
    // Locked: even the right password is refused now.
    const right = await f.server.inject({ method: 'POST', url: '/v1/login', payload: { username: 'carol', password: 'correct horse battery staple' } });
    expect(right.json().error.code).toBe('ACCOUNT_LOCKED');

    const locks = await f.t.app.ledger.list({ action: 'user:Lock', resource: 'attest::user/carol' });
    expect(locks).toHaveLength(1);
    expect(locks[0]).toMatchObject({ principal: 'system:attest', outcome: 'allowed' });
    const failures = await f.t.app.ledger.list({ action: 'auth:Login', principal: 'user:carol' });
    expect(failures.map((e) => e.outcome)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'denied', 'denied']);
    expect(failures[0]!.sourceIp).toBe('127.0.0.1');
    expect(JSON.stringify(failures)).not.toContain("Guess-zq");

    await f.server.detectiveControls.idle();
    const alert = received.find((r) => r.alert.rule === 'failed-logins');
    expect(alert, JSON.stringify(received.map((r) => r.alert.rule))).toBeDefined();
    expect(alert!.signatureValid).toBe(true);
    expect(alert!.alert).toMatchObject({ severity: 'high', principal: 'user:carol' });
    expect(alert!.alert.events).toHaveLength(5);
    expect(requests).toBeGreaterThan(received.length - 1);
    expect((await f.t.app.ledger.list({ action: 'alert:Fire' })).some((e) => e.details.rule === 'failed-logins')).toBe(true);
    expect((await f.t.app.verifyAudit()).ok).toBe(true);
  });

  it('an administrator unlocks; a password login then yields a session token that works and logs out', async () => {
    await f.t.app.identity.users.unlock(TEST_ACTOR, 'carol');
    const login = await f.server.inject({ method: 'POST', url: '/v1/login', payload: { username: 'carol', password: 'correct horse battery staple' } });
    expect(login.statusCode).toBe(200);
    const { token, principal } = login.json() as { token: string; principal: string };
    expect(principal).toBe('user:carol');
    const who = await f.server.inject({ method: 'GET', url: '/v1/whoami', headers: { authorization: `Bearer ${token}` } });
    expect(who.json()).toMatchObject({ name: 'carol', authMethod: 'password', token: { kind: 'session' } });
  });

  it('a policy or role change alerts', async () => {
    const admin = await f.principal('root', [{ role: 'administrator' }]);
    const r = await f.server.inject({ method: 'POST', url: '/v1/role-assignments', payload: { subject: 'carol', role: 'auditor' }, headers: { authorization: `Bearer ${admin}` } });
    expect(r.statusCode).toBe(200);
    await f.server.detectiveControls.idle();
    const alerts = received.filter((x) => x.alert.rule === 'permission-change');
    expect(alerts.some((a) => a.alert.summary.includes('role:Assign') && a.alert.principal === 'user:root' && a.signatureValid)).toBe(true);
  });

  it('a failed scheduled audit verification alerts', async () => {
    const victim = (await f.t.app.ledger.list({ limit: 3 }))[2]!;
    await f.t.app.db.kysely.updateTable('audit_events').set({ principal: 'user:mallory' }).where('seq', '=', victim.seq).execute();
    const report = await f.server.detectiveControls.verifyNow();
    expect(report.ok).toBe(false);
    await f.server.detectiveControls.idle();
    const alert = received.find((x) => x.alert.rule === 'audit-verify-failed');
    expect(alert?.signatureValid).toBe(true);
    expect(alert?.alert.severity).toBe('high');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../../test/support/test-app.js';
import type { AuditEntry } from '../audit/index.js';
import { recordOutcome } from '../audit/index.js';
import type { Alert, DetectionRule } from './index.js';
import { BUILT_IN_RULES, DetectiveControls, RuleWindow, ruleMatches, signAlertBody, verifyAlertSignature } from './index.js';

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  seq: 1,
  id: 'evt_1',
  time: '2026-01-01T00:00:00.000Z',
  principal: 'user:a',
  action: 'auth:Login',
  resource: 'attest::user/a',
  outcome: 'failed',
  sourceIp: null,
  userAgent: null,
  requestId: null,
  details: {},
  prevHash: '',
  hash: '',
  ...over,
});

describe('detection rules', () => {
  it('match on action (exact or prefix), outcome and principal', () => {
    const rule: DetectionRule = { name: 'r', description: 'r', severity: 'low', match: { actions: ['policy:*', 'role:Assign'], outcome: 'allowed', principal: 'user:x' }, actions: ['alert'] };
    expect(ruleMatches(rule, entry({ action: 'policy:Update', outcome: 'allowed', principal: 'user:x' }))).toBe(true);
    expect(ruleMatches(rule, entry({ action: 'role:Assign', outcome: 'allowed', principal: 'user:x' }))).toBe(true);
    expect(ruleMatches(rule, entry({ action: 'role:Unassign', outcome: 'allowed', principal: 'user:x' }))).toBe(false);
    expect(ruleMatches(rule, entry({ action: 'policy:Update', outcome: 'denied', principal: 'user:x' }))).toBe(false);
    expect(ruleMatches(rule, entry({ action: 'policy:Update', outcome: 'allowed', principal: 'user:y' }))).toBe(false);
  });

  it('count per principal within the window and fire once per run', () => {
    const rule = BUILT_IN_RULES.find((r) => r.name === 'failed-logins')!;
    const w = new RuleWindow();
    const at = (min: number, principal = 'user:a') => entry({ time: new Date(Date.UTC(2026, 0, 1, 0, min)).toISOString(), principal });
    expect([0, 2, 4, 6].map((m) => w.observe(rule, at(m)))).toEqual([undefined, undefined, undefined, undefined]);
    expect(w.observe(rule, at(6, 'user:b'))).toBeUndefined();
    expect(w.observe(rule, at(7))).toBeUndefined();
    expect(w.observe(rule, at(7))?.length).toBe(5);
    expect(w.observe(rule, at(8))).toBeUndefined();
  });

  it('webhook signatures verify only over the exact body and secret', () => {
    const body = '{"rule":"x"}';
    const sig = signAlertBody(body, 's3cret');
    expect(verifyAlertSignature(body, 's3cret', sig)).toBe(true);
    expect(verifyAlertSignature(`${body} `, 's3cret', sig)).toBe(false);
    expect(verifyAlertSignature(body, 'other', sig)).toBe(false);
    expect(verifyAlertSignature(body, 's3cret', undefined)).toBe(false);
  });
});

describe('corrective actions', () => {
  let t: TestInstallation;
  beforeAll(async () => {
    t = await createTestInstallation('sqlite', 'fs');
  }, 60_000);
  afterAll(async () => t?.dispose());

  it('a rule revokes the token named in repeated denials and alerts every sink; a failing sink does not stop the others', async () => {
    const { users, tokens } = t.app.identity;
    await users.create(TEST_ACTOR, { name: 'probe', kind: 'service' });
    const { token, view } = await tokens.create(TEST_ACTOR, { owner: 'probe', name: 'ci' });
    const alerts: Alert[] = [];
    const errors: Error[] = [];
    const controls = new DetectiveControls({
      db: t.app.db,
      ledger: t.app.ledger,
      identity: t.app.identity,
      verifyAudit: () => t.app.verifyAudit(),
      sinks: [
        { name: 'broken', send: async () => Promise.reject(new Error('sink down')) },
        { name: 'memory', send: async (a) => void alerts.push(a) },
      ],
      rules: [{ name: 'probing', description: '3 denials in a minute revoke the token', severity: 'high', match: { actions: ['*'], outcome: 'denied' }, threshold: { count: 3, windowMs: 60_000 }, actions: ['revoke-token', 'alert'] }],
      onError: (e) => errors.push(e),
    });
    await controls.start({ pollMs: 60_000 });
    for (const action of ['user:List', 'audit:Read', 'key:Create']) {
      await recordOutcome({ db: t.app.db, ledger: t.app.ledger }, { principal: 'service:probe' }, action, 'attest::x/y', 'denied', { tokenPrefix: view.prefix });
    }
    await controls.idle();
    await expect(t.app.identity.authenticator.authenticate(token)).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'probing', principal: 'service:probe', actionsTaken: [`revoke-token ${view.prefix}`] });
    expect(errors.map((e) => e.message)).toEqual(['sink down']);
    await controls.stop();
  });
});

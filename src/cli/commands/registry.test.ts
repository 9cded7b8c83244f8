/**
 * `attest models …` and `attest validation …` on an embedded home, acting as principals through
 * ATTEST_TOKEN: register, maker ≠ checker (exit 3, one line), approve, gate refusal listing the
 * missing evidence (exit 5), promotion, the alias's state on a date, the auditor's questions and
 * the model card; the offline `attest model` tools are still there.
 */
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../../test/support/cli.js';
import type { RegistryWorld } from '../../../test/support/registry-scenario.js';
import { registryWorld } from '../../../test/support/registry-scenario.js';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation } from '../../../test/support/test-app.js';

describe('attest models / attest validation (embedded)', () => {
  let t: TestInstallation;
  let w: RegistryWorld;
  const as = (name: string, args: string[]) => cli([...args, '--project', 'credit', '--home', t.home], { ...t.env, ATTEST_TOKEN: w.tokens[name]! });

  beforeAll(async () => {
    t = await createTestInstallation('sqlite', 'fs');
    w = await registryWorld(t.app, t.home);
  }, 120_000);

  afterAll(async () => {
    await t?.dispose();
  });

  it('registers, refuses the maker, approves, gates and promotes, and answers the auditor', async () => {
    const trained = await w.trainModel(31);
    const reg = await as('dana', ['models', 'register', '--group', 'credit-default', '--model', trained.ref, '--risk-tier', '2']);
    expect(reg.code, reg.stderr).toBe(0);
    expect(reg.stdout).toContain('credit-default@1');
    expect(reg.stdout).toContain('PendingManualApproval');

    const self = await as('dana', ['models', 'approve', 'credit-default@1', '--comment', 'mine']);
    expect(self.code).toBe(3);
    expect(self.stderr).toContain('separation of duties');
    const ok = await as('victor', ['models', 'approve', 'credit-default@1', '--comment', 'independently validated']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/independent:\s+yes/);
    const again = await as('victor', ['models', 'approve', 'credit-default@1', '--comment', 'again']);
    expect(again.code).toBe(5);

    const gated = await as('emil', ['models', 'alias', 'set', 'credit-default', 'production', '--to-version', '1']);
    expect(gated.code, gated.stdout).toBe(5);
    expect(gated.stderr).toContain('validation signed off by an independent validator');
    expect(gated.stderr).toContain('explanation-report attached');
    const gates = await as('emil', ['models', 'gates', 'credit-default@1']);
    expect(gates.stdout).toContain('[ ] explanation-report attached');

    expect((await as('victor', ['validation', 'sign-off', 'credit-default@1', '--comment', 'fit for purpose'])).code).toBe(0);
    const expl = await t.app.artifacts.putBytes(w.callers.dana.actor, Buffer.from('{"importance":{"meanAbsShap":[{"name":"income","value":0.3}]}}'), { projectId: w.projectId, name: 'expl.json', mediaType: 'application/json' });
    expect((await as('dana', ['models', 'evidence', 'attach', 'credit-default@1', '--kind', 'explanation-report', '--ref', expl.artifactId])).code).toBe(0);
    const promoted = await as('emil', ['models', 'alias', 'set', 'credit-default', 'production', '--to-version', '1', '--reason', 'go-live']);
    expect(promoted.code, promoted.stderr).toBe(0);

    const at = await as('emil', ['models', 'alias', 'at', 'credit-default', 'production', '--at', new Date(Date.now() + 60_000).toISOString()]);
    expect(at.code, at.stderr).toBe(0);
    expect(at.stdout).toMatch(/version:\s+1/);
    expect(at.stdout).toContain('user:emil');
    expect(at.stdout).toContain('all gates passed');
    const who = await as('emil', ['models', 'who-approved', 'credit-default@1']);
    expect(who.stdout).toContain('Approved by user:victor');
    expect(who.stdout).toContain('independent: yes');
    const prod = await as('emil', ['models', 'in-production']);
    expect(prod.stdout).toContain('credit-default');
    const snap = await as('emil', ['models', 'evidence-at-approval', 'credit-default@1']);
    expect(snap.code, snap.stderr).toBe(0);
    expect(snap.stdout).toContain('approved by user:victor');

    const cardFile = join(t.home, 'card.html');
    expect((await as('dana', ['models', 'card', 'edit', 'credit-default@1', '--intended-use', 'Retail PD'])).code).toBe(0);
    const card = await as('emil', ['models', 'card', 'show', 'credit-default@1', '--format', 'html', '--output', cardFile]);
    expect(card.code, card.stderr).toBe(0);
    expect(readFileSync(cardFile, 'utf8')).toContain('Retail PD');
    const report = join(t.home, 'validation.html');
    expect((await as('emil', ['validation', 'report', 'credit-default@1', '--output', report])).code).toBe(0);
    expect(readFileSync(report, 'utf8')).toContain('6. Conclusion');

    const settingsFile = join(t.home, 'settings.json');
    writeFileSync(settingsFile, JSON.stringify({ tiers: { '1': { evidence: ['nonsense'] } } }));
    const bad = await cli(['models', 'settings', 'set', '--file', settingsFile, '--project', 'credit', '--home', t.home], t.env);
    expect(bad.code).toBe(2);
    const bogus = await as('dana', ['models', 'alias', 'set', 'credit-default', 'loop', '--to-alias', 'loop']);
    expect(bogus.code).toBe(2);
  });

  it('keeps the offline model-file tools under `attest model`', async () => {
    const help = await cli(['model', '--help']);
    expect(help.stdout).toContain('train');
    expect(help.stdout).toContain('predict');
  });
});

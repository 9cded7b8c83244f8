/**
 * The web console end to end, in Debian's Chromium (headless, driven by playwright-core): the
 * quickstart's results in a fresh home, `attest server` on loopback, and the people of the
 * quickstart signing in with passwords. Dana (data scientist, the model's maker) walks projects,
 * datasets (schema, profile chart), experiments (sort, filter, metric curves, compare), lineage (click through), monitoring and
 * the model, sees why she cannot approve it, and is refused the audit ledger; Victor (validator)
 * approves the model; the administrator verifies the ledger, filters it and exports an evidence
 * bundle. A screenshot of each main page goes to test-artifacts/console/ (not committed), and
 * any browser console error fails the test — except the "Failed to load resource … 403" lines
 * Chromium prints for requests the server refused, which the page shows as "Not permitted".
 *
 * ATTEST_CONSOLE_E2E_QUICKSTART_HOME may name a home where `attest quickstart` already ran (a
 * copy is used) to skip the ~20 s quickstart while working on the console.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app/index.js';
import { openApp } from '../app/index.js';
import { loadConfig } from '../config/index.js';
import { runQuickstart } from '../quickstart/index.js';
import { buildServer } from '../server/index.js';
import { defaultConsoleDir } from './index.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'test-artifacts', 'console');
const operator = { principal: 'os:tester', sourceIp: 'local', userAgent: 'vitest' };
const PASSWORDS = { dana: 'Console-e2e-maker-pw-1', victor: 'Console-e2e-checker-pw-2' } as const;
const missing = !existsSync(CHROMIUM) ? `${CHROMIUM} is not installed (.ci/run installs it with apt-get)` : !existsSync(join(defaultConsoleDir(), 'index.html')) ? 'the console is not built (npm run build)' : null;

describe.skipIf(missing !== null)(`web console in Chromium${missing ? ` — skipped: ${missing}` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'attest-console-e2e-'));
  const home = join(dir, 'home');
  const env: NodeJS.ProcessEnv = { ...process.env, ATTEST_HOME: home };
  delete env.ATTEST_DB_URL;
  delete env.ATTEST_STORE_URL;
  delete env.ATTEST_KEYRING_PASSPHRASE;
  let app: App;
  let server: FastifyInstance;
  let context: BrowserContext;
  let base: string;
  let adminPassword: string;
  const consoleErrors: string[] = [];
  const refusals: string[] = [];

  beforeAll(async () => {
    const prepared = process.env.ATTEST_CONSOLE_E2E_QUICKSTART_HOME;
    if (prepared) cpSync(prepared, home, { recursive: true });
    else await runQuickstart({ home, env, operator, out: () => undefined });
    app = await openApp(loadConfig(home, env));
    for (const [name, password] of Object.entries(PASSWORDS)) await app.identity.users.setPassword(operator, name, password);
    adminPassword = /password:\s*(\S+)/.exec(readFileSync(join(home, 'initial-admin.txt'), 'utf8'))![1]!;
    server = await buildServer(app, { controls: { enabled: false } });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const address = server.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    // A second trial in the experiment, so that two can be compared (the quickstart makes one).
    const login = (await (await fetch(`${base}/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'dana', password: PASSWORDS.dana }) })).json()) as { token: string };
    const headers = { authorization: `Bearer ${login.token}`, 'content-type': 'application/json', 'x-attest-project': 'credit-risk' };
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${base}/api/v1/tracking${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      expect(res.status, path).toBe(200);
      return (await res.json()) as Record<string, string>;
    };
    const trial = await post('/trials', { experiment: 'credit-default', name: 'manual-eta-0.1' });
    const component = await post('/components', { name: 'manual-training', type: 'training', trials: [trial.trialId], parameters: { eta: 0.1, max_depth: 4 } });
    await post(`/components/${component.componentId}/metrics`, { points: [0, 1, 2, 3].map((step) => ({ name: 'validation:auc', value: 0.7 + step / 100, step })) });
    mkdirSync(SHOTS, { recursive: true });
    context = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A new tab (its own sessionStorage: a fresh sign-in) that records console errors. */
  async function signIn(user: string, password: string): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      if (/Failed to load resource: the server responded with a status of 403/.test(m.text())) refusals.push(`${user}: ${m.location().url}`);
      else consoleErrors.push(`${user} ${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`${user} ${page.url()}: ${e.message}`));
    await page.goto(`${base}/console/`);
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('principal').filter({ hasText: `user:${user}` }).waitFor();
    return page;
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const nav = (page: Page, label: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();

  it('the data scientist walks the quickstart results and sees why she cannot approve her own model', async () => {
    const page = await signIn('dana', PASSWORDS.dana);
    await page.getByRole('table', { name: 'Members of credit-risk' }).getByText('model-validator').waitFor();
    await shot(page, 'projects');

    await nav(page, 'Datasets');
    await page.getByRole('link', { name: 'credit-train@1' }).click();
    await page.getByRole('table', { name: 'Schema and profile' }).getByText('LIMIT_BAL').waitFor();
    await page.getByLabel('Distribution of').selectOption('AGE');
    await page.getByRole('img', { name: /^AGE: quantiles/ }).waitFor();
    await shot(page, 'dataset-profile');

    await nav(page, 'Experiments');
    const trials = page.getByRole('table', { name: /^Trials/ });
    await trials.getByRole('link', { name: 'manual-eta-0.1' }).waitFor();
    await trials.getByRole('button', { name: 'Trial' }).click();
    expect(await trials.locator('th[aria-sort="ascending"]').count()).toBe(1);
    await page.getByLabel(/^Filter/).fill('name = manual-eta-0.1');
    await page.getByRole('button', { name: 'Apply' }).click();
    await trials.getByRole('link', { name: /^pex_/ }).waitFor({ state: 'detached' });
    await page.getByLabel(/^Filter/).fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await trials.getByRole('link', { name: /^pex_/ }).waitFor();
    await shot(page, 'experiments');
    for (const box of await trials.getByRole('checkbox').all()) await box.check();
    await page.getByRole('button', { name: /^Compare 2 selected/ }).click();
    await page.getByRole('heading', { name: 'Compare trials' }).waitFor();
    await page.getByRole('table', { name: /side by side/ }).waitFor();
    await shot(page, 'compare');

    await nav(page, 'Experiments');
    await page.getByRole('link', { name: /^pex_/ }).click();
    await page.getByRole('img', { name: /Metrics per round: training/ }).waitFor();
    await shot(page, 'trial-metric-curves');
    await page.getByRole('link', { name: /^training:/ }).click();
    const graph = page.getByRole('group', { name: 'Lineage graph' });
    await graph.waitFor();
    await shot(page, 'lineage');
    // Click through to an upstream node (keyboard: focus it and press Enter).
    const before = page.url();
    const node = graph.getByRole('button', { name: /^component processing/ }).first();
    await node.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.toString() !== before);
    await graph.waitFor();

    await nav(page, 'Monitoring');
    await page.getByRole('heading', { name: 'Human review queue' }).waitFor();
    await page.getByText(/Not permitted: .*review:List/).waitFor();
    await shot(page, 'monitoring');

    await nav(page, 'Models');
    await page.getByRole('link', { name: 'credit-default@1' }).click();
    await page.getByTestId('model-status').filter({ hasText: 'PendingManualApproval' }).waitFor();
    await page.getByLabel('Decision comment').fill('I trained it, I like it');
    await expect.poll(() => page.getByTestId('approve-reason').textContent()).toMatch(/dana created .* cannot perform model:Approve .*maker ≠ checker/);
    expect(await page.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
    await shot(page, 'model-maker-denied');

    await nav(page, 'Audit');
    await page.getByText(/Not permitted: .*audit:Read/).waitFor();
    await shot(page, 'audit-denied');
  }, 120_000);

  it('the validator approves the model', async () => {
    const page = await signIn('victor', PASSWORDS.victor);
    await nav(page, 'Models');
    await page.getByRole('link', { name: 'credit-default@1' }).click();
    await page.getByTestId('model-status').filter({ hasText: 'PendingManualApproval' }).waitFor();
    await page.getByLabel('Decision comment').fill('independent validation complete');
    const approve = page.getByRole('button', { name: 'Approve' });
    await expect.poll(() => approve.isEnabled()).toBe(true);
    await approve.click();
    await page.getByRole('status').filter({ hasText: 'Approved.' }).waitFor();
    await page.getByTestId('model-status').filter({ hasText: 'Approved' }).waitFor();
    await shot(page, 'model-approved');
  }, 60_000);

  it('the administrator verifies, filters and exports the audit ledger', async () => {
    const page = await signIn('admin', adminPassword);
    await nav(page, 'Audit');
    await page.getByRole('button', { name: 'Verify the ledger' }).click();
    await page.getByTestId('verify-status').filter({ hasText: /^Verified: \d+ entries/ }).waitFor();
    await page.getByLabel('Action').fill('model:Approve');
    await page.getByLabel('Outcome').selectOption('allowed');
    await page.getByRole('button', { name: 'Filter' }).click();
    const table = page.getByRole('table', { name: /^Audit entries \(1,/ });
    await table.getByText('user:victor').waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export evidence bundle' }).click();
    const bundle = JSON.parse(readFileSync((await (await download).path())!, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(bundle).length).toBeGreaterThan(0);
    await page.getByText(/Evidence bundle exported \(\d+ bytes\)/).waitFor();
    await shot(page, 'audit');
  }, 60_000);

  it('no browser console errors on any page; refusals are only what the server denied', () => {
    expect(consoleErrors).toEqual([]);
    for (const r of refusals) expect(r).toMatch(/^dana: .*\/(audit|review-tasks)/);
  });
});

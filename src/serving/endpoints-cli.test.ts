/**
 * `attest endpoints …` from the command line: create, update (shadow, canary, promote), rollback,
 * describe with history, list, delete; bad input exits 2 with one line and changes nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectIdByName } from '../app/index.js';
import { cli } from '../../test/support/cli.js';
import { testDialects } from '../../test/support/databases.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';

const MODEL = join(import.meta.dirname, '../../test/fixtures/golden/xgboost/credit_default_whitepaper/model.json');

describe.each(testDialects())('attest endpoints (%s)', (dialect) => {
  let t: TestInstallation;
  const run = (...args: string[]) => cli([...args, '--home', t.home], t.env);

  beforeAll(async () => {
    t = await createTestInstallation(dialect, 'fs');
    const pid = await projectIdByName(t.app, 'default');
    for (let i = 0; i < 2; i++) await t.app.artifacts.putBytes(TEST_ACTOR, readFileSync(MODEL), { projectId: pid, name: 'credit-gbdt', mediaType: 'application/json' });
  }, 60_000);
  afterAll(async () => t?.dispose());

  it('manages an endpoint through configuration versions', async () => {
    const created = await run('endpoints', 'create', 'credit', '--model', 'credit-gbdt@1', '--capture-percent', '25', '--review-band', '0.4,0.6');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('endpoint credit v1 InService: primary=credit-gbdt@1; capture 25 %, max 1000 rows, human review on');
    expect((await run('endpoints', 'update', 'credit', '--shadow', 'credit-gbdt@2', '--reason', 'challenger')).stdout).toContain('shadow=credit-gbdt@2 (shadow)');
    expect((await run('endpoints', 'update', 'credit', '--no-shadow', '--canary', 'credit-gbdt@2', '--canary-percent', '20')).stdout).toContain('primary=credit-gbdt@1 (80), canary=credit-gbdt@2 (20)');
    expect((await run('endpoints', 'update', 'credit', '--promote', 'canary')).stdout).toContain('v4 InService: primary=credit-gbdt@2;');
    expect((await run('endpoints', 'rollback', 'credit')).stdout).toContain('v3');
    const described = await run('endpoints', 'describe', 'credit', '--history', '--json');
    const d = JSON.parse(described.stdout);
    expect(d.configVersion).toBe(3);
    expect(d.history.map((v: { version: number; reason: string | null }) => [v.version, v.reason])).toEqual([[1, 'created'], [2, 'challenger'], [3, null], [4, null]]);
    const listed = await run('endpoints', 'list');
    expect(listed.stdout).toMatch(/credit\s+3\s+credit-gbdt@1 \+ credit-gbdt@2/);
  });

  it('refuses bad input with one line and exit 2, changing nothing', async () => {
    for (const args of [
      ['endpoints', 'create', 'bad_name!', '--model', 'credit-gbdt@1'],
      ['endpoints', 'create', 'other', '--model', 'credit-gbdt@1', '--capture-percent', '150'],
      ['endpoints', 'update', 'credit', '--promote', 'nobody'],
      ['endpoints', 'rollback', 'credit', '--to-version', '9'],
    ]) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect((await run('endpoints', 'create', 'other', '--model', 'nothing@7')).code).toBe(4);
    expect((await run('endpoints', 'create', 'credit', '--model', 'credit-gbdt@1')).code).toBe(5);
    expect(JSON.parse((await run('endpoints', 'describe', 'credit', '--json')).stdout).configVersion).toBe(3);
    expect((await run('endpoints', 'delete', 'credit')).stdout).toContain('deleted');
    expect((await run('endpoints', 'describe', 'credit')).code).toBe(4);
  });
});

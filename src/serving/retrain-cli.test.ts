/**
 * `attest monitoring schedules create … --retrain-*`: the flags become the schedule's validated
 * retraining trigger (shown by describe); an unknown violation type exits 2 and creates nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectIdByName } from '../app/index.js';
import { PipelineService } from '../pipelines/index.js';
import { cli } from '../../test/support/cli.js';
import { testDialects } from '../../test/support/databases.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';

const GOLDEN = join(import.meta.dirname, '../../test/fixtures/golden/xgboost/credit_default_whitepaper');

describe.each(testDialects())('attest monitoring schedules --retrain-* (%s)', (dialect) => {
  let t: TestInstallation;
  const run = (...args: string[]) => cli([...args, '--home', t.home], t.env);

  beforeAll(async () => {
    t = await createTestInstallation(dialect, 'fs');
    const pid = await projectIdByName(t.app, 'default');
    await t.app.artifacts.putBytes(TEST_ACTOR, readFileSync(join(GOLDEN, 'model.json')), { projectId: pid, name: 'credit-gbdt', mediaType: 'application/json' });
    await t.app.datasets.importFile(TEST_ACTOR, join(GOLDEN, 'input.csv'), { projectId: pid, name: 'credit-train' });
    await t.app.endpoints.create(TEST_ACTOR, pid, { name: 'credit', model: 'credit-gbdt' });
    await new PipelineService(t.app).create({ actor: TEST_ACTOR }, 'default', { name: 'retrain-credit', steps: [{ name: 'split', type: 'processing', inputs: { data: 'credit-train@1' }, params: { seed: 1 } }] });
  }, 60_000);
  afterAll(async () => t?.dispose());

  it('configures the trigger from flags and refuses bad ones', async () => {
    const base = ['monitoring', 'schedules', 'create', 'quality', '--endpoint', 'credit', '--kind', 'model-quality', '--cron', '0 0 * * *', '--retrain-pipeline', 'retrain-credit'];
    const bad = await run(...base, '--retrain-on', 'data_drift');
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toMatch(/retrain\.onViolations/);
    const created = await run(...base, '--retrain-param', 'seed=3', '--retrain-param', 'note=drift', '--retrain-on', 'model_quality_check,baseline_drift_check', '--retrain-cooldown-minutes', '30', '--retrain-max-per-day', '3', '--json');
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout).spec.retrain).toEqual({ pipeline: 'retrain-credit', parameters: { seed: 3, note: 'drift' }, onViolations: ['model_quality_check', 'baseline_drift_check'], minViolations: 1, cooldownMinutes: 30, maxPerDay: 3 });
    const described = await run('monitoring', 'schedules', 'describe', 'quality');
    expect(described.stdout).toContain('retrain: pipeline retrain-credit as os:');
    expect(described.stdout).toContain('cool-down 30 min, at most 3/24 h');
  }, 120_000);
});

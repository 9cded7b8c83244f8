import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectIdByName } from '../app/index.js';
import { monitorCheck } from '../monitoring/index.js';
import { GOLDEN_DIR } from '../../test/support/golden.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';
import { testDialects } from '../../test/support/databases.js';

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

describe.each(testDialects())('governed baselines on %s', (dialect) => {
  let t: TestInstallation;
  let projectId: string;
  beforeAll(async () => {
    t = await createTestInstallation(dialect, 'fs');
    projectId = await projectIdByName(t.app, 'default');
    await t.app.datasets.importFile(TEST_ACTOR, join(GOLDEN_DIR, 'stats', 'drift_reference.csv'), { projectId, name: 'reference' });
    await t.app.datasets.importFile(TEST_ACTOR, join(GOLDEN_DIR, 'stats', 'drift_current.csv'), { projectId, name: 'window' });
  });
  afterAll(async () => t?.dispose());

  it('stores a signed baseline attached to a model, verifies it, and versions overrides', async () => {
    const model = await t.app.artifacts.put(TEST_ACTOR, once(Buffer.from('{"model":1}')), { projectId, name: 'm.json' });
    const created = await t.app.baselines.create(TEST_ACTOR, projectId, { name: 'credit', dataset: 'reference', model: model.artifactId });
    expect(created.manifest.version).toBe(1);
    expect(created.manifest.signature?.algorithm).toBe('Ed25519');
    const loaded = await t.app.baselines.get(TEST_ACTOR, projectId, 'credit');
    expect(loaded.statistics.features.length).toBe(23);
    const upstream = await t.app.lineage.upstream(model.artifactId, { visibleProjects: [projectId], depth: 3 });
    expect(upstream.nodes.map((n) => n.id)).toContain(created.manifestArtifactId);

    const window = await t.app.baselines.window(TEST_ACTOR, projectId, 'window');
    const before = monitorCheck(loaded, window).violations.violations.filter((v) => v.feature_name === 'AGE' && v.constraint_check_type === 'baseline_drift_check');
    const relaxed = await t.app.baselines.override(TEST_ACTOR, projectId, 'credit', { AGE: { comparison_threshold: 0.99 } });
    expect(relaxed.manifest.version).toBe(2);
    const after = monitorCheck(await t.app.baselines.get(TEST_ACTOR, projectId, 'credit@2'), window).violations.violations.filter((v) => v.feature_name === 'AGE' && v.constraint_check_type === 'baseline_drift_check');
    expect(after.length).toBeLessThanOrEqual(before.length);
    expect(after).toEqual([]);
    expect((await t.app.baselines.get(TEST_ACTOR, projectId, 'credit@1')).manifest.overrides).toEqual({});
    // Exact drift: against the baseline's own reference dataset version.
    const exact = monitorCheck(loaded, window, { referenceFrame: await t.app.baselines.reference(TEST_ACTOR, projectId, loaded) }).driftReport;
    expect(exact.basis).toMatchObject({ reference: 'reference-data', exact: true, maxRankErrorBound: 0 });
    await expect(t.app.baselines.override(TEST_ACTOR, projectId, 'credit', { NOPE: { comparison_threshold: 1 } })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('refuses a baseline whose manifest was forged or whose documents were swapped', async () => {
    const good = await t.app.baselines.get(TEST_ACTOR, projectId, 'credit@1');
    const forged = { ...good.manifest, overrides: { LIMIT_BAL: { comparison_threshold: 1 } } };
    await t.app.artifacts.put(TEST_ACTOR, once(Buffer.from(JSON.stringify(forged))), { projectId, name: 'baselines/credit/manifest.json' });
    await expect(t.app.baselines.get(TEST_ACTOR, projectId, 'credit')).rejects.toMatchObject({ code: 'ARTIFACT_INTEGRITY' });
    await expect(t.app.baselines.get(TEST_ACTOR, projectId, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

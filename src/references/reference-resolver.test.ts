import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureProject } from '../app/index.js';
import { cli } from '../../test/support/cli.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';
import { resolveNodeId, resolveReference } from './index.js';

describe('one resolver for every reference form', () => {
  let t: TestInstallation;
  let projectId: string;

  beforeAll(async () => {
    t = await createTestInstallation('sqlite', 'fs');
    projectId = await ensureProject(t.app, TEST_ACTOR, 'refs', 'reference tests');
    const file = join(t.home, 'h.csv');
    writeFileSync(file, 'a,b\n1,2\n3,4\n');
    await t.app.datasets.importFile(TEST_ACTOR, file, { projectId, name: 'credit-holdout' });
    writeFileSync(file, 'a,b\n5,6\n');
    await t.app.datasets.importFile(TEST_ACTOR, file, { projectId, name: 'credit-holdout' });
    await t.app.artifacts.putBytes(TEST_ACTOR, Buffer.from('{"m":1}'), { projectId, name: 'a-model', mediaType: 'application/json' });
    const v1 = await t.app.datasets.describe(projectId, 'credit-holdout@1');
    await t.app.tracking.startComponent({ actor: TEST_ACTOR, projectId }, { name: 'Uses', type: 'evaluation' }).then((c) =>
      t.app.tracking.logInput({ actor: TEST_ACTOR, projectId }, c.componentId, { role: 'data', ref: v1.artifactId }),
    );
  });
  afterAll(async () => t?.dispose());

  it('accepts name@version, name, dsv_…, art_… and sha256:… for datasets and artifacts, and refuses what names nothing', async () => {
    const v1 = await t.app.datasets.describe(projectId, 'credit-holdout@1');
    const v2 = await t.app.datasets.describe(projectId, 'credit-holdout@2');
    for (const ref of ['credit-holdout@1', v1.datasetVersionId, v1.artifactId, `sha256:${v1.sha256}`]) {
      expect((await resolveReference(t.app, projectId, ref)).artifactId).toBe(v1.artifactId);
    }
    expect((await resolveReference(t.app, projectId, 'credit-holdout')).datasetVersion?.version).toBe(2);
    expect((await resolveReference(t.app, projectId, 'credit-holdout')).artifactId).toBe(v2.artifactId);
    const model = await resolveReference(t.app, projectId, 'a-model@1');
    expect(model.kind).toBe('artifact');
    expect(await resolveNodeId(t.app, projectId, 'tc_abc')).toBe('tc_abc');
    await expect(resolveReference(t.app, projectId, 'nothing@3')).rejects.toMatchObject({ code: 'REFERENCE_NOT_FOUND' });
    const other = await ensureProject(t.app, TEST_ACTOR, 'other', 'x');
    await expect(resolveReference(t.app, other, v1.artifactId)).rejects.toMatchObject({ code: 'REFERENCE_NOT_FOUND' });
  });

  it('lets `attest lineage downstream` and `attest artifact describe` take a dataset name@version', async () => {
    const lineage = await cli(['lineage', 'downstream', 'credit-holdout@1', '--project', 'refs', '--home', t.home, '--json'], t.env);
    expect(lineage.stderr).toBe('');
    expect(lineage.code).toBe(0);
    expect((JSON.parse(lineage.stdout) as { nodes: { name: string }[] }).nodes.map((n) => n.name)).toContain('Uses');
    const described = await cli(['artifact', 'describe', 'credit-holdout@2', '--project', 'refs', '--home', t.home, '--json'], t.env);
    expect(described.code).toBe(0);
    expect(JSON.parse(described.stdout).artifactId).toBe((await t.app.datasets.describe(projectId, 'credit-holdout@2')).artifactId);
  });
});

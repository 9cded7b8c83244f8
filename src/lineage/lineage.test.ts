import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureProject, projectIdByName } from '../app/index.js';
import { isAppError } from '../kernel/index.js';
import { testDialects } from '../../test/support/databases.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';
import { putBytes } from '../../test/support/tracking-scenario.js';
import { nodeKindOf, parseAssociationType } from './index.js';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    return isAppError(error) ? error.code : String(error);
  }
  return 'resolved';
}

describe.each(testDialects())('the lineage graph on %s', (dialect) => {
  let inst: TestInstallation;
  let project: string;
  let other: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    inst = await createTestInstallation(dialect, 'fs');
    project = await projectIdByName(inst.app, 'default');
    other = await ensureProject(inst.app, TEST_ACTOR, 'other', 'other project');
    for (const name of ['raw', 'clean', 'copy', 'model']) ids[name] = await putBytes(inst.app, TEST_ACTOR, project, `${name} bytes`, name);
    ids.foreign = await putBytes(inst.app, TEST_ACTOR, other, 'foreign bytes', 'foreign');
    const { lineage } = inst.app;
    await lineage.associate(TEST_ACTOR, { sourceId: ids.raw!, destId: ids.clean!, type: 'DerivedFrom', projectId: project });
    await lineage.associate(TEST_ACTOR, { sourceId: ids.clean!, destId: ids.copy!, type: 'SameAs', projectId: project });
    await lineage.associate(TEST_ACTOR, { sourceId: ids.copy!, destId: ids.clean!, type: 'SameAs', projectId: project });
    await lineage.associate(TEST_ACTOR, { sourceId: ids.copy!, destId: ids.model!, type: 'ContributedTo', projectId: project });
  }, 60_000);
  afterAll(async () => inst?.dispose());

  it('walks cycles (SameAs both ways) to an end, each node once at its shortest depth', async () => {
    const down = await inst.app.lineage.downstream(ids.raw!, { visibleProjects: [project] });
    expect(down.nodes.map((n) => [n.name, n.depth])).toEqual([
      ['clean@1', 1],
      ['copy@1', 2],
      ['model@1', 3],
    ]);
    const up = await inst.app.lineage.upstream(ids.model!, { visibleProjects: [project], includeEdges: true });
    expect(up.nodes.map((n) => n.name).sort()).toEqual(['clean@1', 'copy@1', 'raw@1']);
    expect(up.edges?.length).toBe(4);
  });

  it('filters by association type, node kind and depth', async () => {
    const { lineage } = inst.app;
    const derived = await lineage.downstream(ids.raw!, { visibleProjects: [project], associations: ['DerivedFrom'] });
    expect(derived.nodes.map((n) => n.id)).toEqual([ids.clean]);
    const shallow = await lineage.downstream(ids.raw!, { visibleProjects: [project], depth: 2 });
    expect(shallow.nodes.map((n) => n.id)).toEqual([ids.clean, ids.copy]);
    const components = await lineage.downstream(ids.raw!, { visibleProjects: [project], types: ['component'] });
    expect(components.nodes).toEqual([]);
    expect(await code(lineage.downstream(ids.raw!, { visibleProjects: [project], depth: 0 }))).toBe('INVALID_INPUT');
  });

  it('keeps projects apart', async () => {
    const { lineage } = inst.app;
    expect(await code(lineage.associate(TEST_ACTOR, { sourceId: ids.raw!, destId: ids.foreign!, type: 'DerivedFrom', projectId: project }))).toBe('NOT_FOUND');
    expect(await code(lineage.upstream(ids.model!, { visibleProjects: [other] }))).toBe('NOT_FOUND');
    expect(await code(lineage.downstream(ids.raw!, { visibleProjects: [] }))).toBe('NOT_FOUND');
  });

  it('audits associations and refuses self-links', async () => {
    const { lineage } = inst.app;
    expect(await code(lineage.associate(TEST_ACTOR, { sourceId: ids.raw!, destId: ids.raw!, type: 'SameAs', projectId: project }))).toBe('INVALID_INPUT');
    expect((await lineage.associate(TEST_ACTOR, { sourceId: ids.raw!, destId: ids.clean!, type: 'DerivedFrom', projectId: project })).added).toBe(false);
    const entries = await inst.app.ledger.list({ action: 'lineage:Associate' });
    expect(entries.filter((e) => e.outcome === 'allowed')).toHaveLength(5);
    expect(entries.filter((e) => e.outcome === 'failed')).toHaveLength(1);
  });

  it('names node kinds and association types', () => {
    expect(nodeKindOf('art_x')).toBe('artifact');
    expect(nodeKindOf('tc_x')).toBe('component');
    expect(() => nodeKindOf('hello')).toThrow(/not a lineage node id/);
    expect(parseAssociationType('derivedfrom')).toBe('DerivedFrom');
    expect(() => parseAssociationType('Caused')).toThrow(/Unknown association type/);
  });
});

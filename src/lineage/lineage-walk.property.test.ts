/**
 * The recursive CTE against a plain breadth-first search: on random graphs (cycles, self-reachable
 * paths, mixed association types, two projects) both directions, depth bounds and association
 * filters give exactly the nodes and shortest depths that BFS finds.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureProject, projectIdByName } from '../app/index.js';
import { testDialects } from '../../test/support/databases.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';
import type { AssociationType } from './index.js';
import { ASSOCIATION_TYPES, walkLineage } from './index.js';

interface Edge {
  from: number;
  to: number;
  type: AssociationType;
  foreign: boolean;
}

function bfs(edges: readonly Edge[], start: number, downstream: boolean, depth: number, types: readonly AssociationType[] | undefined): Map<number, number> {
  const seen = new Map<number, number>([[start, 0]]);
  let frontier = [start];
  for (let d = 1; d <= depth && frontier.length > 0; d++) {
    const next: number[] = [];
    for (const node of frontier) {
      for (const e of edges) {
        if (e.foreign || (types && !types.includes(e.type))) continue;
        const [a, b] = downstream ? [e.from, e.to] : [e.to, e.from];
        if (a === node && !seen.has(b)) {
          seen.set(b, d);
          next.push(b);
        }
      }
    }
    frontier = next;
  }
  seen.delete(start);
  return seen;
}

const NODES = 12;

describe.each(testDialects())('lineage walks agree with breadth-first search (%s)', (dialect) => {
  let inst: TestInstallation;
  let project: string;
  let other: string;
  const id = (i: number) => `tc_prop${i}`;

  beforeAll(async () => {
    inst = await createTestInstallation(dialect, 'fs');
    project = await projectIdByName(inst.app, 'default');
    other = await ensureProject(inst.app, TEST_ACTOR, 'other', 'other project');
    const time = new Date().toISOString();
    await inst.app.db.kysely
      .insertInto('trial_components')
      .values(Array.from({ length: NODES }, (_, i) => ({ id: id(i), project_id: project, name: `n${i}`, type: 'custom', status: 'Completed', tags: '{}', notes: '[]', source: null, environment: null, start_time: time, end_time: time, failure_reason: null, created_at: time, created_by: 'test' })))
      .execute();
  }, 60_000);
  afterAll(async () => inst?.dispose());

  it('for random graphs, depths and filters', async () => {
    const edge = fc.record({ from: fc.nat(NODES - 1), to: fc.nat(NODES - 1), type: fc.constantFrom(...ASSOCIATION_TYPES), foreign: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(edge, { maxLength: 30, selector: (e) => `${e.from}-${e.to}-${e.type}` }).map((es) => es.filter((e) => e.from !== e.to)),
        fc.nat(NODES - 1),
        fc.boolean(),
        fc.integer({ min: 1, max: 8 }),
        fc.option(fc.subarray([...ASSOCIATION_TYPES], { minLength: 1 }), { nil: undefined }),
        async (edges, start, downstream, depth, types) => {
          const db = inst.app.db.kysely;
          await db.deleteFrom('lineage_associations').execute();
          if (edges.length > 0) {
            await db
              .insertInto('lineage_associations')
              .values(edges.map((e, k) => ({ id: `asc_p${k}`, project_id: e.foreign ? other : project, source_id: id(e.from), source_kind: 'component', dest_id: id(e.to), dest_kind: 'component', type: e.type, created_at: 'x', created_by: 'test' })))
              .execute();
          }
          const result = await walkLineage(inst.app.db, id(start), downstream ? 'downstream' : 'upstream', { visibleProjects: [project], depth, ...(types ? { associations: types } : {}) });
          const expected = bfs(edges, start, downstream, depth, types);
          expect(new Map(result.nodes.map((n) => [Number(n.id.slice('tc_prop'.length)), n.depth]))).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});

/**
 * Tracking and lineage (issue 4), on SQLite and (when ATTEST_TEST_PG_URL is set) PostgreSQL:
 * (a) logging 1,000,000 metric points in batches of 10,000 through the tracking service (validation,
 *     one governed transaction with its audit entry per batch, summaries for search), against plain
 *     multi-row inserts of the same rows into the same table in the same database — the batches
 *     alternate between the two so both see the same table and index sizes;
 * (b) a downstream lineage query over a 100,000-node graph (artifacts and components alternating
 *     over 10 levels, each node with 2 random parents) from one level-0 artifact — median ms;
 * (c) a filtered, sorted, paged search over 100,000 trials (`parameters.eta = 0.2 and
 *     metrics.validation:auc > 0.78`, newest first, 50 per page) — median ms.
 * ATTEST_BENCH_TRACKING_SCALE (default 1) scales every size, e.g. 0.1 for a quick run.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { projectIdByName } from '../src/app/index.js';
import { createRandom } from '../src/kernel/index.js';
import type { Database, Db } from '../src/platform/db/index.js';
import { withTransaction } from '../src/platform/db/index.js';
import { testDialects } from '../test/support/databases.js';
import { createTestInstallation, TEST_ACTOR } from '../test/support/test-app.js';
import { median } from './measure.js';
import type { BenchResult } from './types.js';

const SCALE = Number(process.env.ATTEST_BENCH_TRACKING_SCALE ?? '1');

async function bulkInsert<T extends keyof Database>(db: Db, table: T, rows: readonly Database[T][]): Promise<void> {
  const columns = rows.length > 0 ? Object.keys(rows[0]!).length : 1;
  const chunk = Math.max(1, Math.floor(30_000 / columns));
  await withTransaction(db, async (tx) => {
    for (let i = 0; i < rows.length; i += chunk) await (tx as Kysely<Database>).insertInto(table).values(rows.slice(i, i + chunk) as never).execute();
  });
}

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function metricLogging(db: Db, app: Awaited<ReturnType<typeof createTestInstallation>>['app'], projectId: string, dialect: string): Promise<BenchResult> {
  const total = Math.round(1_000_000 * SCALE);
  const batch = 10_000;
  const ctx = { actor: TEST_ACTOR, projectId };
  const tracked = await app.tracking.startComponent(ctx, { name: 'bench-tracked', type: 'training' });
  const now = Date.now();
  let trackedMs = 0;
  let plainMs = 0;
  for (let start = 0; start < total; start += batch) {
    const n = Math.min(batch, total - start);
    const points = Array.from({ length: n }, (_, i) => ({ name: `m${(start + i) % 4}`, value: Math.sin(start + i), step: Math.floor((start + i) / 4), timestamp: now + start + i }));
    const rows = points.map((p) => ({ component_id: 'tc_plain_reference', name: p.name, value: p.value, step: p.step, timestamp: p.timestamp }));
    plainMs += await timeMs(() =>
      withTransaction(db, async (tx) => {
        for (let i = 0; i < rows.length; i += 1000) await tx.insertInto('metrics').values(rows.slice(i, i + 1000)).execute();
      }),
    );
    trackedMs += await timeMs(() => app.tracking.logMetrics(ctx, tracked.componentId, points));
  }
  return {
    name: `log ${total.toLocaleString('en')} metric points in batches of ${batch} (${dialect})`,
    value: total / (trackedMs / 1000),
    unit: 'points/s',
    reference: { name: 'plain multi-row inserts of the same rows', value: total / (plainMs / 1000) },
    ratio: plainMs / trackedMs,
    goal: 'ratio >= 0.3',
  };
}

async function lineageQuery(db: Db, app: Awaited<ReturnType<typeof createTestInstallation>>['app'], projectId: string, dialect: string): Promise<BenchResult> {
  const levels = 10;
  const perLevel = Math.round(10_000 * SCALE);
  const random = createRandom(4);
  const key = await db.kysely.selectFrom('keys').select(['id']).where('usage', '=', 'ENCRYPT_DECRYPT').executeTakeFirstOrThrow();
  const time = new Date().toISOString();
  const ids: string[][] = [];
  const artifacts: Database['artifacts'][] = [];
  const components: Database['trial_components'][] = [];
  for (let level = 0; level < levels; level++) {
    const isArtifact = level % 2 === 0;
    const row: string[] = [];
    for (let i = 0; i < perLevel; i++) {
      const id = `${isArtifact ? 'art' : 'tc'}_bench${level}x${i}`;
      row.push(id);
      if (isArtifact) {
        artifacts.push({ id, project_id: projectId, sha256: `${level}-${i}`.padEnd(64, '0'), size_bytes: 1, media_type: 'text/csv', key_id: key.id, key_version: 1, wrapped_key: 'x', encryption: '{}', blob_key: id, created_at: time, created_by: 'bench', retention_until: null, legal_hold: 0, deleted_at: null, deleted_by: null });
      } else {
        components.push({ id, project_id: projectId, name: `step-${level}-${i}`, type: level === 1 ? 'processing' : 'training', status: 'Completed', tags: '{}', notes: '[]', source: null, environment: null, start_time: time, end_time: time, failure_reason: null, created_at: time, created_by: 'bench' });
      }
    }
    ids.push(row);
  }
  const edges: Database['lineage_associations'][] = [];
  for (let level = 1; level < levels; level++) {
    const toComponent = level % 2 === 1;
    for (let i = 0; i < perLevel; i++) {
      const parents = new Set([random.nextInt(perLevel), random.nextInt(perLevel)]);
      for (const p of parents) {
        edges.push({ id: `asc_b${level}x${i}x${p}`, project_id: projectId, source_id: ids[level - 1]![p]!, source_kind: toComponent ? 'artifact' : 'component', dest_id: ids[level]![i]!, dest_kind: toComponent ? 'component' : 'artifact', type: toComponent ? 'ContributedTo' : 'Produced', created_at: time, created_by: 'bench' });
      }
    }
  }
  await bulkInsert(db, 'artifacts', artifacts);
  await bulkInsert(db, 'trial_components', components);
  await bulkInsert(db, 'lineage_associations', edges);
  const times: number[] = [];
  let found = 0;
  for (let r = 0; r < 12; r++) {
    const start = ids[0]![r * 7]!;
    times.push(await timeMs(async () => (found = (await app.lineage.downstream(start, { visibleProjects: [projectId] })).nodes.length)));
  }
  return {
    name: `downstream lineage over ${(levels * perLevel).toLocaleString('en')} artifacts and components, ${levels} levels (${dialect}; last query reached ${found} nodes)`,
    value: median(times.slice(2)),
    unit: 'ms',
    goal: dialect === 'sqlite' ? 'under 50 ms' : 'under 50 ms on SQLite',
  };
}

async function trialSearch(db: Db, app: Awaited<ReturnType<typeof createTestInstallation>>['app'], projectId: string, dialect: string): Promise<BenchResult> {
  const n = Math.round(100_000 * SCALE);
  const random = createRandom(11);
  const ctx = { actor: TEST_ACTOR, projectId };
  const experiment = await app.tracking.createExperiment(ctx, { name: 'bench-search' });
  const base = Date.parse('2026-01-01T00:00:00Z');
  const trials: Database['trials'][] = [];
  const components: Database['trial_components'][] = [];
  const members: Database['trial_component_members'][] = [];
  const params: Database['component_parameters'][] = [];
  const summaries: Database['metric_summaries'][] = [];
  const etas = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5];
  for (let i = 0; i < n; i++) {
    const time = new Date(base + i * 1000).toISOString();
    const trialId = `tr_bench${i}`;
    const componentId = `tc_search${i}`;
    const eta = etas[random.nextInt(etas.length)]!;
    const auc = 0.6 + random.next() * 0.3;
    trials.push({ id: trialId, project_id: projectId, experiment_id: experiment.experimentId, name: `trial-${i}`, tags: '{}', created_at: time, created_by: 'user:bench' });
    components.push({ id: componentId, project_id: projectId, name: `train-${i}`, type: 'training', status: 'Completed', tags: '{}', notes: '[]', source: null, environment: null, start_time: time, end_time: time, failure_reason: null, created_at: time, created_by: 'user:bench' });
    members.push({ trial_id: trialId, component_id: componentId, added_at: time });
    params.push({ component_id: componentId, name: 'eta', value_text: String(eta), value_num: eta, value_type: 'number' });
    params.push({ component_id: componentId, name: 'max_depth', value_text: String(3 + (i % 6)), value_num: 3 + (i % 6), value_type: 'number' });
    summaries.push({ component_id: componentId, name: 'validation:auc', last_value: auc, last_step: 99, last_timestamp: base + i, min_value: 0.5, max_value: auc, count: 100 });
  }
  await bulkInsert(db, 'trials', trials);
  await bulkInsert(db, 'trial_components', components);
  await bulkInsert(db, 'trial_component_members', members);
  await bulkInsert(db, 'component_parameters', params);
  await bulkInsert(db, 'metric_summaries', summaries);
  // Statistics after a bulk load, as autovacuum would gather them on a live server.
  if (db.dialect === 'postgres') await sql`analyze`.execute(db.kysely);
  const times: number[] = [];
  let found = 0;
  for (let r = 0; r < 12; r++) {
    times.push(
      await timeMs(async () => {
        const page = await app.tracking.searchTrials({ filter: 'parameters.eta = 0.2 and metrics.`validation:auc` > 0.78', limit: 50, visibleProjects: [projectId] });
        found = page.items.length;
      }),
    );
  }
  return {
    name: `search ${n.toLocaleString('en')} trials: eta = 0.2 and validation:auc > 0.78, newest 50 (${dialect}; ${found} on the page)`,
    value: median(times.slice(2)),
    unit: 'ms',
    goal: 'under 200 ms',
  };
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const dialect of testDialects()) {
    const inst = await createTestInstallation(dialect, 'fs');
    try {
      const projectId = await projectIdByName(inst.app, 'default');
      results.push(await metricLogging(inst.app.db, inst.app, projectId, dialect));
      results.push(await lineageQuery(inst.app.db, inst.app, projectId, dialect));
      results.push(await trialSearch(inst.app.db, inst.app, projectId, dialect));
    } finally {
      await inst.dispose();
    }
  }
  return results;
}

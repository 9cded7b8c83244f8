/**
 * @module lineage/lineage-store
 * Writing associations (inside the caller's governed transaction) and walking the graph both ways
 * with one recursive common-table expression that runs unchanged on SQLite and PostgreSQL.
 */
import { sql } from 'kysely';
import { AppError, newId } from '../kernel/index.js';
import type { Db, LineageAssociationsTable, Tx } from '../platform/db/index.js';
import type { Association, AssociationType, LineageDirection, LineageNode, LineageQuery, LineageResult, NodeKind } from './lineage-model.js';
import { DEFAULT_LINEAGE_DEPTH, NODE_KINDS, nodeKindOf } from './lineage-model.js';

export interface NewAssociation {
  projectId: string;
  sourceId: string;
  destId: string;
  type: AssociationType;
  principal: string;
  time: string;
}

/** Records an edge inside `tx` unless the same (source, destination, type) edge exists. Returns true when added. */
export async function recordAssociation(tx: Tx, edge: NewAssociation): Promise<boolean> {
  if (edge.sourceId === edge.destId) throw new AppError('INVALID_INPUT', { message: 'An association cannot link a node to itself' });
  // ON CONFLICT DO NOTHING (both engines): concurrent writers recording the same edge never fail.
  const result = await tx
    .insertInto('lineage_associations')
    .values({
      id: newId('asc'),
      project_id: edge.projectId,
      source_id: edge.sourceId,
      source_kind: nodeKindOf(edge.sourceId),
      dest_id: edge.destId,
      dest_kind: nodeKindOf(edge.destId),
      type: edge.type,
      created_at: edge.time,
      created_by: edge.principal,
    })
    .onConflict((oc) => oc.columns(['source_id', 'dest_id', 'type']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export function rowToAssociation(row: LineageAssociationsTable): Association {
  return {
    id: row.id,
    projectId: row.project_id,
    sourceId: row.source_id,
    sourceKind: row.source_kind as NodeKind,
    destId: row.dest_id,
    destKind: row.dest_kind as NodeKind,
    type: row.type as AssociationType,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

/** The project a node belongs to, or undefined when no visible table or edge knows it. */
export async function nodeProject(db: Db, id: string): Promise<string | undefined> {
  const k = db.kysely;
  switch (nodeKindOf(id)) {
    case 'artifact':
      return (await k.selectFrom('artifacts').select('project_id').where('id', '=', id).executeTakeFirst())?.project_id;
    case 'component':
      return (await k.selectFrom('trial_components').select('project_id').where('id', '=', id).executeTakeFirst())?.project_id;
    case 'trial':
      return (await k.selectFrom('trials').select('project_id').where('id', '=', id).executeTakeFirst())?.project_id;
    case 'experiment':
      return (await k.selectFrom('experiments').select('project_id').where('id', '=', id).executeTakeFirst())?.project_id;
    default: {
      const edge = await k
        .selectFrom('lineage_associations')
        .select('project_id')
        .where((eb) => eb.or([eb('source_id', '=', id), eb('dest_id', '=', id)]))
        .executeTakeFirst();
      return edge?.project_id;
    }
  }
}

/** Adds names and types to bare node ids (one query per kind). */
async function label(db: Db, nodes: LineageNode[]): Promise<void> {
  const byKind = (kind: NodeKind) => nodes.filter((n) => n.kind === kind);
  const ids = (kind: NodeKind) => byKind(kind).map((n) => n.id);
  const chunks = <T>(values: T[]): T[][] => {
    const out: T[][] = [];
    for (let i = 0; i < values.length; i += 500) out.push(values.slice(i, i + 500));
    return out;
  };
  const index = new Map(nodes.map((n) => [n.id, n]));
  for (const part of chunks(ids('component'))) {
    for (const r of await db.kysely.selectFrom('trial_components').select(['id', 'name', 'type', 'source']).where('id', 'in', part).execute()) {
      const commit = r.source ? (JSON.parse(r.source) as { commit?: string }).commit : undefined;
      Object.assign(index.get(r.id)!, { name: r.name, type: r.type, ...(commit ? { commit } : {}) });
    }
  }
  for (const part of chunks(ids('trial'))) {
    for (const r of await db.kysely.selectFrom('trials').select(['id', 'name']).where('id', 'in', part).execute()) index.get(r.id)!.name = r.name;
  }
  for (const part of chunks(ids('experiment'))) {
    for (const r of await db.kysely.selectFrom('experiments').select(['id', 'name']).where('id', 'in', part).execute()) index.get(r.id)!.name = r.name;
  }
  for (const part of chunks(ids('artifact'))) {
    for (const r of await db.kysely.selectFrom('artifacts').select(['id', 'media_type']).where('id', 'in', part).execute()) index.get(r.id)!.type = r.media_type;
    const named = await db.kysely.selectFrom('named_objects').select(['artifact_id', 'name', 'version']).where('artifact_id', 'in', part).orderBy('version', 'desc').execute();
    for (const r of named) {
      const node = index.get(r.artifact_id)!;
      node.name ??= `${r.name}@${r.version}`;
    }
  }
}

/**
 * Walks the graph from `startId` (downstream: along source → destination; upstream: back). One
 * recursive CTE: UNION deduplicates (node, depth) pairs and the depth bound ends cycles; the outer
 * query keeps each node's shortest depth. Edges outside `visibleProjects` are never followed.
 */
export async function walkLineage(db: Db, startId: string, direction: LineageDirection, query: LineageQuery): Promise<LineageResult> {
  const depth = query.depth ?? DEFAULT_LINEAGE_DEPTH;
  if (!Number.isInteger(depth) || depth < 1 || depth > 1000) throw new AppError('INVALID_INPUT', { message: `--depth must be an integer from 1 to 1000, got ${depth}` });
  const kind = nodeKindOf(startId);
  const project = await nodeProject(db, startId);
  if (project === undefined || !query.visibleProjects.includes(project)) throw new AppError('NOT_FOUND', { message: `No lineage node ${startId}` });
  const start: LineageNode = { id: startId, kind, depth: 0, projectId: project };
  await label(db, [start]);
  if (query.visibleProjects.length === 0) return { start, direction, nodes: [] };
  const from = direction === 'downstream' ? sql.ref('a.source_id') : sql.ref('a.dest_id');
  const to = direction === 'downstream' ? sql.ref('a.dest_id') : sql.ref('a.source_id');
  const toKind = direction === 'downstream' ? sql.ref('a.dest_kind') : sql.ref('a.source_kind');
  const projects = sql.join(query.visibleProjects.map((p) => sql`${p}`));
  const typeFilter = query.associations && query.associations.length > 0 ? sql`and a.type in (${sql.join(query.associations.map((t) => sql`${t}`))})` : sql``;
  const wanted = (query.types ?? []).map((t) => t.toLowerCase());
  const kinds = wanted.filter((t) => (NODE_KINDS as readonly string[]).includes(t));
  const componentTypes = wanted.filter((t) => !(NODE_KINDS as readonly string[]).includes(t));
  const kindFilter =
    wanted.length === 0
      ? sql``
      : sql`where ${sql.join(
          [
            ...(kinds.length > 0 ? [sql`r.kind in (${sql.join(kinds.map((t) => sql`${t}`))})`] : []),
            ...(componentTypes.length > 0 ? [sql`r.node_id in (select id from trial_components where type in (${sql.join(componentTypes.map((t) => sql`${t}`))}))`] : []),
          ],
          sql` or `,
        )}`;
  const result = await sql<{ node_id: string; kind: string; depth: number | string; project_id: string }>`
    with recursive walk(node_id, kind, depth, project_id) as (
      select ${startId}, ${kind}, 0, ${project}
      union
      select ${to}, ${toKind}, w.depth + 1, a.project_id
      from walk w join lineage_associations a on ${from} = w.node_id
      where w.depth < ${depth} and a.project_id in (${projects}) ${typeFilter}
    )
    select r.node_id, r.kind, r.depth, r.project_id from (
      select node_id, min(kind) as kind, min(depth) as depth, min(project_id) as project_id from walk where node_id <> ${startId} group by node_id
    ) r ${kindFilter}
    order by r.depth, r.node_id`.execute(db.kysely);
  const nodes: LineageNode[] = result.rows.map((r) => ({ id: r.node_id, kind: r.kind as NodeKind, depth: Number(r.depth), projectId: r.project_id }));
  await label(db, nodes);
  if (!query.includeEdges) return { start, direction, nodes };
  const ids = [startId, ...nodes.map((n) => n.id)];
  const edges: Association[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    const column = direction === 'downstream' ? 'dest_id' : 'source_id';
    const rows = await db.kysely.selectFrom('lineage_associations').selectAll().where(column, 'in', part).where('project_id', 'in', query.visibleProjects).execute();
    const set = new Set(ids);
    for (const r of rows) if (set.has(r.source_id) && set.has(r.dest_id)) edges.push(rowToAssociation(r));
  }
  return { start, direction, nodes, edges };
}

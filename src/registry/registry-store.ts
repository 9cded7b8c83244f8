/**
 * @module registry/registry-store
 * Reading the registry's rows: finding groups and versions by the references users type
 * (`GROUP`, `GROUP@3`, `GROUP@production`, `mp_…`), resolving aliases (which may point at other
 * aliases) now or at a past instant from their history, and turning rows into API objects.
 */
import { AppError } from '../kernel/index.js';
import type { Db } from '../platform/db/index.js';
import type { AliasHistoryEntry, ModelGroup, ModelStatus, ModelVersion, Provenance, Signature } from './registry-model.js';
import type { ModelAliasHistoryTable, ModelGroupsTable, ModelVersionsTable, RegistryKysely } from './registry-tables.js';
import { registryDb } from './registry-tables.js';

/** How many alias-to-alias hops are followed before the chain is called a cycle. */
export const MAX_ALIAS_DEPTH = 16;

export class RegistryStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  get k(): RegistryKysely {
    return registryDb(this.#db);
  }

  async groupRow(projectId: string, name: string, k: RegistryKysely = this.k): Promise<ModelGroupsTable> {
    const row = await k.selectFrom('model_groups').selectAll().where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
    if (!row) throw new AppError('MODEL_GROUP_NOT_FOUND', { message: `No model group ${name} in this project`, details: { group: name } });
    return row;
  }

  async groupById(groupId: string, k: RegistryKysely = this.k): Promise<ModelGroupsTable> {
    return k.selectFrom('model_groups').selectAll().where('id', '=', groupId).executeTakeFirstOrThrow();
  }

  async versionRowById(projectId: string, versionId: string, k: RegistryKysely = this.k): Promise<ModelVersionsTable> {
    const row = await k.selectFrom('model_versions').selectAll().where('id', '=', versionId).where('project_id', '=', projectId).executeTakeFirst();
    if (!row) throw new AppError('MODEL_VERSION_NOT_FOUND', { message: `No model version ${versionId} in this project`, details: { version: versionId } });
    return row;
  }

  async versionRow(group: ModelGroupsTable, version: number, k: RegistryKysely = this.k): Promise<ModelVersionsTable> {
    const row = await k.selectFrom('model_versions').selectAll().where('group_id', '=', group.id).where('version', '=', version).executeTakeFirst();
    if (!row) throw new AppError('MODEL_VERSION_NOT_FOUND', { message: `Model group ${group.name} has no version ${version}`, details: { group: group.name, version } });
    return row;
  }

  /** The version an alias points at now, following alias-to-alias links; undefined when unset. */
  async aliasTarget(groupId: string, alias: string, k: RegistryKysely = this.k): Promise<string | undefined> {
    let current = alias;
    for (let hop = 0; hop < MAX_ALIAS_DEPTH; hop++) {
      const row = await k.selectFrom('model_aliases').selectAll().where('group_id', '=', groupId).where('alias', '=', current).executeTakeFirst();
      if (!row) return undefined;
      if (row.target_version_id) return row.target_version_id;
      if (!row.target_alias) return undefined;
      current = row.target_alias;
    }
    throw new AppError('MODEL_ALIAS_INVALID', { message: `Alias ${alias} does not resolve within ${MAX_ALIAS_DEPTH} hops (a cycle)` });
  }

  /** The version an alias pointed at just after `at` had passed (its history, alias links resolved at the same instant). */
  async aliasTargetAt(groupId: string, alias: string, at: string): Promise<{ versionId: string | undefined; entry: ModelAliasHistoryTable | undefined }> {
    let current = alias;
    let first: ModelAliasHistoryTable | undefined;
    for (let hop = 0; hop < MAX_ALIAS_DEPTH; hop++) {
      const row = await this.k
        .selectFrom('model_alias_history')
        .selectAll()
        .where('group_id', '=', groupId)
        .where('alias', '=', current)
        .where('at', '<=', at)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      first ??= row;
      if (!row) return { versionId: undefined, entry: first };
      if (row.target_version_id) return { versionId: row.target_version_id, entry: first };
      if (!row.target_alias) return { versionId: undefined, entry: first };
      current = row.target_alias;
    }
    return { versionId: undefined, entry: first };
  }

  /**
   * A version by reference: `mp_…`, `GROUP@N`, `GROUP@alias`, or `GROUP` (its newest version).
   */
  async findVersion(projectId: string, ref: string): Promise<{ group: ModelGroupsTable; row: ModelVersionsTable }> {
    const trimmed = ref.trim();
    if (trimmed.startsWith('mp_')) {
      const row = await this.versionRowById(projectId, trimmed);
      return { group: await this.groupById(row.group_id), row };
    }
    const at = trimmed.lastIndexOf('@');
    const name = at < 0 ? trimmed : trimmed.slice(0, at);
    const selector = at < 0 ? '' : trimmed.slice(at + 1);
    const group = await this.groupRow(projectId, name);
    if (selector === '' || selector === 'latest') {
      const row = await this.k.selectFrom('model_versions').selectAll().where('group_id', '=', group.id).orderBy('version', 'desc').limit(1).executeTakeFirst();
      if (!row) throw new AppError('MODEL_VERSION_NOT_FOUND', { message: `Model group ${name} has no versions yet` });
      return { group, row };
    }
    const number = /^v?(\d+)$/.exec(selector);
    if (number) return { group, row: await this.versionRow(group, Number(number[1])) };
    const target = await this.aliasTarget(group.id, selector);
    if (!target) throw new AppError('MODEL_ALIAS_NOT_FOUND', { message: `Model group ${name} has no alias ${selector}`, details: { group: name, alias: selector } });
    return { group, row: await this.versionRowById(projectId, target) };
  }

  /** Alias names pointing (directly or through other aliases) at each version of a group. */
  async aliasesByVersion(groupId: string): Promise<Map<string, string[]>> {
    const rows = await this.k.selectFrom('model_aliases').select('alias').where('group_id', '=', groupId).orderBy('alias').execute();
    const out = new Map<string, string[]>();
    for (const { alias } of rows) {
      const target = await this.aliasTarget(groupId, alias).catch(() => undefined);
      if (!target) continue;
      out.set(target, [...(out.get(target) ?? []), alias]);
    }
    return out;
  }

  toVersion(group: ModelGroupsTable, row: ModelVersionsTable, aliases: readonly string[]): ModelVersion {
    return {
      versionId: row.id,
      projectId: row.project_id,
      group: group.name,
      version: Number(row.version),
      artifactId: row.artifact_id,
      sha256: row.sha256,
      mediaType: row.media_type,
      provenance: row.provenance as Provenance,
      sourceJobId: row.source_job_id,
      sourceComponentId: row.source_component_id,
      metrics: JSON.parse(row.metrics) as Record<string, number>,
      signature: JSON.parse(row.signature) as Signature,
      parameters: JSON.parse(row.parameters) as Record<string, string | number | boolean>,
      description: row.description,
      status: row.status as ModelStatus,
      aliases: [...aliases],
      createdAt: row.created_at,
      createdBy: row.created_by,
      updatedAt: row.updated_at,
    };
  }

  async version(group: ModelGroupsTable, row: ModelVersionsTable): Promise<ModelVersion> {
    return this.toVersion(group, row, (await this.aliasesByVersion(group.id)).get(row.id) ?? []);
  }

  async group(row: ModelGroupsTable): Promise<ModelGroup> {
    const count = await this.k.selectFrom('model_versions').select((eb) => eb.fn.countAll<number>().as('n')).where('group_id', '=', row.id).executeTakeFirstOrThrow();
    const aliasRows = await this.k.selectFrom('model_aliases').select('alias').where('group_id', '=', row.id).orderBy('alias').execute();
    const aliases: Record<string, number | null> = {};
    for (const { alias } of aliasRows) {
      const target = await this.aliasTarget(row.id, alias).catch(() => undefined);
      aliases[alias] = target ? Number((await this.k.selectFrom('model_versions').select('version').where('id', '=', target).executeTakeFirstOrThrow()).version) : null;
    }
    return {
      groupId: row.id,
      projectId: row.project_id,
      name: row.name,
      description: row.description,
      riskTier: row.risk_tier === null ? null : Number(row.risk_tier),
      createdAt: row.created_at,
      createdBy: row.created_by,
      versions: Number(count.n),
      aliases,
    };
  }

  async historyEntry(group: ModelGroupsTable, row: ModelAliasHistoryTable): Promise<AliasHistoryEntry> {
    const number = async (id: string | null) => (id ? Number((await this.k.selectFrom('model_versions').select('version').where('id', '=', id).executeTakeFirst())?.version ?? 0) || null : null);
    return {
      group: group.name,
      alias: row.alias,
      seq: Number(row.seq),
      version: await number(row.target_version_id),
      versionId: row.target_version_id,
      targetAlias: row.target_alias,
      previousVersion: await number(row.previous_version_id),
      previousAlias: row.previous_alias,
      at: row.at,
      by: row.by,
      reason: row.reason,
      evidence: JSON.parse(row.evidence) as unknown,
      overrideJustification: row.override_justification,
    };
  }
}

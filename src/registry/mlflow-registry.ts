/**
 * @module registry/mlflow-registry
 * MLflow's Model Registry mapped onto Attest's registry. A registered model is a model group, a
 * model version is a registry version (created PendingManualApproval, so approval stays Attest's
 * own, maker ≠ checker), and MLflow's stages are read from and written to the registry's aliases
 * and statuses: `Production` / `Staging` are the aliases `production` / `staging` (Approved versions
 * only, through the evidence gates), `Archived` is archiving, `None` is neither. What MLflow has and
 * the registry lacked — free tags on models and versions, the source URI a version came from, a
 * rename — is stored beside it (migration 0014). Every write is authorized by policy and committed
 * with its audit entry; reads are authorized by the caller (the HTTP routes audit them).
 */
import type { App } from '../app/index.js';
import { projectIdByName } from '../app/index.js';
import { AppError } from '../kernel/index.js';
import { governed } from '../security/audit/index.js';
import { authorizeChecker } from './independence.js';
import type { RegistryCaller } from './registry-caller.js';
import { authorize, groupResource, versionResource } from './registry-caller.js';
import { GroupName } from './registry-model.js';
import { RegistryService } from './registry-service.js';
import type { ModelGroupsTable, ModelVersionsTable, RegistryKysely } from './registry-tables.js';
import { registryDb, registryTx } from './registry-tables.js';

export const MLFLOW_STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type MlflowStage = (typeof MLFLOW_STAGES)[number];

/** The alias each promoting stage sets; the first match (Production before Staging) is a version's stage. */
export const STAGE_ALIASES = { Production: 'production', Staging: 'staging' } as const;

/** Tag keys Attest adds to every version it shows (read-only: a client cannot set them). */
export const ATTEST_TAG_PREFIX = 'attest.';

/** How a version was created through MLflow: what `source` named and where its files download from. */
export interface MlflowSource {
  source: string;
  runId: string | null;
  runLink: string | null;
  artifactUri: string;
}

/** A version with what MLflow shows of it. */
export interface MlflowVersionView {
  group: ModelGroupsTable;
  row: ModelVersionsTable;
  aliases: string[];
  tags: Record<string, string>;
  source: MlflowSource | null;
  stage: MlflowStage;
}

/** A registered model with what MLflow shows of it. */
export interface MlflowModelView {
  group: ModelGroupsTable;
  tags: Record<string, string>;
  aliases: { alias: string; version: number }[];
  versions: MlflowVersionView[];
  lastUpdatedAt: string;
}

/** MLflow writes stages in any case (`production`, `PRODUCTION`); the registry answers in its canonical form. */
export function mlflowStage(value: string): MlflowStage {
  const found = MLFLOW_STAGES.find((s) => s.toLowerCase() === value.trim().toLowerCase());
  if (!found) throw new AppError('INVALID_INPUT', { message: `Invalid model version stage ${value}; use one of ${MLFLOW_STAGES.join(', ')}` });
  return found;
}

function stageOf(status: string, aliases: readonly string[]): MlflowStage {
  if (aliases.includes(STAGE_ALIASES.Production)) return 'Production';
  if (aliases.includes(STAGE_ALIASES.Staging)) return 'Staging';
  return status === 'Archived' ? 'Archived' : 'None';
}

function versionNumber(value: string): number {
  if (!/^\d{1,9}$/.test(value.trim()) || Number(value) < 1) throw new AppError('INVALID_INPUT', { message: `Invalid model version ${value}: a version is a positive integer` });
  return Number(value);
}

function modelName(value: string): string {
  const r = GroupName.safeParse(value);
  if (!r.success) throw new AppError('INVALID_INPUT', { message: `Invalid registered model name ${JSON.stringify(value.slice(0, 200))}: ${r.error.issues[0]?.message ?? 'not valid'}` });
  return r.data;
}

function checkTag(key: string, value?: string): void {
  if (key.length === 0 || key.length > 250) throw new AppError('INVALID_INPUT', { message: 'A tag key is 1-250 characters' });
  if (key.startsWith(ATTEST_TAG_PREFIX)) throw new AppError('INVALID_INPUT', { message: `Tag keys starting with ${ATTEST_TAG_PREFIX} are Attest's own (read-only)` });
  if (value !== undefined && value.length > 5000) throw new AppError('INVALID_INPUT', { message: 'A tag value is at most 5000 characters' });
}

export class MlflowRegistry {
  readonly #app: App;
  readonly registry: RegistryService;
  readonly #now: () => Date;

  constructor(app: App, options: { now?: () => Date } = {}) {
    this.#app = app;
    this.#now = options.now ?? (() => new Date());
    this.registry = new RegistryService(app, options);
  }

  get #k(): RegistryKysely {
    return registryDb(this.#app.db);
  }

  get #audit() {
    return { db: this.#app.db, ledger: this.#app.ledger };
  }

  // ——— reads (the caller has authorized them) ———

  async projectId(project: string): Promise<string> {
    return projectIdByName(this.#app, project);
  }

  /** A registered model by MLflow name; RESOURCE_DOES_NOT_EXIST when there is none. */
  async groupRow(projectId: string, name: string): Promise<ModelGroupsTable> {
    const row = await this.#k.selectFrom('model_groups').selectAll().where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
    if (!row) throw new AppError('MODEL_GROUP_NOT_FOUND', { message: `Registered Model with name=${name} not found`, details: { group: name } });
    return row;
  }

  async groupRows(projectId: string): Promise<ModelGroupsTable[]> {
    return this.#k.selectFrom('model_groups').selectAll().where('project_id', '=', projectId).orderBy('name').execute();
  }

  /** Every version of a group with its aliases, tags, source and stage, oldest first. */
  async versions(group: ModelGroupsTable): Promise<MlflowVersionView[]> {
    const rows = await this.#k.selectFrom('model_versions').selectAll().where('group_id', '=', group.id).orderBy('version').execute();
    if (rows.length === 0) return [];
    const aliases = await this.registry.store.aliasesByVersion(group.id);
    const ids = rows.map((r) => r.id);
    const tags = await this.#k.selectFrom('model_version_tags').selectAll().where('version_id', 'in', ids).orderBy('key').execute();
    const sources = await this.#k.selectFrom('mlflow_model_version_sources').selectAll().where('version_id', 'in', ids).execute();
    return rows.map((row) => {
      const names = aliases.get(row.id) ?? [];
      const s = sources.find((x) => x.version_id === row.id);
      return {
        group,
        row,
        aliases: names,
        tags: Object.fromEntries(tags.filter((t) => t.version_id === row.id).map((t) => [t.key, t.value])),
        source: s ? { source: s.source, runId: s.run_id, runLink: s.run_link, artifactUri: s.artifact_uri } : null,
        stage: stageOf(row.status, names),
      };
    });
  }

  async version(projectId: string, name: string, version: string): Promise<MlflowVersionView> {
    const group = await this.groupRow(projectId, name);
    const n = versionNumber(version);
    const found = (await this.versions(group)).find((v) => Number(v.row.version) === n);
    if (!found) throw new AppError('MODEL_VERSION_NOT_FOUND', { message: `Model Version (name=${name}, version=${n}) not found`, details: { group: name, version: n } });
    return found;
  }

  async versionByAlias(projectId: string, name: string, alias: string): Promise<MlflowVersionView> {
    const group = await this.groupRow(projectId, name);
    const target = await this.registry.store.aliasTarget(group.id, alias);
    const found = target ? (await this.versions(group)).find((v) => v.row.id === target) : undefined;
    if (!found) throw new AppError('MODEL_ALIAS_NOT_FOUND', { message: `Registered model alias ${alias} not found for model ${name}`, details: { group: name, alias } });
    return found;
  }

  async model(group: ModelGroupsTable): Promise<MlflowModelView> {
    const versions = await this.versions(group);
    const tagRows = await this.#k.selectFrom('model_group_tags').selectAll().where('group_id', '=', group.id).orderBy('key').execute();
    const aliases: { alias: string; version: number }[] = [];
    for (const v of versions) for (const alias of v.aliases) aliases.push({ alias, version: Number(v.row.version) });
    aliases.sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
    const times = [group.created_at, group.updated_at ?? '', ...versions.map((v) => v.row.updated_at), ...tagRows.map((t) => t.updated_at)];
    return { group, tags: Object.fromEntries(tagRows.map((t) => [t.key, t.value])), aliases, versions, lastUpdatedAt: times.sort()[times.length - 1]! };
  }

  /** The newest version in each of `stages` (every stage when empty), as MLflow's latest_versions. */
  static latest(versions: readonly MlflowVersionView[], stages: readonly MlflowStage[] = []): MlflowVersionView[] {
    const wanted = stages.length > 0 ? stages : MLFLOW_STAGES;
    const out: MlflowVersionView[] = [];
    for (const stage of wanted) {
      const inStage = versions.filter((v) => v.stage === stage);
      const newest = inStage[inStage.length - 1];
      if (newest && !out.includes(newest)) out.push(newest);
    }
    return out;
  }

  // ——— registered models ———

  async createModel(caller: RegistryCaller, project: string, input: { name: string; description?: string; tags?: readonly { key: string; value: string }[] }): Promise<ModelGroupsTable> {
    const name = modelName(input.name);
    for (const t of input.tags ?? []) checkTag(t.key, t.value);
    await this.registry.createGroup(caller, project, { name, ...(input.description !== undefined ? { description: input.description } : {}) });
    for (const t of input.tags ?? []) await this.setModelTag(caller, project, name, t.key, t.value);
    return this.groupRow(await this.projectId(project), name);
  }

  async updateModel(caller: RegistryCaller, project: string, name: string, description: string | undefined): Promise<ModelGroupsTable> {
    const projectId = await this.projectId(project);
    if (description !== undefined) {
      await this.registry.updateGroup(caller, project, name, { description });
      await this.#touchGroup((await this.groupRow(projectId, name)).id);
    }
    return this.groupRow(projectId, name);
  }

  /**
   * Renames a group. Its policy resource name (`attest:<project>:model/<name>/…`) follows the new
   * name; the old name is kept in the config history and the audit entry.
   */
  async renameModel(caller: RegistryCaller, project: string, name: string, newName: string): Promise<ModelGroupsTable> {
    const to = modelName(newName);
    const projectId = await this.projectId(project);
    const group = await this.groupRow(projectId, name);
    await authorize(this.#app, caller, project, 'model:Register', groupResource(project, group.name));
    await authorize(this.#app, caller, project, 'model:Register', groupResource(project, to));
    if (to === group.name) return group;
    const taken = await this.#k.selectFrom('model_groups').select('id').where('project_id', '=', projectId).where('name', '=', to).executeTakeFirst();
    if (taken) throw new AppError('CONFLICT', { message: `Registered Model (name=${to}) already exists`, details: { group: to } });
    const now = this.#now().toISOString();
    await governed(this.#audit, caller.actor, 'model:Register', groupResource(project, group.name), async (tx) => {
      await registryTx(tx).updateTable('model_groups').set({ name: to, updated_at: now }).where('id', '=', group.id).execute();
      return { result: undefined, details: { group: group.name, renamedTo: to }, configChanges: [{ resourceType: 'model-group', resourceId: group.id, change: 'rename', before: { name: group.name }, after: { name: to } }] };
    });
    return this.groupRow(projectId, to);
  }

  /**
   * Deletes a registered model that has no versions. A group with versions is kept: its versions'
   * decisions and alias history are audit records (archive the versions instead).
   */
  async deleteModel(caller: RegistryCaller, project: string, name: string): Promise<void> {
    const projectId = await this.projectId(project);
    const group = await this.groupRow(projectId, name);
    const resource = groupResource(project, group.name);
    await authorize(this.#app, caller, project, 'model:Register', resource);
    const versions = await this.#k.selectFrom('model_versions').select('id').where('group_id', '=', group.id).limit(1).execute();
    if (versions.length > 0) {
      throw new AppError('MODEL_STATUS_CONFLICT', { message: `Registered model ${group.name} has versions; Attest keeps them as audit records (transition them to Archived instead of deleting)`, details: { group: group.name } });
    }
    await governed(this.#audit, caller.actor, 'model:Register', resource, async (tx) => {
      const k = registryTx(tx);
      const tags = await k.selectFrom('model_group_tags').selectAll().where('group_id', '=', group.id).execute();
      await k.deleteFrom('model_group_tags').where('group_id', '=', group.id).execute();
      await k.deleteFrom('model_groups').where('id', '=', group.id).execute();
      return { result: undefined, details: { group: group.name, deleted: true }, configChanges: [{ resourceType: 'model-group', resourceId: group.id, change: 'delete', before: { ...group, tags }, after: null }] };
    });
  }

  async setModelTag(caller: RegistryCaller, project: string, name: string, key: string, value: string): Promise<void> {
    checkTag(key, value);
    const projectId = await this.projectId(project);
    const group = await this.groupRow(projectId, name);
    const resource = groupResource(project, group.name);
    await authorize(this.#app, caller, project, 'model:Register', resource);
    const now = this.#now().toISOString();
    await governed(this.#audit, caller.actor, 'model:Register', resource, async (tx) => {
      const k = registryTx(tx);
      const before = await k.selectFrom('model_group_tags').select('value').where('group_id', '=', group.id).where('key', '=', key).executeTakeFirst();
      if (before) await k.updateTable('model_group_tags').set({ value, updated_at: now, updated_by: caller.actor.principal }).where('group_id', '=', group.id).where('key', '=', key).execute();
      else await k.insertInto('model_group_tags').values({ group_id: group.id, key, project_id: projectId, value, updated_at: now, updated_by: caller.actor.principal }).execute();
      return { result: undefined, details: { group: group.name, tag: key }, configChanges: [{ resourceType: 'model-group-tag', resourceId: `${group.id}/${key}`, change: before ? 'update' : 'create', before: before ? { value: before.value } : null, after: { value } }] };
    });
  }

  async deleteModelTag(caller: RegistryCaller, project: string, name: string, key: string): Promise<void> {
    const projectId = await this.projectId(project);
    const group = await this.groupRow(projectId, name);
    const resource = groupResource(project, group.name);
    await authorize(this.#app, caller, project, 'model:Register', resource);
    const before = await this.#k.selectFrom('model_group_tags').select('value').where('group_id', '=', group.id).where('key', '=', key).executeTakeFirst();
    if (!before) throw new AppError('NOT_FOUND', { message: `Registered model ${group.name} has no tag ${key}` });
    const now = this.#now().toISOString();
    await governed(this.#audit, caller.actor, 'model:Register', resource, async (tx) => {
      await registryTx(tx).deleteFrom('model_group_tags').where('group_id', '=', group.id).where('key', '=', key).execute();
      await registryTx(tx).updateTable('model_groups').set({ updated_at: now }).where('id', '=', group.id).execute();
      return { result: undefined, details: { group: group.name, tag: key, deleted: true }, configChanges: [{ resourceType: 'model-group-tag', resourceId: `${group.id}/${key}`, change: 'delete', before: { value: before.value }, after: null }] };
    });
  }

  async #touchGroup(groupId: string): Promise<void> {
    await this.#k.updateTable('model_groups').set({ updated_at: this.#now().toISOString() }).where('id', '=', groupId).execute();
  }

  // ——— model versions ———

  /**
   * Registers `model` (an Attest artifact reference the caller resolved from MLflow's `source`) as
   * the group's next version — PendingManualApproval, like every registration — and records the
   * MLflow source and tags with it. The group is created on first use, as MLflow's client expects.
   */
  async createVersion(
    caller: RegistryCaller,
    project: string,
    input: { name: string; model: string; source: MlflowSource | null; description?: string; tags?: readonly { key: string; value: string }[] },
  ): Promise<MlflowVersionView> {
    const name = modelName(input.name);
    for (const t of input.tags ?? []) checkTag(t.key, t.value);
    const projectId = await this.projectId(project);
    const v = await this.registry.register(caller, project, { group: name, model: input.model, ...(input.description !== undefined ? { description: input.description } : {}) });
    if (input.source || input.tags?.length) {
      const source = input.source;
      await governed(this.#audit, caller.actor, 'model:Register', versionResource(project, name, v.version), async (tx) => {
        const k = registryTx(tx);
        const now = this.#now().toISOString();
        if (source) await k.insertInto('mlflow_model_version_sources').values({ version_id: v.versionId, project_id: projectId, source: source.source, run_id: source.runId, run_link: source.runLink, artifact_uri: source.artifactUri || `attest-artifacts:/${v.artifactId}` }).execute();
        for (const t of input.tags ?? []) {
          await k.deleteFrom('model_version_tags').where('version_id', '=', v.versionId).where('key', '=', t.key).execute();
          await k.insertInto('model_version_tags').values({ version_id: v.versionId, key: t.key, project_id: projectId, value: t.value, updated_at: now, updated_by: caller.actor.principal }).execute();
        }
        return { result: undefined, details: { versionId: v.versionId, mlflowSource: source?.source ?? null, runId: source?.runId ?? null, tags: (input.tags ?? []).map((t) => t.key) } };
      });
    }
    return this.version(projectId, name, String(v.version));
  }

  async updateVersion(caller: RegistryCaller, project: string, name: string, version: string, description: string | undefined): Promise<MlflowVersionView> {
    const projectId = await this.projectId(project);
    const v = await this.version(projectId, name, version);
    const resource = versionResource(project, v.group.name, Number(v.row.version));
    await authorize(this.#app, caller, project, 'model:Register', resource);
    if (description === undefined) return v;
    if (description.length > 5000) throw new AppError('INVALID_INPUT', { message: 'A description is at most 5000 characters' });
    const now = this.#now().toISOString();
    await governed(this.#audit, caller.actor, 'model:Register', resource, async (tx) => {
      await registryTx(tx).updateTable('model_versions').set({ description, updated_at: now }).where('id', '=', v.row.id).execute();
      return { result: undefined, details: { versionId: v.row.id, description: true }, configChanges: [{ resourceType: 'model-version', resourceId: v.row.id, change: 'update', before: { description: v.row.description }, after: { description } }] };
    });
    return this.version(projectId, name, version);
  }

  async setVersionTag(caller: RegistryCaller, project: string, name: string, version: string, key: string, value: string): Promise<void> {
    checkTag(key, value);
    const projectId = await this.projectId(project);
    const v = await this.version(projectId, name, version);
    const resource = versionResource(project, v.group.name, Number(v.row.version));
    await authorize(this.#app, caller, project, 'model:Register', resource);
    const now = this.#now().toISOString();
    await governed(this.#audit, caller.actor, 'model:Register', resource, async (tx) => {
      const k = registryTx(tx);
      const before = v.tags[key];
      await k.deleteFrom('model_version_tags').where('version_id', '=', v.row.id).where('key', '=', key).execute();
      await k.insertInto('model_version_tags').values({ version_id: v.row.id, key, project_id: projectId, value, updated_at: now, updated_by: caller.actor.principal }).execute();
      await k.updateTable('model_versions').set({ updated_at: now }).where('id', '=', v.row.id).execute();
      return { result: undefined, details: { versionId: v.row.id, tag: key }, configChanges: [{ resourceType: 'model-version-tag', resourceId: `${v.row.id}/${key}`, change: before === undefined ? 'create' : 'update', before: before === undefined ? null : { value: before }, after: { value } }] };
    });
  }

  async deleteVersionTag(caller: RegistryCaller, project: string, name: string, version: string, key: string): Promise<void> {
    const projectId = await this.projectId(project);
    const v = await this.version(projectId, name, version);
    const resource = versionResource(project, v.group.name, Number(v.row.version));
    await authorize(this.#app, caller, project, 'model:Register', resource);
    const before = v.tags[key];
    if (before === undefined) throw new AppError('NOT_FOUND', { message: `Model version ${v.group.name} ${v.row.version} has no tag ${key}` });
    const now = this.#now().toISOString();
    await governed(this.#audit, caller.actor, 'model:Register', resource, async (tx) => {
      await registryTx(tx).deleteFrom('model_version_tags').where('version_id', '=', v.row.id).where('key', '=', key).execute();
      await registryTx(tx).updateTable('model_versions').set({ updated_at: now }).where('id', '=', v.row.id).execute();
      return { result: undefined, details: { versionId: v.row.id, tag: key, deleted: true }, configChanges: [{ resourceType: 'model-version-tag', resourceId: `${v.row.id}/${key}`, change: 'delete', before: { value: before }, after: null }] };
    });
  }

  /** MLflow's delete is an archive here: the version's decisions and alias history are audit records. */
  async deleteVersion(caller: RegistryCaller, project: string, name: string, version: string): Promise<void> {
    const projectId = await this.projectId(project);
    const v = await this.version(projectId, name, version);
    if (v.row.status === 'Archived') return;
    await this.registry.archive(caller, project, v.row.id, { reason: 'MLflow delete-model-version' });
  }

  async setAlias(caller: RegistryCaller, project: string, name: string, alias: string, version: string): Promise<void> {
    const projectId = await this.projectId(project);
    const v = await this.version(projectId, name, version);
    await this.registry.setAlias(caller, project, v.group.name, alias, { version: Number(v.row.version), reason: 'MLflow set-registered-model-alias' });
  }

  async deleteAlias(caller: RegistryCaller, project: string, name: string, alias: string): Promise<void> {
    const projectId = await this.projectId(project);
    const group = await this.groupRow(projectId, name);
    await this.registry.removeAlias(caller, project, group.name, alias, { reason: 'MLflow delete-registered-model-alias' });
  }

  /**
   * MLflow's stage transition, under the registry's rules:
   * - `Production` / `Staging` point the alias `production` / `staging` at the version. Only an
   *   Approved version may take them, through the policy (`model:Deploy` for a gated alias) and the
   *   evidence gates. A PendingManualApproval version would be promoted without a checker, so the
   *   request is decided as the approval it amounts to: the version's makers are refused by the
   *   separation-of-duties rule (PERMISSION_DENIED, audited as a denied `model:Approve`); anyone
   *   else is told to approve it first (`attest models approve`) — a transition never approves.
   *   `archive_existing_versions` archives the version the alias named before, unless another
   *   alias still names it.
   * - `Archived` removes the version's `production` / `staging` aliases, then archives it (refused
   *   while any other alias names it).
   * - `None` removes its `production` / `staging` aliases; an Archived version stays Archived.
   */
  async transition(caller: RegistryCaller, project: string, name: string, version: string, stageName: string, archiveExisting: boolean): Promise<MlflowVersionView> {
    const stage = mlflowStage(stageName);
    const projectId = await this.projectId(project);
    const v = await this.version(projectId, name, version);
    const group = v.group;
    const number = Number(v.row.version);
    const resource = versionResource(project, group.name, number);
    if (stage === 'Production' || stage === 'Staging') {
      const alias = STAGE_ALIASES[stage];
      if (v.row.status === 'PendingManualApproval') {
        const { settings } = await this.registry.settings(projectId);
        await authorizeChecker(this.#app, caller, project, projectId, 'model:Approve', resource, v.row, settings);
        throw new AppError('MODEL_STATUS_CONFLICT', {
          message: `Cannot transition ${group.name} version ${number} to ${stage}: it is PendingManualApproval; an independent validator approves it first (attest models approve ${group.name}@${number}), a stage transition never approves`,
          details: { group: group.name, version: number, status: v.row.status },
        });
      }
      if (v.row.status !== 'Approved') {
        throw new AppError('MODEL_STATUS_CONFLICT', { message: `Cannot transition ${group.name} version ${number} to ${stage}: it is ${v.row.status}; only Approved versions take a stage`, details: { group: group.name, version: number, status: v.row.status } });
      }
      const previous = await this.registry.store.aliasTarget(group.id, alias);
      const toArchive = archiveExisting && previous && previous !== v.row.id ? await this.registry.store.versionRowById(projectId, previous) : undefined;
      // Archiving the replaced version is authorized before the alias moves, so a caller who may
      // promote but not archive is refused with nothing changed.
      if (toArchive) await authorize(this.#app, caller, project, 'model:Register', versionResource(project, group.name, Number(toArchive.version)));
      await this.registry.setAlias(caller, project, group.name, alias, { version: number, reason: `MLflow transition-stage to ${stage}` });
      if (toArchive) {
        const stillNamed = ((await this.registry.store.aliasesByVersion(group.id)).get(toArchive.id) ?? []).length > 0;
        if (!stillNamed && toArchive.status !== 'Archived') await this.registry.archive(caller, project, toArchive.id, { reason: `MLflow transition-stage: ${group.name} version ${number} took ${stage}` });
      }
      return this.version(projectId, group.name, String(number));
    }
    if (stage === 'None' && v.row.status !== 'Archived' && v.stage === 'None') {
      await authorize(this.#app, caller, project, 'model:Register', resource);
      return v;
    }
    for (const alias of [STAGE_ALIASES.Production, STAGE_ALIASES.Staging]) {
      const row = await this.#k.selectFrom('model_aliases').select('target_version_id').where('group_id', '=', group.id).where('alias', '=', alias).executeTakeFirst();
      if (row?.target_version_id === v.row.id) await this.registry.removeAlias(caller, project, group.name, alias, { reason: `MLflow transition-stage to ${stage}` });
    }
    if (stage === 'Archived' && v.row.status !== 'Archived') await this.registry.archive(caller, project, v.row.id, { reason: 'MLflow transition-stage to Archived' });
    if (stage === 'None' && v.row.status === 'Archived') {
      throw new AppError('MODEL_STATUS_CONFLICT', { message: `${group.name} version ${number} is Archived; Attest does not bring an archived version back (register the model again)`, details: { group: group.name, version: number, status: v.row.status } });
    }
    return this.version(projectId, group.name, String(number));
  }
}

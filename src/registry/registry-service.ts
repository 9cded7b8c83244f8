/**
 * @module registry/registry-service
 * The model registry: register versions from a training job's output (or an imported model
 * declared external), decide them (approve / reject, maker ≠ checker), archive them, and move
 * aliases (`champion`, `challenger`, `production`, user-defined) with a complete history. Every
 * change is authorized, validated before anything is written, and committed in one transaction
 * with its audit entry and config-history record. Promotion to a gated alias is refused with the
 * list of missing evidence unless a named role overrides it with a recorded justification.
 */
import { createHash } from 'node:crypto';
import { projectIdByName } from '../app/index.js';
import type { App } from '../app/index.js';
import type { ArtifactMetadata } from '../artifacts/index.js';
import { AppError, isAppError, newId } from '../kernel/index.js';
import { recordAssociation } from '../lineage/index.js';
import { resolveReference } from '../references/index.js';
import { governed } from '../security/audit/index.js';
import { evaluateGates } from './gates.js';
import type { GateEvaluation } from './gates.js';
import { gatherEvidence, snapshotOf } from './evidence-state.js';
import { authorizeChecker } from './independence.js';
import { registrationSource } from './provenance.js';
import type { RegistryCaller } from './registry-caller.js';
import { authorize, groupResource, versionResource } from './registry-caller.js';
import type { AliasHistoryEntry, AliasRequest, Decision, ModelGroup, ModelStatus, ModelVersion, RegisterRequest } from './registry-model.js';
import { AliasName, AliasRequestSchema, DecisionRequestSchema, GroupName, RegisterRequestSchema, RiskTier } from './registry-model.js';
import type { RegistrySettings, RegistrySettingsInput } from './registry-settings.js';
import { DEFAULT_SETTINGS, RegistrySettingsSchema } from './registry-settings.js';
import { MAX_ALIAS_DEPTH, RegistryStore } from './registry-store.js';
import type { ModelGroupsTable, ModelVersionsTable } from './registry-tables.js';
import { registryDb, registryTx } from './registry-tables.js';

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new AppError('INVALID_INPUT', { message: `Invalid ${what}${issue?.path.length ? ` at ${issue.path.map(String).join('.')}` : ''}: ${issue?.message ?? 'not valid'}` });
  }
  return r.data;
}

/** The `attest:ApprovalStatus` fact policies test (the ML engineer deploys only Approved versions). */
function approvalFact(status: string): { approvalStatus?: 'Pending' | 'Approved' | 'Rejected' } {
  if (status === 'PendingManualApproval') return { approvalStatus: 'Pending' };
  if (status === 'Approved' || status === 'Rejected') return { approvalStatus: status };
  return {};
}

/** What a resolved `GROUP@alias` gives a consumer (serving, batch jobs). */
export interface ResolvedModel {
  version: ModelVersion;
  artifact: ArtifactMetadata;
}

export class RegistryService {
  readonly #app: App;
  readonly store: RegistryStore;
  readonly #now: () => Date;

  constructor(app: App, options: { now?: () => Date } = {}) {
    this.#app = app;
    this.store = new RegistryStore(app.db);
    this.#now = options.now ?? (() => new Date());
  }

  get #audit() {
    return { db: this.#app.db, ledger: this.#app.ledger };
  }

  // ——— settings ———

  async settings(projectId: string): Promise<{ settings: RegistrySettings; revision: number }> {
    const row = await registryDb(this.#app.db).selectFrom('registry_settings').selectAll().where('project_id', '=', projectId).executeTakeFirst();
    if (!row) return { settings: DEFAULT_SETTINGS, revision: 0 };
    return { settings: RegistrySettingsSchema.parse(JSON.parse(row.document)), revision: Number(row.revision) };
  }

  async getSettings(caller: RegistryCaller, project: string): Promise<{ settings: RegistrySettings; revision: number }> {
    await authorize(this.#app, caller, project, 'project:Describe', `attest:${project}:project/${project}`);
    return this.settings(await projectIdByName(this.#app, project));
  }

  /** Replaces the project's registry settings (independence rule, gates per risk tier); versioned in config history. */
  async setSettings(caller: RegistryCaller, project: string, document: RegistrySettingsInput): Promise<{ settings: RegistrySettings; revision: number }> {
    const resource = `attest:${project}:project/${project}`;
    await authorize(this.#app, caller, project, 'project:Update', resource);
    const settings = parse(RegistrySettingsSchema, document, 'registry settings');
    const projectId = await projectIdByName(this.#app, project);
    const before = await this.settings(projectId);
    const revision = before.revision + 1;
    const now = this.#now().toISOString();
    await governed(this.#audit, caller.actor, 'project:Update', resource, async (tx) => {
      const k = registryTx(tx);
      const values = { document: JSON.stringify(settings), revision, updated_at: now, updated_by: caller.actor.principal };
      if (before.revision === 0) await k.insertInto('registry_settings').values({ project_id: projectId, ...values }).execute();
      else await k.updateTable('registry_settings').set(values).where('project_id', '=', projectId).execute();
      return {
        result: undefined,
        details: { registrySettings: revision },
        configChanges: [{ resourceType: 'registry-settings', resourceId: projectId, change: before.revision === 0 ? 'create' : 'update', before: before.revision === 0 ? null : before.settings, after: settings }],
      };
    });
    return { settings, revision };
  }

  // ——— groups ———

  async createGroup(caller: RegistryCaller, project: string, input: { name: string; description?: string; riskTier?: number }): Promise<ModelGroup> {
    const name = parse(GroupName, input.name, 'model group name');
    const riskTier = input.riskTier === undefined ? null : parse(RiskTier, input.riskTier, 'risk tier');
    await authorize(this.#app, caller, project, 'model:Register', groupResource(project, name));
    const projectId = await projectIdByName(this.#app, project);
    const existing = await registryDb(this.#app.db).selectFrom('model_groups').select('id').where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
    if (existing) throw new AppError('CONFLICT', { message: `Model group ${name} already exists`, details: { group: name } });
    await governed(this.#audit, caller.actor, 'model:Register', groupResource(project, name), async (tx) => {
      const row = await this.#insertGroup(tx, projectId, name, input.description ?? '', riskTier, caller.actor.principal);
      return { result: undefined, details: { group: name, riskTier }, configChanges: [{ resourceType: 'model-group', resourceId: row.id, change: 'create', before: null, after: row }] };
    });
    return this.store.group(await this.store.groupRow(projectId, name));
  }

  async #insertGroup(tx: Parameters<typeof registryTx>[0], projectId: string, name: string, description: string, riskTier: number | null, principal: string): Promise<ModelGroupsTable> {
    const row: ModelGroupsTable = { id: newId('mg'), project_id: projectId, name, description, risk_tier: riskTier, created_at: this.#now().toISOString(), created_by: principal, updated_at: null };
    await registryTx(tx).insertInto('model_groups').values(row).execute();
    return row;
  }

  /** Changes a group's risk tier or description (config history keeps the before and after). */
  async updateGroup(caller: RegistryCaller, project: string, name: string, input: { description?: string; riskTier?: number | null }): Promise<ModelGroup> {
    await authorize(this.#app, caller, project, 'model:Register', groupResource(project, name));
    const projectId = await projectIdByName(this.#app, project);
    const group = await this.store.groupRow(projectId, name);
    const riskTier = input.riskTier === undefined ? group.risk_tier : input.riskTier === null ? null : parse(RiskTier, input.riskTier, 'risk tier');
    const after = { ...group, description: input.description ?? group.description, risk_tier: riskTier };
    await governed(this.#audit, caller.actor, 'model:Register', groupResource(project, name), async (tx) => {
      await registryTx(tx).updateTable('model_groups').set({ description: after.description, risk_tier: after.risk_tier }).where('id', '=', group.id).execute();
      return { result: undefined, details: { group: name, riskTier }, configChanges: [{ resourceType: 'model-group', resourceId: group.id, change: 'update', before: group, after }] };
    });
    return this.store.group(await this.store.groupRow(projectId, name));
  }

  async listGroups(caller: RegistryCaller, project: string): Promise<ModelGroup[]> {
    await authorize(this.#app, caller, project, 'model:List', `attest:${project}:model/*`);
    const projectId = await projectIdByName(this.#app, project);
    const rows = await registryDb(this.#app.db).selectFrom('model_groups').selectAll().where('project_id', '=', projectId).orderBy('name').execute();
    return Promise.all(rows.map((r) => this.store.group(r)));
  }

  async describeGroup(caller: RegistryCaller, project: string, name: string): Promise<ModelGroup> {
    await authorize(this.#app, caller, project, 'model:Describe', groupResource(project, name));
    return this.store.group(await this.store.groupRow(await projectIdByName(this.#app, project), name));
  }

  // ——— versions ———

  /** The version a reference names, with its group row, for callers in this capability. */
  async locate(project: string, ref: string): Promise<{ projectId: string; group: ModelGroupsTable; row: ModelVersionsTable }> {
    const projectId = await projectIdByName(this.#app, project);
    return { projectId, ...(await this.store.findVersion(projectId, ref)) };
  }

  async listVersions(caller: RegistryCaller, project: string, name: string, filter: { status?: ModelStatus } = {}): Promise<ModelVersion[]> {
    await authorize(this.#app, caller, project, 'model:List', `${groupResource(project, name)}/*`);
    const group = await this.store.groupRow(await projectIdByName(this.#app, project), name);
    let q = registryDb(this.#app.db).selectFrom('model_versions').selectAll().where('group_id', '=', group.id).orderBy('version', 'asc');
    if (filter.status) q = q.where('status', '=', filter.status);
    const aliases = await this.store.aliasesByVersion(group.id);
    return (await q.execute()).map((r) => this.store.toVersion(group, r, aliases.get(r.id) ?? []));
  }

  async describeVersion(caller: RegistryCaller, project: string, ref: string): Promise<ModelVersion> {
    const { group, row } = await this.locate(project, ref);
    await authorize(this.#app, caller, project, 'model:Describe', versionResource(project, group.name, Number(row.version)));
    return this.store.version(group, row);
  }

  /**
   * Resolves `GROUP@alias`, `GROUP@N` or `mp_…` to an Approved version and its artifact — what
   * serving and batch scoring deploy. No authorization here: the caller (an endpoint deployment)
   * has authorized `model:Deploy` itself. A version that is not Approved is refused.
   */
  async resolveApproved(project: string, ref: string): Promise<ResolvedModel> {
    const { projectId, group, row } = await this.locate(project, ref);
    if (row.status !== 'Approved') {
      throw new AppError('MODEL_STATUS_CONFLICT', { message: `${group.name} version ${row.version} is ${row.status}; only Approved versions can be deployed`, details: { group: group.name, version: Number(row.version), status: row.status } });
    }
    return { version: await this.store.version(group, row), artifact: await this.#app.artifacts.describe(row.artifact_id, projectId) };
  }

  /**
   * Registers a model artifact as the next version of a group (created on first use). The
   * artifact is read in full, so its bytes are decrypted and checked against the recorded SHA-256
   * first: a model whose artifact fails its hash check is refused and nothing is written.
   */
  async register(caller: RegistryCaller, project: string, request: RegisterRequest): Promise<ModelVersion> {
    const r = parse(RegisterRequestSchema, request, 'registration');
    const resource = groupResource(project, r.group);
    await authorize(this.#app, caller, project, 'model:Register', resource);
    const projectId = await projectIdByName(this.#app, project);
    const artifactRef = await this.#modelArtifactRef(projectId, r.model);
    const resolved = await resolveReference(this.#app, projectId, artifactRef);
    if (resolved.kind !== 'artifact') throw new AppError('INVALID_INPUT', { message: `${r.model} is a dataset version, not a model` });
    const { meta, bytes } = await this.#app.artifacts.getBytes(caller.actor, resolved.artifactId, projectId).catch((error: unknown) => {
      if (isAppError(error) && (error.code === 'ARTIFACT_INTEGRITY' || error.code === 'DECRYPTION_FAILED')) {
        throw new AppError('ARTIFACT_INTEGRITY', { message: `Model artifact ${resolved.artifactId} fails its hash check (${error.message}); nothing was registered`, details: { artifactId: resolved.artifactId }, cause: error });
      }
      throw error;
    });
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== meta.sha256) throw new AppError('ARTIFACT_INTEGRITY', { message: `Artifact ${meta.artifactId} does not match its recorded SHA-256; nothing was registered`, details: { artifactId: meta.artifactId } });
    const source = await registrationSource(this.#app, projectId, meta, bytes, { external: r.provenance === 'external', ...(r.label ? { label: r.label } : {}) });
    const versionId = newId('mp');
    const now = this.#now().toISOString();
    const principal = caller.actor.principal;
    let number = 0;
    await governed(this.#audit, caller.actor, 'model:Register', resource, async (tx) => {
      const k = registryTx(tx);
      let group = await k.selectFrom('model_groups').selectAll().where('project_id', '=', projectId).where('name', '=', r.group).executeTakeFirst();
      const changes = [];
      if (!group) {
        group = await this.#insertGroup(tx, projectId, r.group, '', r.riskTier ?? null, principal);
        changes.push({ resourceType: 'model-group', resourceId: group.id, change: 'create', before: null, after: group });
      }
      const last = await k.selectFrom('model_versions').select((eb) => eb.fn.max('version').as('v')).where('group_id', '=', group.id).executeTakeFirst();
      number = Number(last?.v ?? 0) + 1;
      const row: ModelVersionsTable = {
        id: versionId,
        project_id: projectId,
        group_id: group.id,
        version: number,
        artifact_id: meta.artifactId,
        sha256: meta.sha256,
        media_type: meta.mediaType,
        provenance: source.provenance,
        source_job_id: source.jobId,
        source_component_id: source.componentId,
        metrics: JSON.stringify(source.metrics),
        signature: JSON.stringify(source.signature),
        parameters: JSON.stringify(source.parameters),
        description: r.description,
        status: 'PendingManualApproval',
        created_at: now,
        created_by: principal,
        updated_at: now,
      };
      await k.insertInto('model_versions').values(row).execute();
      await recordAssociation(tx, { projectId, sourceId: meta.artifactId, destId: versionId, type: 'DerivedFrom', principal, time: now });
      if (source.componentId) await recordAssociation(tx, { projectId, sourceId: source.componentId, destId: versionId, type: 'Produced', principal, time: now });
      changes.push({ resourceType: 'model-version', resourceId: versionId, change: 'register', before: null, after: { group: r.group, version: number, artifactId: meta.artifactId, sha256: meta.sha256, provenance: source.provenance, status: row.status } });
      return {
        result: undefined,
        resource: versionResource(project, r.group, number),
        details: { versionId, group: r.group, version: number, artifactId: meta.artifactId, sha256: meta.sha256, provenance: source.provenance, job: source.jobId },
        configChanges: changes,
      };
    });
    const found = await this.store.findVersion(projectId, versionId);
    return this.store.version(found.group, found.row);
  }

  /** A job id names its `model` output; anything else is a reference as it is. */
  async #modelArtifactRef(projectId: string, ref: string): Promise<string> {
    if (!ref.startsWith('job_')) return ref;
    const job = await this.#app.db.kysely.selectFrom('jobs').select(['id', 'status']).where('id', '=', ref).where('project_id', '=', projectId).executeTakeFirst();
    if (!job) throw new AppError('JOB_NOT_FOUND', { message: `No job ${ref} in this project` });
    const output = await this.#app.db.kysely.selectFrom('job_outputs').select('artifact_id').where('job_id', '=', ref).where('role', '=', 'model').executeTakeFirst();
    if (!output) throw new AppError('INVALID_INPUT', { message: `Job ${ref} (${job.status}) has no model output` });
    return output.artifact_id;
  }

  // ——— decisions ———

  approve(caller: RegistryCaller, project: string, ref: string, input: { comment: string }): Promise<Decision> {
    return this.#decide(caller, project, ref, 'Approved', input);
  }

  reject(caller: RegistryCaller, project: string, ref: string, input: { comment: string }): Promise<Decision> {
    return this.#decide(caller, project, ref, 'Rejected', input);
  }

  async #decide(caller: RegistryCaller, project: string, ref: string, decision: 'Approved' | 'Rejected', input: { comment: string }): Promise<Decision> {
    const { comment } = parse(DecisionRequestSchema, input, 'decision');
    const action = decision === 'Approved' ? 'model:Approve' : 'model:Reject';
    const { projectId, group, row } = await this.locate(project, ref);
    const resource = versionResource(project, group.name, Number(row.version));
    const { settings } = await this.settings(projectId);
    const { independence } = await authorizeChecker(this.#app, caller, project, projectId, action, resource, row, settings);
    if (row.status !== 'PendingManualApproval') throw await this.#statusConflict(group, row, decision === 'Approved' ? 'approve' : 'reject');
    const state = await gatherEvidence(this.#app, this.store, caller.actor, group, row, settings.defaultRiskTier);
    const gates = evaluateGates(settings.tiers[String(state.riskTier)], state);
    const evidence = snapshotOf(state, gates);
    const decisionId = newId('dec');
    const now = this.#now().toISOString();
    await governed(this.#audit, caller.actor, action, resource, async (tx) => {
      const k = registryTx(tx);
      const updated = await k.updateTable('model_versions').set({ status: decision, updated_at: now }).where('id', '=', row.id).where('status', '=', 'PendingManualApproval').executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw await this.#statusConflict(group, await this.store.versionRowById(projectId, row.id, k), decision === 'Approved' ? 'approve' : 'reject');
      await k
        .insertInto('model_decisions')
        .values({ id: decisionId, project_id: projectId, version_id: row.id, decision, principal: caller.principal?.auditName ?? caller.actor.principal, comment, at: now, independence: JSON.stringify(independence), evidence: JSON.stringify(evidence) })
        .execute();
      return {
        result: undefined,
        details: { versionId: row.id, decision, comment, independent: independence.independent, gatesPassed: gates.passed, missing: gates.missing },
        configChanges: [{ resourceType: 'model-version', resourceId: row.id, change: decision === 'Approved' ? 'approve' : 'reject', before: { status: row.status }, after: { status: decision, decisionId } }],
      };
    });
    return { decisionId, versionId: row.id, group: group.name, version: Number(row.version), decision, principal: caller.principal?.auditName ?? caller.actor.principal, comment, at: now, independence, evidence };
  }

  async #statusConflict(group: ModelGroupsTable, row: ModelVersionsTable, what: string): Promise<AppError> {
    const last = await registryDb(this.#app.db).selectFrom('model_decisions').selectAll().where('version_id', '=', row.id).orderBy('at', 'desc').limit(1).executeTakeFirst();
    const decided = last ? ` (${last.decision.toLowerCase()} by ${last.principal} at ${last.at})` : '';
    return new AppError('MODEL_STATUS_CONFLICT', {
      message: `Cannot ${what} ${group.name} version ${row.version}: it is ${row.status}${decided}; only PendingManualApproval versions can be decided`,
      details: { group: group.name, version: Number(row.version), status: row.status },
    });
  }

  /** Retires a version (any status but Archived); refused while an alias points at it. */
  async archive(caller: RegistryCaller, project: string, ref: string, input: { reason?: string } = {}): Promise<ModelVersion> {
    const { projectId, group, row } = await this.locate(project, ref);
    const resource = versionResource(project, group.name, Number(row.version));
    await authorize(this.#app, caller, project, 'model:Register', resource);
    if (row.status === 'Archived') throw new AppError('MODEL_STATUS_CONFLICT', { message: `${group.name} version ${row.version} is already Archived`, details: { status: row.status } });
    const aliases = (await this.store.aliasesByVersion(group.id)).get(row.id) ?? [];
    if (aliases.length > 0) {
      throw new AppError('MODEL_STATUS_CONFLICT', { message: `${group.name} version ${row.version} is ${aliases.join(', ')}; move those aliases before archiving it`, details: { aliases } });
    }
    const now = this.#now().toISOString();
    await governed(this.#audit, caller.actor, 'model:Register', resource, async (tx) => {
      const updated = await registryTx(tx).updateTable('model_versions').set({ status: 'Archived', updated_at: now }).where('id', '=', row.id).where('status', '=', row.status).executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw new AppError('MODEL_STATUS_CONFLICT', { message: `${group.name} version ${row.version} changed status meanwhile; try again` });
      return { result: undefined, details: { versionId: row.id, archived: true, reason: input.reason ?? '' }, configChanges: [{ resourceType: 'model-version', resourceId: row.id, change: 'archive', before: { status: row.status }, after: { status: 'Archived', reason: input.reason ?? '' } }] };
    });
    return this.store.version(group, await this.store.versionRowById(projectId, row.id));
  }

  // ——— aliases ———

  /** Aliases (transitively) pointing at `alias`, which move with it. */
  async #dependents(groupId: string, alias: string): Promise<string[]> {
    const rows = await registryDb(this.#app.db).selectFrom('model_aliases').select(['alias', 'target_alias']).where('group_id', '=', groupId).execute();
    const out = new Set<string>();
    const queue = [alias];
    while (queue.length > 0) {
      const current = queue.shift()!;
      for (const r of rows) if (r.target_alias === current && !out.has(r.alias)) {
        out.add(r.alias);
        queue.push(r.alias);
      }
    }
    return [...out];
  }

  /** Evaluates the gates of a version's risk tier now (what promotion to a gated alias would check). */
  async gates(caller: RegistryCaller, project: string, ref: string): Promise<GateEvaluation & { group: string; version: number }> {
    const { projectId, group, row } = await this.locate(project, ref);
    await authorize(this.#app, caller, project, 'model:Describe', versionResource(project, group.name, Number(row.version)));
    const { settings } = await this.settings(projectId);
    const state = await gatherEvidence(this.#app, this.store, caller.actor, group, row, settings.defaultRiskTier);
    return { group: group.name, version: Number(row.version), ...evaluateGates(settings.tiers[String(state.riskTier)], state) };
  }

  /**
   * Points `alias` at a version (or at another alias of the group). Refused, with nothing written:
   * an invalid name, a target that does not exist, a cycle, a Rejected or Archived version, a
   * non-Approved version for an approved-only alias, or — for a gated alias, or one that a gated
   * alias follows — missing evidence, unless a holder of an override role gives a justification.
   */
  async setAlias(caller: RegistryCaller, project: string, groupName: string, aliasName: string, request: AliasRequest): Promise<AliasHistoryEntry> {
    const alias = parse(AliasName, aliasName, 'alias');
    const req = parse(AliasRequestSchema, request, 'alias request');
    const projectId = await projectIdByName(this.#app, project);
    const group = await this.store.groupRow(projectId, groupName);
    const { settings } = await this.settings(projectId);
    const dependents = await this.#dependents(group.id, alias);
    const affected = [alias, ...dependents];
    const gated = affected.filter((a) => settings.gatedAliases.includes(a));
    const action = gated.length > 0 ? 'model:Deploy' : 'model:Register';
    let target: ModelVersionsTable;
    if (req.version !== undefined) {
      target = await this.store.versionRow(group, req.version);
    } else {
      const other = req.alias!;
      if (other === alias || dependents.includes(other)) {
        throw new AppError('MODEL_ALIAS_INVALID', { message: `${alias} → ${other} would make a cycle (${[other, ...(await this.#chain(group.id, other))].join(' → ')} → ${alias})`, details: { alias, target: other } });
      }
      const targetId = await this.store.aliasTarget(group.id, other);
      if (!targetId) throw new AppError('MODEL_ALIAS_NOT_FOUND', { message: `Model group ${group.name} has no alias ${other} to point ${alias} at`, details: { alias: other } });
      target = await this.store.versionRowById(projectId, targetId);
    }
    const resource = versionResource(project, group.name, Number(target.version));
    await authorize(this.#app, caller, project, action, resource, approvalFact(target.status));
    if (target.status === 'Rejected' || target.status === 'Archived') {
      throw new AppError('MODEL_STATUS_CONFLICT', { message: `Cannot point ${alias} at ${group.name} version ${target.version}: it is ${target.status}`, details: { alias, version: Number(target.version), status: target.status } });
    }
    const approvedOnly = affected.filter((a) => settings.approvedOnlyAliases.includes(a));
    if (approvedOnly.length > 0 && target.status !== 'Approved') {
      throw new AppError('MODEL_STATUS_CONFLICT', {
        message: `Cannot point ${alias}${dependents.length ? ` (followed by ${dependents.join(', ')})` : ''} at ${group.name} version ${target.version}: ${approvedOnly.join(', ')} may only name an Approved version, and it is ${target.status}`,
        details: { alias, version: Number(target.version), status: target.status },
      });
    }
    let evidence: Record<string, unknown> = {};
    let override: string | null = null;
    if (gated.length > 0) {
      const state = await gatherEvidence(this.#app, this.store, caller.actor, group, target, settings.defaultRiskTier);
      const verdict = evaluateGates(settings.tiers[String(state.riskTier)], state);
      evidence = snapshotOf(state, verdict);
      if (!verdict.passed) {
        if (req.overrideJustification === undefined) {
          throw new AppError('EVIDENCE_MISSING', {
            message: `Cannot promote ${group.name} version ${target.version} to ${gated.join(', ')}: risk tier ${verdict.riskTier} evidence is missing: ${verdict.missing.join('; ')}`,
            details: { group: group.name, version: Number(target.version), riskTier: verdict.riskTier, missing: verdict.missing },
          });
        }
        await this.#checkOverride(caller, project, settings);
        override = req.overrideJustification;
      }
    }
    const now = this.#now().toISOString();
    const principal = caller.principal?.auditName ?? caller.actor.principal;
    let entrySeq = 0;
    await governed(this.#audit, caller.actor, action, resource, async (tx) => {
      const k = registryTx(tx);
      const before = await k.selectFrom('model_aliases').selectAll().where('group_id', '=', group.id).where('alias', '=', alias).executeTakeFirst();
      const values = { target_version_id: req.version !== undefined ? target.id : null, target_alias: req.alias ?? null, updated_at: now, updated_by: principal };
      if (before) await k.updateTable('model_aliases').set(values).where('group_id', '=', group.id).where('alias', '=', alias).execute();
      else await k.insertInto('model_aliases').values({ group_id: group.id, alias, project_id: projectId, ...values }).execute();
      const last = await k.selectFrom('model_alias_history').select((eb) => eb.fn.max('seq').as('s')).where('group_id', '=', group.id).where('alias', '=', alias).executeTakeFirst();
      entrySeq = Number(last?.s ?? 0) + 1;
      await k
        .insertInto('model_alias_history')
        .values({
          id: newId('alh'),
          project_id: projectId,
          group_id: group.id,
          alias,
          seq: entrySeq,
          target_version_id: values.target_version_id,
          target_alias: values.target_alias,
          previous_version_id: before?.target_version_id ?? null,
          previous_alias: before?.target_alias ?? null,
          at: now,
          by: principal,
          reason: req.reason,
          evidence: JSON.stringify(evidence),
          override_justification: override,
        })
        .execute();
      return {
        result: undefined,
        details: { group: group.name, alias, version: Number(target.version), viaAlias: req.alias ?? null, moves: dependents, gated: gated.length > 0, override: override !== null, ...(override ? { justification: override } : {}) },
        configChanges: [{ resourceType: 'model-alias', resourceId: `${group.id}/${alias}`, change: before ? 'move' : 'create', before: before ? { versionId: before.target_version_id, alias: before.target_alias } : null, after: { versionId: values.target_version_id, alias: values.target_alias, version: Number(target.version) } }],
      };
    });
    const row = await registryDb(this.#app.db).selectFrom('model_alias_history').selectAll().where('group_id', '=', group.id).where('alias', '=', alias).where('seq', '=', entrySeq).executeTakeFirstOrThrow();
    return this.store.historyEntry(group, row);
  }

  async #chain(groupId: string, alias: string): Promise<string[]> {
    const out: string[] = [];
    let current: string | null = alias;
    for (let hop = 0; hop < MAX_ALIAS_DEPTH && current; hop++) {
      const row = await registryDb(this.#app.db).selectFrom('model_aliases').select('target_alias').where('group_id', '=', groupId).where('alias', '=', current).executeTakeFirst();
      current = row?.target_alias ?? null;
      if (current) out.push(current);
    }
    return out;
  }

  /** Overriding a gate needs one of the configured roles in the project (an embedded operator holds none). */
  async #checkOverride(caller: RegistryCaller, project: string, settings: RegistrySettings): Promise<void> {
    const roles = settings.override.roles;
    if (roles.length === 0) throw new AppError('ACCESS_DENIED', { message: 'This project names no role that may override missing evidence (registry settings override.roles)' });
    if (!caller.principal) throw new AppError('ACCESS_DENIED', { message: `Overriding missing evidence needs a principal holding ${roles.join(' or ')} (log in or set ATTEST_TOKEN)` });
    const { grants } = await this.#app.identity.authorizer.grantsOf(caller.principal);
    const held = grants.filter((g) => roles.includes(g.role) && (g.project === undefined || g.project === project)).map((g) => g.role);
    if (held.length === 0) throw new AppError('ACCESS_DENIED', { message: `Only ${roles.join(' or ')} may override missing evidence; ${caller.principal.name} holds none of them in ${project}`, details: { roles } });
  }

  async removeAlias(caller: RegistryCaller, project: string, groupName: string, aliasName: string, input: { reason?: string } = {}): Promise<AliasHistoryEntry> {
    const projectId = await projectIdByName(this.#app, project);
    const group = await this.store.groupRow(projectId, groupName);
    const { settings } = await this.settings(projectId);
    const k = registryDb(this.#app.db);
    const current = await k.selectFrom('model_aliases').selectAll().where('group_id', '=', group.id).where('alias', '=', aliasName).executeTakeFirst();
    if (!current) throw new AppError('MODEL_ALIAS_NOT_FOUND', { message: `Model group ${group.name} has no alias ${aliasName}`, details: { alias: aliasName } });
    const dependents = await this.#dependents(group.id, aliasName);
    if (dependents.length > 0) throw new AppError('MODEL_ALIAS_INVALID', { message: `${dependents.join(', ')} point${dependents.length === 1 ? 's' : ''} at ${aliasName}; move ${dependents.length === 1 ? 'it' : 'them'} first`, details: { dependents } });
    const action = settings.gatedAliases.includes(aliasName) ? 'model:Deploy' : 'model:Register';
    const currentTarget = await this.store.aliasTarget(group.id, aliasName).catch(() => undefined);
    const status = currentTarget ? (await this.store.versionRowById(projectId, currentTarget)).status : undefined;
    const resource = `${groupResource(project, group.name)}/*`;
    await authorize(this.#app, caller, project, action, resource, status ? approvalFact(status) : {});
    const now = this.#now().toISOString();
    const principal = caller.principal?.auditName ?? caller.actor.principal;
    let entrySeq = 0;
    await governed(this.#audit, caller.actor, action, resource, async (tx) => {
      const t = registryTx(tx);
      await t.deleteFrom('model_aliases').where('group_id', '=', group.id).where('alias', '=', aliasName).execute();
      const last = await t.selectFrom('model_alias_history').select((eb) => eb.fn.max('seq').as('s')).where('group_id', '=', group.id).where('alias', '=', aliasName).executeTakeFirst();
      entrySeq = Number(last?.s ?? 0) + 1;
      await t
        .insertInto('model_alias_history')
        .values({ id: newId('alh'), project_id: projectId, group_id: group.id, alias: aliasName, seq: entrySeq, target_version_id: null, target_alias: null, previous_version_id: current.target_version_id, previous_alias: current.target_alias, at: now, by: principal, reason: input.reason ?? '', evidence: '{}', override_justification: null })
        .execute();
      return { result: undefined, details: { group: group.name, alias: aliasName, removed: true }, configChanges: [{ resourceType: 'model-alias', resourceId: `${group.id}/${aliasName}`, change: 'remove', before: { versionId: current.target_version_id, alias: current.target_alias }, after: null }] };
    });
    const row = await k.selectFrom('model_alias_history').selectAll().where('group_id', '=', group.id).where('alias', '=', aliasName).where('seq', '=', entrySeq).executeTakeFirstOrThrow();
    return this.store.historyEntry(group, row);
  }

  /** Every move of a group's aliases (or of one alias), oldest first. */
  async aliasHistory(caller: RegistryCaller, project: string, groupName: string, alias?: string): Promise<AliasHistoryEntry[]> {
    await authorize(this.#app, caller, project, 'model:Describe', groupResource(project, groupName));
    const group = await this.store.groupRow(await projectIdByName(this.#app, project), groupName);
    let q = registryDb(this.#app.db).selectFrom('model_alias_history').selectAll().where('group_id', '=', group.id);
    if (alias) q = q.where('alias', '=', alias);
    const rows = await q.orderBy('at').orderBy('alias').orderBy('seq').execute();
    return Promise.all(rows.map((r) => this.store.historyEntry(group, r)));
  }

  /**
   * Which version `alias` named at an instant, who moved it there and on what evidence. A bare
   * date (`2026-10-01`) means the end of that day (UTC).
   */
  async aliasAt(caller: RegistryCaller, project: string, groupName: string, alias: string, when: string): Promise<{ group: string; alias: string; at: string; version: ModelVersion | null; movedBy: AliasHistoryEntry | null }> {
    await authorize(this.#app, caller, project, 'model:Describe', groupResource(project, groupName));
    const projectId = await projectIdByName(this.#app, project);
    const group = await this.store.groupRow(projectId, groupName);
    const at = /^\d{4}-\d{2}-\d{2}$/.test(when) ? `${when}T23:59:59.999Z` : when;
    const ms = Date.parse(at);
    if (Number.isNaN(ms)) throw new AppError('INVALID_INPUT', { message: `--at needs an ISO 8601 date or time, got "${when}"` });
    const instant = new Date(ms).toISOString();
    const { versionId, entry } = await this.store.aliasTargetAt(group.id, alias, instant);
    const version = versionId ? await this.store.version(group, await this.store.versionRowById(projectId, versionId)) : null;
    return { group: group.name, alias, at: instant, version, movedBy: entry ? await this.store.historyEntry(group, entry) : null };
  }
}

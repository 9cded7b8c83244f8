/**
 * @module tracking/mlflow-store
 * What MLflow's tracking model has that Attest's own does not, kept beside the tracking service so
 * that its rules stay in one place: soft delete and restore of experiments and runs (lifecycle
 * stage), renames, removing a run tag, the run's artifact tree (files of the MLflow artifact proxy,
 * each one an encrypted Attest artifact produced by the run), dataset inputs (`log_inputs`) and the
 * logged-model history. Every write is a governed change (change and audit entry in one
 * transaction); artifact files and datasets are also lineage edges of the run.
 */
import type { ArtifactMetadata, ArtifactService } from '../artifacts/index.js';
import { AppError, canonicalJson } from '../kernel/index.js';
import type { SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { Db, Tx } from '../platform/db/index.js';
import { escapeLike } from '../platform/db/index.js';
import { recordAssociation } from '../lineage/index.js';
import type { Actor, AuditLedger } from '../security/audit/index.js';
import { governed, projectResourceName } from '../security/audit/index.js';
import type { ComponentStatus, LifecycleStage, Tags } from './tracking-model.js';
import { FINAL_STATUSES, NAME_PATTERN } from './tracking-model.js';
import type { TrackingContext } from './tracking-service.js';

/** MLflow's tag holding the JSON list of models logged to a run. */
export const LOG_MODEL_HISTORY_TAG = 'mlflow.log-model.history';
/** An artifact path: relative, `/`-separated, no `.`/`..` segments (MLflow's validate_path_is_safe). */
const MAX_PATH_CHARS = 1000;

export interface MlflowDatasetInput {
  dataset: { name: string; digest: string; source_type: string; source: string; schema?: string | undefined; profile?: string | undefined };
  tags?: { key: string; value: string }[] | undefined;
}

export interface ArtifactFileInfo {
  /** The name relative to the listed directory. */
  path: string;
  isDir: boolean;
  sizeBytes?: number;
}

/** Checks an artifact path from a URL and returns it normalised (no leading or trailing slash). */
export function checkArtifactPath(path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  if (trimmed.length > MAX_PATH_CHARS) throw new AppError('INVALID_INPUT', { message: `Artifact paths have at most ${MAX_PATH_CHARS} characters` });
  for (const segment of trimmed.split('/')) {
    if (trimmed === '') break;
    if (segment === '' || segment === '.' || segment === '..' || segment.includes('\\') || segment.includes('\0')) {
      throw new AppError('INVALID_INPUT', { message: `Invalid artifact path "${path}": relative, "/"-separated, without empty, "." or ".." segments` });
    }
  }
  return trimmed;
}

export interface MlflowStoreDeps {
  db: Db;
  ledger: AuditLedger;
  artifacts: ArtifactService;
  now?: () => Date;
}

export class MlflowStore {
  readonly #db: Db;
  readonly #ledger: AuditLedger;
  readonly #artifacts: ArtifactService;
  readonly #now: () => Date;

  constructor(deps: MlflowStoreDeps) {
    this.#db = deps.db;
    this.#ledger = deps.ledger;
    this.#artifacts = deps.artifacts;
    this.#now = deps.now ?? (() => new Date());
  }

  async #audit<T>(ctx: TrackingContext, action: string, type: 'experiment' | 'component', id: string, change: (tx: Tx) => Promise<{ result: T; details?: Record<string, unknown> }>): Promise<T> {
    return governed({ db: this.#db, ledger: this.#ledger }, ctx.actor, action, await projectResourceName(this.#db, ctx.projectId, type, id), change);
  }

  async #experimentRow(tx: Tx, ctx: TrackingContext, id: string) {
    const row = await tx.selectFrom('experiments').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.project_id !== ctx.projectId) throw new AppError('NOT_FOUND', { message: `No experiment ${id}` });
    return row;
  }

  async #componentRow(tx: Tx, ctx: TrackingContext, id: string) {
    let q = tx.selectFrom('trial_components').select(['id', 'status', 'name', 'tags', 'project_id', 'lifecycle_stage']).where('id', '=', id);
    if (this.#db.dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row || row.project_id !== ctx.projectId) throw new AppError('NOT_FOUND', { message: `No run ${id}` });
    return row;
  }

  /** Soft-deletes (`deleted`) or restores (`active`) an experiment; its runs keep their own stage, as in MLflow. */
  async setExperimentStage(ctx: TrackingContext, experimentId: string, stage: LifecycleStage): Promise<void> {
    await this.#audit(ctx, 'experiment:Delete', 'experiment', experimentId, async (tx) => {
      const row = await this.#experimentRow(tx, ctx, experimentId);
      const from = row.lifecycle_stage ?? 'active';
      if (from === stage) throw new AppError('INVALID_INPUT', { message: stage === 'active' ? `Cannot restore an active experiment (${row.name})` : `Cannot delete an already deleted experiment (${row.name})` });
      await tx.updateTable('experiments').set({ lifecycle_stage: stage, last_update_time: this.#now().toISOString() }).where('id', '=', experimentId).execute();
      return { result: undefined, details: { lifecycleStage: stage, previous: from } };
    });
  }

  async renameExperiment(ctx: TrackingContext, experimentId: string, name: string): Promise<void> {
    if (!NAME_PATTERN.test(name)) throw new AppError('INVALID_INPUT', { message: `Invalid experiment name "${name}": 1-128 letters, digits, space and . _ : / -, starting with a letter or digit` });
    await this.#audit(ctx, 'experiment:Update', 'experiment', experimentId, async (tx) => {
      const row = await this.#experimentRow(tx, ctx, experimentId);
      if (row.name === name) return { result: undefined, details: { name } };
      const clash = await tx.selectFrom('experiments').select('id').where('project_id', '=', ctx.projectId).where('name', '=', name).executeTakeFirst();
      if (clash) throw new AppError('CONFLICT', { message: `An experiment named "${name}" already exists in this project`, details: { experimentId: clash.id } });
      await tx.updateTable('experiments').set({ name, last_update_time: this.#now().toISOString() }).where('id', '=', experimentId).execute();
      return { result: undefined, details: { name, previousName: row.name } };
    });
  }

  /** Soft-deletes or restores a run: it leaves (or returns to) default searches; the record stays. */
  async setRunStage(ctx: TrackingContext, componentId: string, stage: LifecycleStage): Promise<void> {
    await this.#audit(ctx, 'component:Update', 'component', componentId, async (tx) => {
      const row = await this.#componentRow(tx, ctx, componentId);
      await tx.updateTable('trial_components').set({ lifecycle_stage: stage }).where('id', '=', componentId).execute();
      return { result: undefined, details: { lifecycleStage: stage, previous: row.lifecycle_stage ?? 'active' } };
    });
  }

  /** Renames a run (its name is a label like a tag: allowed at any status). */
  async renameRun(ctx: TrackingContext, componentId: string, name: string): Promise<void> {
    if (!NAME_PATTERN.test(name)) throw new AppError('INVALID_INPUT', { message: `Invalid run name "${name}": 1-128 letters, digits, space and . _ : / -, starting with a letter or digit` });
    await this.#audit(ctx, 'component:Update', 'component', componentId, async (tx) => {
      const row = await this.#componentRow(tx, ctx, componentId);
      if (row.name !== name) await tx.updateTable('trial_components').set({ name }).where('id', '=', componentId).execute();
      return { result: undefined, details: { name, previousName: row.name } };
    });
  }

  /** Removes a run tag; RESOURCE_DOES_NOT_EXIST when the run has no such tag (as MLflow). */
  async deleteRunTag(ctx: TrackingContext, componentId: string, key: string): Promise<void> {
    await this.#audit(ctx, 'component:Update', 'component', componentId, async (tx) => {
      const row = await this.#componentRow(tx, ctx, componentId);
      const tags = JSON.parse(row.tags) as Tags;
      if (!(key in tags)) throw new AppError('NOT_FOUND', { message: `No tag with name: ${key} in run with id ${componentId}` });
      delete tags[key];
      await tx.updateTable('trial_components').set({ tags: JSON.stringify(tags) }).where('id', '=', componentId).execute();
      return { result: undefined, details: { removedTag: key } };
    });
  }

  /** Appends a logged model (MLflow's `Model.to_json()`) to the run's model history tag. */
  async recordLoggedModel(ctx: TrackingContext, componentId: string, modelJson: string): Promise<void> {
    let model: unknown;
    try {
      model = JSON.parse(modelJson);
    } catch {
      throw new AppError('INVALID_INPUT', { message: 'model_json must be a JSON document' });
    }
    if (typeof model !== 'object' || model === null || Array.isArray(model)) throw new AppError('INVALID_INPUT', { message: 'model_json must be a JSON object' });
    await this.#audit(ctx, 'component:Update', 'component', componentId, async (tx) => {
      const row = await this.#componentRow(tx, ctx, componentId);
      const tags = JSON.parse(row.tags) as Tags;
      const history = tags[LOG_MODEL_HISTORY_TAG] ? (JSON.parse(tags[LOG_MODEL_HISTORY_TAG]) as unknown[]) : [];
      history.push(model);
      const encoded = JSON.stringify(history);
      if (encoded.length > 5000) throw new AppError('INVALID_INPUT', { message: `The run's logged-model history would exceed 5000 characters (the tag value limit)` });
      tags[LOG_MODEL_HISTORY_TAG] = encoded;
      await tx.updateTable('trial_components').set({ tags: JSON.stringify(tags) }).where('id', '=', componentId).execute();
      const m = model as { artifact_path?: unknown; flavors?: object };
      return { result: undefined, details: { loggedModel: { artifactPath: String(m.artifact_path ?? ''), flavors: Object.keys(m.flavors ?? {}) } } };
    });
  }

  /**
   * Records datasets a run used. Each becomes a lineage input of the run: a dataset naming an
   * Attest artifact (`name`, `name@version`, `art_…` or `sha256:…` in the project) links to it;
   * any other dataset's MLflow description (name, digest, source, schema, profile) is stored as an
   * encrypted artifact of its own, so lineage shows every dataset the run declared.
   */
  async logDatasetInputs(ctx: TrackingContext, componentId: string, inputs: readonly MlflowDatasetInput[]): Promise<void> {
    if (inputs.length === 0) return;
    const resolved: { input: MlflowDatasetInput; meta: ArtifactMetadata }[] = [];
    for (const input of inputs) {
      const d = input.dataset;
      if (!d.name || !d.digest) throw new AppError('INVALID_INPUT', { message: 'Every dataset needs a name and a digest' });
      let meta = await this.#artifacts.resolve(d.name, ctx.projectId).catch(() => undefined);
      if (meta && (meta.projectId !== ctx.projectId || meta.deletedAt)) meta = undefined;
      if (!meta) {
        const description = canonicalJson({ mlflowDataset: { name: d.name, digest: d.digest, sourceType: d.source_type, source: d.source, schema: d.schema ?? null, profile: d.profile ?? null } });
        meta = await this.#artifacts.putBytes(ctx.actor, Buffer.from(description), {
          projectId: ctx.projectId,
          mediaType: 'application/vnd.mlflow.dataset+json',
          auditDetails: { mlflowDataset: d.name, digest: d.digest, componentId },
        });
      }
      resolved.push({ input, meta });
    }
    await this.#audit(ctx, 'component:Update', 'component', componentId, async (tx) => {
      const row = await this.#componentRow(tx, ctx, componentId);
      this.#mustBeRunning(row);
      const now = this.#now().toISOString();
      for (const { input, meta } of resolved) {
        const d = input.dataset;
        await tx.deleteFrom('mlflow_dataset_inputs').where('component_id', '=', componentId).where('name', '=', d.name).where('digest', '=', d.digest).execute();
        await tx
          .insertInto('mlflow_dataset_inputs')
          .values({
            component_id: componentId,
            name: d.name,
            digest: d.digest,
            source_type: d.source_type,
            source: d.source,
            schema: d.schema ?? null,
            profile: d.profile ?? null,
            tags: JSON.stringify(input.tags ?? []),
            artifact_id: meta.artifactId,
            created_at: now,
          })
          .execute();
        const role = `dataset/${d.name.replace(/[^A-Za-z0-9._:/-]/g, '_')}`.slice(0, 128);
        await tx.deleteFrom('component_artifacts').where('component_id', '=', componentId).where('direction', '=', 'input').where('role', '=', role).execute();
        await tx
          .insertInto('component_artifacts')
          .values({ component_id: componentId, direction: 'input', role, artifact_id: meta.artifactId, sha256: meta.sha256, media_type: meta.mediaType, name: meta.name !== undefined ? `${meta.name}@${meta.version}` : null, created_at: now })
          .execute();
        await recordAssociation(tx, { projectId: ctx.projectId, sourceId: meta.artifactId, destId: componentId, type: 'ContributedTo', principal: ctx.actor.principal, time: now });
      }
      return { result: undefined, details: { datasets: resolved.map(({ input, meta }) => ({ name: input.dataset.name, digest: input.dataset.digest, artifactId: meta.artifactId })) } };
    });
  }

  /** The datasets a run declared, in MLflow's `RunInputs.dataset_inputs` shape. */
  async datasetInputs(componentId: string) {
    const rows = await this.#db.kysely.selectFrom('mlflow_dataset_inputs').selectAll().where('component_id', '=', componentId).orderBy('created_at').orderBy('name').execute();
    return rows.map((r) => ({
      tags: JSON.parse(r.tags) as { key: string; value: string }[],
      dataset: { name: r.name, digest: r.digest, source_type: r.source_type, source: r.source, ...(r.schema !== null ? { schema: r.schema } : {}), ...(r.profile !== null ? { profile: r.profile } : {}) },
    }));
  }

  #mustBeRunning(row: { id: string; name: string; status: string }): void {
    if (FINAL_STATUSES.includes(row.status as ComponentStatus)) {
      throw new AppError('COMPONENT_COMPLETED', { message: `Run ${row.name} (${row.id}) is ${row.status}; its inputs and outputs can no longer change`, details: { componentId: row.id, status: row.status } });
    }
  }

  /**
   * Stores one file of a run's artifact tree: encrypted by the artifact service (which audits the
   * `artifact:Put`), and, in the same transaction, the path recorded and the edge
   * `run Produced artifact` added. A finished run's tree is frozen, like its outputs.
   */
  async putArtifactFile(actor: Actor, ctx: TrackingContext, componentId: string, path: string, body: AsyncIterable<Uint8Array>, mediaType: string | undefined): Promise<ArtifactMetadata> {
    const clean = checkArtifactPath(path);
    if (clean === '') throw new AppError('INVALID_INPUT', { message: 'Give the file path after the run' });
    const dirs = await this.#db.kysely.selectFrom('mlflow_artifact_files').select('path').where('component_id', '=', componentId).where(startsWith(`${clean}/`)).limit(1).execute();
    if (dirs.length > 0) throw new AppError('CONFLICT', { message: `${clean} is a directory of this run's artifacts` });
    return this.#artifacts.put(actor, body, {
      projectId: ctx.projectId,
      ...(mediaType ? { mediaType } : {}),
      auditDetails: { componentId, mlflowArtifactPath: clean },
      onCommit: async (tx, stored) => {
        const row = await this.#componentRow(tx, ctx, componentId);
        this.#mustBeRunning(row);
        const now = this.#now().toISOString();
        await tx.deleteFrom('mlflow_artifact_files').where('component_id', '=', componentId).where('path', '=', clean).execute();
        await tx
          .insertInto('mlflow_artifact_files')
          .values({ component_id: componentId, path: clean, project_id: ctx.projectId, artifact_id: stored.artifactId, size_bytes: stored.sizeBytes, created_at: now, created_by: actor.principal })
          .execute();
        await recordAssociation(tx, { projectId: ctx.projectId, sourceId: componentId, destId: stored.artifactId, type: 'Produced', principal: actor.principal, time: now });
      },
    });
  }

  /** The file at `path` of a run's tree, or undefined. */
  async artifactFile(componentId: string, path: string): Promise<{ artifactId: string; sizeBytes: number } | undefined> {
    const row = await this.#db.kysely.selectFrom('mlflow_artifact_files').select(['artifact_id', 'size_bytes']).where('component_id', '=', componentId).where('path', '=', checkArtifactPath(path)).executeTakeFirst();
    return row ? { artifactId: row.artifact_id, sizeBytes: Number(row.size_bytes) } : undefined;
  }

  /** The direct children of directory `dir` ('' for the root) of a run's tree, sorted by path. */
  async listArtifactFiles(componentId: string, dir: string): Promise<ArtifactFileInfo[]> {
    const clean = checkArtifactPath(dir);
    const prefix = clean === '' ? '' : `${clean}/`;
    let q = this.#db.kysely.selectFrom('mlflow_artifact_files').select(['path', 'size_bytes']).where('component_id', '=', componentId);
    if (prefix) q = q.where(startsWith(prefix));
    const rows = await q.execute();
    const out = new Map<string, ArtifactFileInfo>();
    for (const r of rows) {
      if (!r.path.startsWith(prefix)) continue;
      const rest = r.path.slice(prefix.length);
      const slash = rest.indexOf('/');
      const name = slash < 0 ? rest : rest.slice(0, slash);
      if (slash < 0) out.set(name, { path: name, isDir: false, sizeBytes: Number(r.size_bytes) });
      else if (!out.has(name)) out.set(name, { path: name, isDir: true });
    }
    return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

/** `path` starts with a literal prefix, the escape character named so both engines agree. */
function startsWith(prefix: string) {
  return sql<SqlBool>`path like ${`${escapeLike(prefix)}%`} escape '\\'`;
}

/**
 * @module serving/endpoint-service
 * Endpoints and their configuration versions. Every change (create, update, rollback, delete)
 * writes a new immutable configuration version or moves the pointer, in one transaction with its
 * audit entry, its config-history record and the lineage edge model → endpoint; so "which model
 * served this endpoint on day D" is a query, and a rollback is instant (no model is re-uploaded).
 */
import type { ArtifactService } from '../artifacts/index.js';
import type { DatasetService } from '../datasets/index.js';
import { AppError, newId } from '../kernel/index.js';
import { recordAssociation } from '../lineage/index.js';
import type { Db, Tx } from '../platform/db/index.js';
import { resolveReference } from '../references/index.js';
import type { Actor, AuditLedger } from '../security/audit/index.js';
import { governed, projectResourceName } from '../security/audit/index.js';
import type { Endpoint, EndpointChange, EndpointConfigSpec, EndpointConfigVersion, Variant } from './endpoint-model.js';
import { DEFAULT_MAX_BATCH_ROWS, ENDPOINT_NAME, EndpointConfigSpecSchema } from './endpoint-model.js';
import type { EndpointsTable } from './serving-tables.js';
import { servingDb } from './serving-tables.js';

export interface EndpointServiceDeps {
  readonly db: Db;
  readonly ledger: AuditLedger;
  readonly artifacts: ArtifactService;
  readonly datasets: DatasetService;
  readonly now?: () => Date;
}

/**
 * Resolves a model reference to the artifact that holds the model. A registry (`GROUP@stage`,
 * approved versions only) plugs in here when it exists; until then any artifact reference the
 * caller may read is accepted (issue 15: "until it lands any model version the policy allows").
 */
export type ModelResolver = (projectId: string, ref: string) => Promise<{ artifactId: string; sha256: string }>;

export interface CreateEndpointInput {
  name: string;
  model: string;
  capturePercent?: number;
  maxBatchRows?: number;
  adverse?: 'higher' | 'lower';
  shadow?: string;
  review?: EndpointConfigSpec['review'];
}

function checkName(name: string): void {
  if (!ENDPOINT_NAME.test(name)) throw new AppError('INVALID_INPUT', { message: `Invalid endpoint name "${name}": letters, digits and -, at most 63`, details: { field: 'name' } });
}

function checkPercent(value: number | undefined, field: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0 && value <= 100)) throw new AppError('INVALID_INPUT', { message: `${field} must be a percentage in [0, 100], not ${value}`, details: { field } });
}

export class EndpointService {
  readonly #db: Db;
  readonly #ledger: AuditLedger;
  readonly #now: () => Date;
  #resolveModel: ModelResolver;

  constructor(deps: EndpointServiceDeps) {
    this.#db = deps.db;
    this.#ledger = deps.ledger;
    this.#now = deps.now ?? (() => new Date());
    this.#resolveModel = async (projectId, ref) => {
      const r = await resolveReference({ artifacts: deps.artifacts, datasets: deps.datasets }, projectId, ref);
      if (r.kind !== 'artifact') throw new AppError('INVALID_INPUT', { message: `${ref} is a dataset version, not a model`, details: { field: 'model' } });
      return { artifactId: r.artifactId, sha256: r.artifact.sha256 };
    };
  }

  /** Lets the model registry take over model resolution (approved versions only). */
  useModelResolver(resolver: ModelResolver): void {
    this.#resolveModel = resolver;
  }

  async #variant(projectId: string, name: string, ref: string, role: Variant['role'], weight: number): Promise<Variant> {
    const { artifactId, sha256 } = await this.#resolveModel(projectId, ref);
    return { name, model: ref, artifactId, sha256, weight, role };
  }

  async #resource(projectId: string, name: string): Promise<string> {
    return projectResourceName(this.#db, projectId, 'endpoint', name);
  }

  async #row(tx: Db | Tx, projectId: string, name: string): Promise<EndpointsTable> {
    const row = await servingDb(tx).selectFrom('endpoints').selectAll().where('project_id', '=', projectId).where('name', '=', name).where('deleted_at', 'is', null).executeTakeFirst();
    if (!row) throw new AppError('ENDPOINT_NOT_FOUND', { message: `No endpoint ${name} in this project`, details: { endpoint: name } });
    return row;
  }

  async #spec(tx: Db | Tx, endpointId: string, version: number): Promise<EndpointConfigVersion> {
    const row = await servingDb(tx).selectFrom('endpoint_configs').selectAll().where('endpoint_id', '=', endpointId).where('version', '=', version).executeTakeFirstOrThrow();
    return { version: row.version, spec: EndpointConfigSpecSchema.parse(JSON.parse(row.spec)), reason: row.reason, createdBy: row.created_by, createdAt: row.created_at };
  }

  #toEndpoint(row: EndpointsTable, config: EndpointConfigSpec): Endpoint {
    return {
      endpointId: row.id,
      projectId: row.project_id,
      name: row.name,
      status: row.status as Endpoint['status'],
      configVersion: row.config_version,
      config,
      createdBy: row.created_by,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async #writeConfig(tx: Tx, actor: Actor, endpointId: string, projectId: string, version: number, spec: EndpointConfigSpec, reason: string | null, at: string): Promise<void> {
    await servingDb(tx)
      .insertInto('endpoint_configs')
      .values({ endpoint_id: endpointId, version, spec: JSON.stringify(spec), reason, created_by: actor.principal, created_at: at })
      .execute();
    for (const v of spec.variants) await recordAssociation(tx, { sourceId: v.artifactId, destId: endpointId, type: 'ContributedTo', projectId, principal: actor.principal, time: at });
  }

  async create(actor: Actor, projectId: string, input: CreateEndpointInput): Promise<Endpoint> {
    checkName(input.name);
    checkPercent(input.capturePercent, 'capturePercent');
    const variants = [await this.#variant(projectId, 'primary', input.model, 'live', 1)];
    if (input.shadow) variants.push(await this.#variant(projectId, 'shadow', input.shadow, 'shadow', 0));
    const spec = EndpointConfigSpecSchema.parse({
      variants,
      capture: { samplingPercent: input.capturePercent ?? 100 },
      maxBatchRows: input.maxBatchRows ?? DEFAULT_MAX_BATCH_ROWS,
      adverse: input.adverse ?? 'higher',
      ...(input.review ? { review: input.review } : {}),
    });
    const resource = await this.#resource(projectId, input.name);
    return governed({ db: this.#db, ledger: this.#ledger }, actor, 'endpoint:Create', resource, async (tx) => {
      const existing = await servingDb(tx).selectFrom('endpoints').select('id').where('project_id', '=', projectId).where('name', '=', input.name).where('deleted_at', 'is', null).executeTakeFirst();
      if (existing) throw new AppError('ENDPOINT_EXISTS', { message: `Endpoint ${input.name} already exists; change it with update`, details: { endpoint: input.name } });
      const at = this.#now().toISOString();
      const row: EndpointsTable = { id: newId('ep'), project_id: projectId, name: input.name, status: 'InService', config_version: 1, created_by: actor.principal, created_at: at, updated_at: at, deleted_at: null };
      await servingDb(tx).insertInto('endpoints').values(row).execute();
      await this.#writeConfig(tx, actor, row.id, projectId, 1, spec, 'created', at);
      return {
        result: this.#toEndpoint(row, spec),
        details: { endpointId: row.id, configVersion: 1, variants: spec.variants.map((v) => ({ name: v.name, artifactId: v.artifactId, role: v.role, weight: v.weight })), capturePercent: spec.capture.samplingPercent },
        configChanges: [{ resourceType: 'endpoint', resourceId: row.id, change: 'configVersion', before: null, after: 1 }],
      };
    });
  }

  /** Applies a change as a new configuration version (traffic policies, capture, limits, review). */
  async update(actor: Actor, projectId: string, name: string, change: EndpointChange): Promise<Endpoint> {
    checkName(name);
    checkPercent(change.capturePercent, 'capturePercent');
    if (change.canary) checkPercent(change.canary.percent, 'canary.percent');
    const resource = await this.#resource(projectId, name);
    const current = await this.#row(this.#db, projectId, name);
    const before = (await this.#spec(this.#db, current.id, current.config_version)).spec;
    let variants = before.variants.map((v) => ({ ...v }));
    const live = () => variants.filter((v) => v.role === 'live');
    if (change.model !== undefined) {
      variants = [await this.#variant(projectId, 'primary', change.model, 'live', 1), ...variants.filter((v) => v.role === 'shadow')];
    }
    if (change.shadow !== undefined) {
      variants = variants.filter((v) => v.role !== 'shadow');
      if (change.shadow !== null) variants.push(await this.#variant(projectId, 'shadow', change.shadow, 'shadow', 0));
    }
    if (change.canary !== undefined) {
      const primary = live().find((v) => v.name !== 'canary') ?? live()[0]!;
      variants = variants.filter((v) => v.role === 'shadow' || v.name === primary.name);
      primary.weight = 1;
      if (change.canary !== null) {
        const p = change.canary.percent;
        if (p <= 0 || p >= 100) throw new AppError('INVALID_INPUT', { message: 'A canary takes more than 0 and less than 100 % of traffic; promote it to give it all', details: { field: 'canary.percent' } });
        primary.weight = 100 - p;
        variants.push(await this.#variant(projectId, 'canary', change.canary.model, 'live', p));
      }
    }
    if (change.promote !== undefined) {
      const winner = variants.find((v) => v.name === change.promote);
      if (!winner) throw new AppError('INVALID_INPUT', { message: `No variant ${change.promote} on ${name}; variants: ${variants.map((v) => v.name).join(', ')}`, details: { field: 'promote' } });
      variants = [{ ...winner, name: 'primary', role: 'live', weight: 1 }];
    }
    const spec = EndpointConfigSpecSchema.parse({
      variants,
      capture: { samplingPercent: change.capturePercent ?? before.capture.samplingPercent },
      maxBatchRows: change.maxBatchRows ?? before.maxBatchRows,
      adverse: change.adverse ?? before.adverse,
      ...(change.review === null ? {} : change.review || before.review ? { review: change.review ?? before.review } : {}),
    });
    const names = new Set(spec.variants.map((v) => v.name));
    if (names.size !== spec.variants.length) throw new AppError('INVALID_INPUT', { message: 'Variant names must be unique' });
    return governed({ db: this.#db, ledger: this.#ledger }, actor, 'endpoint:Update', resource, async (tx) => {
      const row = await this.#row(tx, projectId, name);
      if (row.config_version !== current.config_version) throw new AppError('CONFLICT', { message: `Endpoint ${name} changed meanwhile (now version ${row.config_version}); retry` });
      const last = await servingDb(tx).selectFrom('endpoint_configs').select((eb) => eb.fn.max('version').as('v')).where('endpoint_id', '=', row.id).executeTakeFirstOrThrow();
      const version = Number(last.v) + 1;
      const at = this.#now().toISOString();
      await this.#writeConfig(tx, actor, row.id, projectId, version, spec, change.reason ?? null, at);
      await servingDb(tx).updateTable('endpoints').set({ config_version: version, updated_at: at }).where('id', '=', row.id).execute();
      return {
        result: this.#toEndpoint({ ...row, config_version: version, updated_at: at }, spec),
        details: { endpointId: row.id, from: row.config_version, to: version, change: { ...change }, variants: spec.variants.map((v) => ({ name: v.name, artifactId: v.artifactId, role: v.role, weight: v.weight })) },
        configChanges: [{ resourceType: 'endpoint', resourceId: row.id, change: 'configVersion', before: row.config_version, after: version }],
      };
    });
  }

  /** Instant rollback: points the endpoint at an earlier configuration version (default: the one before the current). */
  async rollback(actor: Actor, projectId: string, name: string, toVersion?: number, reason?: string): Promise<Endpoint> {
    checkName(name);
    const resource = await this.#resource(projectId, name);
    return governed({ db: this.#db, ledger: this.#ledger }, actor, 'endpoint:Update', resource, async (tx) => {
      const row = await this.#row(tx, projectId, name);
      const target = toVersion ?? row.config_version - 1;
      if (!(Number.isInteger(target) && target >= 1)) throw new AppError('INVALID_INPUT', { message: `Endpoint ${name} has no earlier configuration version than ${row.config_version}`, details: { field: 'version' } });
      if (target === row.config_version) throw new AppError('INVALID_INPUT', { message: `Endpoint ${name} already serves configuration version ${target}`, details: { field: 'version' } });
      const exists = await servingDb(tx).selectFrom('endpoint_configs').select('version').where('endpoint_id', '=', row.id).where('version', '=', target).executeTakeFirst();
      if (!exists) throw new AppError('INVALID_INPUT', { message: `Endpoint ${name} has no configuration version ${target}`, details: { field: 'version' } });
      const at = this.#now().toISOString();
      await servingDb(tx).updateTable('endpoints').set({ config_version: target, updated_at: at }).where('id', '=', row.id).execute();
      const config = await this.#spec(tx, row.id, target);
      return {
        result: this.#toEndpoint({ ...row, config_version: target, updated_at: at }, config.spec),
        details: { endpointId: row.id, rollback: true, from: row.config_version, to: target, ...(reason ? { reason } : {}) },
        configChanges: [{ resourceType: 'endpoint', resourceId: row.id, change: 'configVersion', before: row.config_version, after: target }],
      };
    });
  }

  async delete(actor: Actor, projectId: string, name: string): Promise<Endpoint> {
    checkName(name);
    const resource = await this.#resource(projectId, name);
    return governed({ db: this.#db, ledger: this.#ledger }, actor, 'endpoint:Delete', resource, async (tx) => {
      const row = await this.#row(tx, projectId, name);
      const at = this.#now().toISOString();
      await servingDb(tx).updateTable('endpoints').set({ status: 'Deleted', deleted_at: at, updated_at: at }).where('id', '=', row.id).execute();
      const config = await this.#spec(tx, row.id, row.config_version);
      return { result: this.#toEndpoint({ ...row, status: 'Deleted', updated_at: at, deleted_at: at }, config.spec), details: { endpointId: row.id } };
    });
  }

  async describe(projectId: string, name: string): Promise<Endpoint> {
    checkName(name);
    const row = await this.#row(this.#db, projectId, name);
    return this.#toEndpoint(row, (await this.#spec(this.#db, row.id, row.config_version)).spec);
  }

  /** The current configuration version number only (the serving runtime polls it). */
  async currentVersion(projectId: string, name: string): Promise<{ endpointId: string; configVersion: number } | undefined> {
    const row = await servingDb(this.#db).selectFrom('endpoints').select(['id', 'config_version']).where('project_id', '=', projectId).where('name', '=', name).where('deleted_at', 'is', null).executeTakeFirst();
    return row ? { endpointId: row.id, configVersion: row.config_version } : undefined;
  }

  async config(endpointId: string, version: number): Promise<EndpointConfigVersion> {
    return this.#spec(this.#db, endpointId, version);
  }

  async list(projectId: string): Promise<Endpoint[]> {
    const rows = await servingDb(this.#db).selectFrom('endpoints').selectAll().where('project_id', '=', projectId).where('deleted_at', 'is', null).orderBy('name').execute();
    const out: Endpoint[] = [];
    for (const row of rows) out.push(this.#toEndpoint(row, (await this.#spec(this.#db, row.id, row.config_version)).spec));
    return out;
  }

  /** Every configuration version of an endpoint, oldest first, with which one is current. */
  async history(projectId: string, name: string): Promise<{ current: number; versions: EndpointConfigVersion[] }> {
    const row = await this.#row(this.#db, projectId, name);
    const rows = await servingDb(this.#db).selectFrom('endpoint_configs').selectAll().where('endpoint_id', '=', row.id).orderBy('version').execute();
    return {
      current: row.config_version,
      versions: rows.map((r) => ({ version: r.version, spec: EndpointConfigSpecSchema.parse(JSON.parse(r.spec)), reason: r.reason, createdBy: r.created_by, createdAt: r.created_at })),
    };
  }

  /**
   * The configuration version in force at `at` for an endpoint (also a deleted one): the latest
   * audited pointer move at or before that time, read from the config-history records.
   */
  async configAt(projectId: string, name: string, at: Date): Promise<{ endpointId: string; version: number } | undefined> {
    const rows = await servingDb(this.#db).selectFrom('endpoints').select(['id', 'created_at']).where('project_id', '=', projectId).where('name', '=', name).orderBy('created_at', 'desc').execute();
    for (const ep of rows) {
      if (Date.parse(ep.created_at) > at.getTime()) continue;
      const change = await this.#db.kysely
        .selectFrom('config_changes')
        .select(['after'])
        .where('resource_type', '=', 'endpoint')
        .where('resource_id', '=', ep.id)
        .where('change', '=', 'configVersion')
        .where('time', '<=', at.toISOString())
        .orderBy('audit_seq', 'desc')
        .executeTakeFirst();
      if (change) return { endpointId: ep.id, version: Number(JSON.parse(change.after ?? 'null')) };
    }
    return undefined;
  }
}

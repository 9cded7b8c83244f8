/**
 * @module tracking/tracking-service
 * Recording experiments, trials and components. Every write is a governed change (the change and
 * its audit entry in one transaction). Logging an input records `artifact ContributedTo component`
 * and logging an output `component Produced artifact` in the same transaction, so lineage can never
 * disagree with the component. Once a component is final (Completed, Failed, Stopped) its
 * parameters, inputs, outputs, metrics and source are frozen (COMPONENT_COMPLETED); tags, notes
 * and trial membership can still be added.
 */
import type { ArtifactService } from '../artifacts/index.js';
import { AppError, newId } from '../kernel/index.js';
import type { Db, Tx } from '../platform/db/index.js';
import type { Actor, AuditLedger } from '../security/audit/index.js';
import { governed, projectResourceName } from '../security/audit/index.js';
import { recordAssociation } from '../lineage/index.js';
import type { ComponentArtifact, ComponentStatus, ComponentType, EnvironmentInfo, Experiment, MetricPoint, ParameterValue, SourceInfo, Tags, Trial, TrialComponent } from './tracking-model.js';
import { COMPONENT_TYPES, EnvironmentInfoSchema, FINAL_STATUSES, NAME_PATTERN, ParametersSchema, SourceInfoSchema, TagsSchema } from './tracking-model.js';
import { encodeParameter, loadComponents, rowToExperiment, rowToTrial } from './tracking-rows.js';
import type { NonFiniteMetrics } from './metric-writer.js';
import { insertMetrics, validateMetrics } from './metric-writer.js';
import { TrackingReads } from './tracking-reads.js';

/** Who acts, and in which project (writes may only touch that project's records). */
export interface TrackingContext {
  actor: Actor;
  projectId: string;
}

export interface TrackingServiceDeps {
  db: Db;
  ledger: AuditLedger;
  artifacts: ArtifactService;
  now?: () => Date;
}

export interface StartComponentInput {
  name: string;
  type: ComponentType;
  trials?: readonly string[];
  parameters?: Record<string, ParameterValue>;
  source?: SourceInfo;
  environment?: EnvironmentInfo;
  tags?: Tags;
  /** Start time (ISO-8601); defaults to now. */
  startTime?: string;
}

/** An artifact to log as input or output: an artifact id, `sha256:HEX`, or `name[@version]`. */
export interface ArtifactLink {
  role: string;
  ref: string;
}

function checkName(kind: string, name: string): void {
  if (!NAME_PATTERN.test(name)) throw new AppError('INVALID_INPUT', { message: `Invalid ${kind} name "${name}": 1-128 letters, digits, space and . _ : / -, starting with a letter or digit` });
}

function parseWith<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new AppError('INVALID_INPUT', { message: `Invalid ${what}${issue?.path.length ? ` at ${issue.path.map(String).join('.')}` : ''}: ${issue?.message ?? 'not valid'}` });
  }
  return r.data;
}

/** MLflow's message for a changed parameter, word for word, so clients and users recognise it. */
async function refuseChangedParameters(tx: Tx, componentId: string, parameters: Record<string, ParameterValue>): Promise<void> {
  const names = Object.keys(parameters);
  if (names.length === 0) return;
  const existing = await tx.selectFrom('component_parameters').select(['name', 'value_text']).where('component_id', '=', componentId).where('name', 'in', names).execute();
  for (const row of existing) {
    const next = String(parameters[row.name]);
    if (row.value_text !== next) {
      throw new AppError('INVALID_INPUT', {
        message: `Changing param values is not allowed. Param with key='${row.name}' was already logged with value='${row.value_text}' for run ID='${componentId}'. Attempted logging new value '${next}'.`,
        details: { componentId, parameter: row.name },
      });
    }
  }
}

export class TrackingService extends TrackingReads {
  readonly #ledger: AuditLedger;
  readonly #artifacts: ArtifactService;
  readonly #now: () => Date;

  constructor(deps: TrackingServiceDeps) {
    super(deps.db);
    this.#ledger = deps.ledger;
    this.#artifacts = deps.artifacts;
    this.#now = deps.now ?? (() => new Date());
  }

  async #audit<T>(ctx: TrackingContext, action: string, type: 'experiment' | 'trial' | 'component', id: string, change: Parameters<typeof governed<T>>[4]): Promise<T> {
    return governed({ db: this.db, ledger: this.#ledger }, ctx.actor, action, await projectResourceName(this.db, ctx.projectId, type, id), change);
  }

  async createExperiment(ctx: TrackingContext, input: { name: string; description?: string; tags?: Tags }): Promise<Experiment> {
    checkName('experiment', input.name);
    const tags = parseWith(TagsSchema, input.tags ?? {}, 'tags');
    const id = newId('exp');
    return this.#audit(ctx, 'experiment:Create', 'experiment', id, async (tx) => {
      const clash = await tx.selectFrom('experiments').select('id').where('project_id', '=', ctx.projectId).where('name', '=', input.name).executeTakeFirst();
      if (clash) throw new AppError('CONFLICT', { message: `An experiment named "${input.name}" already exists in this project`, details: { experimentId: clash.id } });
      const row = { id, project_id: ctx.projectId, name: input.name, description: input.description ?? '', tags: JSON.stringify(tags), created_at: this.#now().toISOString(), created_by: ctx.actor.principal };
      await tx.insertInto('experiments').values(row).execute();
      return { result: rowToExperiment(row), details: { projectId: ctx.projectId, name: input.name } };
    });
  }

  async createTrial(ctx: TrackingContext, input: { experiment: string; name: string; tags?: Tags }): Promise<Trial> {
    checkName('trial', input.name);
    const tags = parseWith(TagsSchema, input.tags ?? {}, 'tags');
    const experiment = await this.getExperiment(input.experiment, [ctx.projectId], ctx.projectId);
    const id = newId('tr');
    return this.#audit(ctx, 'trial:Create', 'trial', id, async (tx) => {
      const clash = await tx.selectFrom('trials').select('id').where('experiment_id', '=', experiment.experimentId).where('name', '=', input.name).executeTakeFirst();
      if (clash) throw new AppError('CONFLICT', { message: `A trial named "${input.name}" already exists in experiment ${experiment.name}`, details: { trialId: clash.id } });
      const row = { id, project_id: ctx.projectId, experiment_id: experiment.experimentId, name: input.name, tags: JSON.stringify(tags), created_at: this.#now().toISOString(), created_by: ctx.actor.principal };
      await tx.insertInto('trials').values(row).execute();
      await recordAssociation(tx, { projectId: ctx.projectId, sourceId: id, destId: experiment.experimentId, type: 'AssociatedWith', principal: ctx.actor.principal, time: row.created_at });
      return { result: rowToTrial(row, experiment.name), details: { experimentId: experiment.experimentId, name: input.name } };
    });
  }

  /** Starts a component (status InProgress), optionally in trials and with its first parameters. */
  async startComponent(ctx: TrackingContext, input: StartComponentInput): Promise<TrialComponent> {
    checkName('component', input.name);
    if (!COMPONENT_TYPES.includes(input.type)) throw new AppError('INVALID_INPUT', { message: `Unknown component type "${input.type}"; use one of ${COMPONENT_TYPES.join(', ')}` });
    const parameters = parseWith(ParametersSchema, input.parameters ?? {}, 'parameters');
    const tags = parseWith(TagsSchema, input.tags ?? {}, 'tags');
    const source = input.source ? parseWith(SourceInfoSchema, input.source, 'source') : undefined;
    const environment = input.environment ? parseWith(EnvironmentInfoSchema, input.environment, 'environment') : undefined;
    const trialIds: string[] = [];
    for (const t of input.trials ?? []) trialIds.push((await this.getTrial(t, [ctx.projectId])).trialId);
    const start = input.startTime ?? this.#now().toISOString();
    if (Number.isNaN(Date.parse(start))) throw new AppError('INVALID_INPUT', { message: `Invalid start time ${start}` });
    const id = newId('tc');
    await this.#audit(ctx, 'component:Create', 'component', id, async (tx) => {
      const now = this.#now().toISOString();
      await tx
        .insertInto('trial_components')
        .values({
          id,
          project_id: ctx.projectId,
          name: input.name,
          type: input.type,
          status: 'InProgress',
          tags: JSON.stringify(tags),
          notes: '[]',
          source: source ? JSON.stringify(source) : null,
          environment: environment ? JSON.stringify(environment) : null,
          start_time: new Date(start).toISOString(),
          end_time: null,
          failure_reason: null,
          created_at: now,
          created_by: ctx.actor.principal,
        })
        .execute();
      await this.#writeParameters(tx, id, parameters);
      for (const trialId of trialIds) await this.#addMember(tx, ctx, trialId, id, now);
      return { result: undefined, details: { name: input.name, type: input.type, trials: trialIds, parameters, ...(source ? { commit: source.commit } : {}) } };
    });
    return this.getComponent(id, [ctx.projectId]);
  }

  /** Adds an existing component to a trial (allowed after completion: membership is not the record). */
  async addComponentToTrial(ctx: TrackingContext, componentId: string, trial: string): Promise<void> {
    const t = await this.getTrial(trial, [ctx.projectId]);
    await this.#audit(ctx, 'trial:Update', 'trial', t.trialId, async (tx) => {
      await this.#component(tx, ctx, componentId);
      await this.#addMember(tx, ctx, t.trialId, componentId, this.#now().toISOString());
      return { result: undefined, details: { componentId } };
    });
  }

  async #addMember(tx: Tx, ctx: TrackingContext, trialId: string, componentId: string, now: string): Promise<void> {
    await tx
      .insertInto('trial_component_members')
      .values({ trial_id: trialId, component_id: componentId, added_at: now })
      .onConflict((oc) => oc.columns(['trial_id', 'component_id']).doNothing())
      .execute();
    await recordAssociation(tx, { projectId: ctx.projectId, sourceId: componentId, destId: trialId, type: 'AssociatedWith', principal: ctx.actor.principal, time: now });
  }

  /** The component row inside `tx`, locked on PostgreSQL; NOT_FOUND outside the caller's project. */
  async #component(tx: Tx, ctx: TrackingContext, componentId: string, mutable = false): Promise<{ id: string; status: string; name: string }> {
    let q = tx.selectFrom('trial_components').select(['id', 'status', 'name', 'project_id']).where('id', '=', componentId);
    if (this.db.dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row || row.project_id !== ctx.projectId) throw new AppError('NOT_FOUND', { message: `No trial component ${componentId}` });
    if (mutable && FINAL_STATUSES.includes(row.status as ComponentStatus)) {
      throw new AppError('COMPONENT_COMPLETED', { message: `Trial component ${row.name} (${componentId}) is ${row.status}; its parameters, inputs, outputs and metrics can no longer change`, details: { componentId, status: row.status } });
    }
    return row;
  }

  async #writeParameters(tx: Tx, componentId: string, parameters: Record<string, ParameterValue>): Promise<void> {
    const names = Object.keys(parameters);
    if (names.length === 0) return;
    await tx.deleteFrom('component_parameters').where('component_id', '=', componentId).where('name', 'in', names).execute();
    await tx
      .insertInto('component_parameters')
      .values(names.map((name) => ({ component_id: componentId, name, ...encodeParameter(parameters[name]!) })))
      .execute();
  }

  /**
   * Logs parameters on a running component. With `refuseChanges` (MLflow's rule) a parameter
   * already logged with another value is refused instead of replaced; the same value is a no-op.
   */
  async logParameters(ctx: TrackingContext, componentId: string, parameters: Record<string, ParameterValue>, options: { refuseChanges?: boolean } = {}): Promise<void> {
    const parsed = parseWith(ParametersSchema, parameters, 'parameters');
    await this.#audit(ctx, 'component:Update', 'component', componentId, async (tx) => {
      await this.#component(tx, ctx, componentId, true);
      if (options.refuseChanges) await refuseChangedParameters(tx, componentId, parsed);
      await this.#writeParameters(tx, componentId, parsed);
      return { result: undefined, details: { parameters: parsed } };
    });
  }

  /** Logs an input artifact and records `artifact ContributedTo component`. */
  logInput(ctx: TrackingContext, componentId: string, link: ArtifactLink): Promise<ComponentArtifact> {
    return this.#logArtifact(ctx, componentId, 'input', link);
  }

  /** Logs an output artifact and records `component Produced artifact`. */
  logOutput(ctx: TrackingContext, componentId: string, link: ArtifactLink): Promise<ComponentArtifact> {
    return this.#logArtifact(ctx, componentId, 'output', link);
  }

  async #logArtifact(ctx: TrackingContext, componentId: string, direction: 'input' | 'output', link: ArtifactLink): Promise<ComponentArtifact> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/.test(link.role)) throw new AppError('INVALID_INPUT', { message: `Invalid role "${link.role}": 1-128 letters, digits and . _ : / -` });
    const meta = await this.#artifacts.resolve(link.ref, ctx.projectId);
    if (meta.projectId !== ctx.projectId || meta.deletedAt) throw new AppError('ARTIFACT_NOT_FOUND', { message: `No artifact ${link.ref} in this project` });
    const named = meta.name !== undefined ? `${meta.name}@${meta.version}` : await this.#nameOf(meta.artifactId);
    const item: ComponentArtifact = { role: link.role, artifactId: meta.artifactId, sha256: meta.sha256, mediaType: meta.mediaType, ...(named ? { name: named } : {}) };
    return this.#audit(ctx, 'component:Update', 'component', componentId, async (tx) => {
      await this.#component(tx, ctx, componentId, true);
      const now = this.#now().toISOString();
      await tx.deleteFrom('component_artifacts').where('component_id', '=', componentId).where('direction', '=', direction).where('role', '=', link.role).execute();
      await tx
        .insertInto('component_artifacts')
        .values({ component_id: componentId, direction, role: link.role, artifact_id: meta.artifactId, sha256: meta.sha256, media_type: meta.mediaType, name: named ?? null, created_at: now })
        .execute();
      const edge =
        direction === 'input'
          ? { sourceId: meta.artifactId, destId: componentId, type: 'ContributedTo' as const }
          : { sourceId: componentId, destId: meta.artifactId, type: 'Produced' as const };
      await recordAssociation(tx, { projectId: ctx.projectId, ...edge, principal: ctx.actor.principal, time: now });
      return { result: item, details: { [direction]: item } };
    });
  }

  async #nameOf(artifactId: string): Promise<string | undefined> {
    const r = await this.db.kysely.selectFrom('named_objects').select(['name', 'version']).where('artifact_id', '=', artifactId).orderBy('version', 'desc').executeTakeFirst();
    return r ? `${r.name}@${r.version}` : undefined;
  }

  /**
   * Logs a batch of metric points (one transaction, one audit entry, multi-row inserts) and
   * updates each metric's summary (last value by step then time, min, max, count) for search.
   */
  async logMetrics(
    ctx: TrackingContext,
    componentId: string,
    points: readonly (Omit<MetricPoint, 'timestamp' | 'step'> & { step?: number; timestamp?: number })[],
    options: { nonFinite?: NonFiniteMetrics } = {},
  ): Promise<{ logged: number }> {
    if (points.length === 0) return { logged: 0 };
    const now = this.#now().getTime();
    const rows = validateMetrics(points, now, options.nonFinite);
    return this.#audit(ctx, 'component:Update', 'component', componentId, async (tx) => {
      await this.#component(tx, ctx, componentId, true);
      await insertMetrics(tx, componentId, rows);
      return { result: { logged: rows.length }, details: { metricPoints: rows.length, metrics: [...new Set(rows.map((r) => r.name))].slice(0, 50) } };
    });
  }

  /** Records source-control lineage on a component that is still in progress. */
  async setSource(ctx: TrackingContext, componentId: string, source: SourceInfo): Promise<void> {
    const parsed = parseWith(SourceInfoSchema, source, 'source');
    await this.#audit(ctx, 'component:Update', 'component', componentId, async (tx) => {
      await this.#component(tx, ctx, componentId, true);
      await tx.updateTable('trial_components').set({ source: JSON.stringify(parsed) }).where('id', '=', componentId).execute();
      return { result: undefined, details: { source: parsed } };
    });
  }

  /** Ends a component: Completed, Failed (with a reason) or Stopped. A final status is final. */
  async endComponent(ctx: TrackingContext, componentId: string, status: Exclude<ComponentStatus, 'InProgress'>, options: { failureReason?: string; endTime?: string } = {}): Promise<TrialComponent> {
    if (!FINAL_STATUSES.includes(status)) throw new AppError('INVALID_INPUT', { message: `Invalid final status ${status}; use Completed, Failed or Stopped` });
    const end = options.endTime ?? this.#now().toISOString();
    if (Number.isNaN(Date.parse(end))) throw new AppError('INVALID_INPUT', { message: `Invalid end time ${end}` });
    await this.#audit(ctx, 'component:Complete', 'component', componentId, async (tx) => {
      await this.#component(tx, ctx, componentId, true);
      await tx
        .updateTable('trial_components')
        .set({ status, end_time: new Date(end).toISOString(), failure_reason: status === 'Failed' ? (options.failureReason ?? 'failed').slice(0, 2000) : null })
        .where('id', '=', componentId)
        .execute();
      return { result: undefined, details: { status, ...(options.failureReason ? { failureReason: options.failureReason.slice(0, 500) } : {}) } };
    });
    return this.getComponent(componentId, [ctx.projectId]);
  }

  /** Adds or replaces tags on an experiment, trial or component (allowed at any status). */
  async setTags(ctx: TrackingContext, id: string, tags: Tags): Promise<void> {
    const parsed = parseWith(TagsSchema, tags, 'tags');
    const table = id.startsWith('exp_') ? 'experiments' : id.startsWith('tr_') ? 'trials' : id.startsWith('tc_') ? 'trial_components' : undefined;
    if (!table) throw new AppError('INVALID_INPUT', { message: `Tags go on an experiment (exp_…), trial (tr_…) or component (tc_…), not ${id}` });
    const kind = table === 'experiments' ? 'experiment' : table === 'trials' ? 'trial' : 'component';
    await this.#audit(ctx, `${kind}:Update`, kind, id, async (tx) => {
      const row = await tx.selectFrom(table).select(['tags', 'project_id']).where('id', '=', id).executeTakeFirst();
      if (!row || row.project_id !== ctx.projectId) throw new AppError('NOT_FOUND', { message: `No ${kind} ${id}` });
      const merged = { ...(JSON.parse(row.tags) as Tags), ...parsed };
      await tx.updateTable(table).set({ tags: JSON.stringify(merged) }).where('id', '=', id).execute();
      return { result: undefined, details: { tags: parsed } };
    });
  }

  /** Appends a note to a component (allowed at any status). */
  async addNote(ctx: TrackingContext, componentId: string, text: string): Promise<void> {
    if (text.trim().length === 0 || text.length > 10_000) throw new AppError('INVALID_INPUT', { message: 'A note must have 1 to 10000 characters' });
    await this.#audit(ctx, 'component:Update', 'component', componentId, async (tx) => {
      await this.#component(tx, ctx, componentId);
      const row = await tx.selectFrom('trial_components').select('notes').where('id', '=', componentId).executeTakeFirstOrThrow();
      const notes = [...(JSON.parse(row.notes) as unknown[]), { time: this.#now().toISOString(), principal: ctx.actor.principal, text }];
      await tx.updateTable('trial_components').set({ notes: JSON.stringify(notes) }).where('id', '=', componentId).execute();
      return { result: undefined, details: { note: text.slice(0, 500) } };
    });
  }

  /** Loads components by id, limited to `visibleProjects`. */
  async components(ids: readonly string[], visibleProjects: readonly string[]): Promise<TrialComponent[]> {
    return (await loadComponents(this.db.kysely, ids)).filter((c) => visibleProjects.includes(c.projectId));
  }
}

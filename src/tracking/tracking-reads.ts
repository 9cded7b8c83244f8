/**
 * @module tracking/tracking-reads
 * Reading experiments, trials, components and metric histories. Every read takes the set of
 * projects the caller may see; anything outside it is reported as not found.
 */
import type { SqlBool } from 'kysely';
import { sql } from 'kysely';
import { AppError } from '../kernel/index.js';
import type { Db } from '../platform/db/index.js';
import { checkLikePattern } from '../platform/db/index.js';
import type { LineageTableRow, TrialComparison } from './lineage-table.js';
import { compareTrials, lineageTableRows } from './lineage-table.js';
import type { Experiment, MetricPoint, Trial, TrialComponent } from './tracking-model.js';
import type { OrderKey } from './tracking-order.js';
import { searchComponentsOrdered } from './tracking-order.js';
import type { SearchPage, SearchRequest } from './tracking-search.js';
import { searchComponents, searchTrials } from './tracking-search.js';
import { loadComponents, rowToExperiment, rowToTrial } from './tracking-rows.js';

export class TrackingReads {
  readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** An experiment by id, or by name within `projectId`. */
  async getExperiment(ref: string, visibleProjects: readonly string[], projectId?: string): Promise<Experiment> {
    let q = this.db.kysely.selectFrom('experiments').selectAll();
    q = ref.startsWith('exp_') ? q.where('id', '=', ref) : q.where('name', '=', ref);
    if (projectId) q = q.where('project_id', '=', projectId);
    const rows = (await q.execute()).filter((r) => visibleProjects.includes(r.project_id));
    if (rows.length === 0) throw new AppError('NOT_FOUND', { message: `No experiment ${ref}` });
    if (rows.length > 1) throw new AppError('INVALID_INPUT', { message: `Several visible projects have an experiment named ${ref}; give the project or the experiment id` });
    return rowToExperiment(rows[0]!);
  }

  /**
   * Experiments of the visible projects, newest first. `nameEquals` matches the name exactly;
   * `nameLike` is a LIKE pattern (`%`, `_`, and `\` escaping the next character on both engines).
   */
  async listExperiments(visibleProjects: readonly string[], options: { nameEquals?: string; nameLike?: string; limit?: number } = {}): Promise<Experiment[]> {
    if (visibleProjects.length === 0) return [];
    let q = this.db.kysely.selectFrom('experiments').selectAll().where('project_id', 'in', visibleProjects);
    if (options.nameEquals !== undefined) q = q.where('name', '=', options.nameEquals);
    if (options.nameLike !== undefined) q = q.where(sql<SqlBool>`name like ${checkLikePattern(options.nameLike)} escape '\\'`);
    return (await q.orderBy('created_at', 'desc').orderBy('id').limit(options.limit ?? 1000).execute()).map(rowToExperiment);
  }

  /** A trial by id, or `experiment/trial` by names. */
  async getTrial(ref: string, visibleProjects: readonly string[]): Promise<Trial> {
    let q = this.db.kysely.selectFrom('trials').innerJoin('experiments', 'experiments.id', 'trials.experiment_id').selectAll('trials').select('experiments.name as experiment_name');
    if (ref.startsWith('tr_')) q = q.where('trials.id', '=', ref);
    else {
      const slash = ref.indexOf('/');
      if (slash < 0) throw new AppError('INVALID_INPUT', { message: `Give a trial id (tr_…) or EXPERIMENT/TRIAL, not ${ref}` });
      q = q.where('experiments.name', '=', ref.slice(0, slash)).where('trials.name', '=', ref.slice(slash + 1));
    }
    const row = (await q.execute()).find((r) => visibleProjects.includes(r.project_id));
    if (!row) throw new AppError('NOT_FOUND', { message: `No trial ${ref}` });
    return rowToTrial(row, row.experiment_name);
  }

  async listTrials(experimentId: string, visibleProjects: readonly string[]): Promise<Trial[]> {
    const experiment = await this.getExperiment(experimentId, visibleProjects);
    const rows = await this.db.kysely.selectFrom('trials').selectAll().where('experiment_id', '=', experiment.experimentId).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => rowToTrial(r, experiment.name));
  }

  async getComponent(id: string, visibleProjects: readonly string[]): Promise<TrialComponent> {
    const [c] = await loadComponents(this.db.kysely, [id]);
    if (!c || !visibleProjects.includes(c.projectId)) throw new AppError('NOT_FOUND', { message: `No trial component ${id}` });
    return c;
  }

  /** The components that recorded `artifactId` as an output, oldest first (normally the one that produced it). */
  async producersOf(artifactId: string, visibleProjects: readonly string[]): Promise<TrialComponent[]> {
    const ids = await this.db.kysely.selectFrom('component_artifacts').select('component_id').where('artifact_id', '=', artifactId).where('direction', '=', 'output').execute();
    const components = await loadComponents(this.db.kysely, [...new Set(ids.map((r) => r.component_id))]);
    return components.filter((c) => visibleProjects.includes(c.projectId)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** The components of a trial, in the order they were added. */
  async trialComponents(trialId: string, visibleProjects: readonly string[]): Promise<TrialComponent[]> {
    const trial = await this.getTrial(trialId, visibleProjects);
    const ids = await this.db.kysely.selectFrom('trial_component_members').select('component_id').where('trial_id', '=', trial.trialId).orderBy('added_at').execute();
    return loadComponents(this.db.kysely, ids.map((r) => r.component_id));
  }

  /** The components of every trial of an experiment, each once, oldest first. */
  async experimentComponents(experimentRef: string, visibleProjects: readonly string[], projectId?: string): Promise<{ experiment: Experiment; trials: Trial[]; components: TrialComponent[] }> {
    const experiment = await this.getExperiment(experimentRef, visibleProjects, projectId);
    const trials = await this.listTrials(experiment.experimentId, visibleProjects);
    const rows = await this.db.kysely
      .selectFrom('trial_component_members')
      .innerJoin('trials', 'trials.id', 'trial_component_members.trial_id')
      .innerJoin('trial_components', 'trial_components.id', 'trial_component_members.component_id')
      .select(['trial_components.id', 'trial_components.start_time'])
      .where('trials.experiment_id', '=', experiment.experimentId)
      .distinct()
      .orderBy('trial_components.start_time')
      .orderBy('trial_components.id')
      .execute();
    return { experiment, trials, components: await loadComponents(this.db.kysely, rows.map((r) => r.id)) };
  }

  /** Every point of one metric of a component, by step then time. */
  async metricHistory(componentId: string, name: string, visibleProjects: readonly string[]): Promise<MetricPoint[]> {
    await this.getComponent(componentId, visibleProjects);
    const rows = await this.db.kysely.selectFrom('metrics').select(['name', 'value', 'step', 'timestamp', 'is_nan']).where('component_id', '=', componentId).where('name', '=', name).orderBy('step').orderBy('timestamp').execute();
    return rows.map((r) => ({ name: r.name, value: r.is_nan ? Number.NaN : Number(r.value), step: Number(r.step), timestamp: Number(r.timestamp) }));
  }

  searchTrials(request: SearchRequest): Promise<SearchPage<Trial>> {
    return searchTrials(this.db, request);
  }

  searchComponents(request: SearchRequest): Promise<SearchPage<TrialComponent>> {
    return searchComponents(this.db, request);
  }

  /** Components ordered by a metric or parameter, paged by offset (see tracking-order). */
  searchComponentsOrdered(request: Omit<SearchRequest, 'cursor' | 'limit' | 'sortBy' | 'sortOrder'>, key: OrderKey, offset: number, limit: number): Promise<{ items: TrialComponent[]; total: number }> {
    return searchComponentsOrdered(this.db, request, key, offset, limit);
  }

  /** The paper's lineage table: one row per component of the experiment. */
  async lineageTable(experimentRef: string, visibleProjects: readonly string[], projectId?: string): Promise<{ experiment: Experiment; rows: LineageTableRow[] }> {
    const { experiment, trials, components } = await this.experimentComponents(experimentRef, visibleProjects, projectId);
    return { experiment, rows: lineageTableRows(components, trials) };
  }

  /** Two or more trials side by side: parameters and last metric values (only those that differ by default). */
  async compareTrials(trialRefs: readonly string[], visibleProjects: readonly string[], onlyDifferences = true): Promise<TrialComparison> {
    if (trialRefs.length < 2) throw new AppError('INVALID_INPUT', { message: 'Compare needs at least two trials' });
    const entries = [];
    for (const ref of trialRefs) {
      const trial = await this.getTrial(ref, visibleProjects);
      entries.push({ trial, components: await this.trialComponents(trial.trialId, visibleProjects) });
    }
    return compareTrials(entries, onlyDifferences);
  }
}

/**
 * @module tracking/tracking-rows
 * Reading tracking records back from the metadata store: rows to model objects, a component with
 * its parameters, artifacts, metric summaries and trials, loaded in a few set-based queries.
 */
import { AppError } from '../kernel/index.js';
import type { Db, ExperimentsTable, Tx, TrialsTable } from '../platform/db/index.js';
import type { ComponentArtifact, ComponentStatus, ComponentType, Experiment, MetricSummary, Note, ParameterValue, SourceInfo, Tags, Trial, TrialComponent, EnvironmentInfo } from './tracking-model.js';

type Reader = Db['kysely'] | Tx;

export function rowToExperiment(r: ExperimentsTable): Experiment {
  return {
    experimentId: r.id,
    projectId: r.project_id,
    name: r.name,
    description: r.description,
    tags: JSON.parse(r.tags) as Tags,
    createdAt: r.created_at,
    createdBy: r.created_by,
    lifecycleStage: r.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    ...(r.last_update_time ? { lastUpdateTime: r.last_update_time } : {}),
  };
}

export function rowToTrial(r: TrialsTable, experimentName?: string): Trial {
  return {
    trialId: r.id,
    projectId: r.project_id,
    experimentId: r.experiment_id,
    ...(experimentName !== undefined ? { experimentName } : {}),
    name: r.name,
    tags: JSON.parse(r.tags) as Tags,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

/** Parameters are stored as text plus a type (and a number when numeric, for search). */
export function decodeParameter(text: string, type: string): ParameterValue {
  if (type === 'number') return Number(text);
  if (type === 'boolean') return text === 'true';
  return text;
}

export function encodeParameter(value: ParameterValue): { value_text: string; value_num: number | null; value_type: string } {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new AppError('INVALID_INPUT', { message: `Parameter values must be finite numbers, got ${value}` });
    return { value_text: String(value), value_num: value, value_type: 'number' };
  }
  if (typeof value === 'boolean') return { value_text: String(value), value_num: null, value_type: 'boolean' };
  // Numeric strings (as MLflow clients send every parameter) are also searchable as numbers.
  const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
  return { value_text: value, value_num: Number.isFinite(n) ? n : null, value_type: 'string' };
}

/** Loads components with everything attached; the order of `ids` is kept. */
export async function loadComponents(k: Reader, ids: readonly string[]): Promise<TrialComponent[]> {
  if (ids.length === 0) return [];
  const out = new Map<string, TrialComponent>();
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    for (const r of await k.selectFrom('trial_components').selectAll().where('id', 'in', part).execute()) {
      out.set(r.id, {
        componentId: r.id,
        projectId: r.project_id,
        name: r.name,
        type: r.type as ComponentType,
        status: r.status as ComponentStatus,
        parameters: {},
        inputs: [],
        outputs: [],
        metrics: [],
        tags: JSON.parse(r.tags) as Tags,
        notes: JSON.parse(r.notes) as Note[],
        source: r.source ? (JSON.parse(r.source) as SourceInfo) : null,
        environment: r.environment ? (JSON.parse(r.environment) as EnvironmentInfo) : null,
        startTime: r.start_time,
        endTime: r.end_time,
        failureReason: r.failure_reason,
        trialIds: [],
        createdAt: r.created_at,
        createdBy: r.created_by,
        lifecycleStage: r.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
      });
    }
    for (const p of await k.selectFrom('component_parameters').selectAll().where('component_id', 'in', part).orderBy('name').execute()) {
      out.get(p.component_id)!.parameters[p.name] = decodeParameter(p.value_text, p.value_type);
    }
    for (const a of await k.selectFrom('component_artifacts').selectAll().where('component_id', 'in', part).orderBy('created_at').orderBy('role').execute()) {
      const item: ComponentArtifact = { role: a.role, artifactId: a.artifact_id, sha256: a.sha256, mediaType: a.media_type, ...(a.name ? { name: a.name } : {}) };
      const c = out.get(a.component_id)!;
      (a.direction === 'input' ? c.inputs : c.outputs).push(item);
    }
    for (const m of await k.selectFrom('metric_summaries').selectAll().where('component_id', 'in', part).orderBy('name').execute()) {
      const s: MetricSummary = { name: m.name, last: m.last_is_nan ? Number.NaN : Number(m.last_value), lastStep: Number(m.last_step), lastTimestamp: Number(m.last_timestamp), min: Number(m.min_value), max: Number(m.max_value), count: Number(m.count) };
      out.get(m.component_id)!.metrics.push(s);
    }
    for (const t of await k.selectFrom('trial_component_members').select(['component_id', 'trial_id']).where('component_id', 'in', part).orderBy('added_at').execute()) {
      out.get(t.component_id)!.trialIds.push(t.trial_id);
    }
  }
  return ids.flatMap((id) => out.get(id) ?? []);
}

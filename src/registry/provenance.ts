/**
 * @module registry/provenance
 * Where a model version comes from, read from what Attest recorded rather than typed in: the
 * governed job or tracked component that produced the artifact, its parameters and metrics, the
 * training data and the model's input signature; and who made it (every creator in its upstream
 * lineage), which is what the approval's separation of duties is checked against.
 */
import type { App } from '../app/index.js';
import type { ArtifactMetadata } from '../artifacts/index.js';
import { parseJobModel } from '../jobs/index.js';
import { AppError } from '../kernel/index.js';
import { walkLineage } from '../lineage/index.js';
import type { CreatorRecord } from '../security/policy/index.js';
import type { Provenance, Signature } from './registry-model.js';

export interface RegistrationSource {
  provenance: Provenance;
  jobId: string | null;
  componentId: string | null;
  metrics: Record<string, number>;
  parameters: Record<string, string | number | boolean>;
  signature: Signature;
}

/** The job (if any) and component that produced `artifactId`. */
async function producerOf(app: App, artifactId: string): Promise<{ jobId: string | null; componentId: string | null }> {
  const output = await app.db.kysely
    .selectFrom('job_outputs')
    .innerJoin('jobs', 'jobs.id', 'job_outputs.job_id')
    .select(['jobs.id as jobId', 'jobs.component_id as componentId', 'jobs.type as type'])
    .where('job_outputs.artifact_id', '=', artifactId)
    .executeTakeFirst();
  if (output) return { jobId: output.jobId, componentId: output.componentId };
  const produced = await app.db.kysely
    .selectFrom('component_artifacts')
    .innerJoin('trial_components', 'trial_components.id', 'component_artifacts.component_id')
    .select(['component_artifacts.component_id as componentId'])
    .where('component_artifacts.artifact_id', '=', artifactId)
    .where('component_artifacts.direction', '=', 'output')
    .where('trial_components.type', '=', 'training')
    .executeTakeFirst();
  if (produced) return { jobId: null, componentId: produced.componentId };
  // A file an MLflow run uploaded to its artifact tree: the run (a tracked component) produced it.
  const uploaded = await app.db.kysely.selectFrom('mlflow_artifact_files').select('component_id').where('artifact_id', '=', artifactId).orderBy('created_at').limit(1).executeTakeFirst();
  return { jobId: null, componentId: uploaded?.component_id ?? null };
}

/** Metrics of completed evaluation components that read the model (e.g. `test:auc` from an evaluation job). */
export async function evaluationMetrics(app: App, projectId: string, artifactId: string): Promise<Record<string, number>> {
  const rows = await app.db.kysely
    .selectFrom('component_artifacts')
    .innerJoin('trial_components', 'trial_components.id', 'component_artifacts.component_id')
    .innerJoin('metric_summaries', 'metric_summaries.component_id', 'trial_components.id')
    .select(['metric_summaries.name as name', 'metric_summaries.last_value as value', 'trial_components.created_at as at'])
    .where('component_artifacts.artifact_id', '=', artifactId)
    .where('component_artifacts.direction', '=', 'input')
    .where('trial_components.type', '=', 'evaluation')
    .where('trial_components.project_id', '=', projectId)
    .orderBy('trial_components.created_at', 'asc')
    .execute();
  const out: Record<string, number> = {};
  for (const r of rows) if (!r.name.startsWith('shap:') && !r.name.startsWith('bias:')) out[r.name] = Number(r.value);
  return out;
}

/**
 * Reads the provenance of a model artifact whose bytes have been read (and so hash-verified).
 * An artifact no training produced is accepted only when declared `external`.
 */
export async function registrationSource(app: App, projectId: string, artifact: ArtifactMetadata, bytes: Buffer, options: { external: boolean; label?: string }): Promise<RegistrationSource> {
  const model = parseJobModel(bytes);
  const { jobId, componentId } = await producerOf(app, artifact.artifactId);
  if (componentId === null) {
    if (!options.external) {
      throw new AppError('MODEL_PROVENANCE_UNKNOWN', {
        message: `No training job or tracked training component produced ${artifact.name ? `${artifact.name}@${artifact.version}` : artifact.artifactId}; register it with provenance external (--provenance external) if it was trained outside Attest`,
        details: { artifactId: artifact.artifactId },
      });
    }
    return {
      provenance: 'external',
      jobId: null,
      componentId: null,
      metrics: await evaluationMetrics(app, projectId, artifact.artifactId),
      parameters: { kind: model.kind },
      signature: { features: model.featureNames.map((name) => ({ name, type: 'numeric' })), label: options.label ?? null, trainingData: [] },
    };
  }
  if (options.external) {
    throw new AppError('INVALID_INPUT', { message: `${artifact.artifactId} was produced by the recorded training ${jobId ?? componentId}; register it without provenance external`, details: { jobId, componentId } });
  }
  const component = await app.tracking.getComponent(componentId, [projectId]);
  const metrics: Record<string, number> = {};
  for (const m of component.metrics) metrics[m.name] = m.last;
  Object.assign(metrics, await evaluationMetrics(app, projectId, artifact.artifactId));
  const types = new Map<string, string>();
  const trainingData: Signature['trainingData'] = [];
  for (const input of component.inputs) {
    const version = await app.db.kysely
      .selectFrom('dataset_versions')
      .innerJoin('datasets', 'datasets.id', 'dataset_versions.dataset_id')
      .select(['dataset_versions.schema as schema', 'datasets.name as name', 'dataset_versions.version as version', 'dataset_versions.id as id'])
      .where('dataset_versions.artifact_id', '=', input.artifactId)
      .executeTakeFirst();
    const ref = version ? `${version.name}@${version.version}` : (input.name ?? input.artifactId);
    trainingData.push({ role: input.role, ref, artifactId: input.artifactId, sha256: input.sha256, ...(version ? { datasetVersionId: version.id } : {}) });
    if (version && input.role === 'train') {
      const schema = JSON.parse(version.schema) as { columns?: { name: string; type: string }[] };
      for (const c of schema.columns ?? []) types.set(c.name, c.type);
    }
  }
  const label = typeof component.parameters.label === 'string' ? component.parameters.label : (options.label ?? null);
  return {
    provenance: jobId ? 'job' : 'component',
    jobId,
    componentId,
    metrics,
    parameters: component.parameters,
    signature: { features: model.featureNames.map((name) => ({ name, type: types.get(name) ?? 'numeric' })), label, trainingData },
  };
}

/** Associations along which a model was *made* (not the evidence attached to it). */
const MAKING = ['ContributedTo', 'Produced', 'DerivedFrom'] as const;

/**
 * Every creator in the upstream lineage of a model version: the components (training,
 * processing) and the principals their jobs ran for, and the artifacts (data, model) they read
 * and wrote.
 */
export async function makersOf(app: App, projectId: string, versionId: string): Promise<CreatorRecord[]> {
  const walk = await walkLineage(app.db, versionId, 'upstream', { visibleProjects: [projectId], associations: [...MAKING] });
  const records: CreatorRecord[] = [];
  const components = walk.nodes.filter((n) => n.kind === 'component').map((n) => n.id);
  const artifacts = walk.nodes.filter((n) => n.kind === 'artifact').map((n) => n.id);
  for (let i = 0; i < components.length; i += 500) {
    const part = components.slice(i, i + 500);
    for (const r of await app.db.kysely.selectFrom('trial_components').select(['id', 'created_by']).where('id', 'in', part).execute()) records.push({ resourceId: r.id, createdBy: r.created_by });
    for (const r of await app.db.kysely.selectFrom('jobs').select(['id', 'component_id', 'principal']).where('component_id', 'in', part).execute()) {
      records.push({ resourceId: r.component_id ?? r.id, createdBy: r.principal });
    }
  }
  for (let i = 0; i < artifacts.length; i += 500) {
    for (const r of await app.db.kysely.selectFrom('artifacts').select(['id', 'created_by']).where('id', 'in', artifacts.slice(i, i + 500)).execute()) records.push({ resourceId: r.id, createdBy: r.created_by });
  }
  return records;
}

/** `user:alice`, `service:etl` and `alice` all name the principal `alice`. */
export function principalName(id: string): string {
  return id.replace(/^(user|service):/, '');
}

/** The groups the named principals belong to. */
export async function groupsOf(app: App, principals: readonly string[]): Promise<string[]> {
  const names = [...new Set(principals.map(principalName))];
  if (names.length === 0) return [];
  const rows = await app.db.kysely
    .selectFrom('group_members')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .innerJoin('principals', 'principals.id', 'group_members.principal_id')
    .select('groups.name as name')
    .where('principals.name', 'in', names)
    .execute();
  return [...new Set(rows.map((r) => r.name))].sort();
}

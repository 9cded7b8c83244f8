/**
 * @module registry/serving-resolver
 *
 * What an endpoint may serve once the registry exists (issue 15: "only Approved versions can
 * serve"). A reference that names a registered version — `GROUP@production`, `GROUP@3`, `mp_…` —
 * resolves through the registry and must be Approved. A bare artifact reference is looked up in
 * the registry too: an artifact registered only as versions that are not Approved (pending,
 * rejected, archived) is refused, so a rejected model cannot be deployed by its artifact id. An
 * artifact that was never registered keeps the pre-registry rule (any model the policy lets the
 * caller read), so offline-trained models can still be served in development projects.
 */
import type { ArtifactService } from '../artifacts/index.js';
import type { DatasetService } from '../datasets/index.js';
import type { Db } from '../platform/db/index.js';
import { AppError, isAppError } from '../kernel/index.js';
import { resolveReference } from '../references/index.js';
import { RegistryStore } from './registry-store.js';
import { registryDb } from './registry-tables.js';

export interface ServingResolverDeps {
  readonly db: Db;
  readonly artifacts: ArtifactService;
  readonly datasets: DatasetService;
}

const NOT_A_REGISTRY_NAME = new Set(['MODEL_GROUP_NOT_FOUND']);

/** The artifact an endpoint serves for `ref` in `projectId`, under the rule above. */
export async function resolveServingModel(deps: ServingResolverDeps, projectId: string, ref: string): Promise<{ artifactId: string; sha256: string }> {
  const store = new RegistryStore(deps.db);
  try {
    const { group, row } = await store.findVersion(projectId, ref);
    if (row.status !== 'Approved') {
      throw new AppError('MODEL_STATUS_CONFLICT', { message: `${group.name} version ${row.version} is ${row.status}; only Approved versions can serve`, details: { field: 'model', group: group.name, version: Number(row.version), status: row.status } });
    }
    return { artifactId: row.artifact_id, sha256: row.sha256 };
  } catch (error) {
    if (!(isAppError(error) && NOT_A_REGISTRY_NAME.has(error.code)) || ref.trim().startsWith('mp_')) throw error;
  }
  const resolved = await resolveReference({ artifacts: deps.artifacts, datasets: deps.datasets }, projectId, ref);
  if (resolved.kind !== 'artifact') throw new AppError('INVALID_INPUT', { message: `${ref} is a dataset version, not a model`, details: { field: 'model' } });
  const registered = await registryDb(deps.db).selectFrom('model_versions').select(['status', 'version', 'group_id']).where('project_id', '=', projectId).where('artifact_id', '=', resolved.artifactId).execute();
  if (registered.length > 0 && !registered.some((r) => r.status === 'Approved')) {
    throw new AppError('MODEL_STATUS_CONFLICT', { message: `Artifact ${resolved.artifactId} is registered only as versions that are not Approved (${registered.map((r) => r.status).join(', ')}); only Approved versions can serve`, details: { field: 'model', artifactId: resolved.artifactId } });
  }
  return { artifactId: resolved.artifactId, sha256: resolved.artifact.sha256 };
}

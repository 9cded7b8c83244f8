/**
 * @module references/reference-resolver
 * One place that turns any reference form a user sees into what it names: `name@version` or
 * `name` (a dataset's version — the newest when no version is given — or else a named artifact),
 * a dataset version id (`dsv_…`), an artifact id (`art_…`) or a content address (`sha256:…`).
 * Jobs, lineage queries and the artifact commands all resolve through here, so a reference that
 * works in one place works in all of them.
 */
import type { ArtifactMetadata, ArtifactService } from '../artifacts/index.js';
import type { DatasetService, DatasetVersion } from '../datasets/index.js';
import { AppError, isAppError } from '../kernel/index.js';

export interface ResolvedReference {
  /** The reference as given. */
  ref: string;
  kind: 'dataset-version' | 'artifact';
  /** The artifact holding the bytes (for a dataset version, its data file). */
  artifactId: string;
  artifact: ArtifactMetadata;
  datasetVersion?: DatasetVersion;
}

export interface ReferenceDeps {
  artifacts: ArtifactService;
  datasets: DatasetService;
}

/** Lineage node ids that are not artifacts (components, trials, experiments, model versions, endpoints). */
const NODE_ID = /^(tc|tr|exp|mp|ep)_/;

const notFound = (error: unknown) => isAppError(error) && (error.code === 'DATASET_NOT_FOUND' || error.code === 'ARTIFACT_NOT_FOUND');

/** Resolves `ref` within `projectId`; REFERENCE_NOT_FOUND when it names nothing there. */
export async function resolveReference(deps: ReferenceDeps, projectId: string, ref: string): Promise<ResolvedReference> {
  const trimmed = ref.trim();
  if (trimmed === '') throw new AppError('INVALID_INPUT', { message: 'An empty reference names nothing' });
  const viaDataset = async (): Promise<ResolvedReference> => {
    const version = await deps.datasets.describe(projectId, trimmed);
    return { ref, kind: 'dataset-version', artifactId: version.artifactId, artifact: await deps.artifacts.describe(version.artifactId, projectId), datasetVersion: version };
  };
  const viaArtifact = async (): Promise<ResolvedReference> => {
    const artifact = await deps.artifacts.resolve(trimmed, projectId);
    if (artifact.projectId !== projectId) throw new AppError('ARTIFACT_NOT_FOUND', { message: `No artifact ${ref} in this project` });
    return { ref, kind: 'artifact', artifactId: artifact.artifactId, artifact };
  };
  try {
    if (trimmed.startsWith('dsv_')) return await viaDataset();
    if (trimmed.startsWith('art_') || trimmed.startsWith('sha256:')) return await viaArtifact();
    try {
      return await viaDataset();
    } catch (error) {
      if (!notFound(error)) throw error;
      return await viaArtifact();
    }
  } catch (error) {
    if (notFound(error)) {
      throw new AppError('REFERENCE_NOT_FOUND', {
        message: `${ref} names no dataset version or artifact in this project (use name@version, dsv_…, art_… or sha256:…)`,
        details: { ref },
      });
    }
    throw error;
  }
}

/** A lineage node id: component, trial, experiment, model-version and endpoint ids as they are; any other reference resolved to its artifact. */
export async function resolveNodeId(deps: ReferenceDeps, projectId: string, ref: string): Promise<string> {
  if (NODE_ID.test(ref)) return ref;
  return (await resolveReference(deps, projectId, ref)).artifactId;
}

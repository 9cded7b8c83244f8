/**
 * @module artifacts/artifact-model
 * What Attest records about a stored object. The bytes themselves are only ever stored encrypted.
 */
import type { ArtifactsTable } from '../platform/db/index.js';

export interface ArtifactMetadata {
  artifactId: string;
  projectId: string;
  /** SHA-256 of the plaintext (hex): the artifact's content address. */
  sha256: string;
  sizeBytes: number;
  mediaType: string;
  keyId: string;
  keyVersion: number;
  createdAt: string;
  createdBy: string;
  retentionUntil: string | null;
  legalHold: boolean;
  deletedAt: string | null;
  /** Named-object coordinates when the artifact was stored under a name. */
  name?: string;
  version?: number;
}

export function rowToArtifact(row: ArtifactsTable, named?: { name: string; version: number }): ArtifactMetadata {
  return {
    artifactId: row.id,
    projectId: row.project_id,
    sha256: row.sha256,
    sizeBytes: Number(row.size_bytes),
    mediaType: row.media_type,
    keyId: row.key_id,
    keyVersion: row.key_version,
    createdAt: row.created_at,
    createdBy: row.created_by,
    retentionUntil: row.retention_until,
    legalHold: row.legal_hold === 1,
    deletedAt: row.deleted_at,
    ...(named ? { name: named.name, version: named.version } : {}),
  };
}

/** The data-key wrapping context and chunk AAD: binds each object's keys and bytes to its identity. */
export function artifactContext(artifactId: string): Buffer {
  return Buffer.from(`attest-artifact/${artifactId}`);
}

/**
 * The identity whose context encrypted a row's bytes: the row's own id, or, for a row that reads
 * deduplicated bytes under a second name, the artifact that first wrote them (recorded in the
 * row's encryption header as `context`).
 */
export function encryptionContextId(row: Pick<ArtifactsTable, 'id' | 'encryption'>): string {
  const header = JSON.parse(row.encryption) as { context?: unknown };
  return typeof header.context === 'string' ? header.context : row.id;
}

/** The encryption header of a row that shares the bytes of `source`. */
export function encryptionSharing(source: Pick<ArtifactsTable, 'id' | 'encryption'>): string {
  const header = JSON.parse(source.encryption) as Record<string, unknown>;
  return JSON.stringify({ ...header, context: encryptionContextId(source) });
}

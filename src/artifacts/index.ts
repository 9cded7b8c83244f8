/**
 * @module artifacts
 * Encrypted, content-addressed, write-once artifacts with retention, legal hold and named versions.
 */
export type { ArtifactMetadata } from './artifact-model.js';
export { artifactContext } from './artifact-model.js';
export type { ArtifactServiceDeps, PutOptions, PutResult } from './artifact-service.js';
export { ArtifactService } from './artifact-service.js';

/**
 * @module baselines
 * Governed, signed, versioned monitoring baselines attached to models.
 */
export type { BaselineManifest, BaselineServiceDeps, StoredBaseline } from './baseline-service.js';
export { BaselineService } from './baseline-service.js';

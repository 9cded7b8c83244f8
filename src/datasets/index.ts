/**
 * @module datasets
 * The governed dataset registry: immutable, hashed, encrypted dataset versions with schema and profile.
 */
export type { DatasetServiceDeps, DatasetVersion, ImportOptions } from './dataset-service.js';
export { DatasetService } from './dataset-service.js';

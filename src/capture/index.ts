/**
 * @module capture
 * Captured inference traffic and late ground truth, stored encrypted by source and hour; model quality over windows.
 */
export type { IngestResult, QualityOptions, QualityReport } from './capture-service.js';
export { CaptureService } from './capture-service.js';

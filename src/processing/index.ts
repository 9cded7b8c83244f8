/**
 * @module processing
 * Tracked, governed data processing: fitted transforms and splits as processing components.
 */
export type { FitResult, ProcessingDeps, TrackingTarget } from './processing-service.js';
export { ProcessingService } from './processing-service.js';

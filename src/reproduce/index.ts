/**
 * @module reproduce
 * Reproducing a model (ARCHITECTURE.md invariant 6): re-run its recorded training and prove the
 * result byte-identical, or say where it first differs.
 */
export type { ModelDifference } from './model-diff.js';
export { firstModelDifference } from './model-diff.js';
export type { EnvironmentCheck, ReproduceDeps, ReproduceOptions, ReproductionReport } from './reproduce-service.js';
export { reproduceModel } from './reproduce-service.js';
export type { RecordedTraining } from './training-rerun.js';
export { recordedTrainingOf, retrainRecordedModel } from './training-rerun.js';

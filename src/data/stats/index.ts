/**
 * @module data/stats
 * Mergeable column statistics (Deequ-style `init / update / merge / finalize` states): moments,
 * KLL quantile sketch, HyperLogLog distinct count, frequent items, Deequ type inference, and
 * whole-frame profiles built from them.
 */
export type { DataTypeCounts, InferredType } from './data-type.js';
export { addTypeCount, classifyString, determineType, initDataTypeCounts, mergeDataTypeCounts, typeMismatchShare } from './data-type.js';
export type { Moments, MomentsState } from './moments.js';
export { addChunkMoments, chunkMoments, finalizeMoments, initMoments, mergeMoments, updateMoments } from './moments.js';
export type { WeightedCdf } from './kll-cdf.js';
export { cdfRank, kllCdf, kllFromData, kllQuantile, kllRankErrorBound, kllStoredRankErrorBound } from './kll-cdf.js';
export type { ChunkSums, KllOptions, KllSketch, KllState } from './kll-sketch.js';
export { finalizeKll, initKll, KLL_DEFAULT_C, KLL_DEFAULT_K, mergeKll, updateKll, updateKllWithSums } from './kll-sketch.js';
export type { HllState } from './hyperloglog.js';
export { addHash, finalizeHll, HLL_DEFAULT_P, hashNumber, hashString, initHll, mergeHll, updateHllNumbers } from './hyperloglog.js';
export type { FrequentItems, FrequentItemsState } from './frequent-items.js';
export { addItem, finalizeFrequentItems, initFrequentItems, mergeFrequentItems } from './frequent-items.js';
export { DEFAULT_CARDINALITY_THRESHOLD } from './numeric-histogram.js';
export { radixSortFloat64 } from './radix-sort.js';
export type {
  CategoricalProfile,
  CategoricalProfileState,
  ColumnProfile,
  ColumnProfileState,
  ColumnShape,
  NumericProfile,
  NumericProfileState,
  ProfileOptions,
} from './column-profile.js';
export { finalizeColumnProfile, initColumnProfile, mergeColumnProfiles, updateColumnProfile } from './column-profile.js';
export type { FrameProfile, FrameProfileState } from './frame-profile.js';
export { finalizeFrameProfile, initFrameProfile, mergeFrameProfiles, profileFrame, updateFrameProfile } from './frame-profile.js';

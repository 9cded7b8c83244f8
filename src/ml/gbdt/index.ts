/**
 * @module ml/gbdt
 * Gradient-boosted trees: the ensemble type, XGBoost JSON interchange, prediction, and the
 * XGBoost-compatible `hist` trainer with its parameters, metrics and feature importance.
 */
export type { Objective, Tree, TreeEnsemble } from './model.js';
export { allocateTree, baseMargin, isLeaf, SUPPORTED_OBJECTIVES } from './model.js';
export { formatXgbFloat, parseXgbFloat, parseXgboostModel, serializeXgboostModel } from './xgboost-json.js';
export type { FeatureMatrix } from './predict.js';
export { leafIndex, predict, predictMargin, sigmoid32, transformMargins } from './predict.js';
export type { BoosterParamsInput, EvalMetricName } from './params.js';
export { BoosterParams, boosterParamsFromPairs, defaultEvalMetric, EVAL_METRICS, parseBoosterParams } from './params.js';
export type { EvalData, EvalLog, TrainingData, TrainOptions, TrainResult } from './train.js';
export { train } from './train.js';
export type { ImportanceType } from './importance.js';
export { featureImportance, IMPORTANCE_TYPES } from './importance.js';

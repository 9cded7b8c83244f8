/**
 * @module ml/gbdt
 * Gradient-boosted trees: the ensemble type, XGBoost JSON interchange and prediction.
 */
export type { Objective, Tree, TreeEnsemble } from './model.js';
export { allocateTree, baseMargin, isLeaf, SUPPORTED_OBJECTIVES } from './model.js';
export { formatXgbFloat, parseXgbFloat, parseXgboostModel, serializeXgboostModel } from './xgboost-json.js';
export type { FeatureMatrix } from './predict.js';
export { leafIndex, predict, predictMargin, sigmoid32, transformMargins } from './predict.js';

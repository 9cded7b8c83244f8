/**
 * @module ml/linear
 * Logistic regression with L2, L1 or no penalty on standardised inputs, deterministic solvers,
 * coefficients in original and standardised units, odds ratios and Wald standard errors.
 */
export type {
  CoefficientStatistics,
  DesignMatrix,
  LogisticPenalty,
  LogisticRegressionModel,
  LogisticRegressionOptions,
} from './logistic-regression.js';
export { fitLogisticRegression, logisticMargin, logisticScorer, predictLogistic } from './logistic-regression.js';
export { sigmoid, softplus } from './logistic-objective.js';
export { erfc, normalSurvival, twoSidedPValue } from './normal-distribution.js';
export { frameDesignMatrix, isLogisticModelDocument, LogisticRegressionModelSchema, logisticSummaryLines, parseLogisticModel, serializeLogisticModel } from './logistic-model-file.js';

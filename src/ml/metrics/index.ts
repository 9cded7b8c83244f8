/**
 * @module ml/metrics
 * Evaluation metrics matching scikit-learn 1.2: binary (ROC/PR curves and AUCs, log loss, Brier,
 * threshold metrics, KS, Gini, calibration), regression and multiclass. Typed arrays in, plain objects out.
 */
export type { BinaryLabels, ClfCurveCounts, PrCurve, RocCurve } from './binary-curves.js';
export { averagePrecision, binaryClfCurve, ksStatistic, precisionRecallCurve, rocAuc, rocCurve, trapezoidArea } from './binary-curves.js';
export type { BinaryMetrics, CalibrationBin, ConfusionCounts } from './binary-metrics.js';
export {
  BALANCED_ACCURACY_ABSENT_CLASS_WARNING,
  balancedAccuracyFromCounts,
  binaryLogLoss,
  binaryMetrics,
  brierScore,
  calibrationTable,
  confusionAtThreshold,
  FLOAT64_EPS,
  fBeta,
  linearQuantile,
  matthewsFromConfusion,
} from './binary-metrics.js';
export type { RegressionMetrics } from './regression-metrics.js';
export { regressionMetrics } from './regression-metrics.js';
export type { ClassReport, MulticlassLabelMetrics, MulticlassMetrics } from './multiclass-metrics.js';
export { argmaxRows, multiclassLabelMetrics, multiclassLogLoss, multiclassMetrics } from './multiclass-metrics.js';
export type { EvaluationInput, EvaluationReport } from './evaluate-model.js';
export { evaluateModel, evaluationSummaryLines, taskForObjective } from './evaluate-model.js';

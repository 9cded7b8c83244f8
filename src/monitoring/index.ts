/**
 * @module monitoring
 * The monitoring engine: Model Monitor's statistics/constraints/violations formats, Deequ's
 * constraint suggestion, data-quality checks, drift statistics and reports.
 */
export type { Baseline, MonitorCheckOptions, MonitorCheckResult, SuggestBaselineOptions } from './baseline.js';
export { monitorCheck, suggestBaseline } from './baseline.js';
export type { ConstraintCheckType, ConstraintViolations, Violation } from './constraint-checks.js';
export { checkConstraints } from './constraint-checks.js';
export type { Constraints, EffectiveThresholds, FeatureConstraints, MonitoringConfig, MonitoringConfigOverrides } from './constraints-format.js';
export {
  completenessLowerBound,
  constraintsSchema,
  DEFAULT_MONITORING_CONFIG,
  effectiveThresholds,
  parseConstraints,
  suggestConstraints,
  suggestDomain,
  withOverrides,
} from './constraints-format.js';
export type { FeatureStatistics, NumericalStatistics, Statistics } from './statistics-format.js';
export { buildStatistics, KLL_BUCKETS, kllBuckets, parseStatistics, sketchOf, statisticsSchema } from './statistics-format.js';
export type { CategoryCounts, ChiSquareResult, KsResult, PsiBand } from './drift-statistics.js';
export {
  cdfStd,
  chiSquareDeequ,
  chiSquareTest,
  empiricalCdf,
  histogramCounts,
  jensenShannonCategorical,
  jensenShannonDistance,
  jensenShannonSturges,
  ksTest,
  linfCdf,
  linfCriticalValue,
  linfPmf,
  linfRobust,
  psiBand,
  psiFromShares,
  psiReferenceDeciles,
  quantileLinear,
  sturgesEdges,
  wasserstein,
  wassersteinNormed,
  zTest,
} from './drift-statistics.js';
export { chiSquareSf, gammaP, gammaQ, kolmogorovSf, ks2SampPValue, normalSf } from './special-functions.js';
export type { FeatureDistribution } from './feature-distribution.js';
export { distributionFromColumn, distributionFromProfile, distributionFromStatistics } from './feature-distribution.js';
export type { DriftOptions, DriftReport, FeatureDrift, StatTestName } from './drift-report.js';
export { benjaminiHochberg, defaultStatTest, driftReport, featureDrift, predictionDrift } from './drift-report.js';
export type { CaptureContent, CaptureEncoding, CaptureInput, CaptureRecord, ContentTypeLists, GroundTruthRecord, MergedRecord, MergeResult } from './capture-format.js';
export {
  buildCaptureRecord,
  capturedCsv,
  capturePartitionKey,
  decodeCaptureContent,
  encodeCaptureContent,
  formatCaptureLine,
  formatGroundTruthLine,
  mergeGroundTruth,
  parseCaptureLines,
  parseGroundTruthLines,
} from './capture-format.js';
export type { Calibrator } from './calibration.js';
export { expectedCalibrationError, fitIsotonic, fitPlatt, IDENTITY_CALIBRATOR } from './calibration.js';
export type { CbpeEstimate, CbpeMetric, CbpeModel, CbpeOptions, ConfusionMatrix, MetricValues } from './cbpe.js';
export { CBPE_METRICS, estimateCbpe, estimateMetrics, fitCbpe, realisedMetrics } from './cbpe.js';
export type { AttributionViolation, MetricDriftRule, MetricDriftViolation } from './attribution-drift.js';
export { attributionDrift, metricDrift, ndcg } from './attribution-drift.js';
export type { ChartBars, MonitoringReport, ReportInput } from './report.js';
export { barChartSvg, buildReport, chartBars, renderReportHtml } from './report.js';
export type { BinaryClassificationMetrics, ComparisonOperator, MetricValue, ModelQualityViolation, MulticlassMetrics, RegressionMetrics } from './model-quality.js';
export { binaryClassificationMetrics, checkModelQuality, multiclassMetrics, regressionMetrics } from './model-quality.js';
export { baselineFiles, monitorCheckFiles, parseBaselineFiles } from './output-files.js';
export type { BiasDriftComparison, BiasDriftOptions, BiasDriftResult, BiasDriftViolation, BiasStage } from './bias-drift-check.js';
export { biasDrift } from './bias-drift-check.js';
export type { AttributionDriftResult, GlobalAttributions } from './attribution-drift-check.js';
export { attributionDriftCheck, attributionsFromClarify, attributionsFromContributions } from './attribution-drift-check.js';
export type { ModelQualityColumns, ModelQualityStatistics, QualityProblem } from './model-quality-check.js';
export { checkModelQualityConstraints, modelQualityStatistics, qualityMetricValues } from './model-quality-check.js';

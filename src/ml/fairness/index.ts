/**
 * @module ml/fairness
 * SageMaker Clarify-compatible bias metrics (pre-training CI, DPL, KL, JS, LP, TVD, KS, CDDL;
 * post-training DPPL, DI, DCA, DCR, RD, SD, DAR, DRR, AD, TE, CDDPL, FT, GE) in Clarify's
 * analysis.json shape, with seeded bootstrap intervals, a minimum group size and intersectional facets.
 */
export type {
  BiasAnalysisOptions,
  BiasReport,
  BiasReportDocument,
  StageExtensionsDocument,
  BiasReportExtensions,
  ClarifyFacetReport,
  ClarifyMetricEntry,
  ClarifyStageReport,
  FacetExtension,
  MetricExtension,
  PredictedReading,
} from './bias-report.js';
export { biasReport, biasReportDocument, readBiasReportDocument } from './bias-report.js';
export type { BootstrapOptions, ConfidenceInterval } from './bootstrap.js';
export type { ClarifyDataType, ClarifyValue } from './clarify-series.js';
export { clarifyDataType, pythonFloatRepr, UNIQUENESS_THRESHOLD } from './clarify-series.js';
export type { MetricDefinition, MetricName } from './clarify-metrics.js';
export { CLARIFY_METRICS, clarifyDivide } from './clarify-metrics.js';
export type { FacetPart } from './intersectional-facet.js';
export { intersectFacets } from './intersectional-facet.js';
export type { BiasCliFlags } from './bias-cli.js';
export { biasReportJson, parseClarifyValues, runBiasCommand } from './bias-cli.js';
export { renderBiasReportHtml } from './bias-report-html.js';

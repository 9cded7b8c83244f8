/**
 * @module ml/explain
 * Explainability for Attest's models: exact TreeSHAP (XGBoost `pred_contribs` compatible, single
 * thread or worker threads), SHAP interaction values, interventional TreeSHAP, model-agnostic
 * KernelSHAP, global views (importance, beeswarm, dependence, PD/ICE, permutation and gain
 * importance, surrogate tree), adverse-action reason codes, and the explanation report (JSON +
 * self-contained HTML). All pure: typed arrays and strings in, typed arrays and strings out.
 */
export type { Attributions } from './attributions.js';
export { contributionsCsv, contributionsHeader, formatContributionsCsv, formatInteractionsCsv } from './contributions-csv.js';
export type { ExplanationFiles } from './explanation-files.js';
export { explanationReportFiles, formatReasonsJson, formatReasonsText, reasonsForFrame } from './explanation-files.js';
export type { ExplanationReport, ExplanationReportOptions } from './explanation-report.js';
export { buildExplanationReport, explanationReportSchema } from './explanation-report.js';
export type { GainImportance } from './gain-importance.js';
export { gainImportance } from './gain-importance.js';
export { interventionalTreeShap } from './interventional-tree-shap.js';
export type { KernelShapOptions, KernelShapValues, Link, ModelFunction } from './kernel-shap.js';
export { kernelShap } from './kernel-shap.js';
export type { BackgroundSummary, KmeansSummaryOptions } from './kmeans-summary.js';
export { kmeansSummary } from './kmeans-summary.js';
export type { PartialDependenceCurve, PartialDependenceOptions } from './partial-dependence.js';
export { featureGrid, partialDependence } from './partial-dependence.js';
export type { Metric, PermutationImportance, PermutationImportanceOptions, PermutationImportanceResult } from './permutation-importance.js';
export { permutationImportance } from './permutation-importance.js';
export type { ReasonCode, ReasonCodeOptions, RowReasons } from './reason-codes.js';
export { reasonCodes, reasonCodesForRows, treeReasonCodes } from './reason-codes.js';
export { renderExplanationHtml, renderExplanationHtmlFromJson } from './report-html.js';
export type { DependenceData, DependenceOptions } from './shap-dependence.js';
export { approximateInteraction, shapDependence } from './shap-dependence.js';
export type { BeeswarmFeature, BeeswarmOptions, FeatureImportance } from './shap-importance.js';
export { beeswarmData, meanAbsShap } from './shap-importance.js';
export type { SurrogateNode, SurrogateOptions, SurrogateTree } from './surrogate-tree.js';
export { fitSurrogateTree, predictSurrogate, surrogateRules } from './surrogate-tree.js';
export { escapeHtml } from './svg-charts.js';
export type { DirectedMetric } from './tree-model-function.js';
export { defaultMetric, treeModelFunction } from './tree-model-function.js';
export type { ShapValues } from './shap-values.js';
export type { TreeShapOptions } from './tree-shap.js';
export { treeShap } from './tree-shap.js';
export type { ShapInteractionValues } from './tree-shap-interactions.js';
export { treeShapInteractions } from './tree-shap-interactions.js';
export type { ParallelOptions } from './tree-shap-parallel.js';
export { treeShapParallel } from './tree-shap-parallel.js';

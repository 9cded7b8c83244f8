/**
 * @module ml/challenge
 * The numbers of a model validation's outcomes analysis: a challenger against the champion on the
 * same rows (with a paired, seeded bootstrap of the AUC difference), back-testing per historical
 * period, and stress scenarios of the input features. Pure functions over typed arrays.
 */
export type { Backtest, BacktestPeriod, BacktestWindow, Granularity, PeriodFlag, PeriodSpec } from './backtest.js';
export { assignPeriods, backtest } from './backtest.js';
export type { ChallengerComparison, DecisionAgreement } from './challenger-comparison.js';
export { compareChallenger, decisionAgreement } from './challenger-comparison.js';
export type { PairedAucBootstrap } from './paired-bootstrap.js';
export { pairedAucBootstrap } from './paired-bootstrap.js';
export type { ScoreSummary, SummaryMetric } from './score-summary.js';
export { SCORE_PERCENTILES, SUMMARY_METRICS, scorePercentiles, summarizeScores } from './score-summary.js';
export type { FeatureTransform, ScenarioResult, StressScenario, StressTest } from './stress-test.js';
export { applyTransforms, FeatureTransformSchema, scenarioTransforms, StressScenarioSchema, stressTest } from './stress-test.js';
export type { RankedScores } from './weighted-auc.js';
export { rankScores, weightedAuc } from './weighted-auc.js';

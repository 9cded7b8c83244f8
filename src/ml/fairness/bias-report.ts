/**
 * @module ml/fairness/bias-report
 * The bias report behind `attest bias`: SageMaker Clarify's pre- and post-training metrics in
 * Clarify's `analysis.json` shape, plus Attest's additions (bootstrap intervals, a minimum group
 * size, cell counts) kept in a separate `attest` section so the Clarify sections stay comparable
 * byte for byte with Clarify's own output.
 *
 * Input is a {@link ColumnFrame}: numeric columns (Float64Array, NaN = missing, with the logical
 * dtype integer/fractional/boolean/datetime) and dictionary-encoded text columns. The dtype matters,
 * because Clarify decides from it whether a facet or label is categorical or continuous (see
 * clarify-series.ts).
 */
import type { Column, ColumnFrame } from '../../data/index.js';
import { AppError } from '../../kernel/index.js';
import { type BiasRows, countCells } from './bias-counts.js';
import { facetSelections, groupSlots, labelSelection, type PredictedBasis, predictedSelection, requireColumn } from './bias-inputs.js';
import { type BootstrapOptions, bootstrapIntervals, type ConfidenceInterval } from './bootstrap.js';
import { type ClarifyDataType, type ClarifyValue, checkThreshold, clarifyDataType, formatClarifyValue, type Selection } from './clarify-series.js';
import { CLARIFY_METRICS, ClarifyMetricError, type FlipState, type MetricDefinition, type MetricInput, type MetricName } from './clarify-metrics.js';
import { flipTest } from './flip-test.js';

/** Options of one bias analysis (the flags of `attest bias`). */
export interface BiasAnalysisOptions {
  /** Label column. */
  readonly label: string;
  /** Positive label values, or one threshold for a continuous label (positive = value > threshold). */
  readonly positive: readonly ClarifyValue[];
  /** Facet (sensitive attribute) column. */
  readonly facet: string;
  /**
   * Facet values selecting group d, or one threshold (d = value > threshold) for a continuous facet.
   * Omitted: every value of a categorical facet is reported one-vs-rest. As in Clarify, whether the
   * facet is continuous follows from the column, not from the option used: a single number on a
   * categorical column (an integer column with under 5 % distinct values) selects that value.
   */
  readonly sensitive?: readonly ClarifyValue[];
  /**
   * `--threshold T`: the same as `sensitive: [T]` (Clarify has one `value_or_threshold`), except
   * that the report notes when Clarify's rule makes the facet categorical and T is matched as a value.
   */
  readonly threshold?: number;
  /** Group variable for CDDL/CDDPL. */
  readonly group?: string;
  /**
   * Column of predicted labels or of scores. Predicted labels are matched against `predictedPositive`
   * when given, else against the label's `positive` values (coded like the label, as in Clarify).
   * Only scores are thresholded: with `probabilityThreshold`, or when the column holds numbers in
   * [0, 1] with some strictly between them next to a categorical label (Clarify's default 0.5).
   * The report's `attest.predicted` says which reading was applied.
   */
  readonly predicted?: string;
  /** Values of the predicted column that count as a positive prediction (default: `positive`). */
  readonly predictedPositive?: readonly ClarifyValue[];
  /** Scores above this are positive predictions (Clarify `probability_threshold`). */
  readonly probabilityThreshold?: number;
  /** Columns the flip test uses; default every column except facet, label and predicted (Clarify). */
  readonly features?: readonly string[];
  /** A subset of metric names; default all. */
  readonly metrics?: readonly MetricName[];
  /** Bootstrap settings; `false` or `replicates: 0` turns intervals off. */
  readonly bootstrap?: BootstrapOptions | false;
  /** Metrics resting on fewer rows than this are flagged unreliable; default 30. */
  readonly minGroupSize?: number;
}

/** One metric as Clarify reports it; infinities are the strings "Infinity" / "-Infinity". */
export type ClarifyMetricEntry =
  | { readonly name: MetricName; readonly description: string; readonly value: number | 'Infinity' | '-Infinity' }
  | { readonly name: MetricName; readonly description: string; readonly value: null; readonly error: string };

export interface ClarifyFacetReport {
  readonly value_or_threshold: string;
  readonly metrics: readonly ClarifyMetricEntry[];
}

export interface ClarifyStageReport {
  readonly label: string;
  readonly facets: Readonly<Record<string, readonly ClarifyFacetReport[]>>;
  readonly label_value_or_threshold: string;
}

/** Attest's per-metric additions. */
export interface MetricExtension {
  readonly confidence_interval: ConfidenceInterval | null;
  /** The smallest count the metric's ratios rest on. */
  readonly support: number;
  readonly reliable: boolean;
}

export interface FacetExtension {
  readonly value_or_threshold: string;
  readonly n_a: number;
  readonly n_d: number;
  /** Facet × label × prediction counts. */
  readonly counts: Readonly<Record<string, number>>;
  readonly metrics: Readonly<Partial<Record<MetricName, MetricExtension>>>;
}

/** How the predicted column was read (see {@link BiasAnalysisOptions.predicted}). */
export type PredictedReading =
  | { readonly column: string; readonly basis: 'labels'; readonly positive_values: readonly string[]; readonly positive_from: 'label' | 'predicted-positive' }
  | { readonly column: string; readonly basis: 'scores'; readonly threshold: number; readonly threshold_from: 'flag' | 'detected' };

export interface BiasReportExtensions {
  readonly facet_type: ClarifyDataType;
  readonly label_type: ClarifyDataType;
  readonly predicted?: PredictedReading;
  readonly flip_test_features: readonly string[];
  readonly min_group_size: number;
  readonly bootstrap: (Required<BootstrapOptions> & { readonly method: 'percentile' }) | null;
  readonly pre_training: readonly FacetExtension[];
  readonly post_training?: readonly FacetExtension[];
  readonly notes: readonly string[];
  /** Things that may make the report mean something other than intended; the CLI prints them to stderr. */
  readonly warnings: readonly string[];
}

/**
 * Clarify's analysis.json plus the `attest` section. In memory `attest` is a top-level field; as
 * JSON (every writer uses JSON.stringify, which calls the report's `toJSON`) it moves inside the
 * stage sections, see {@link biasReportDocument}.
 */
export interface BiasReport {
  readonly version: '1.0';
  readonly pre_training_bias_metrics: ClarifyStageReport;
  readonly post_training_bias_metrics?: ClarifyStageReport;
  readonly attest: BiasReportExtensions;
}

const DEFAULT_BOOTSTRAP: Required<BootstrapOptions> = { replicates: 200, seed: 1, confidenceLevel: 0.95 };
const DEFAULT_PROBABILITY_THRESHOLD = 0.5;

/** A numeric column with some value strictly between 0 and 1 (so not a label) and none outside [0, 1]. */
function looksLikeScores(col: Column): boolean {
  if (col.kind !== 'numeric' || col.dtype === 'boolean' || col.dtype === 'datetime') return false;
  let inside = false;
  for (const v of col.values) {
    if (Number.isNaN(v)) continue;
    if (v < 0 || v > 1) return false;
    if (v > 0 && v < 1) inside = true;
  }
  return inside;
}

function entry(name: MetricName, description: string, input: MetricInput, compute: (i: MetricInput) => number): ClarifyMetricEntry {
  try {
    const value = compute(input);
    if (value === Number.POSITIVE_INFINITY) return { name, description, value: 'Infinity' };
    if (value === Number.NEGATIVE_INFINITY) return { name, description, value: '-Infinity' };
    return { name, description, value };
  } catch (error) {
    if (error instanceof ClarifyMetricError) return { name, description, value: null, error: error.message };
    throw error;
  }
}

function cellCountsRecord(rows: BiasRows): Record<string, number> {
  const counts = countCells(rows);
  const out: Record<string, number> = {};
  for (let cell = 0; cell < 8; cell++) {
    let sum = 0;
    for (let g = 0; g <= counts.groupCount; g++) sum += counts.cells[g * 8 + cell]!;
    const key = `${cell >> 2 ? 'd' : 'a'}_label${(cell >> 1) & 1}${rows.predicted ? `_pred${cell & 1}` : ''}`;
    out[key] = (out[key] ?? 0) + sum;
  }
  return out;
}

function selectMetrics(names: readonly MetricName[] | undefined): typeof CLARIFY_METRICS {
  if (names === undefined) return CLARIFY_METRICS;
  const known = new Set(CLARIFY_METRICS.map((m) => m.name));
  for (const name of names) {
    if (!known.has(name)) {
      throw new AppError('INVALID_INPUT', {
        message: `Invalid metric_name: metrics should be one of the registered metrics${JSON.stringify([...known])}`,
        details: { metric: name },
      });
    }
  }
  return CLARIFY_METRICS.filter((m) => names.includes(m.name));
}

/**
 * Decides how the predicted column is read: scores only with an explicit threshold or when the
 * values can only be scores; otherwise labels matched like the label (never a 0.5 cut of labels,
 * which would make labels coded 1/2 all positive).
 */
function predictedBasis(col: Column, labelType: ClarifyDataType, options: BiasAnalysisOptions): PredictedBasis {
  const threshold = options.probabilityThreshold;
  if (threshold !== undefined && options.predictedPositive !== undefined) {
    throw new AppError('INVALID_INPUT', { message: 'Give either predicted positive values or a predicted threshold, not both' });
  }
  if (threshold !== undefined) {
    if (!Number.isFinite(threshold)) throw new AppError('INVALID_INPUT', { message: 'predicted threshold must be a finite number' });
    return { kind: 'scores', threshold, thresholdFrom: 'flag' };
  }
  if (options.predictedPositive !== undefined) return { kind: 'labels', positive: options.predictedPositive, positiveFrom: 'predicted-positive' };
  if (labelType === 'categorical' && looksLikeScores(col)) return { kind: 'scores', threshold: DEFAULT_PROBABILITY_THRESHOLD, thresholdFrom: 'detected' };
  return { kind: 'labels', positive: options.positive, positiveFrom: 'label' };
}

function predictedReading(column: string, basis: PredictedBasis): PredictedReading {
  return basis.kind === 'scores'
    ? { column, basis: 'scores', threshold: basis.threshold, threshold_from: basis.thresholdFrom }
    : { column, basis: 'labels', positive_values: basis.positive.map(formatClarifyValue), positive_from: basis.positiveFrom };
}

function predictedNote(column: string, basis: PredictedBasis): string {
  if (basis.kind === 'scores') {
    return basis.thresholdFrom === 'detected'
      ? `Column ${column} holds scores (numbers in [0, 1], not all 0/1); predicted positive when score > ${DEFAULT_PROBABILITY_THRESHOLD} (Clarify's default probability_threshold).`
      : `Column ${column} read as scores; predicted positive when score > ${basis.threshold} (--predicted-threshold).`;
  }
  const values = basis.positive.map(formatClarifyValue).join(', ');
  return basis.positiveFrom === 'label'
    ? `Column ${column} read as predicted labels coded like the label; predicted positive when equal to ${values} (the --positive values).`
    : `Column ${column} read as predicted labels; predicted positive when equal to ${values} (--predicted-positive).`;
}

/** Everything resolved from the frame and options before any metric is computed. */
interface ResolvedAnalysis {
  readonly label: ReturnType<typeof labelSelection>;
  readonly predicted: Uint8Array | undefined;
  readonly predictedReading: PredictedReading | undefined;
  readonly facets: ReturnType<typeof facetSelections>;
  readonly groups: ReturnType<typeof groupSlots> | undefined;
  readonly features: readonly string[];
  readonly bootstrap: Required<BootstrapOptions> | null;
  readonly minGroupSize: number;
  readonly metrics: readonly MetricDefinition[];
  readonly notes: string[];
  readonly warnings: string[];
}

/** Validates the options and computes Clarify's row indices, raising errors in Clarify's order. */
function resolveAnalysis(frame: ColumnFrame, options: BiasAnalysisOptions): ResolvedAnalysis {
  const facetCol = requireColumn(frame, options.facet, 'Facet');
  if (options.positive.length === 0) throw new AppError('INVALID_INPUT', { message: 'Positive label values or thresholds are empty for Label column' });
  const labelCol = requireColumn(frame, options.label, 'Label');
  if (options.threshold !== undefined && options.sensitive !== undefined) {
    throw new AppError('INVALID_INPUT', { message: 'Give either sensitive facet values or a threshold, not both' });
  }
  const facetValues = options.threshold !== undefined ? [options.threshold] : options.sensitive;
  checkThreshold(facetCol, facetValues, clarifyDataType(facetCol, facetValues?.length ? facetValues : undefined));
  const label = labelSelection(labelCol, options.positive);
  const predictedCol = options.predicted === undefined ? undefined : requireColumn(frame, options.predicted, 'Predicted label');
  const notes: string[] = [];
  const warnings: string[] = [];
  const basis = predictedCol === undefined ? undefined : predictedBasis(predictedCol, label.type, options);
  if (predictedCol !== undefined && basis !== undefined) notes.push(predictedNote(predictedCol.name, basis));
  const predicted = predictedCol === undefined || basis === undefined ? undefined : predictedSelection(predictedCol, labelCol, label.type, basis);
  // Clarify selects the facet rows only after the label and prediction checks, so their errors come first.
  const facets = facetSelections(facetCol, facetValues);
  if (options.threshold !== undefined && facets.type === 'categorical') {
    const sizes = facets.selections
      .map((s) => {
        const nd = s.index.reduce((sum, v) => sum + v, 0);
        return `${nd} rows with ${options.facet} == ${s.valueOrThreshold} (group d) against ${s.index.length - nd} others (group a)`;
      })
      .join('; ');
    warnings.push(
      `Facet ${options.facet} is categorical by Clarify's rule (not fractional, under 5% distinct values), so the threshold ${options.threshold} selects rows EQUAL to it, as Clarify does, not rows above it: ${sizes}. For ${options.facet} > ${options.threshold}, derive a 0/1 column and pass --sensitive 1.`,
    );
  }
  const groups = options.group === undefined ? undefined : groupSlots(requireColumn(frame, options.group, 'Group variable'));
  const excluded = new Set([options.facet, options.label, ...(options.predicted === undefined ? [] : [options.predicted])]);
  const features = options.features ?? frame.columns.map((c) => c.name).filter((name) => !excluded.has(name));
  const bootstrap = options.bootstrap === false ? null : { ...DEFAULT_BOOTSTRAP, ...(options.bootstrap ?? {}) };
  if (bootstrap !== null) {
    const { replicates, seed, confidenceLevel } = bootstrap;
    if (!Number.isInteger(replicates) || replicates < 0) throw new AppError('INVALID_INPUT', { message: 'bootstrap replicates must be a non-negative integer' });
    if (!Number.isInteger(seed)) throw new AppError('INVALID_INPUT', { message: 'bootstrap seed must be an integer' });
    if (!(confidenceLevel > 0 && confidenceLevel < 1)) throw new AppError('INVALID_INPUT', { message: 'confidence level must lie strictly between 0 and 1' });
  }
  const minGroupSize = options.minGroupSize ?? 30;
  if (!(minGroupSize >= 0)) throw new AppError('INVALID_INPUT', { message: 'minimum group size must be a non-negative number' });
  return {
    label,
    predicted,
    predictedReading: predictedCol === undefined || basis === undefined ? undefined : predictedReading(predictedCol.name, basis),
    facets,
    groups,
    features,
    bootstrap: bootstrap !== null && bootstrap.replicates > 0 ? bootstrap : null,
    minGroupSize,
    metrics: selectMetrics(options.metrics),
    notes,
    warnings,
  };
}

/** One facet selection at one stage: Clarify's entry and Attest's extension. */
function analyseSelection(
  frame: ColumnFrame,
  r: ResolvedAnalysis,
  stage: 'pre_training' | 'post_training',
  selection: Selection,
): { report: ClarifyFacetReport; extension: FacetExtension } {
  const stageMetrics = r.metrics.filter((m) => m.stage === stage);
  const predicted = stage === 'post_training' ? r.predicted : undefined;
  const rows: BiasRows = {
    facet: selection.index,
    label: r.label.selection.index,
    ...(predicted ? { predicted } : {}),
    ...(r.groups ? { group: r.groups.group } : {}),
    groupCount: r.groups?.groupCount ?? 1,
  };
  const nd = selection.index.reduce((s, v) => s + v, 0);
  const na = selection.index.length - nd;
  // Clarify checks both facets are non-empty before it looks at the flip test's features.
  const flips = predicted && nd > 0 && na > 0 && stageMetrics.some((m) => m.name === 'FT') ? flipTest(frame, r.features, selection.index, predicted) : undefined;
  const flip: FlipState | undefined = flips === undefined ? undefined : 'error' in flips ? flips : { flipSum: flips.flips.reduce((s, v) => s + v, 0) };
  const groupError = r.groups?.groupError;
  const input: MetricInput = { counts: countCells(rows), hasGroup: r.groups !== undefined, ...(flip ? { flip } : {}), ...(groupError ? { groupError } : {}) };
  const intervals = r.bootstrap
    ? bootstrapIntervals({ rows, metrics: stageMetrics, hasGroup: r.groups !== undefined, ...(groupError ? { groupError } : {}), ...(flips ? { flips } : {}) }, r.bootstrap)
    : undefined;
  const perMetric: Partial<Record<MetricName, MetricExtension>> = {};
  for (const m of stageMetrics) {
    const support = m.support(input);
    perMetric[m.name] = { confidence_interval: intervals?.get(m.name) ?? null, support, reliable: support >= r.minGroupSize };
  }
  return {
    report: { value_or_threshold: selection.valueOrThreshold, metrics: stageMetrics.map((m) => entry(m.name, m.description, input, m.compute)) },
    extension: { value_or_threshold: selection.valueOrThreshold, n_a: na, n_d: nd, counts: cellCountsRecord(rows), metrics: perMetric },
  };
}

/**
 * Runs Clarify's bias analysis on a frame: pre-training metrics always, post-training metrics when
 * a predicted column is given. Configuration errors Clarify raises for the whole report throw an
 * `AppError` (INVALID_INPUT) with Clarify's message; a metric Clarify cannot compute is an entry
 * with `value: null` and its `error`.
 * @example
 * biasReport(frame, { label: 'default', positive: [1], facet: 'SEX', sensitive: [2], group: 'EDUCATION', predicted: 'predicted_label' })
 *   .post_training_bias_metrics?.facets.SEX?.[0]?.metrics.find((m) => m.name === 'DI')
 */
export function biasReport(frame: ColumnFrame, options: BiasAnalysisOptions): BiasReport {
  const r = resolveAnalysis(frame, options);
  const stage = (name: 'pre_training' | 'post_training'): { clarify: ClarifyStageReport; extensions: FacetExtension[] } => {
    const results = r.facets.selections.map((selection) => analyseSelection(frame, r, name, selection));
    return {
      clarify: { label: options.label, facets: { [options.facet]: results.map((x) => x.report) }, label_value_or_threshold: r.label.selection.valueOrThreshold },
      extensions: results.map((x) => x.extension),
    };
  };
  const pre = stage('pre_training');
  const post = r.predicted === undefined ? undefined : stage('post_training');
  return withFileLayout({
    version: '1.0',
    pre_training_bias_metrics: pre.clarify,
    ...(post ? { post_training_bias_metrics: post.clarify } : {}),
    attest: {
      facet_type: r.facets.type,
      label_type: r.label.type,
      ...(r.predictedReading ? { predicted: r.predictedReading } : {}),
      flip_test_features: r.features,
      min_group_size: r.minGroupSize,
      bootstrap: r.bootstrap ? { ...r.bootstrap, method: 'percentile' } : null,
      pre_training: pre.extensions,
      ...(post ? { post_training: post.extensions } : {}),
      notes: r.notes,
      warnings: r.warnings,
    },
  });
}

/** Attest's extras of one stage, as stored inside that stage's section of the JSON file. */
export interface StageExtensionsDocument {
  /** Report-wide extras (types, bootstrap, notes, warnings); in the pre-training section only. */
  readonly report?: Omit<BiasReportExtensions, 'pre_training' | 'post_training'>;
  readonly facets: readonly FacetExtension[];
}

/** The JSON file: Clarify's analysis.json with Attest's extras inside the stage sections. */
export interface BiasReportDocument {
  readonly version: '1.0';
  readonly pre_training_bias_metrics: ClarifyStageReport & { readonly attest: StageExtensionsDocument };
  readonly post_training_bias_metrics?: ClarifyStageReport & { readonly attest: StageExtensionsDocument };
}

/**
 * The report as written to analysis.json. The SageMaker SDK's `ClarifyBiasParser` (model card
 * evaluation metrics) requires every top-level object to have `facets`, and reads only `facets`,
 * `label` and `label_value_or_threshold` inside each: a top-level `attest` object made it fail,
 * while an `attest` key inside a stage section is ignored. So the extras travel there.
 */
export function biasReportDocument(report: BiasReport): BiasReportDocument {
  const { pre_training, post_training, ...common } = report.attest;
  return {
    version: report.version,
    pre_training_bias_metrics: { ...report.pre_training_bias_metrics, attest: { report: common, facets: pre_training } },
    ...(report.post_training_bias_metrics ? { post_training_bias_metrics: { ...report.post_training_bias_metrics, attest: { facets: post_training ?? [] } } } : {}),
  };
}

function withFileLayout(report: BiasReport): BiasReport {
  Object.defineProperty(report, 'toJSON', { value: () => biasReportDocument(report), enumerable: false });
  return report;
}

/**
 * Reads a bias report file back (the layout above, or the earlier one with a top-level `attest`);
 * a plain Clarify analysis.json without Attest's extras is INVALID_INPUT.
 */
export function readBiasReportDocument(doc: unknown): BiasReport {
  const d = doc as Partial<BiasReportDocument> & { attest?: BiasReportExtensions };
  if (typeof d !== 'object' || d === null || typeof d.pre_training_bias_metrics !== 'object') throw new AppError('INVALID_INPUT', { message: 'Not a bias report: no pre_training_bias_metrics' });
  if (d.attest) return withFileLayout(d as BiasReport);
  const { attest: pre, ...preReport } = d.pre_training_bias_metrics;
  if (!pre?.report) throw new AppError('INVALID_INPUT', { message: "The bias report has no Attest extensions (a plain Clarify analysis.json); read its metrics with Clarify's shape instead" });
  const post = d.post_training_bias_metrics;
  const { attest: postExt, ...postReport } = post ?? { attest: undefined };
  return withFileLayout({
    version: '1.0',
    pre_training_bias_metrics: preReport,
    ...(post ? { post_training_bias_metrics: postReport as ClarifyStageReport } : {}),
    attest: { ...pre.report, pre_training: pre.facets, ...(postExt ? { post_training: postExt.facets } : {}) },
  });
}

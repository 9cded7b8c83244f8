/**
 * @module monitoring/model-quality-check
 * A model-quality check on a window of predictions merged with ground truth, as Model Monitor's
 * model-quality job does it: the metric set of the problem type (binary, multiclass, regression)
 * in its statistics.json shape, and violations of its constraints.json
 * (`{ "<problem>_constraints": { metric: { threshold, comparison_operator } } }`, or the bare map).
 */
import { z } from 'zod';
import type { Column, ColumnFrame } from '../data/index.js';
import { requireColumn } from '../data/index.js';
import { AppError } from '../kernel/index.js';
import type { BinaryClassificationMetrics, ModelQualityViolation, MulticlassMetrics, RegressionMetrics } from './model-quality.js';
import { binaryClassificationMetrics, checkModelQuality, multiclassMetrics, regressionMetrics } from './model-quality.js';

export type QualityProblem = 'binary' | 'multiclass' | 'regression';

export interface ModelQualityColumns {
  /** Ground truth. */
  readonly label: string;
  /** Predicted label (binary, multiclass) or value (regression). */
  readonly predicted: string;
  /** Binary: probability of the positive class, for AUC and the curves. */
  readonly probability?: string;
  /** Binary: the label value that counts as positive, for labels not coded 0/1. */
  readonly positive?: string;
}

export type ModelQualityStatistics = { version: 0; dataset: { item_count: number } } & (
  | { binary_classification_metrics: BinaryClassificationMetrics }
  | { multiclass_classification_metrics: MulticlassMetrics }
  | { regression_metrics: RegressionMetrics }
);

const SECTION: Record<QualityProblem, string> = {
  binary: 'binary_classification',
  multiclass: 'multiclass_classification',
  regression: 'regression',
};

function missingAt(column: Column, i: number): boolean {
  return column.kind === 'numeric' ? Number.isNaN(column.values[i]!) : column.codes[i]! < 0;
}

function text(column: Column, i: number): string {
  return column.kind === 'numeric' ? String(column.values[i]!) : column.dictionary[column.codes[i]!]!;
}

function requireComplete(column: Column): void {
  const rows = column.kind === 'numeric' ? column.values.length : column.codes.length;
  for (let i = 0; i < rows; i++) {
    if (missingAt(column, i)) throw new AppError('DATA_SCHEMA_MISMATCH', { message: `Column "${column.name}" is missing in row ${i + 1}`, details: { column: column.name, row: i + 1 } });
  }
}

function numeric(column: Column): Float64Array {
  if (column.kind !== 'numeric') throw new AppError('DATA_SCHEMA_MISMATCH', { message: `Column "${column.name}" must be numeric`, details: { column: column.name } });
  return column.values;
}

/** 0/1 coding of a binary column: the `positive` value is 1, else a column already coded 0/1. */
function binaryCoded(column: Column, positive: string | undefined): Float64Array {
  const rows = column.kind === 'numeric' ? column.values.length : column.codes.length;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const t = text(column, i);
    if (positive !== undefined) out[i] = t === positive || (column.kind === 'numeric' && Number(positive) === column.values[i]) ? 1 : 0;
    else if (t === '0' || t === '1') out[i] = Number(t);
    else throw new AppError('DATA_SCHEMA_MISMATCH', { message: `Column "${column.name}" holds "${t}" in row ${i + 1}; code it 0/1 or name the positive value (--positive)`, details: { column: column.name, row: i + 1 } });
  }
  return out;
}

/** The metric set of `problem` over the window, in Model Monitor's statistics.json shape. */
export function modelQualityStatistics(frame: ColumnFrame, problem: QualityProblem, columns: ModelQualityColumns, seed = 0): ModelQualityStatistics {
  if (frame.rowCount === 0) throw new AppError('INVALID_INPUT', { message: 'The window has no rows' });
  const label = requireColumn(frame, columns.label, 'the model-quality check');
  const predicted = requireColumn(frame, columns.predicted, 'the model-quality check');
  requireComplete(label);
  requireComplete(predicted);
  const dataset = { item_count: frame.rowCount };
  if (problem === 'regression') return { version: 0, dataset, regression_metrics: regressionMetrics(numeric(label), numeric(predicted), seed) };
  if (problem === 'multiclass') {
    const asText = (c: Column) => Array.from({ length: frame.rowCount }, (_, i) => text(c, i));
    return { version: 0, dataset, multiclass_classification_metrics: multiclassMetrics(asText(label), asText(predicted), seed) };
  }
  let scores: Float64Array | undefined;
  if (columns.probability !== undefined) {
    const p = requireColumn(frame, columns.probability, 'the model-quality check');
    requireComplete(p);
    scores = numeric(p);
  }
  return { version: 0, dataset, binary_classification_metrics: binaryClassificationMetrics(binaryCoded(label, columns.positive), binaryCoded(predicted, columns.positive), scores, seed) };
}

function metricSection(statistics: ModelQualityStatistics): Record<string, unknown> {
  if ('binary_classification_metrics' in statistics) return { ...statistics.binary_classification_metrics };
  if ('multiclass_classification_metrics' in statistics) return { ...statistics.multiclass_classification_metrics };
  return { ...statistics.regression_metrics };
}

/** The scalar metrics of a statistics document by name (value only), for summaries. */
export function qualityMetricValues(statistics: ModelQualityStatistics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, m] of Object.entries(metricSection(statistics))) {
    if (typeof m === 'object' && m !== null && typeof (m as { value?: unknown }).value === 'number') out[name] = (m as { value: number }).value;
  }
  return out;
}

const RuleSchema = z.object({
  threshold: z.number(),
  comparison_operator: z.enum(['LessThanThreshold', 'GreaterThanThreshold', 'LessThanOrEqualToThreshold', 'GreaterThanOrEqualToThreshold']),
});
const RulesSchema = z.record(z.string(), RuleSchema);

/**
 * Checks a window's statistics against a constraints document: Model Monitor's, with a section per
 * problem type, or just the `{ metric: rule }` map (as `monitor quality` takes it).
 */
export function checkModelQualityConstraints(statistics: ModelQualityStatistics, problem: QualityProblem, constraints: unknown): ModelQualityViolation[] {
  const doc = (typeof constraints === 'object' && constraints !== null ? constraints : {}) as Record<string, unknown>;
  const key = `${SECTION[problem]}_constraints`;
  const rules = RulesSchema.safeParse(key in doc ? doc[key] : Object.fromEntries(Object.entries(doc).filter(([k]) => k !== 'version')));
  if (!rules.success) {
    throw new AppError('INVALID_INPUT', { message: `The constraints need a ${SECTION[problem]}_constraints section of { metric: { threshold, comparison_operator } }` });
  }
  return checkModelQuality(metricSection(statistics), rules.data);
}

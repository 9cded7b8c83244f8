/**
 * @module ml/linear/logistic-model-file
 * A fitted logistic regression as a file: the model object as JSON (it is plain data), checked
 * against a schema when read back, and the bridge from a column frame to the float64 design
 * matrix the fit and the predictions take (float64, unlike the trees' float32 matrix, so the
 * standard errors match statsmodels on the same data).
 */
import { z } from 'zod';
import type { ColumnFrame } from '../../data/index.js';
import { AppError } from '../../kernel/index.js';
import type { DesignMatrix, LogisticRegressionModel } from './logistic-regression.js';

const nullableNumber = z.number().nullable();

const CoefficientStatisticsSchema = z.object({
  name: z.string(),
  coefficient: z.number(),
  standardizedCoefficient: z.number(),
  oddsRatio: z.number(),
  standardError: nullableNumber,
  z: nullableNumber,
  pValue: nullableNumber,
  oddsRatioLower: nullableNumber,
  oddsRatioUpper: nullableNumber,
});

/** The saved model; `kind` tells it apart from an XGBoost JSON model. */
export const LogisticRegressionModelSchema = z
  .object({
    kind: z.literal('logistic_regression'),
    featureNames: z.array(z.string()).min(1),
    penalty: z.enum(['l2', 'l1', 'none']),
    C: nullableNumber,
    means: z.array(z.number()),
    scales: z.array(z.number()),
    interceptStandardized: z.number(),
    coefficientsStandardized: z.array(z.number()),
    intercept: z.number(),
    coefficients: z.array(z.number()),
    oddsRatios: z.array(z.number()),
    standardErrors: z.array(z.number()).nullable(),
    standardErrorsStandardized: z.array(z.number()).nullable(),
    statistics: z.array(CoefficientStatisticsSchema),
    interceptStatistics: z.object({ coefficient: z.number(), standardError: nullableNumber, z: nullableNumber, pValue: nullableNumber }),
    iterations: z.number().int(),
    tolerance: z.number(),
    objective: z.number(),
  })
  .refine((m) => [m.means, m.scales, m.coefficientsStandardized, m.coefficients].every((a) => a.length === m.featureNames.length), {
    message: 'means, scales and coefficients need one entry per feature',
  });

/** The model as the JSON text `attest model train --algorithm logistic` writes. */
export function serializeLogisticModel(model: LogisticRegressionModel): string {
  return `${JSON.stringify(model, null, 2)}\n`;
}

/** True when a parsed JSON document is a saved logistic regression (and not a tree model). */
export function isLogisticModelDocument(doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && (doc as { kind?: unknown }).kind === 'logistic_regression';
}

/** Checks a parsed document against the saved-model schema. */
export function parseLogisticModel(doc: unknown): LogisticRegressionModel {
  const result = LogisticRegressionModelSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new AppError('MODEL_INVALID', { message: `Not a valid logistic regression model: ${issue ? `${issue.path.join('.') || 'model'}: ${issue.message}` : 'schema mismatch'}` });
  }
  return result.data;
}

/**
 * The named numeric columns of a frame as a row-major float64 design matrix (NaN stays NaN: the
 * fit refuses it with the row and column, predictions carry it through).
 * @throws AppError DATA_SCHEMA_MISMATCH for an absent or string column.
 */
export function frameDesignMatrix(frame: ColumnFrame, featureNames: readonly string[]): DesignMatrix {
  const byName = new Map(frame.columns.map((c) => [c.name, c]));
  const missing = featureNames.filter((n) => !byName.has(n));
  if (missing.length > 0) throw new AppError('DATA_SCHEMA_MISMATCH', { message: `The data lacks ${missing.map((n) => `"${n}"`).join(', ')} that the model needs`, details: { missing } });
  const text = featureNames.filter((n) => byName.get(n)!.kind === 'categorical');
  if (text.length > 0) {
    throw new AppError('DATA_SCHEMA_MISMATCH', { message: `${text.map((n) => `"${n}"`).join(', ')} ${text.length === 1 ? 'is a string column' : 'are string columns'}; encode them (for example one-hot) first`, details: { categorical: text } });
  }
  const rows = frame.rowCount;
  const cols = featureNames.length;
  const values = new Float64Array(rows * cols);
  for (const [j, name] of featureNames.entries()) {
    const column = byName.get(name)!;
    if (column.kind !== 'numeric') continue;
    for (let i = 0; i < rows; i++) values[i * cols + j] = column.values[i]!;
  }
  return { rows, cols, values };
}

function cell(v: number | null, width: number): string {
  if (v === null) return '—'.padStart(width);
  const a = Math.abs(v);
  return (Number.isFinite(v) && v !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(5) : Number.isFinite(v) ? v.toPrecision(6) : String(v)).padStart(width);
}

/** The coefficient table as text (statsmodels' summary columns: coef, std err, z, P>|z|, odds-ratio CI). */
export function logisticSummaryLines(model: LogisticRegressionModel): string[] {
  const nameWidth = Math.max(9, ...model.featureNames.map((n) => n.length));
  const header = `${'feature'.padEnd(nameWidth)} ${['coef', 'std err', 'z', 'P>|z|', 'odds ratio', 'OR 2.5%', 'OR 97.5%'].map((h) => h.padStart(12)).join(' ')}`;
  const i = model.interceptStatistics;
  const lines = [
    `logistic regression, penalty ${model.penalty}${model.C === null ? '' : ` (C = ${model.C})`}, ${model.iterations} iterations`,
    header,
    `${'intercept'.padEnd(nameWidth)} ${[i.coefficient, i.standardError, i.z, i.pValue, null, null, null].map((v) => cell(v, 12)).join(' ')}`,
  ];
  for (const s of model.statistics) {
    lines.push(`${s.name.padEnd(nameWidth)} ${[s.coefficient, s.standardError, s.z, s.pValue, s.oddsRatio, s.oddsRatioLower, s.oddsRatioUpper].map((v) => cell(v, 12)).join(' ')}`);
  }
  if (model.penalty === 'l1') lines.push('(no standard errors for an L1 fit: the penalty is not differentiable)');
  return lines;
}

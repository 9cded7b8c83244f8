/**
 * @module cli/commands/logistic-train
 * `attest model train --algorithm logistic`: a logistic regression with Wald standard errors, z
 * and p-values (the interpretable baseline beside the boosted trees). Its settings come through
 * the same `--param name=value` flag as the trees': penalty (l2, l1 or none), C, max_iter, tol.
 */
import { labelVector } from '../../data/index.js';
import type { ColumnFrame } from '../../data/index.js';
import { AppError } from '../../kernel/index.js';
import type { LogisticPenalty, LogisticRegressionModel } from '../../ml/linear/index.js';
import { fitLogisticRegression, frameDesignMatrix, logisticSummaryLines, serializeLogisticModel } from '../../ml/linear/index.js';
import type { CliContext } from '../context.js';
import { writeFileAtomic } from '../files.js';
import { printJson } from '../output.js';

const LOGISTIC_PARAMS = new Set(['penalty', 'C', 'max_iter', 'tol']);

function positiveNumber(value: string, name: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0) || !Number.isFinite(n)) throw new AppError('INVALID_INPUT', { message: `--param ${name} must be a positive number, not ${value}` });
  return n;
}

/** Fits, writes and reports a logistic regression from the train command's flags. */
export function trainLogisticCommand(
  ctx: CliContext,
  frame: ColumnFrame,
  o: { label: string; features: readonly string[]; params: Readonly<Record<string, string>>; output: string; json?: boolean },
): LogisticRegressionModel {
  for (const name of Object.keys(o.params)) {
    if (!LOGISTIC_PARAMS.has(name)) throw new AppError('INVALID_INPUT', { message: `--param ${name} does not apply to --algorithm logistic (it takes ${[...LOGISTIC_PARAMS].join(', ')})` });
  }
  const penalty = o.params.penalty ?? 'l2';
  if (penalty !== 'l2' && penalty !== 'l1' && penalty !== 'none') throw new AppError('INVALID_INPUT', { message: `--param penalty must be l2, l1 or none, not ${penalty}` });
  const maxIterations = o.params.max_iter === undefined ? undefined : positiveNumber(o.params.max_iter, 'max_iter');
  if (maxIterations !== undefined && !Number.isInteger(maxIterations)) throw new AppError('INVALID_INPUT', { message: `--param max_iter must be a whole number, not ${o.params.max_iter}` });
  const labels = labelVector(frame, o.label);
  const bad = labels.findIndex((v) => v !== 0 && v !== 1);
  if (bad >= 0) throw new AppError('DATA_SCHEMA_MISMATCH', { message: `Label "${o.label}" must be 0 or 1 for a logistic regression; row ${bad + 1} has ${labels[bad]}`, details: { row: bad + 1 } });
  const design = frameDesignMatrix(frame, o.features);
  const gap = design.values.findIndex((v) => !Number.isFinite(v));
  if (gap >= 0) {
    const row = Math.floor(gap / design.cols) + 1;
    const feature = o.features[gap % design.cols]!;
    throw new AppError('DATA_SCHEMA_MISMATCH', { message: `Feature "${feature}" is missing in row ${row} of the data; a logistic regression needs every value (impute it, or --drop the column)`, details: { column: feature, row } });
  }
  const model = fitLogisticRegression(design, labels, o.features, {
    penalty: penalty as LogisticPenalty,
    ...(o.params.C !== undefined ? { C: positiveNumber(o.params.C, 'C') } : {}),
    ...(o.params.tol !== undefined ? { tolerance: positiveNumber(o.params.tol, 'tol') } : {}),
    ...(maxIterations !== undefined ? { maxIterations } : {}),
  });
  writeFileAtomic(o.output, serializeLogisticModel(model));
  if (o.json) {
    printJson(ctx.io, { output: o.output, algorithm: 'logistic', penalty: model.penalty, C: model.C, iterations: model.iterations, intercept: model.interceptStatistics, coefficients: model.statistics });
  } else {
    for (const line of logisticSummaryLines(model)) ctx.io.out(line);
    ctx.io.out(`model written to ${o.output}`);
  }
  return model;
}

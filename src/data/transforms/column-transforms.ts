/**
 * @module data/transforms/column-transforms
 * Transforms that learn nothing from the data but are still recorded, so the exact same column
 * set reaches the model at inference: drop columns, rename columns, and derive a column from an
 * arithmetic expression (see ./expression.ts).
 */
import { AppError } from '../../kernel/index.js';
import type { ColumnFrame } from '../frame/column-frame.js';
import { assertUniqueNames, requireColumn, requireNumericColumn } from '../frame/frame-ops.js';
import { evaluateExpression, expressionColumns, parseExpression } from './expression.js';
import type { DeriveSpec, DropSpec, FittedDerive, FittedDrop, FittedRename, RenameSpec } from './transform-spec.js';

/** Checks the columns exist in the training data. */
export function fitDrop(frame: ColumnFrame, spec: DropSpec): FittedDrop {
  for (const name of spec.columns) requireColumn(frame, name, 'drop');
  return { kind: 'drop', columns: [...spec.columns] };
}

/**
 * Removes the columns. Columns already absent are fine: at inference the label, say, is not
 * there, and the point of the step is that it is not passed on.
 */
export function applyDrop(frame: ColumnFrame, fitted: FittedDrop): ColumnFrame {
  const drop = new Set(fitted.columns);
  return { rowCount: frame.rowCount, columns: frame.columns.filter((c) => !drop.has(c.name)) };
}

export function fitRename(frame: ColumnFrame, spec: RenameSpec): FittedRename {
  const mapping = Object.entries(spec.mapping)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([from, to]) => ({ from, to }));
  for (const { from } of mapping) requireColumn(frame, from, 'rename');
  const fitted: FittedRename = { kind: 'rename', mapping };
  applyRename(frame, fitted);
  return fitted;
}

export function applyRename(frame: ColumnFrame, fitted: FittedRename): ColumnFrame {
  const to = new Map(fitted.mapping.map((m) => [m.from, m.to]));
  for (const name of to.keys()) requireColumn(frame, name, 'the fitted rename');
  const columns = frame.columns.map((c) => {
    const name = to.get(c.name);
    return name === undefined ? c : { ...c, name };
  });
  assertUniqueNames(columns, 'Renaming');
  return { rowCount: frame.rowCount, columns };
}

/** Parses the expression and checks its inputs are numeric columns of the training data. */
export function fitDerive(frame: ColumnFrame, spec: DeriveSpec): FittedDerive {
  const inputs = expressionColumns(parseExpression(spec.expression));
  const fitted: FittedDerive = { kind: 'derive', name: spec.name, expression: spec.expression, inputs };
  applyDerive(frame, fitted);
  return fitted;
}

/** Appends the derived column (fractional; NaN where an input is missing or the result is not finite). */
export function applyDerive(frame: ColumnFrame, fitted: FittedDerive): ColumnFrame {
  if (frame.columns.some((c) => c.name === fitted.name)) {
    throw new AppError('DATA_SCHEMA_MISMATCH', { message: `Derived column "${fitted.name}" already exists`, details: { column: fitted.name } });
  }
  const expr = parseExpression(fitted.expression);
  const context = `the expression for "${fitted.name}"`;
  const values = evaluateExpression(expr, frame.rowCount, (name) => requireNumericColumn(frame, name, context).values);
  return { rowCount: frame.rowCount, columns: [...frame.columns, { kind: 'numeric', name: fitted.name, dtype: 'fractional', values }] };
}

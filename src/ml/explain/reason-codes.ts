/**
 * @module ml/explain/reason-codes
 * Adverse-action reason codes from SHAP values: for one decision, the features that pushed the
 * score furthest toward the adverse outcome, with the applicant's values and a plain sentence
 * each, ready for a notice such as ECOA/Regulation B's "principal reasons" (12 CFR 1002.9(b)(2),
 * which expects no more than four). Ranking: largest adverse contribution first; equal
 * contributions keep column order, so the same inputs always give the same reasons.
 */
import { AppError } from '../../kernel/index.js';
import type { FeatureMatrix, TreeEnsemble } from '../gbdt/index.js';
import type { Attributions } from './attributions.js';
import { attributionAt, jsonNumber } from './attributions.js';
import { treeShap } from './tree-shap.js';

export interface ReasonCodeOptions {
  /** Reasons returned at most; default 4. */
  topK?: number;
  /** Which way the score is adverse: 'higher' (risk, default probability; default) or 'lower' (approval score). */
  adverse?: 'higher' | 'lower';
  /** Output group explained (multiclass); default 0. */
  group?: number;
  /** Readable names for features (e.g. PAY_0 → "Repayment status last month"); default the column name. */
  featureLabels?: Readonly<Record<string, string>>;
  /** Contributions at or below this (in the adverse direction) are not reasons; default 0. */
  minContribution?: number;
  /** Unit of contributions in sentences; default "log-odds". */
  scoreUnit?: string;
}

export interface ReasonCode {
  readonly rank: number;
  readonly feature: number;
  readonly name: string;
  readonly label: string;
  /** The applicant's value; null when missing. */
  readonly value: number | null;
  /** Signed SHAP value (score units). */
  readonly contribution: number;
  readonly sentence: string;
}

export interface RowReasons {
  /**
   * The row's number counted from 1 (the first data row, below any header, is row 1), in the JSON
   * and in the text alike; the functions here take 0-based row indices.
   */
  readonly row: number;
  /** Expected value + Σ contributions: the explained score (margin). */
  readonly score: number;
  readonly expectedValue: number;
  readonly reasons: ReasonCode[];
  /** The reasons as one paragraph for a notice. */
  readonly notice: string;
}

function formatValue(v: number | null): string {
  if (v === null) return 'missing';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** Reason codes of the row at 0-based index `row` given its attributions (TreeSHAP or KernelSHAP) and features; the result's `row` is that index + 1. */
export function reasonCodes(
  a: Attributions,
  x: FeatureMatrix,
  featureNames: readonly string[],
  row: number,
  options: ReasonCodeOptions = {},
): RowReasons {
  if (!(Number.isInteger(row) && row >= 0 && row < a.rows)) throw new AppError('INVALID_INPUT', { message: `No row index ${row}` });
  const topK = options.topK ?? 4;
  if (!(Number.isInteger(topK) && topK >= 1)) throw new AppError('INVALID_INPUT', { message: 'topK must be a positive integer' });
  const sign = (options.adverse ?? 'higher') === 'higher' ? 1 : -1;
  const group = options.group ?? 0;
  const threshold = options.minContribution ?? 0;
  const unit = options.scoreUnit ?? 'log-odds';
  const F = a.width - 1;
  const expectedValue = attributionAt(a, row, group, F);
  let score = expectedValue;
  const candidates: { feature: number; contribution: number }[] = [];
  for (let j = 0; j < F; j++) {
    const c = attributionAt(a, row, group, j);
    score += c;
    if (sign * c > threshold) candidates.push({ feature: j, contribution: c });
  }
  candidates.sort((p, q) => sign * q.contribution - sign * p.contribution || p.feature - q.feature);
  const direction = sign > 0 ? 'raised' : 'lowered';
  const reasons = candidates.slice(0, topK).map(({ feature, contribution }, i) => {
    const name = featureNames[feature] ?? `f${feature}`;
    const label = options.featureLabels?.[name] ?? name;
    const value = jsonNumber(x.values[row * x.cols + feature]!);
    const sentence = `${label} (${formatValue(value)}) ${direction} the score by ${Math.abs(contribution).toFixed(3)} ${unit} compared with the average case.`;
    return { rank: i + 1, feature, name, label, value, contribution, sentence };
  });
  const notice =
    reasons.length === 0
      ? 'No factor moved this decision toward the adverse outcome.'
      : `The principal reasons for this decision were: ${reasons.map((r) => `(${r.rank}) ${r.label}, value ${formatValue(r.value)}`).join('; ')}.`;
  return { row: row + 1, score, expectedValue, reasons, notice };
}

/** Reason codes for every row (the CLI's `explain reasons`). */
export function reasonCodesForRows(a: Attributions, x: FeatureMatrix, featureNames: readonly string[], options: ReasonCodeOptions = {}): RowReasons[] {
  return Array.from({ length: a.rows }, (_, r) => reasonCodes(a, x, featureNames, r, options));
}

/**
 * Reason codes of every row of `x` under a tree model, from its exact TreeSHAP values (the
 * CLI's `attest explain reasons --model M --input CSV [--top K]`; serialise with JSON.stringify).
 */
export function treeReasonCodes(model: TreeEnsemble, x: FeatureMatrix, options: ReasonCodeOptions = {}): RowReasons[] {
  return reasonCodesForRows(treeShap(model, x), x, model.featureNames, options);
}

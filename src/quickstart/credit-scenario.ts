/**
 * @module quickstart/credit-scenario
 * The whitepaper's credit-default example as pure steps over column frames: the paper's
 * hyperparameters, the evaluation figures a validator asks for, a market shift for drift.
 * No I/O here; the quickstart stores and tracks what these return.
 */
import type { ColumnFrame, NumericColumn } from '../data/index.js';
import { labelVector, numericColumn, splitFrame, toFeatureMatrix } from '../data/index.js';
import type { FeatureMatrix, TrainResult, TreeEnsemble } from '../ml/gbdt/index.js';
import { predict, train } from '../ml/gbdt/index.js';
import type { BinaryMetrics } from '../ml/metrics/index.js';
import { binaryMetrics } from '../ml/metrics/index.js';

export const LABEL = 'default';
/** Not a feature: the row number of the UCI file. */
export const ID_COLUMN = 'ID';

/**
 * The whitepaper's XGBoost hyperparameters for this data set (binary:logistic, max_depth 5,
 * eta 0.2, gamma 4, min_child_weight 6, subsample 0.8, 100 rounds), with a fixed seed.
 */
export const PAPER_PARAMS = {
  objective: 'binary:logistic',
  max_depth: 5,
  eta: 0.2,
  gamma: 4,
  min_child_weight: 6,
  subsample: 0.8,
  num_round: 100,
  seed: 7,
  eval_metric: ['logloss', 'auc'],
} as const;

export const SPLIT_SEED = 42;

export interface CreditSplits {
  holdout: ColumnFrame;
  train: ColumnFrame;
  validation: ColumnFrame;
  test: ColumnFrame;
}

/**
 * A stratified 10 % holdout set aside first (never to be used: lineage will prove it), then the
 * modelling rows split 70/15/15 train/validation/test, stratified on the label, seeded.
 */
export function splitCredit(frame: ColumnFrame): CreditSplits {
  const first = splitFrame(frame, { label: LABEL, fractions: { train: 0.9, validation: 0, test: 0.1 }, seed: SPLIT_SEED });
  const rest = splitFrame(first.train, { label: LABEL, fractions: { train: 0.7, validation: 0.15, test: 0.15 }, seed: SPLIT_SEED + 1 });
  return { holdout: first.test, train: rest.train, validation: rest.validation, test: rest.test };
}

export function featureNames(frame: ColumnFrame): string[] {
  return frame.columns.map((c) => c.name).filter((n) => n !== LABEL && n !== ID_COLUMN);
}

export function trainPaperModel(splits: CreditSplits, onRound: (round: number, metrics: Record<string, number>) => void): TrainResult {
  const features = featureNames(splits.train);
  return train(
    { x: toFeatureMatrix(splits.train, features), y: Float32Array.from(labelVector(splits.train, LABEL)), featureNames: features },
    PAPER_PARAMS,
    { validation: { x: toFeatureMatrix(splits.validation, features), y: Float32Array.from(labelVector(splits.validation, LABEL)) }, onRound },
  );
}

export interface Evaluation {
  metrics: BinaryMetrics;
  scores: Float32Array;
  x: FeatureMatrix;
  labels: Float64Array;
}

/** ROC AUC, KS, confusion matrix and the rest of the binary set on a split, at threshold 0.5. */
export function evaluateOn(model: TreeEnsemble, frame: ColumnFrame): Evaluation {
  const x = toFeatureMatrix(frame, model.featureNames);
  const labels = labelVector(frame, LABEL);
  const scores = predict(model, x);
  return { metrics: binaryMetrics(labels, scores, 0.5), scores, x, labels };
}

/** The frame with a `predicted_label` column (1 when the score exceeds 0.5) and an over-40 indicator. */
export function withPredictions(frame: ColumnFrame, scores: Float32Array): ColumnFrame {
  const predicted = new Float64Array(frame.rowCount);
  for (let i = 0; i < predicted.length; i++) predicted[i] = scores[i]! > 0.5 ? 1 : 0;
  const age = frame.columns.find((c) => c.name === 'AGE') as NumericColumn;
  const over40 = new Float64Array(frame.rowCount);
  for (let i = 0; i < over40.length; i++) over40[i] = age.values[i]! > 40 ? 1 : 0;
  return { rowCount: frame.rowCount, columns: [...frame.columns, numericColumn('AGE_OVER_40', over40, 'integer'), numericColumn('predicted_label', predicted, 'integer')] };
}

/** The row the model scores as most likely to default among those it declines (score > 0.5). */
export function mostDeclined(scores: Float32Array): number {
  let best = -1;
  for (let i = 0; i < scores.length; i++) if (scores[i]! > 0.5 && (best < 0 || scores[i]! > scores[best]!)) best = i;
  return Math.max(best, 0);
}

/**
 * A market change applied to a sample: credit limits cut by 30 %, bills up 80 %, and everyone's
 * most recent repayment status one month worse — the shifts a monitor must catch.
 */
export const SHIFTED_COLUMNS = ['LIMIT_BAL', 'BILL_AMT1', 'PAY_0'] as const;

export function marketShift(frame: ColumnFrame): ColumnFrame {
  return {
    rowCount: frame.rowCount,
    columns: frame.columns.map((c) => {
      if (c.kind !== 'numeric' || !(SHIFTED_COLUMNS as readonly string[]).includes(c.name)) return c;
      const values = Float64Array.from(c.values, (v) => (c.name === 'LIMIT_BAL' ? Math.round(v * 0.7) : c.name === 'BILL_AMT1' ? Math.round(v * 1.8) : Math.min(8, v + 1)));
      return numericColumn(c.name, values, c.dtype);
    }),
  };
}

/** The frame without the label and id columns (what a monitor sees at the endpoint). */
export function featuresOnly(frame: ColumnFrame): ColumnFrame {
  return { rowCount: frame.rowCount, columns: frame.columns.filter((c) => c.name !== LABEL && c.name !== ID_COLUMN) };
}

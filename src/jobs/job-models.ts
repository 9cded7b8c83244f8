/**
 * @module jobs/job-models
 * The two model formats jobs train and read: gradient-boosted trees as XGBoost JSON, and
 * logistic regression as its own JSON document. Scoring a frame takes the model's features by
 * name, so a model reads any dataset version that has its columns.
 */
import type { ColumnFrame, FeatureMatrix } from '../data/index.js';
import { toFeatureMatrix } from '../data/index.js';
import type { TreeEnsemble } from '../ml/gbdt/index.js';
import { parseXgboostModel, predict, serializeXgboostModel } from '../ml/gbdt/index.js';
import type { LogisticRegressionModel } from '../ml/linear/index.js';
import { predictLogistic } from '../ml/linear/index.js';
import { AppError } from '../kernel/index.js';

export const GBDT_MEDIA_TYPE = 'application/vnd.xgboost.model+json';
export const LOGISTIC_MEDIA_TYPE = 'application/vnd.attest.logistic-regression+json';

export type JobModel = { kind: 'gbdt'; featureNames: readonly string[]; ensemble: TreeEnsemble } | { kind: 'logistic'; featureNames: readonly string[]; logistic: LogisticRegressionModel };

export function parseJobModel(bytes: Buffer): JobModel {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new AppError('MODEL_INVALID', { message: 'The model artifact is not JSON (expected XGBoost JSON or a logistic regression document)' });
  }
  if (typeof parsed === 'object' && parsed !== null && (parsed as { kind?: unknown }).kind === 'logistic_regression') {
    const logistic = parsed as LogisticRegressionModel;
    return { kind: 'logistic', featureNames: logistic.featureNames, logistic };
  }
  const ensemble = parseXgboostModel(parsed);
  return { kind: 'gbdt', featureNames: ensemble.featureNames, ensemble };
}

export function serializeJobModel(model: JobModel): { bytes: Buffer; mediaType: string } {
  return model.kind === 'gbdt'
    ? { bytes: Buffer.from(serializeXgboostModel(model.ensemble)), mediaType: GBDT_MEDIA_TYPE }
    : { bytes: Buffer.from(`${JSON.stringify(model.logistic)}\n`), mediaType: LOGISTIC_MEDIA_TYPE };
}

/** A float64 design matrix for logistic regression from the float32 feature matrix. */
export function designMatrix(x: FeatureMatrix): { rows: number; cols: number; values: Float64Array } {
  return { rows: x.rows, cols: x.cols, values: Float64Array.from(x.values) };
}

/** Probability of the positive class per row (binary models). */
export function scoreFrame(model: JobModel, frame: ColumnFrame): { x: FeatureMatrix; scores: Float64Array } {
  const x = toFeatureMatrix(frame, model.featureNames);
  if (model.kind === 'logistic') return { x, scores: predictLogistic(model.logistic, designMatrix(x)) };
  if (model.ensemble.numGroups !== 1) throw new AppError('MODEL_UNSUPPORTED', { message: 'Jobs score binary and regression tree models; this model has several output groups' });
  return { x, scores: Float64Array.from(predict(model.ensemble, x)) };
}

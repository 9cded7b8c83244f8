/**
 * @module reproduce/training-rerun
 * The one function that re-runs a recorded training: booster parameters, seed, label and feature
 * columns as a training component recorded them, on the same data. Pure (frames in, model bytes
 * out), so a job runner can call it as it is.
 *
 * Recording convention for a reproducible training component: its parameters are the booster
 * parameters (XGBoost names, `seed` included) plus `label` (the label column) and `features`
 * (comma-separated feature columns, in model order); its inputs are dataset versions with the
 * roles `train` and, when early stopping or evaluation ran, `validation`; its output role `model`
 * is the serialized model. The quickstart records its training this way.
 */
import type { ColumnFrame } from '../data/index.js';
import { labelVector, toFeatureMatrix } from '../data/index.js';
import { AppError } from '../kernel/index.js';
import { parseBoosterParams, serializeXgboostModel, train } from '../ml/gbdt/index.js';
import type { ParameterValue } from '../tracking/index.js';

/**
 * Parameters of the recorded training component that are not booster parameters: the data ones,
 * and what a training job records besides (its id, type, attempt, isolation and its own options).
 */
const DATA_PARAMETERS = ['label', 'features', 'job', 'job_type', 'attempt', 'isolation', 'algorithm', 'exclude', 'model_name', 'penalty', 'C'] as const;

export interface RecordedTraining {
  readonly label: string;
  readonly features: readonly string[];
  /** Booster parameters exactly as recorded (XGBoost names). */
  readonly booster: Readonly<Record<string, ParameterValue>>;
}

/** Reads the recording convention above from a component's parameters. */
export function recordedTrainingOf(componentId: string, parameters: Readonly<Record<string, ParameterValue>>): RecordedTraining {
  const { label, features } = parameters;
  if (typeof label !== 'string' || typeof features !== 'string' || features.length === 0) {
    throw new AppError('TRAINING_NOT_RECORDED', { message: `Training component ${componentId} did not record its label and feature columns (parameters "label" and "features"), so it cannot be re-run` });
  }
  const booster = Object.fromEntries(Object.entries(parameters).filter(([k]) => !(DATA_PARAMETERS as readonly string[]).includes(k)));
  return { label, features: features.split(','), booster };
}

/** Trains again from the record on the given data and returns the serialized model (XGBoost JSON). */
export function retrainRecordedModel(record: RecordedTraining, data: { train: ColumnFrame; validation?: ColumnFrame }, onRound?: (round: number) => void): string {
  const params = parseBoosterParams(record.booster);
  const features = [...record.features];
  const matrix = (frame: ColumnFrame) => ({ x: toFeatureMatrix(frame, features), y: Float32Array.from(labelVector(frame, record.label)) });
  const trainSet = matrix(data.train);
  const result = train({ ...trainSet, featureNames: features }, params, {
    ...(data.validation ? { validation: matrix(data.validation) } : {}),
    ...(onRound ? { onRound: (round: number) => onRound(round) } : {}),
  });
  return serializeXgboostModel(result.model);
}

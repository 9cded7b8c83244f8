/**
 * @module cli/model-files
 * The model files the predict, evaluate and explain commands accept: an XGBoost JSON tree model
 * (Attest's own or XGBoost's) or a logistic regression saved by `attest model train --algorithm
 * logistic`, told apart by the logistic file's `"kind": "logistic_regression"`.
 */
import { readFileSync } from 'node:fs';
import { AppError } from '../kernel/index.js';
import type { TreeEnsemble } from '../ml/gbdt/index.js';
import type { LogisticRegressionModel } from '../ml/linear/index.js';
import { readModelFile, requireFile } from './files.js';

export type ScoringModel = { readonly kind: 'trees'; readonly model: TreeEnsemble } | { readonly kind: 'logistic'; readonly model: LogisticRegressionModel };

/** Reads either kind of model file; errors name the file. */
export async function readScoringModelFile(path: string): Promise<ScoringModel> {
  requireFile(path, 'Model file');
  const { isLogisticModelDocument, parseLogisticModel } = await import('../ml/linear/index.js');
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // Not JSON at all: the tree reader reports it in its own words.
    return { kind: 'trees', model: await readModelFile(path) };
  }
  if (!isLogisticModelDocument(doc)) return { kind: 'trees', model: await readModelFile(path) };
  try {
    return { kind: 'logistic', model: parseLogisticModel(doc) };
  } catch (error) {
    if (error instanceof AppError) throw new AppError(error.code, { message: `${path}: ${error.message}`, details: error.details, cause: error });
    throw error;
  }
}

/** The feature names a model expects, in its column order. */
export function modelFeatureNames(m: ScoringModel): readonly string[] {
  return m.model.featureNames;
}

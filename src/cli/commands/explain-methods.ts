/**
 * @module cli/commands/explain-methods
 * The other explainers of `attest explain shap`: interventional TreeSHAP against a background
 * sample (tree models, margin space) and model-agnostic KernelSHAP (any model, including a
 * logistic regression; output space chosen by --link). Both write the contributions CSV layout
 * of path-dependent TreeSHAP: `g:feature` columns then `g:BIAS`, where BIAS is the background's
 * expected value. KernelSHAP is seeded (--seed, default 0); the same inputs give the same file.
 */
import type { ColumnFrame, FeatureMatrix } from '../../data/index.js';
import { toFeatureMatrix } from '../../data/index.js';
import { AppError } from '../../kernel/index.js';
import type { Link, ModelFunction, ShapValues } from '../../ml/explain/index.js';
import { formatContributionsCsv, kernelShap, kmeansSummary, treeModelFunction, treeShap } from '../../ml/explain/index.js';
import { predictLogistic } from '../../ml/linear/index.js';
import type { ScoringModel } from '../model-files.js';

export type ShapMethod = 'tree' | 'interventional' | 'kernel';

export interface ShapMethodOptions {
  readonly method: ShapMethod;
  readonly background?: ColumnFrame;
  /** KernelSHAP: coalitions per row (default shap's 2M + 2048). */
  readonly nsamples?: number;
  readonly seed?: number;
  readonly link?: Link;
  /** KernelSHAP: summarise the background by this many weighted k-means centres first. */
  readonly backgroundClusters?: number;
}

function scorer(m: ScoringModel, group: number): ModelFunction {
  if (m.kind === 'trees') return treeModelFunction(m.model, group);
  const model = m.model;
  return (x: FeatureMatrix) => predictLogistic(model, { rows: x.rows, cols: x.cols, values: Float64Array.from(x.values) });
}

/** Contributions CSV of `frame` under `m` with the interventional or kernel method. */
export function explainWithBackground(m: ScoringModel, frame: ColumnFrame, options: ShapMethodOptions): { csv: string; rows: number } {
  const featureNames = m.model.featureNames;
  if (options.background === undefined) throw new AppError('INVALID_INPUT', { message: `--method ${options.method} needs --background FILE (rows the absent features are drawn from)` });
  const x = toFeatureMatrix(frame, featureNames);
  const background = toFeatureMatrix(options.background, featureNames);
  if (background.rows < 1) throw new AppError('INVALID_INPUT', { message: 'The background file has no rows' });
  if (options.method === 'interventional') {
    if (m.kind !== 'trees') throw new AppError('MODEL_UNSUPPORTED', { message: 'Interventional TreeSHAP explains tree models; use --method kernel for a logistic regression' });
    return { csv: formatContributionsCsv(treeShap(m.model, x, { background })), rows: x.rows };
  }
  let bg = background;
  let weights: Float64Array | undefined;
  if (options.backgroundClusters !== undefined) {
    const summary = kmeansSummary(background, options.backgroundClusters, { seed: options.seed ?? 0 });
    bg = summary.background;
    weights = summary.weights;
  }
  // multi:softmax class ids are explained through the class probabilities, one block per class.
  const groups = m.kind === 'trees' ? m.model.numGroups : 1;
  const width = featureNames.length + 1;
  const values = new Float64Array(x.rows * groups * width);
  const expectedValue = new Float64Array(groups);
  for (let g = 0; g < groups; g++) {
    const k = kernelShap(scorer(m, g), x, {
      background: bg,
      ...(weights !== undefined ? { backgroundWeights: weights } : {}),
      ...(options.nsamples !== undefined ? { nsamples: options.nsamples } : {}),
      seed: options.seed ?? 0,
      link: options.link ?? 'identity',
    });
    expectedValue[g] = k.expectedValue;
    for (let r = 0; r < x.rows; r++) values.set(k.values.subarray(r * width, (r + 1) * width), (r * groups + g) * width);
  }
  const shap: ShapValues = { rows: x.rows, groups, width, featureNames, values, expectedValue };
  return { csv: formatContributionsCsv(shap), rows: x.rows };
}

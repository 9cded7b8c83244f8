/**
 * @module ml/gbdt/train
 * Gradient boosting with XGBoost's `hist` algorithm and parameter semantics (algorithms-and-
 * formats.md §1.2 for base_score as in 1.7, §1.5 for the trainer): margins start at
 * ProbToMargin(base_score), each round computes float32 gradients from the float32 margin cache,
 * grows one tree per output group and adds its leaf values to the cache. Per-round metrics on the
 * training and validation sets, and early stopping on the validation set's last metric, follow
 * `xgb.train`. Same data, parameters and seed ⇒ the same model, bit for bit.
 */
import { availableParallelism } from 'node:os';
import { AppError, createRandom } from '../../kernel/index.js';
import { evalMetric, maximizes } from './eval-metrics.js';
import { sampleFeatures, sampleRows } from './feature-sampler.js';
import { baseMargin } from './model.js';
import type { Objective, Tree, TreeEnsemble } from './model.js';
import { checkLabels, computeGradients, softmax32 } from './objective.js';
import { defaultEvalMetric, parseBoosterParams } from './params.js';
import type { BoosterParams, EvalMetricName } from './params.js';
import type { FeatureMatrix } from './predict.js';
import { leafIndex, sigmoid32 } from './predict.js';
import { quantize } from './quantize.js';
import { TreeGrower } from './tree-grower.js';

/** Data size (rows × features) from which histograms are built on two threads by default. */
const TWO_THREADS_MIN_CELLS = 1_000_000;

/** Training rows: features (row-major float32, NaN = missing), labels, optional weights. */
export interface TrainingData {
  readonly x: FeatureMatrix;
  readonly y: Float32Array;
  readonly weight?: Float32Array;
  readonly featureNames: readonly string[];
}

/** A held-out set evaluated every round (and used for early stopping). */
export interface EvalData {
  readonly x: FeatureMatrix;
  readonly y: Float32Array;
  readonly weight?: Float32Array;
}

export interface TrainOptions {
  readonly validation?: EvalData;
  /** Called after each round with metrics named like XGBoost's log: `train-logloss`, `validation-auc`. */
  readonly onRound?: (round: number, metrics: Record<string, number>) => void;
  /** Evaluate metrics on the training rows each round (default true). */
  readonly evaluateTraining?: boolean;
  /**
   * Threads for histogram building: 1, or 2 (a worker thread; identical results). Default: 2
   * when the machine has two cores and the data has at least 1,000,000 cells (below that the worker's
   * hand-offs cost more than it saves; see histogram-builder).
   */
  readonly threads?: number;
}

/** Per data set ("train", "validation"), per metric, one value per round (XGBoost's `evals_result`). */
export type EvalLog = Record<string, Record<string, number[]>>;

export interface TrainResult {
  readonly model: TreeEnsemble;
  readonly evalLog: EvalLog;
  /** 0-based round with the best validation score under early stopping; the last round otherwise. */
  readonly bestIteration: number;
  readonly bestScore?: number;
  readonly params: BoosterParams;
}

function checkMatrix(x: FeatureMatrix, rows: number, cols: number, what: string): void {
  if (x.values.length !== x.rows * x.cols) throw new AppError('INVALID_INPUT', { message: `${what}: values hold ${x.values.length} numbers, expected rows × cols = ${x.rows * x.cols}` });
  if (x.rows !== rows) throw new AppError('INVALID_INPUT', { message: `${what}: ${x.rows} feature rows but ${rows} labels` });
  if (x.cols !== cols) throw new AppError('INVALID_INPUT', { message: `${what}: ${x.cols} feature columns, expected ${cols}` });
  for (let i = 0; i < x.values.length; i++) {
    const v = x.values[i]!;
    if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) {
      throw new AppError('INVALID_INPUT', { message: `${what}: infinite value in row ${Math.floor(i / x.cols) + 1}, column ${(i % x.cols) + 1}` });
    }
  }
}

function checkWeights(w: Float32Array | undefined, rows: number, what: string): void {
  if (w === undefined) return;
  if (w.length !== rows) throw new AppError('INVALID_INPUT', { message: `${what}: ${w.length} weights for ${rows} rows` });
  for (let i = 0; i < w.length; i++) {
    if (!(w[i]! >= 0) || !Number.isFinite(w[i]!)) throw new AppError('INVALID_INPUT', { message: `${what}: weight of row ${i + 1} must be a finite number >= 0` });
  }
}

/** Predictions as the metrics see them (probabilities for logistic and multiclass objectives). */
function toPredictions(objective: Objective, margins: Float32Array, groups: number, out: Float32Array): Float32Array {
  if (groups > 1) {
    const prob = new Float32Array(groups);
    for (let o = 0; o < margins.length; o += groups) {
      softmax32(margins, o, groups, prob);
      out.set(prob, o);
    }
  } else if (objective === 'reg:squarederror') {
    out.set(margins);
  } else {
    for (let i = 0; i < margins.length; i++) out[i] = sigmoid32(margins[i]!);
  }
  return out;
}

/**
 * Trains a gradient-boosted tree ensemble. `params` takes XGBoost names and aliases (see
 * {@link parseBoosterParams}); unspecified ones take XGBoost 1.7's defaults with `tree_method=hist`.
 */
export function train(data: TrainingData, params: Readonly<Record<string, unknown>> | BoosterParams, options: TrainOptions = {}): TrainResult {
  const p = parseBoosterParams(params as Record<string, unknown>);
  const { x, y } = data;
  if (x.rows < 1) throw new AppError('INVALID_INPUT', { message: 'Training data has no rows' });
  if (data.featureNames.length !== x.cols) throw new AppError('INVALID_INPUT', { message: `${data.featureNames.length} feature names for ${x.cols} columns` });
  checkMatrix(x, y.length, x.cols, 'Training data');
  checkWeights(data.weight, x.rows, 'Training data');
  const groups = p.objective.startsWith('multi:') ? p.num_class : 1;
  checkLabels(p.objective, y, groups);
  const validation = options.validation;
  if (validation !== undefined) {
    checkMatrix(validation.x, validation.y.length, x.cols, 'Validation data');
    checkWeights(validation.weight, validation.x.rows, 'Validation data');
    checkLabels(p.objective, validation.y, groups);
  }
  if (p.early_stopping_rounds !== undefined && validation === undefined) {
    throw new AppError('INVALID_INPUT', { message: 'early_stopping_rounds needs a validation set' });
  }

  const metrics: EvalMetricName[] = p.eval_metric ?? [defaultEvalMetric(p.objective)];
  for (const m of metrics) {
    const multiMetric = m === 'mlogloss' || m === 'merror';
    if (multiMetric !== groups > 1) throw new AppError('INVALID_INPUT', { message: `eval_metric ${m} does not apply to objective ${p.objective}` });
  }
  const evalSets: { name: string; set: EvalData; margins: Float32Array; pred: Float32Array }[] = [];
  const start = baseMargin({ objective: p.objective, baseScore: Math.fround(p.base_score) });
  const n = x.rows;
  const margins = new Float32Array(n * groups).fill(start);
  if (options.evaluateTraining !== false) evalSets.push({ name: 'train', set: data, margins, pred: new Float32Array(n * groups) });
  let valMargins: Float32Array | undefined;
  if (validation !== undefined) {
    valMargins = new Float32Array(validation.x.rows * groups).fill(start);
    evalSets.push({ name: 'validation', set: validation, margins: valMargins, pred: new Float32Array(valMargins.length) });
  }
  const evalLog: EvalLog = {};
  for (const s of evalSets) evalLog[s.name] = Object.fromEntries(metrics.map((m) => [m, [] as number[]]));

  const q = quantize(x, p.max_bin, data.weight);
  const f32 = Math.fround;
  const grower = new TreeGrower(
    q,
    {
      eta: f32(p.eta),
      gamma: f32(p.gamma),
      maxDepth: p.max_depth,
      minChildWeight: f32(p.min_child_weight),
      lambda: f32(p.lambda),
      alpha: f32(p.alpha),
      maxDeltaStep: f32(p.max_delta_step),
      colsampleBylevel: p.colsample_bylevel,
      colsampleBynode: p.colsample_bynode,
    },
    options.threads ?? (availableParallelism() >= 2 && x.rows * x.cols >= TWO_THREADS_MIN_CELLS ? 2 : 1),
  );
  try {
    const random = createRandom(p.seed);
    const rowRandom = random.fork();
    const colRandom = random.fork();
    const allFeatures = Int32Array.from({ length: x.cols }, (_, i) => i);
    const grad = new Float32Array(n * groups);
    const hess = new Float32Array(n * groups);
    // With subsample: all row ids, this round's drawn rows first (see sampleRows).
    const order = new Int32Array(p.subsample < 1 ? n : 0);
    const keep = new Uint8Array(order.length);
    const trees: Tree[] = [];
    const treeGroup: number[] = [];
    const stopMetric = metrics[metrics.length - 1]!;
    const maximize = maximizes(stopMetric);
    let bestIteration = 0;
    let bestScore: number | undefined;

    for (let round = 0; round < p.num_round; round++) {
      const sample = p.subsample < 1 ? { order, drawn: sampleRows(order, keep, p.subsample, rowRandom) } : undefined;
      computeGradients(p.objective, margins, y, data.weight, p.scale_pos_weight, groups, grad, hess, sample?.order.subarray(0, sample.drawn));
      for (let k = 0; k < groups; k++) {
        const treeFeatures = sampleFeatures(allFeatures, p.colsample_bytree, colRandom);
        const grown = grower.grow(grad, hess, groups, k, treeFeatures, colRandom, sample);
        const value = grown.tree.value;
        const rows = grown.rowIndex;
        for (const leaf of grown.leaves) {
          const v = value[leaf.node]!;
          for (let i = leaf.begin; i < leaf.end; i++) {
            const idx = rows[i]! * groups + k;
            margins[idx] = margins[idx]! + v;
          }
        }
        if (validation !== undefined && valMargins !== undefined) {
          const vx = validation.x;
          for (let r = 0, o = 0; r < vx.rows; r++, o += vx.cols) {
            const idx = r * groups + k;
            valMargins[idx] = valMargins[idx]! + value[leafIndex(grown.tree, vx.values, o)]!;
          }
        }
        trees.push(grown.tree);
        treeGroup.push(k);
      }

      const roundMetrics: Record<string, number> = {};
      for (const s of evalSets) {
        toPredictions(p.objective, s.margins, groups, s.pred);
        for (const m of metrics) {
          const v = evalMetric(m, s.pred, s.set.y, s.set.weight, groups);
          evalLog[s.name]![m]!.push(v);
          roundMetrics[`${s.name}-${m}`] = v;
        }
      }
      options.onRound?.(round, roundMetrics);
      if (p.early_stopping_rounds === undefined) {
        bestIteration = round;
        continue;
      }
      const score = evalLog.validation![stopMetric]![round]!;
      if (bestScore === undefined || (maximize ? score > bestScore : score < bestScore)) {
        bestScore = score;
        bestIteration = round;
      } else if (round - bestIteration >= p.early_stopping_rounds) {
        break;
      }
    }

    const attributes: Record<string, string> = {
      best_iteration: String(bestIteration),
      best_ntree_limit: String(bestIteration + 1),
    };
    if (bestScore !== undefined) attributes.best_score = String(bestScore);
    const model: TreeEnsemble = {
      objective: p.objective,
      featureNames: [...data.featureNames],
      featureTypes: [],
      numFeature: x.cols,
      numGroups: groups,
      baseScore: Math.fround(p.base_score),
      trees,
      treeGroup: Int32Array.from(treeGroup),
      attributes,
      objectiveParams: p.objective.startsWith('multi:') ? { num_class: String(groups) } : { scale_pos_weight: String(p.scale_pos_weight) },
    };
    return bestScore === undefined ? { model, evalLog, bestIteration, params: p } : { model, evalLog, bestIteration, bestScore, params: p };
  } finally {
    grower.close();
  }
}

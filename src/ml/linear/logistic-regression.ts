/**
 * @module ml/linear/logistic-regression
 * Regularised logistic regression, the interpretable baseline beside boosted trees.
 *
 * Inputs are standardised (column mean and population standard deviation, ddof 0; a constant column
 * keeps scale 1, as scikit-learn's StandardScaler does) and the model is fitted in that space, so the
 * penalty treats features alike. The objective follows scikit-learn's `LogisticRegression`
 * convention, with C the inverse regularisation strength (λ = 1/C):
 *   L2:   C·Σᵢ logloss(yᵢ, ηᵢ) + ½‖w‖²     L1:  C·Σᵢ logloss(yᵢ, ηᵢ) + ‖w‖₁     none:  Σᵢ logloss
 * with the intercept never penalised. Solvers are deterministic: Newton–Raphson (IRLS) with Armijo
 * backtracking for L2 and none (Nocedal & Wright, "Numerical Optimization", 2nd ed., Alg. 3.1), and a
 * proximal Newton method with cyclic coordinate descent for L1 (Friedman, Hastie & Tibshirani,
 * "Regularization paths for generalized linear models via coordinate descent", JSS 2010, §3).
 * Convergence: the largest absolute parameter change of a step falls below `tolerance` (default
 * 1e-10, in standardised units).
 *
 * Standard errors come from the inverse Hessian of the penalised negative log-likelihood at the
 * optimum, (XᵀWX + diag(0, 1/C, …))⁻¹ — the Fisher information, equal to statsmodels' `Logit`
 * covariance when unpenalised — mapped to original units by the linear change of variables
 * (delta method, exact here). L1 fits report no standard errors (the penalty is not differentiable).
 */
import { AppError, ensure } from '../../kernel/index.js';
import { choleskyFactor, choleskyInverse, choleskySolve } from './cholesky.js';
import { fitL1Path } from './logistic-l1.js';
import { backtrackingStep, linearPredictor, negativeLogLikelihood, type StandardizedProblem, sigmoid } from './logistic-objective.js';
import { twoSidedPValue } from './normal-distribution.js';

export type LogisticPenalty = 'l2' | 'l1' | 'none';

export interface LogisticRegressionOptions {
  /** Default 'l2'. */
  readonly penalty?: LogisticPenalty;
  /** Inverse regularisation strength (scikit-learn's C); default 1. Ignored for 'none'. */
  readonly C?: number;
  /** Default true. */
  readonly standardize?: boolean;
  /** Largest parameter change at convergence; default 1e-10. */
  readonly tolerance?: number;
  /** Default 100 Newton iterations. */
  readonly maxIterations?: number;
}

/** Design matrix: row-major `rows × cols` float64 values, no missing values. */
export interface DesignMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly values: Float64Array;
}

/** Wald inference for one coefficient in original units. */
export interface CoefficientStatistics {
  readonly name: string;
  readonly coefficient: number;
  readonly standardizedCoefficient: number;
  readonly oddsRatio: number;
  readonly standardError: number | null;
  readonly z: number | null;
  readonly pValue: number | null;
  /** 95% Wald interval of the odds ratio, exp(β ± 1.959964·SE). */
  readonly oddsRatioLower: number | null;
  readonly oddsRatioUpper: number | null;
}

/** A fitted model: plain data, JSON-serialisable. */
export interface LogisticRegressionModel {
  readonly kind: 'logistic_regression';
  readonly featureNames: readonly string[];
  readonly penalty: LogisticPenalty;
  readonly C: number | null;
  readonly means: readonly number[];
  readonly scales: readonly number[];
  readonly interceptStandardized: number;
  readonly coefficientsStandardized: readonly number[];
  readonly intercept: number;
  readonly coefficients: readonly number[];
  readonly oddsRatios: readonly number[];
  /** Standard errors in original units (intercept first), null for L1. */
  readonly standardErrors: readonly number[] | null;
  readonly standardErrorsStandardized: readonly number[] | null;
  readonly statistics: readonly CoefficientStatistics[];
  readonly interceptStatistics: Omit<CoefficientStatistics, 'name' | 'oddsRatioLower' | 'oddsRatioUpper' | 'oddsRatio' | 'standardizedCoefficient'>;
  readonly iterations: number;
  readonly tolerance: number;
  /** Penalised negative log-likelihood per scikit-learn's objective divided by C. */
  readonly objective: number;
}

const Z_975 = 1.959963984540054;

/** Column means and population standard deviations (1 for constant columns). */
function standardization(x: DesignMatrix, enabled: boolean): { means: Float64Array; scales: Float64Array } {
  const means = new Float64Array(x.cols);
  const scales = new Float64Array(x.cols).fill(1);
  if (!enabled) return { means, scales };
  for (let j = 0; j < x.cols; j++) {
    let sum = 0;
    for (let i = 0; i < x.rows; i++) sum += x.values[i * x.cols + j]!;
    const mean = sum / x.rows;
    let ss = 0;
    for (let i = 0; i < x.rows; i++) {
      const d = x.values[i * x.cols + j]! - mean;
      ss += d * d;
    }
    const sd = Math.sqrt(ss / x.rows);
    means[j] = mean;
    scales[j] = sd === 0 ? 1 : sd;
  }
  return { means, scales };
}

/** Gradient and Hessian of Σ logloss + (ridge/2)‖w‖² with respect to θ = [b, w]. */
function gradientHessian(prob: StandardizedProblem, eta: Float64Array, theta: Float64Array, ridge: number): { g: Float64Array; h: Float64Array } {
  const k = prob.p + 1;
  const g = new Float64Array(k);
  const h = new Float64Array(k * k);
  const { p, z } = prob;
  for (let i = 0; i < prob.n; i++) {
    const mu = sigmoid(eta[i]!);
    const r = mu - prob.y[i]!;
    const w = mu * (1 - mu);
    const off = i * p;
    // Lower triangle of the weighted outer product of [1, zᵢ]; index 0 is the intercept.
    g[0]! += r;
    h[0]! += w;
    for (let a = 0; a < p; a++) {
      const za = z[off + a]!;
      g[a + 1]! += r * za;
      const wa = w * za;
      const rowBase = (a + 1) * k;
      h[rowBase]! += wa;
      for (let b = 0; b <= a; b++) h[rowBase + b + 1]! += wa * z[off + b]!;
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) h[b * k + a] = h[a * k + b]!;
  for (let j = 1; j < k; j++) {
    g[j]! += ridge * theta[j]!;
    h[j * k + j]! += ridge;
  }
  return { g, h };
}

/** Damped Newton on Σ logloss + (ridge/2)‖w‖²; returns θ and the iteration count. */
function fitNewton(prob: StandardizedProblem, ridge: number, tolerance: number, maxIterations: number): { theta: Float64Array; iterations: number } {
  const k = prob.p + 1;
  let theta = new Float64Array(k);
  const eta = new Float64Array(prob.n);
  const trialEta = new Float64Array(prob.n);
  const objective = (t: Float64Array, e: Float64Array): number => {
    let pen = 0;
    for (let j = 1; j < k; j++) pen += t[j]! * t[j]!;
    return negativeLogLikelihood(prob, e) + 0.5 * ridge * pen;
  };
  linearPredictor(prob, theta, eta);
  let f = objective(theta, eta);
  for (let iter = 1; iter <= maxIterations; iter++) {
    const { g, h } = gradientHessian(prob, eta, theta, ridge);
    let factor: Float64Array;
    try {
      factor = choleskyFactor(h, k);
    } catch (cause) {
      throw new AppError('TRAINING_FAILED', {
        message: 'Logistic regression did not converge: the Hessian became singular (perfectly separated classes need a penalty; collinear features need removing)',
        cause,
      });
    }
    const step = choleskySolve(factor, k, g);
    // The Newton direction is −H⁻¹g (θ + t·(−s) rounds exactly as θ − t·s).
    const direction = step.map((v) => -v);
    let slope = 0;
    let fullChange = 0;
    for (let a = 0; a < k; a++) {
      slope -= g[a]! * step[a]!;
      fullChange = Math.max(fullChange, Math.abs(step[a]!));
    }
    const accepted = backtrackingStep(prob, theta, direction, f, slope, objective, trialEta);
    theta = accepted.theta;
    f = accepted.f;
    eta.set(trialEta);
    // Converged when the full Newton step is below the tolerance (quadratic convergence: the step
    // taken then leaves an error far below it).
    if (fullChange <= tolerance) return { theta, iterations: iter };
    if (!Number.isFinite(f) || theta.some((v) => !Number.isFinite(v))) break;
  }
  throw new AppError('TRAINING_FAILED', {
    message: `Logistic regression did not converge in ${maxIterations} iterations (perfectly separated classes need a penalty)`,
  });
}

/**
 * Fits a logistic regression of 0/1 labels on the columns of `x`.
 * @example
 * const model = fitLogisticRegression({ rows: 4, cols: 1, values: Float64Array.of(0, 1, 2, 3) }, Float64Array.of(0, 0, 1, 1), ['x'], { C: 1 });
 * predictLogistic(model, { rows: 1, cols: 1, values: Float64Array.of(1.5) }); // ≈ 0.5
 */
export function fitLogisticRegression(
  x: DesignMatrix,
  labels: ArrayLike<number>,
  featureNames: readonly string[],
  options: LogisticRegressionOptions = {},
): LogisticRegressionModel {
  const penalty = options.penalty ?? 'l2';
  const C = options.C ?? 1;
  const tolerance = options.tolerance ?? 1e-10;
  const maxIterations = options.maxIterations ?? 100;
  ensure(x.values.length === x.rows * x.cols, 'design matrix size does not match rows × cols');
  ensure(labels.length === x.rows, `labels (${labels.length}) and rows (${x.rows}) differ in length`);
  ensure(featureNames.length === x.cols, 'one feature name per column is required');
  ensure(x.rows > 0, 'no rows to fit');
  ensure(penalty === 'none' || (Number.isFinite(C) && C > 0), 'C must be a positive number');
  ensure(['l1', 'l2', 'none'].includes(penalty), `unknown penalty ${penalty}`);
  for (let i = 0; i < x.values.length; i++) {
    ensure(Number.isFinite(x.values[i]), `row ${Math.floor(i / x.cols)}, column ${featureNames[i % x.cols]}: missing or non-finite value`, 'INVALID_INPUT', {
      row: Math.floor(i / x.cols),
      column: featureNames[i % x.cols],
    });
  }
  const y = Float64Array.from(labels);
  ensure(
    y.every((v) => v === 0 || v === 1),
    'labels must be 0 or 1',
  );
  const { means, scales } = standardization(x, options.standardize ?? true);
  const z = new Float64Array(x.values.length);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) z[i * x.cols + j] = (x.values[i * x.cols + j]! - means[j]!) / scales[j]!;
  const prob: StandardizedProblem = { n: x.rows, p: x.cols, z, y };
  const ridge = penalty === 'l2' ? 1 / C : 0;
  const fit = penalty === 'l1' ? fitL1Path(prob, 1 / C, tolerance, maxIterations) : fitNewton(prob, ridge, tolerance, maxIterations);
  return summarize(prob, fit.theta, fit.iterations, { penalty, C, ridge, tolerance, featureNames, means, scales });
}

function summarize(
  prob: StandardizedProblem,
  theta: Float64Array,
  iterations: number,
  ctx: { penalty: LogisticPenalty; C: number; ridge: number; tolerance: number; featureNames: readonly string[]; means: Float64Array; scales: Float64Array },
): LogisticRegressionModel {
  const { p } = prob;
  const k = p + 1;
  const eta = new Float64Array(prob.n);
  linearPredictor(prob, theta, eta);
  let l1 = 0;
  let l2 = 0;
  for (let j = 1; j < k; j++) {
    l1 += Math.abs(theta[j]!);
    l2 += theta[j]! * theta[j]!;
  }
  const nll = negativeLogLikelihood(prob, eta);
  const objective = ctx.penalty === 'l1' ? nll + l1 / ctx.C : nll + 0.5 * ctx.ridge * l2;
  // Original units: β_j = w_j / s_j, β₀ = b − Σ w_j m_j / s_j, i.e. β = T·θ.
  const t = new Float64Array(k * k);
  t[0] = 1;
  for (let j = 0; j < p; j++) {
    t[j + 1] = -ctx.means[j]! / ctx.scales[j]!;
    t[(j + 1) * k + j + 1] = 1 / ctx.scales[j]!;
  }
  const beta = new Float64Array(k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) beta[a]! += t[a * k + b]! * theta[b]!;
  let se: Float64Array | null = null;
  let seStd: Float64Array | null = null;
  if (ctx.penalty !== 'l1') {
    const { h } = gradientHessian(prob, eta, theta, ctx.ridge);
    const cov = choleskyInverse(choleskyFactor(h, k), k);
    seStd = Float64Array.from({ length: k }, (_, a) => Math.sqrt(cov[a * k + a]!));
    se = new Float64Array(k);
    for (let a = 0; a < k; a++) {
      // (T·Cov·Tᵀ)_aa
      let v = 0;
      for (let b = 0; b < k; b++) for (let c = 0; c < k; c++) v += t[a * k + b]! * cov[b * k + c]! * t[a * k + c]!;
      se[a] = Math.sqrt(v);
    }
  }
  const stat = (a: number) => {
    const s = se === null ? null : se[a]!;
    const zv = s === null ? null : beta[a]! / s;
    return { coefficient: beta[a]!, standardError: s, z: zv, pValue: zv === null ? null : twoSidedPValue(zv) };
  };
  const statistics: CoefficientStatistics[] = ctx.featureNames.map((name, j) => {
    const base = stat(j + 1);
    return {
      name,
      ...base,
      standardizedCoefficient: theta[j + 1]!,
      oddsRatio: Math.exp(base.coefficient),
      oddsRatioLower: base.standardError === null ? null : Math.exp(base.coefficient - Z_975 * base.standardError),
      oddsRatioUpper: base.standardError === null ? null : Math.exp(base.coefficient + Z_975 * base.standardError),
    };
  });
  return {
    kind: 'logistic_regression',
    featureNames: [...ctx.featureNames],
    penalty: ctx.penalty,
    C: ctx.penalty === 'none' ? null : ctx.C,
    means: Array.from(ctx.means),
    scales: Array.from(ctx.scales),
    interceptStandardized: theta[0]!,
    coefficientsStandardized: Array.from(theta.subarray(1)),
    intercept: beta[0]!,
    coefficients: Array.from(beta.subarray(1)),
    oddsRatios: Array.from(beta.subarray(1), Math.exp),
    standardErrors: se === null ? null : Array.from(se),
    standardErrorsStandardized: seStd === null ? null : Array.from(seStd),
    statistics,
    interceptStatistics: stat(0),
    iterations,
    tolerance: ctx.tolerance,
    objective,
  };
}

/** Linear predictor (log-odds) for each row of `x` (columns in the model's feature order). */
export function logisticMargin(model: LogisticRegressionModel, x: DesignMatrix): Float64Array {
  const p = model.featureNames.length;
  ensure(x.cols === p, `expected ${p} columns, got ${x.cols}`);
  ensure(x.values.length === x.rows * p, 'design matrix size does not match rows × cols');
  const out = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    // Evaluated in standardised units, where the fit was made, to keep rounding small.
    let eta = model.interceptStandardized;
    for (let j = 0; j < p; j++) eta += model.coefficientsStandardized[j]! * ((x.values[i * p + j]! - model.means[j]!) / model.scales[j]!);
    out[i] = eta;
  }
  return out;
}

/** Probability of class 1 for each row of `x` (columns in the model's feature order). */
export function predictLogistic(model: LogisticRegressionModel, x: DesignMatrix): Float64Array {
  return logisticMargin(model, x).map(sigmoid);
}

/**
 * The model as a black-box scorer for KernelSHAP and other model-agnostic explainers: a row-major
 * matrix with the model's columns in, one probability (or logit, with `link: 'logit'`) per row out.
 */
export function logisticScorer(model: LogisticRegressionModel, link: 'identity' | 'logit' = 'identity'): (x: DesignMatrix) => Float64Array {
  return (x) => (link === 'identity' ? predictLogistic(model, x) : logisticMargin(model, x));
}

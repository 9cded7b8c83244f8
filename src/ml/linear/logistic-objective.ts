/**
 * @module ml/linear/logistic-objective
 * The logistic log-likelihood pieces both solvers share, in standardised space.
 */

/** log(1 + e^η) without overflow. */
export function softplus(eta: number): number {
  return eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
}

export function sigmoid(eta: number): number {
  return eta >= 0 ? 1 / (1 + Math.exp(-eta)) : Math.exp(eta) / (1 + Math.exp(eta));
}

/** The problem in standardised space, shared by the solvers. */
export interface StandardizedProblem {
  readonly n: number;
  readonly p: number;
  /** Row-major n × p standardised values. */
  readonly z: Float64Array;
  readonly y: Float64Array;
}

/** η = b + Z·w for θ = [b, w]. */
export function linearPredictor(prob: StandardizedProblem, theta: Float64Array, out: Float64Array): void {
  for (let i = 0; i < prob.n; i++) {
    let eta = theta[0]!;
    for (let j = 0; j < prob.p; j++) eta += prob.z[i * prob.p + j]! * theta[j + 1]!;
    out[i] = eta;
  }
}

/** Σ logloss(y, η). */
export function negativeLogLikelihood(prob: StandardizedProblem, eta: Float64Array): number {
  let f = 0;
  for (let i = 0; i < prob.n; i++) f += softplus(eta[i]!) - prob.y[i]! * eta[i]!;
  return f;
}


/**
 * One backtracking line search (Armijo rule, c = 1e-4; Nocedal & Wright, Numerical Optimization,
 * Algorithm 3.1) from θ along `direction`, where f is the objective at θ and `slope` its directional
 * derivative: t halves from 1 until f(θ + t·d) ≤ f + 1e-4·t·slope, or the change is within
 * rounding noise (near the optimum the slope is ≈ 0), for at most 60 halvings. Returns the last
 * point tried, with its objective when accepted (f otherwise); `trialEta` holds its linear predictor.
 */
export function backtrackingStep(
  prob: StandardizedProblem,
  theta: Float64Array,
  direction: Float64Array,
  f: number,
  slope: number,
  objective: (theta: Float64Array, eta: Float64Array) => number,
  trialEta: Float64Array,
): { theta: Float64Array<ArrayBuffer>; f: number } {
  const k = theta.length;
  const trial = new Float64Array(k);
  let t = 1;
  for (let halvings = 0; halvings < 60; halvings++) {
    for (let a = 0; a < k; a++) trial[a] = theta[a]! + t * direction[a]!;
    linearPredictor(prob, trial, trialEta);
    const fTrial = objective(trial, trialEta);
    if (fTrial <= f + 1e-4 * t * slope || fTrial - f <= 1e-13 * Math.abs(f)) return { theta: trial, f: fTrial };
    t /= 2;
  }
  return { theta: trial, f };
}

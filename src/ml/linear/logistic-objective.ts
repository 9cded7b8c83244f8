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


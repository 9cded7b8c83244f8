/**
 * @module ml/explain/weighted-least-squares
 * Solves the small weighted least-squares problems of KernelSHAP through the normal equations
 * (XᵀWX)β = XᵀWy (as shap's KernelExplainer does), by Gaussian elimination with partial pivoting
 * in double precision. Directions with a negligible pivot (collinear or absent players) get 0,
 * a minimum-norm-like choice instead of a failure.
 */

/** β minimising Σ_i w_i (y_i − x_iᵀβ)², with X given row-major (n × p). */
export function weightedLeastSquares(X: Float64Array, y: Float64Array, w: Float64Array, n: number, p: number): Float64Array {
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    const row = i * p;
    for (let j = 0; j < p; j++) {
      const xj = X[row + j]! * wi;
      if (xj === 0) continue;
      b[j]! += xj * y[i]!;
      for (let k = j; k < p; k++) A[j * p + k]! += xj * X[row + k]!;
    }
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) A[j * p + k] = A[k * p + j]!;
  let scale = 0;
  for (let j = 0; j < p; j++) scale = Math.max(scale, Math.abs(A[j * p + j]!));
  const tol = scale * 1e-13;
  for (let c = 0; c < p; c++) {
    let best = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(A[r * p + c]!) > Math.abs(A[best * p + c]!)) best = r;
    if (best !== c) {
      for (let k = 0; k < p; k++) {
        const t = A[c * p + k]!;
        A[c * p + k] = A[best * p + k]!;
        A[best * p + k] = t;
      }
      const t = b[c]!;
      b[c] = b[best]!;
      b[best] = t;
    }
    const pivot = A[c * p + c]!;
    if (Math.abs(pivot) <= tol) continue;
    for (let r = c + 1; r < p; r++) {
      const f = A[r * p + c]! / pivot;
      if (f === 0) continue;
      for (let k = c; k < p; k++) A[r * p + k]! -= f * A[c * p + k]!;
      b[r]! -= f * b[c]!;
    }
  }
  const beta = new Float64Array(p);
  for (let c = p - 1; c >= 0; c--) {
    const pivot = A[c * p + c]!;
    if (Math.abs(pivot) <= tol) continue;
    let s = b[c]!;
    for (let k = c + 1; k < p; k++) s -= A[c * p + k]! * beta[k]!;
    beta[c] = s / pivot;
  }
  return beta;
}

/**
 * @module ml/linear/cholesky
 * Dense Cholesky factorisation for the small symmetric positive-definite systems of Newton's
 * method (Golub & Van Loan, "Matrix Computations", 4th ed., Algorithm 4.2.1). Row-major k × k.
 */
import { AppError } from '../../kernel/index.js';

/** Lower-triangular L with A = L·Lᵀ; throws when A is not positive definite. */
export function choleskyFactor(a: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    let d = a[j * k + j]!;
    for (let m = 0; m < j; m++) d -= l[j * k + m]! * l[j * k + m]!;
    if (!(d > 0)) throw new AppError('TRAINING_FAILED', { message: 'The Hessian is not positive definite (collinear or constant features?)' });
    const root = Math.sqrt(d);
    l[j * k + j] = root;
    for (let i = j + 1; i < k; i++) {
      let s = a[i * k + j]!;
      for (let m = 0; m < j; m++) s -= l[i * k + m]! * l[j * k + m]!;
      l[i * k + j] = s / root;
    }
  }
  return l;
}

/** Solves L·Lᵀ·x = b. */
export function choleskySolve(l: Float64Array, k: number, b: Float64Array): Float64Array {
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let m = 0; m < i; m++) s -= l[i * k + m]! * y[m]!;
    y[i] = s / l[i * k + i]!;
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let m = i + 1; m < k; m++) s -= l[m * k + i]! * x[m]!;
    x[i] = s / l[i * k + i]!;
  }
  return x;
}

/** A⁻¹ from its Cholesky factor, column by column. */
export function choleskyInverse(l: Float64Array, k: number): Float64Array {
  const inv = new Float64Array(k * k);
  const e = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    e.fill(0);
    e[c] = 1;
    const col = choleskySolve(l, k, e);
    for (let r = 0; r < k; r++) inv[r * k + c] = col[r]!;
  }
  return inv;
}

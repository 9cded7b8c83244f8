/**
 * @module ml/gbdt/objective
 * First and second order gradients of XGBoost's objectives, in float32 as XGBoost computes them
 * (algorithms-and-formats.md §1.5; XGBoost 1.7 `regression_loss.h`, `multiclass_obj`), and the
 * label checks each objective needs.
 */
import { AppError } from '../../kernel/index.js';
import type { Objective } from './model.js';

const EPS_HESS = Math.fround(1e-16);

/** Rejects labels the objective cannot learn from (INVALID_INPUT naming the first bad row). */
export function checkLabels(objective: Objective, y: Float32Array, numClass: number): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    let ok = Number.isFinite(v);
    if (ok && (objective === 'binary:logistic' || objective === 'binary:logitraw' || objective === 'reg:logistic')) ok = v >= 0 && v <= 1;
    if (ok && objective.startsWith('multi:')) ok = Number.isInteger(v) && v >= 0 && v < numClass;
    if (!ok) {
      const expected = objective.startsWith('multi:') ? `an integer class in [0, ${numClass})` : objective === 'reg:squarederror' ? 'a finite number' : 'a number in [0, 1]';
      throw new AppError('INVALID_INPUT', { message: `Label of row ${i + 1} is ${v}; ${objective} needs ${expected}`, details: { row: i + 1 } });
    }
  }
}

/**
 * Fills `grad`/`hess` (`rows * groups` long, row-major by group) from the current margins.
 * `weight` is the per-row sample weight (or undefined for 1); `scalePosWeight` multiplies the
 * weight of rows labelled 1 for the logistic objectives. When `drawn` (row ids) is given, only
 * those rows get gradient pairs and all others zero pairs (XGBoost's treatment of rows not drawn
 * by subsample).
 */
export function computeGradients(
  objective: Objective,
  margins: Float32Array,
  y: Float32Array,
  weight: Float32Array | undefined,
  scalePosWeight: number,
  groups: number,
  grad: Float32Array,
  hess: Float32Array,
  drawn?: Int32Array,
): void {
  if (drawn !== undefined) {
    grad.fill(0);
    hess.fill(0);
  }
  const rows = drawn === undefined ? y.length : drawn.length;
  const spw = Math.fround(scalePosWeight);
  switch (objective) {
    case 'binary:logistic':
    case 'binary:logitraw':
    case 'reg:logistic':
      if (weight === undefined && spw === 1) {
        logisticUnweighted(margins, y, grad, hess, drawn);
        return;
      }
      for (let i = 0; i < rows; i++) {
        const r = drawn === undefined ? i : drawn[i]!;
        const label = y[r]!;
        let w = weight === undefined ? 1 : weight[r]!;
        if (label === 1) w = Math.fround(w * spw);
        // 1.7's float sigmoid: 1 / (1 + expf(min(-x, 88.7))).
        const p = Math.fround(1 / Math.fround(Math.fround(Math.exp(Math.fround(Math.min(-margins[r]!, 88.7)))) + 1));
        grad[r] = Math.fround(Math.fround(p - label) * w);
        hess[r] = Math.fround(Math.max(Math.fround(p * Math.fround(1 - p)), EPS_HESS) * w);
      }
      break;
    case 'reg:squarederror':
      for (let i = 0; i < rows; i++) {
        const r = drawn === undefined ? i : drawn[i]!;
        const w = weight === undefined ? 1 : weight[r]!;
        grad[r] = Math.fround(Math.fround(margins[r]! - y[r]!) * w);
        hess[r] = w;
      }
      break;
    case 'multi:softprob':
    case 'multi:softmax': {
      const prob = new Float32Array(groups);
      for (let i = 0; i < rows; i++) {
        const r = drawn === undefined ? i : drawn[i]!;
        const o = r * groups;
        const w = weight === undefined ? 1 : weight[r]!;
        softmax32(margins, o, groups, prob);
        const label = y[r]!;
        for (let k = 0; k < groups; k++) {
          const p = prob[k]!;
          const h = Math.fround(Math.fround(Math.fround(Math.fround(2 * p) * Math.fround(1 - p))) * w);
          grad[o + k] = Math.fround((k === label ? Math.fround(p - 1) : p) * w);
          hess[o + k] = Math.max(h, EPS_HESS);
        }
      }
      break;
    }
  }
}

/**
 * The logistic loop without sample weights (the common case; multiplying by 1 changes nothing).
 * Over a list of drawn rows rather than a per-row test: the test mispredicts on every row left out.
 */
function logisticUnweighted(margins: Float32Array, y: Float32Array, grad: Float32Array, hess: Float32Array, drawn: Int32Array | undefined): void {
  const rows = drawn === undefined ? y.length : drawn.length;
  for (let i = 0; i < rows; i++) {
    const r = drawn === undefined ? i : drawn[i]!;
    const p = Math.fround(1 / Math.fround(Math.fround(Math.exp(Math.fround(Math.min(-margins[r]!, 88.7)))) + 1));
    grad[r] = Math.fround(p - y[r]!);
    hess[r] = Math.max(Math.fround(p * Math.fround(1 - p)), EPS_HESS);
  }
}

/** float32 softmax of `groups` margins starting at `offset`, written to `out`. */
export function softmax32(margins: Float32Array, offset: number, groups: number, out: Float32Array): void {
  let max = margins[offset]!;
  for (let k = 1; k < groups; k++) max = Math.max(max, margins[offset + k]!);
  let sum = 0;
  for (let k = 0; k < groups; k++) {
    const e = Math.fround(Math.exp(Math.fround(margins[offset + k]! - max)));
    out[k] = e;
    sum = Math.fround(sum + e);
  }
  for (let k = 0; k < groups; k++) out[k] = Math.fround(out[k]! / sum);
}

/**
 * @module monitoring/calibration
 * Score calibration for label-free performance estimation: isotonic regression by pool-adjacent-
 * violators (Ayer et al. 1955; predictions interpolated linearly between fitted points and clipped
 * at the ends, as scikit-learn's `IsotonicRegression(out_of_bounds='clip')`), Platt scaling
 * (Platt 1999: p = 1/(1+exp(A·s+B)) fitted by Newton's method on the log-loss), and the expected
 * calibration error used to warn about poorly calibrated scores.
 */

export interface Calibrator {
  readonly method: 'isotonic' | 'platt' | 'none';
  predict(score: number): number;
}

/** Isotonic regression of labels on scores (ties pooled first). */
export function fitIsotonic(scores: Float64Array, labels: Float64Array): Calibrator {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a]! - scores[b]!);
  const xs: number[] = [];
  const ys: number[] = [];
  const ws: number[] = [];
  for (const i of order) {
    const x = scores[i]!;
    if (xs.length > 0 && xs[xs.length - 1] === x) {
      const k = ys.length - 1;
      ys[k] = (ys[k]! * ws[k]! + labels[i]!) / (ws[k]! + 1);
      ws[k] = ws[k]! + 1;
    } else {
      xs.push(x);
      ys.push(labels[i]!);
      ws.push(1);
    }
  }
  // Pool adjacent violators over blocks.
  const bv: number[] = [];
  const bw: number[] = [];
  const bn: number[] = [];
  for (let i = 0; i < ys.length; i++) {
    bv.push(ys[i]!);
    bw.push(ws[i]!);
    bn.push(1);
    while (bv.length > 1 && bv[bv.length - 2]! > bv[bv.length - 1]!) {
      const v = bv.pop()!;
      const w = bw.pop()!;
      const n = bn.pop()!;
      const k = bv.length - 1;
      bv[k] = (bv[k]! * bw[k]! + v * w) / (bw[k]! + w);
      bw[k] = bw[k]! + w;
      bn[k] = bn[k]! + n;
    }
  }
  const fitted = new Float64Array(xs.length);
  let p = 0;
  bv.forEach((v, b) => {
    for (let j = 0; j < bn[b]!; j++) fitted[p++] = v;
  });
  const X = Float64Array.from(xs);
  return {
    method: 'isotonic',
    predict(score: number): number {
      if (X.length === 0) return Number.NaN;
      if (score <= X[0]!) return fitted[0]!;
      if (score >= X[X.length - 1]!) return fitted[X.length - 1]!;
      let lo = 0;
      let hi = X.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (X[mid]! <= score) lo = mid;
        else hi = mid;
      }
      const t = (score - X[lo]!) / (X[hi]! - X[lo]!);
      return fitted[lo]! + t * (fitted[hi]! - fitted[lo]!);
    },
  };
}

/** The identity (scores already probabilities), clipped to [0, 1]. */
export const IDENTITY_CALIBRATOR: Calibrator = { method: 'none', predict: (s: number) => Math.min(1, Math.max(0, s)) };

/**
 * Platt scaling with Platt's smoothed targets. Scores inside (0, 1) are taken as probabilities and
 * mapped to their logit first (so the fit can be the identity); other scores are used as they are.
 */
export function fitPlatt(rawScores: Float64Array, labels: Float64Array): Calibrator {
  const probabilities = rawScores.every((s) => s > 0 && s < 1);
  const feature = (s: number): number => (probabilities ? Math.log(Math.min(1 - 1e-15, Math.max(1e-15, s)) / (1 - Math.min(1 - 1e-15, Math.max(1e-15, s)))) : s);
  const scores = rawScores.map(feature);
  let pos = 0;
  for (const y of labels) pos += y;
  const neg = labels.length - pos;
  const hiT = (pos + 1) / (pos + 2);
  const loT = 1 / (neg + 2);
  let A = 0;
  let B = Math.log((neg + 1) / (pos + 1));
  for (let it = 0; it < 100; it++) {
    let gA = 0;
    let gB = 0;
    let hAA = 1e-12;
    let hAB = 0;
    let hBB = 1e-12;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      const t = labels[i]! > 0.5 ? hiT : loT;
      const p = 1 / (1 + Math.exp(A * s + B));
      const d = t - p;
      gA += d * s;
      gB += d;
      const w = p * (1 - p);
      hAA += w * s * s;
      hAB += w * s;
      hBB += w;
    }
    const det = hAA * hBB - hAB * hAB;
    const dA = (hBB * gA - hAB * gB) / det;
    const dB = (-hAB * gA + hAA * gB) / det;
    A -= dA;
    B -= dB;
    if (Math.abs(dA) < 1e-12 && Math.abs(dB) < 1e-12) break;
  }
  return { method: 'platt', predict: (s: number) => 1 / (1 + Math.exp(A * feature(s) + B)) };
}

/** Expected calibration error over `bins` equal-frequency bins: Σ (n_b/n)·|mean(p) − mean(y)|. */
export function expectedCalibrationError(probabilities: Float64Array, labels: Float64Array, bins = 10): number {
  const order = Array.from(probabilities.keys()).sort((a, b) => probabilities[a]! - probabilities[b]!);
  const n = order.length;
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const from = Math.floor((b * n) / bins);
    const to = Math.floor(((b + 1) * n) / bins);
    if (to <= from) continue;
    let sp = 0;
    let sy = 0;
    for (let j = from; j < to; j++) {
      sp += probabilities[order[j]!]!;
      sy += labels[order[j]!]!;
    }
    ece += Math.abs(sp - sy) / n;
  }
  return ece;
}

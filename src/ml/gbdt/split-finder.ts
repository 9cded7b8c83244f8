/**
 * @module ml/gbdt/split-finder
 * Split search of XGBoost's `hist` updater for one node (algorithms-and-formats.md §1.5 "Split
 * search"; XGBoost 1.7 `evaluate_splits.h`): per feature a forward scan over the bins with
 * missing values going right, then — only when the feature's bin sums differ from the node's
 * sums, i.e. some rows are missing — a backward scan with missing values going left. A candidate
 * needs both sides' hessian >= min_child_weight; its loss_chg is the float32 sum of the two
 * children's scores minus the parent's (un-halved, γ not subtracted). A later candidate replaces
 * the best only when strictly better, so ties go to the lower feature and the earlier bin.
 */
import type { QuantizedMatrix } from './quantize.js';
import { calcGain } from './split-math.js';
import type { SplitParams } from './split-math.js';

/** The best split found for a node (feature -1: none). */
export interface SplitCandidate {
  loss: number;
  feature: number;
  /** Rows with bin <= splitBin go left (-1: none do). */
  splitBin: number;
  defaultLeft: number;
  threshold: number;
  gl: number;
  hl: number;
  gr: number;
  hr: number;
}

function set(c: SplitCandidate, loss: number, feature: number, splitBin: number, defaultLeft: number, threshold: number, gl: number, hl: number, gr: number, hr: number): void {
  c.loss = loss;
  c.feature = feature;
  c.splitBin = splitBin;
  c.defaultLeft = defaultLeft;
  c.threshold = threshold;
  c.gl = gl;
  c.hl = hl;
  c.gr = gr;
  c.hr = hr;
}

/**
 * Best split of a node with gradient sums (G, H) and structure score `rootGain`, from its
 * histogram (`hist[2 * (slotPtr[f] + bin)]` = gradient sum, `+ 1` = hessian sum), over `features`.
 */
export function findBestSplit(
  q: QuantizedMatrix,
  slotPtr: Int32Array,
  p: SplitParams,
  hist: Float64Array,
  G: number,
  H: number,
  rootGain: number,
  features: Int32Array,
): SplitCandidate {
  const mcw = p.minChildWeight;
  const lambda = p.lambda;
  const alpha = p.alpha;
  // Without max_delta_step the gain is T(G)²/(H+λ) in float64 rounded to float32 (split-math
  // calcGain); it is inlined here because this loop runs for every bin of every node.
  const plain = p.maxDeltaStep === 0;
  // Without alpha, T(G) = G exactly (G - 0 and G + 0 are G; a zero squares to 0 either way), and
  // skipping the sign tests saves two data-dependent, often mispredicted, branches per bin.
  const plainNoAlpha = plain && alpha === 0;
  const best: SplitCandidate = { loss: 0, feature: -1, splitBin: 0, defaultLeft: 0, threshold: 0, gl: 0, hl: 0, gr: 0, hr: 0 };
  const cuts = q.cuts;
  for (let k = 0; k < features.length; k++) {
    const f = features[k]!;
    const base = slotPtr[f]!;
    const cutBase = q.cutPtr[f]!;
    const nb = q.cutPtr[f + 1]! - cutBase;
    let gl = 0;
    let hl = 0;
    for (let b = 0; b < nb; b++) {
      gl += hist[2 * (base + b)]!;
      hl += hist[2 * (base + b) + 1]!;
      if (hl < mcw) continue;
      const gr = G - gl;
      const hr = H - hl;
      if (hr < mcw) continue;
      let gain: number;
      if (plainNoAlpha) {
        gain = Math.fround(Math.fround((gl * gl) / (hl + lambda)) + Math.fround((gr * gr) / (hr + lambda)));
      } else if (plain) {
        const tl = gl > alpha ? gl - alpha : gl < -alpha ? gl + alpha : 0;
        const tr = gr > alpha ? gr - alpha : gr < -alpha ? gr + alpha : 0;
        gain = Math.fround(Math.fround((tl * tl) / (hl + lambda)) + Math.fround((tr * tr) / (hr + lambda)));
      } else {
        gain = Math.fround(calcGain(p, gl, hl) + calcGain(p, gr, hr));
      }
      const loss = Math.fround(gain - rootGain);
      if (loss > best.loss) set(best, loss, f, b, 0, cuts[cutBase + b]!, gl, hl, gr, hr);
    }
    // Exact float64 comparison, as XGBoost decides whether the node has missing values for f.
    if (gl === G && hl === H) continue;
    let gr = 0;
    let hr = 0;
    for (let b = nb - 1; b >= 0; b--) {
      gr += hist[2 * (base + b)]!;
      hr += hist[2 * (base + b) + 1]!;
      if (hr < mcw) continue;
      const gl2 = G - gr;
      const hl2 = H - hr;
      if (hl2 < mcw) continue;
      const loss = Math.fround(Math.fround(calcGain(p, gr, hr) + calcGain(p, gl2, hl2)) - rootGain);
      if (loss > best.loss) {
        const threshold = b === 0 ? q.minValues[f]! : cuts[cutBase + b - 1]!;
        set(best, loss, f, b - 1, 1, threshold, gl2, hl2, gr, hr);
      }
    }
  }
  return best;
}

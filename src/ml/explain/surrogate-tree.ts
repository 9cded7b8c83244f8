/**
 * @module ml/explain/surrogate-tree
 * A global surrogate: a small CART regression tree (Breiman et al. 1984) fitted by least squares
 * to the model's own predictions, so validators can read an approximate rule set, with its
 * fidelity — R² of the surrogate against the model's predictions — stated next to it (Molnar,
 * "Interpretable Machine Learning", §Global Surrogate). Splits send a row left iff
 * x < threshold, threshold being the smallest value on the right (XGBoost's convention);
 * missing values go to whichever side lowers the error more. Ties keep the lower feature and
 * the lower threshold, so the tree is deterministic.
 */
import { AppError } from '../../kernel/index.js';
import type { FeatureMatrix } from '../gbdt/index.js';

export interface SurrogateNode {
  readonly id: number;
  readonly depth: number;
  readonly samples: number;
  /** Mean model prediction of the rows in the node. */
  readonly value: number;
  /** -1 for leaves. */
  readonly feature: number;
  readonly name: string | null;
  readonly threshold: number | null;
  readonly missingLeft: boolean;
  readonly left: number;
  readonly right: number;
}

export interface SurrogateTree {
  readonly nodes: SurrogateNode[];
  /** R² of the surrogate's predictions against the model's predictions on the fitting data. */
  readonly fidelityR2: number;
  readonly rows: number;
}

export interface SurrogateOptions {
  /** Default 3. */
  maxDepth?: number;
  /** Default max(1, 1% of rows). */
  minSamplesLeaf?: number;
}

interface Split {
  feature: number;
  threshold: number;
  missingLeft: boolean;
  sse: number;
}

function sse(n: number, sum: number, sumSq: number): number {
  return n > 0 ? sumSq - (sum * sum) / n : 0;
}

function bestSplit(x: FeatureMatrix, y: Float64Array, rows: Int32Array, minLeaf: number): Split | undefined {
  let best: Split | undefined;
  let total = 0;
  let totalSq = 0;
  for (const r of rows) {
    total += y[r]!;
    totalSq += y[r]! * y[r]!;
  }
  const parentSse = sse(rows.length, total, totalSq);
  for (let f = 0; f < x.cols; f++) {
    const present: number[] = [];
    let mN = 0;
    let mS = 0;
    let mQ = 0;
    for (const r of rows) {
      if (Number.isNaN(x.values[r * x.cols + f]!)) {
        mN++;
        mS += y[r]!;
        mQ += y[r]! * y[r]!;
      } else present.push(r);
    }
    present.sort((p, q) => x.values[p * x.cols + f]! - x.values[q * x.cols + f]! || p - q);
    let lN = 0;
    let lS = 0;
    let lQ = 0;
    const pN = present.length;
    const pS = total - mS;
    const pQ = totalSq - mQ;
    for (let i = 0; i < pN - 1; i++) {
      const r = present[i]!;
      lN++;
      lS += y[r]!;
      lQ += y[r]! * y[r]!;
      const v = x.values[r * x.cols + f]!;
      const next = x.values[present[i + 1]! * x.cols + f]!;
      if (next === v) continue;
      for (const missingLeft of [false, true]) {
        const ln = lN + (missingLeft ? mN : 0);
        const rn = pN - lN + (missingLeft ? 0 : mN);
        if (ln < minLeaf || rn < minLeaf) continue;
        const s =
          sse(ln, lS + (missingLeft ? mS : 0), lQ + (missingLeft ? mQ : 0)) +
          sse(rn, pS - lS + (missingLeft ? 0 : mS), pQ - lQ + (missingLeft ? 0 : mQ));
        if (s < parentSse - 1e-12 * Math.abs(parentSse) && (best === undefined || s < best.sse)) {
          best = { feature: f, threshold: next, missingLeft, sse: s };
        }
      }
    }
  }
  return best;
}

/** Fits a surrogate tree to `predictions` (one per row of `x`). */
export function fitSurrogateTree(x: FeatureMatrix, predictions: Float64Array, featureNames: readonly string[], options: SurrogateOptions = {}): SurrogateTree {
  if (predictions.length !== x.rows || x.rows === 0) {
    throw new AppError('INVALID_INPUT', { message: 'The surrogate needs one prediction per row and at least one row' });
  }
  const maxDepth = options.maxDepth ?? 3;
  const minLeaf = Math.max(1, options.minSamplesLeaf ?? Math.floor(x.rows / 100));
  const nodes: SurrogateNode[] = [];
  const grow = (rows: Int32Array, depth: number): number => {
    const id = nodes.length;
    let sum = 0;
    for (const r of rows) sum += predictions[r]!;
    const value = sum / rows.length;
    const leaf: SurrogateNode = { id, depth, samples: rows.length, value, feature: -1, name: null, threshold: null, missingLeft: false, left: -1, right: -1 };
    nodes.push(leaf);
    if (depth >= maxDepth) return id;
    const split = bestSplit(x, predictions, rows, minLeaf);
    if (split === undefined) return id;
    const goesLeft = (r: number): boolean => {
      const v = x.values[r * x.cols + split.feature]!;
      return Number.isNaN(v) ? split.missingLeft : v < split.threshold;
    };
    const leftRows = rows.filter(goesLeft);
    const rightRows = rows.filter((r) => !goesLeft(r));
    const left = grow(leftRows, depth + 1);
    const right = grow(rightRows, depth + 1);
    nodes[id] = { ...leaf, feature: split.feature, name: featureNames[split.feature] ?? `f${split.feature}`, threshold: split.threshold, missingLeft: split.missingLeft, left, right };
    return id;
  };
  grow(Int32Array.from({ length: x.rows }, (_, i) => i), 0);
  const tree = { nodes, fidelityR2: 0, rows: x.rows };
  const fitted = predictSurrogate(tree, x);
  let mean = 0;
  for (const p of predictions) mean += p / x.rows;
  let ssRes = 0;
  let ssTot = 0;
  for (let r = 0; r < x.rows; r++) {
    ssRes += (predictions[r]! - fitted[r]!) ** 2;
    ssTot += (predictions[r]! - mean) ** 2;
  }
  return { ...tree, fidelityR2: ssTot > 0 ? 1 - ssRes / ssTot : 1 };
}

/** The surrogate's prediction for every row of `x`. */
export function predictSurrogate(tree: Pick<SurrogateTree, 'nodes'>, x: FeatureMatrix): Float64Array {
  const out = new Float64Array(x.rows);
  for (let r = 0; r < x.rows; r++) {
    let node = tree.nodes[0]!;
    while (node.left !== -1) {
      const v = x.values[r * x.cols + node.feature]!;
      const left = Number.isNaN(v) ? node.missingLeft : v < node.threshold!;
      node = tree.nodes[left ? node.left : node.right]!;
    }
    out[r] = node.value;
  }
  return out;
}

/** The tree as readable if-then rules, one per leaf, in left-to-right order. */
export function surrogateRules(tree: Pick<SurrogateTree, 'nodes'>): string[] {
  const rules: string[] = [];
  const walk = (id: number, conditions: string[]): void => {
    const node = tree.nodes[id]!;
    if (node.left === -1) {
      const when = conditions.length > 0 ? conditions.join(' and ') : 'always';
      rules.push(`if ${when} then prediction ≈ ${node.value.toPrecision(4)} (${node.samples} rows)`);
      return;
    }
    const miss = ' or missing';
    walk(node.left, [...conditions, `${node.name} < ${node.threshold}${node.missingLeft ? miss : ''}`]);
    walk(node.right, [...conditions, `${node.name} ≥ ${node.threshold}${node.missingLeft ? '' : miss}`]);
  };
  walk(0, []);
  return rules;
}

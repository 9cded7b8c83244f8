/**
 * @module ml/explain/tree-shap-tables
 * Per-model precomputation for exact path-dependent TreeSHAP (Fast TreeSHAP v2 idea, Yang 2021,
 * arXiv:2109.09847; algorithms-and-formats.md §2.3), with the weights evaluated by the Linear
 * TreeSHAP integral (Yu et al. 2022, §2.4) instead of the original EXTEND/UNWIND recursion.
 *
 * For a leaf with value v and unique path features F (|F| = d), cover fractions q_j (product of
 * r_child/r_node over the edges on feature j) and satisfaction bits p_j ∈ {0,1} (x follows every
 * edge on feature j; missing values follow the default direction), the leaf adds to feature i
 *   φ_i += v·(p_i − q_i)·∫₀¹ Π_{j∈F\{i}} (q_j + (p_j − q_j)·t) dt.
 * Only the bitmask p depends on the row, so every (leaf, mask, i) value is tabulated once per
 * model: explaining a row then costs one comparison per internal node and d additions per leaf.
 * Leaves with more than {@link MAX_TABLE_DEPTH} unique features, or past the
 * {@link MAX_TABLE_ENTRIES} budget, are evaluated per row by the same quadrature (no table), so
 * deep or large models stay exact without exponential memory.
 *
 * Everything lives in flat typed arrays on SharedArrayBuffers so worker threads can read the
 * same tables without copying.
 */
import type { TreeEnsemble } from '../gbdt/index.js';
import { baseMargin } from '../gbdt/index.js';
import { gaussLegendreRules, pointsFor } from './gauss-legendre.js';

/** Leaves with more unique path features than this are evaluated per row instead of tabulated. */
export const MAX_TABLE_DEPTH = 10;

/**
 * Table entries (doubles) per model at most, 32 MiB: a 100-tree depth-6 model needs 2.5 M; leaves
 * past the budget are evaluated per row (same values, somewhat slower).
 */
export const MAX_TABLE_ENTRIES = 4_194_304;

/** Flattened trees and tabulated leaf weights of one model; plain typed arrays (worker-transferable). */
export interface ShapTables {
  numFeature: number;
  numGroups: number;
  numTrees: number;
  /** Largest number of unique features on any root-to-leaf path. */
  maxDepth: number;
  treeGroup: Int32Array;
  /** Internal nodes of tree t, parents first: internalOrder[internalStart[t] .. internalStart[t+1]). */
  internalStart: Int32Array;
  internalOrder: Int32Array;
  leafStart: Int32Array;
  /** Global node arrays (children are global ids). */
  feature: Int32Array;
  threshold: Float32Array;
  defaultLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Parent global id, -1 for roots. */
  parent: Int32Array;
  /** Bit of the split feature's slot among the unique features of the path to the node. */
  slotBit: Int32Array;
  /** Per leaf entry. */
  leafNode: Int32Array;
  leafValue: Float64Array;
  leafDepth: Int32Array;
  leafFeatureStart: Int32Array;
  /** Offset into `table`, or -1 for leaves evaluated per row. */
  leafTableStart: Int32Array;
  /** Unique path features of each leaf (slot order) and their cover fractions q. */
  leafFeatures: Int32Array;
  leafQ: Float64Array;
  /** (leaf, mask, slot) → v·(p_slot − q_slot)·I_slot(mask). */
  table: Float64Array;
  /** Cover-weighted mean leaf value of each tree (XGBoost `FillNodeMeanValues`). */
  treeExpected: Float64Array;
  /** Bias column per group: base margin + Σ expected values of the group's trees. */
  bias: Float64Array;
  /** Gauss–Legendre rules for per-row leaves and interactions (see gauss-legendre.ts). */
  quadNodes: Float64Array;
  quadWeights: Float64Array;
  totalNodes: number;
}

function shared<T extends Int32Array | Float64Array | Float32Array | Uint8Array>(
  ctor: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  length: number,
): T {
  return new ctor(new SharedArrayBuffer(Math.max(1, length) * ctor.BYTES_PER_ELEMENT));
}

function copyShared<T extends Int32Array | Float64Array | Float32Array | Uint8Array>(
  ctor: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  source: ArrayLike<number>,
): T {
  const out = shared(ctor, source.length);
  (out as unknown as { set(a: ArrayLike<number>): void }).set(source);
  return out;
}

interface LeafRecord {
  node: number;
  value: number;
  features: number[];
  q: number[];
}

/**
 * Integrals I_i = ∫₀¹ Π_{j≠i} (q_j + (p_j − q_j)t) dt for every slot i, by Gauss–Legendre with
 * prefix/suffix products (no division, so zero covers are safe).
 */
export function leafIntegrals(q: ArrayLike<number>, mask: number, d: number, nodes: Float64Array, weights: Float64Array, out: Float64Array): void {
  const n = pointsFor(d);
  const start = (n * (n - 1)) / 2;
  const prefix = new Float64Array(d + 1);
  for (let i = 0; i < d; i++) out[i] = 0;
  for (let k = 0; k < n; k++) {
    const t = nodes[start + k]!;
    const w = weights[start + k]!;
    prefix[0] = 1;
    for (let j = 0; j < d; j++) {
      const qj = q[j]!;
      prefix[j + 1] = prefix[j]! * (qj + (((mask >>> j) & 1) - qj) * t);
    }
    let suffix = 1;
    for (let i = d - 1; i >= 0; i--) {
      out[i] = out[i]! + w * prefix[i]! * suffix;
      const qi = q[i]!;
      suffix *= qi + (((mask >>> i) & 1) - qi) * t;
    }
  }
}

/**
 * Builds the tables of `model` (uncached; see {@link shapTables}). `maxTableDepth` and
 * `maxTableEntries` bound the tabulated leaves; the others are evaluated per row.
 */
export function buildShapTables(model: TreeEnsemble, maxTableDepth = MAX_TABLE_DEPTH, maxTableEntries = MAX_TABLE_ENTRIES): ShapTables {
  const numTrees = model.trees.length;
  let totalNodes = 0;
  for (const tree of model.trees) totalNodes += tree.numNodes;

  const feature = shared(Int32Array, totalNodes);
  const threshold = shared(Float32Array, totalNodes);
  const defaultLeft = shared(Uint8Array, totalNodes);
  const left = shared(Int32Array, totalNodes);
  const right = shared(Int32Array, totalNodes);
  const slotBit = shared(Int32Array, totalNodes);
  const parent = shared(Int32Array, totalNodes);
  const internalStart = shared(Int32Array, numTrees + 1);
  const leafStart = shared(Int32Array, numTrees + 1);
  const treeExpected = shared(Float64Array, numTrees);
  const internalOrder: number[] = [];
  const leaves: LeafRecord[] = [];
  let maxDepth = 0;

  let base = 0;
  for (let t = 0; t < numTrees; t++) {
    const tree = model.trees[t]!;
    internalStart[t] = internalOrder.length;
    leafStart[t] = leaves.length;
    for (let n = 0; n < tree.numNodes; n++) {
      const g = base + n;
      feature[g] = tree.splitFeature[n]!;
      threshold[g] = tree.threshold[n]!;
      defaultLeft[g] = tree.defaultLeft[n]!;
      left[g] = tree.left[n]! === -1 ? -1 : base + tree.left[n]!;
      right[g] = tree.right[n]! === -1 ? -1 : base + tree.right[n]!;
      if (n === 0) parent[g] = -1;
      if (tree.left[n]! !== -1) {
        parent[base + tree.left[n]!] = g;
        parent[base + tree.right[n]!] = g;
      }
    }
    // Depth-first walk carrying the path's unique features and their cover fractions.
    const pathFeatures: number[] = [];
    const pathQ: number[] = [];
    const walk = (n: number): number => {
      const l = tree.left[n]!;
      if (l === -1) {
        const value = tree.value[n]!;
        leaves.push({ node: base + n, value, features: pathFeatures.slice(), q: pathQ.slice() });
        maxDepth = Math.max(maxDepth, pathFeatures.length);
        return value;
      }
      internalOrder.push(base + n);
      const f = tree.splitFeature[n]!;
      let slot = pathFeatures.indexOf(f);
      const isNew = slot === -1;
      if (isNew) {
        slot = pathFeatures.length;
        pathFeatures.push(f);
        pathQ.push(1);
      }
      slotBit[base + n] = slot < 31 ? 1 << slot : 0;
      const cover = tree.cover[n]!;
      const incoming = pathQ[slot]!;
      let mean = 0;
      for (const child of [l, tree.right[n]!]) {
        const fraction = cover === 0 ? 0 : tree.cover[child]! / cover;
        pathQ[slot] = incoming * fraction;
        mean += fraction * walk(child);
      }
      pathQ[slot] = incoming;
      if (isNew) {
        pathFeatures.pop();
        pathQ.pop();
      }
      return mean;
    };
    treeExpected[t] = walk(0);
    base += tree.numNodes;
  }
  internalStart[numTrees] = internalOrder.length;
  leafStart[numTrees] = leaves.length;

  // Enough points for the deepest leaf (and its pairs, for interaction values).
  const rules = gaussLegendreRules(pointsFor(Math.max(1, maxDepth)));
  const numLeaves = leaves.length;
  const leafNode = shared(Int32Array, numLeaves);
  const leafValue = shared(Float64Array, numLeaves);
  const leafDepth = shared(Int32Array, numLeaves);
  const leafFeatureStart = shared(Int32Array, numLeaves + 1);
  const leafTableStart = shared(Int32Array, numLeaves);
  let featureCount = 0;
  let tableSize = 0;
  const tabulated = leaves.map((leaf) => {
    const d = leaf.features.length;
    featureCount += d;
    const size = d * 2 ** d;
    if (d > maxTableDepth || tableSize + size > maxTableEntries) return false;
    tableSize += size;
    return true;
  });
  const leafFeatures = shared(Int32Array, featureCount);
  const leafQ = shared(Float64Array, featureCount);
  const table = shared(Float64Array, tableSize);
  const integrals = new Float64Array(Math.max(1, maxDepth));
  let fo = 0;
  let to = 0;
  leaves.forEach((leaf, k) => {
    const d = leaf.features.length;
    leafNode[k] = leaf.node;
    leafValue[k] = leaf.value;
    leafDepth[k] = d;
    leafFeatureStart[k] = fo;
    for (let i = 0; i < d; i++) {
      leafFeatures[fo + i] = leaf.features[i]!;
      leafQ[fo + i] = leaf.q[i]!;
    }
    fo += d;
    if (!tabulated[k]) {
      leafTableStart[k] = -1;
      return;
    }
    leafTableStart[k] = to;
    for (let mask = 0; mask < 1 << d; mask++) {
      leafIntegrals(leaf.q, mask, d, rules.nodes, rules.weights, integrals);
      for (let i = 0; i < d; i++) table[to + i] = leaf.value * (((mask >>> i) & 1) - leaf.q[i]!) * integrals[i]!;
      to += d;
    }
  });
  leafFeatureStart[numLeaves] = fo;

  const bias = shared(Float64Array, model.numGroups);
  bias.fill(baseMargin(model));
  for (let t = 0; t < numTrees; t++) {
    const g = model.treeGroup[t]!;
    bias[g] = bias[g]! + treeExpected[t]!;
  }
  return {
    numFeature: model.numFeature,
    numGroups: model.numGroups,
    numTrees,
    maxDepth,
    treeGroup: copyShared(Int32Array, model.treeGroup),
    internalStart,
    internalOrder: copyShared(Int32Array, internalOrder),
    leafStart,
    feature,
    threshold,
    defaultLeft,
    left,
    right,
    parent,
    slotBit,
    leafNode,
    leafValue,
    leafDepth,
    leafFeatureStart,
    leafTableStart,
    leafFeatures,
    leafQ,
    table,
    treeExpected,
    bias,
    quadNodes: copyShared(Float64Array, rules.nodes),
    quadWeights: copyShared(Float64Array, rules.weights),
    totalNodes,
  };
}

const cache = new WeakMap<TreeEnsemble, ShapTables>();

/** The model's TreeSHAP tables, built once and cached per model object. */
export function shapTables(model: TreeEnsemble): ShapTables {
  let tables = cache.get(model);
  if (tables === undefined) {
    tables = buildShapTables(model);
    cache.set(model, tables);
  }
  return tables;
}

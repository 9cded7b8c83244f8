/**
 * @module ml/fairness/kd-tree
 * Exact k-nearest-neighbour search by a k-d tree (Friedman, Bentley & Finkel, "An algorithm for
 * finding best matches in logarithmic expected time", ACM TOMS 3(3), 1977) over squared Euclidean
 * distance. The result equals a brute-force scan that orders candidates by (distance, row index):
 * distances are summed in feature order exactly as the scan does, and a node is skipped only when
 * its bounding-box distance is strictly larger than the current k-th distance (rounded addition and
 * multiplication are monotone, so the computed box bound never exceeds a contained point's distance).
 */

const LEAF_SIZE = 24;

interface KdNode {
  readonly start: number;
  readonly end: number;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly left?: KdNode;
  readonly right?: KdNode;
}

export interface KdTree {
  readonly width: number;
  readonly points: Float64Array;
  /** Row ids in tree order. */
  readonly order: Int32Array;
  readonly root: KdNode;
}

/** Builds a tree over `ids` (rows of the row-major `points` matrix with `width` columns). */
export function buildKdTree(points: Float64Array, width: number, ids: readonly number[]): KdTree {
  const order = Int32Array.from(ids);
  const build = (start: number, end: number): KdNode => {
    const lo = new Float64Array(width).fill(Number.POSITIVE_INFINITY);
    const hi = new Float64Array(width).fill(Number.NEGATIVE_INFINITY);
    for (let m = start; m < end; m++) {
      const base = order[m]! * width;
      for (let j = 0; j < width; j++) {
        const v = points[base + j]!;
        if (v < lo[j]!) lo[j] = v;
        if (v > hi[j]!) hi[j] = v;
      }
    }
    if (end - start <= LEAF_SIZE) return { start, end, lo, hi };
    let dim = 0;
    for (let j = 1; j < width; j++) if (hi[j]! - lo[j]! > hi[dim]! - lo[dim]!) dim = j;
    if (hi[dim] === lo[dim]) return { start, end, lo, hi };
    // Deterministic median split: sort the slice by (value, row id).
    const slice = Array.from(order.subarray(start, end));
    slice.sort((a, b) => points[a * width + dim]! - points[b * width + dim]! || a - b);
    order.set(slice, start);
    const mid = start + ((end - start) >> 1);
    return { start, end, lo, hi, left: build(start, mid), right: build(mid, end) };
  };
  return { width, points, order, root: build(0, order.length) };
}

/**
 * The k nearest rows of the tree to row `query` of `queryPoints`, nearest first, ties by smaller
 * row id; written into `outIds`/`outDist`, returns how many were found.
 */
export function kdNearest(tree: KdTree, queryPoints: Float64Array, query: number, k: number, outIds: Int32Array, outDist: Float64Array): number {
  const { width, points, order } = tree;
  const q = query * width;
  let filled = 0;
  const better = (dist: number, id: number): boolean => {
    if (filled < k) return true;
    const worst = outDist[k - 1]!;
    return dist < worst || (dist === worst && id < outIds[k - 1]!);
  };
  const insert = (dist: number, id: number): void => {
    let pos = filled < k ? filled++ : k - 1;
    while (pos > 0 && (outDist[pos - 1]! > dist || (outDist[pos - 1] === dist && outIds[pos - 1]! > id))) {
      outDist[pos] = outDist[pos - 1]!;
      outIds[pos] = outIds[pos - 1]!;
      pos--;
    }
    outDist[pos] = dist;
    outIds[pos] = id;
  };
  const boxDistance = (node: KdNode): number => {
    let d = 0;
    for (let j = 0; j < width; j++) {
      const x = queryPoints[q + j]!;
      const gap = x < node.lo[j]! ? node.lo[j]! - x : x > node.hi[j]! ? x - node.hi[j]! : 0;
      d += gap * gap;
    }
    return d;
  };
  const visit = (node: KdNode, bound: number): void => {
    if (filled === k && bound > outDist[k - 1]!) return;
    if (node.left === undefined || node.right === undefined) {
      for (let m = node.start; m < node.end; m++) {
        const id = order[m]!;
        let dist = 0;
        for (let j = 0; j < width; j++) {
          const diff = queryPoints[q + j]! - points[id * width + j]!;
          dist += diff * diff;
        }
        if (better(dist, id)) insert(dist, id);
      }
      return;
    }
    const dl = boxDistance(node.left);
    const dr = boxDistance(node.right);
    if (dl <= dr) {
      visit(node.left, dl);
      visit(node.right, dr);
    } else {
      visit(node.right, dr);
      visit(node.left, dl);
    }
  };
  visit(tree.root, boxDistance(tree.root));
  return filled;
}

/**
 * @module ml/gbdt/forest-layout
 * A prediction-friendly copy of an ensemble's trees, built once per model and cached: all nodes
 * in global arrays, renumbered breadth-first so that each right child directly follows its left
 * child, which makes the branch `left + (go right ? 1 : 0)` free of a data-dependent jump.
 * (Padding every tree to a complete tree of the ensemble's depth was measured slower: most
 * boosted trees are shallower than max_depth.)
 */
import type { TreeEnsemble } from './model.js';

export interface FlatForest {
  /** Split feature, or -1 for a leaf. */
  readonly feature: Int32Array;
  /** Global id of the left child (the right child is the next id). */
  readonly left: Int32Array;
  readonly threshold: Float32Array;
  /** 1 when a missing value goes right. */
  readonly missingRight: Int32Array;
  readonly value: Float32Array;
  /** Global id of each tree's root. */
  readonly root: Int32Array;
}

const flatCache = new WeakMap<TreeEnsemble, FlatForest>();

/** The flat forest of `model` (cached). */
export function flatten(model: TreeEnsemble): FlatForest {
  const cached = flatCache.get(model);
  if (cached !== undefined) return cached;
  let total = 0;
  for (const t of model.trees) total += t.numNodes;
  const flat: FlatForest = {
    feature: new Int32Array(total),
    left: new Int32Array(total),
    threshold: new Float32Array(total),
    missingRight: new Int32Array(total),
    value: new Float32Array(total),
    root: new Int32Array(model.trees.length),
  };
  let next = 0;
  const queue: number[] = [];
  model.trees.forEach((t, i) => {
    flat.root[i] = next;
    // Breadth-first renumbering: queue[k] is the original id of global node root + k.
    queue.length = 0;
    queue.push(0);
    const base = next;
    next += 1;
    for (let k = 0; k < queue.length; k++) {
      const n = queue[k]!;
      const g = base + k;
      if (t.left[n] === -1) {
        flat.feature[g] = -1;
        flat.value[g] = t.value[n]!;
        continue;
      }
      flat.feature[g] = t.splitFeature[n]!;
      flat.threshold[g] = t.threshold[n]!;
      flat.missingRight[g] = t.defaultLeft[n] === 1 ? 0 : 1;
      flat.left[g] = next;
      next += 2;
      queue.push(t.left[n]!, t.right[n]!);
    }
  });
  flatCache.set(model, flat);
  return flat;
}

/**
 * @module ml/gbdt/importance
 * Feature importance as XGBoost's `Booster.get_score(importance_type=…)` reports it: over all
 * split nodes of all trees, `weight` = number of splits on the feature, `total_gain` = sum of
 * their loss_chg, `total_cover` = sum of their sum_hessian, `gain`/`cover` = those totals divided
 * by the weight. Sums are float32 as XGBoost accumulates them; unused features are absent.
 */
import type { TreeEnsemble } from './model.js';

export const IMPORTANCE_TYPES = ['weight', 'gain', 'cover', 'total_gain', 'total_cover'] as const;
export type ImportanceType = (typeof IMPORTANCE_TYPES)[number];

/** Importance per feature name, only for features used in at least one split. */
export function featureImportance(model: TreeEnsemble, type: ImportanceType): Record<string, number> {
  const count = new Float64Array(model.numFeature);
  const gain = new Float32Array(model.numFeature);
  const cover = new Float32Array(model.numFeature);
  for (const tree of model.trees) {
    for (let i = 0; i < tree.numNodes; i++) {
      if (tree.left[i] === -1) continue;
      const f = tree.splitFeature[i]!;
      count[f] = count[f]! + 1;
      gain[f] = gain[f]! + tree.lossChange[i]!;
      cover[f] = cover[f]! + tree.cover[i]!;
    }
  }
  const out: Record<string, number> = {};
  for (let f = 0; f < model.numFeature; f++) {
    const c = count[f]!;
    if (c === 0) continue;
    const name = model.featureNames[f] ?? `f${f}`;
    switch (type) {
      case 'weight':
        out[name] = c;
        break;
      case 'total_gain':
        out[name] = gain[f]!;
        break;
      case 'total_cover':
        out[name] = cover[f]!;
        break;
      case 'gain':
        out[name] = Math.fround(gain[f]! / c);
        break;
      case 'cover':
        out[name] = Math.fround(cover[f]! / c);
        break;
    }
  }
  return out;
}

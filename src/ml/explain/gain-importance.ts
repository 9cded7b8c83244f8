/**
 * @module ml/explain/gain-importance
 * Importance read from the tree structure, as XGBoost's `Booster.get_score` defines it
 * [dmlc/xgboost python-package core.py `get_score`; tree_model.cc]: per feature, over all
 * internal nodes splitting on it — `weight` (number of splits), `total_gain` (Σ loss_changes),
 * `gain` (mean), `total_cover` (Σ sum_hessian), `cover` (mean). Features never used are omitted
 * by XGBoost and reported with zeros here.
 */
import type { TreeEnsemble } from '../gbdt/index.js';

export interface GainImportance {
  readonly feature: number;
  readonly name: string;
  readonly weight: number;
  readonly gain: number;
  readonly totalGain: number;
  readonly cover: number;
  readonly totalCover: number;
}

/** Structure-based importance of every feature, in column order. */
export function gainImportance(model: TreeEnsemble): GainImportance[] {
  const F = model.numFeature;
  const weight = new Float64Array(F);
  const gain = new Float64Array(F);
  const cover = new Float64Array(F);
  for (const tree of model.trees) {
    for (let n = 0; n < tree.numNodes; n++) {
      if (tree.left[n] === -1) continue;
      const f = tree.splitFeature[n]!;
      weight[f]!++;
      gain[f]! += tree.lossChange[n]!;
      cover[f]! += tree.cover[n]!;
    }
  }
  return Array.from({ length: F }, (_, f) => ({
    feature: f,
    name: model.featureNames[f] ?? `f${f}`,
    weight: weight[f]!,
    gain: weight[f]! > 0 ? gain[f]! / weight[f]! : 0,
    totalGain: gain[f]!,
    cover: weight[f]! > 0 ? cover[f]! / weight[f]! : 0,
    totalCover: cover[f]!,
  }));
}

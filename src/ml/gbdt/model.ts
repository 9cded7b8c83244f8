/**
 * @module ml/gbdt/model
 * The in-memory form of a gradient-boosted tree ensemble, shared by the trainer, the predictor,
 * the XGBoost JSON interchange and the explainers (TreeSHAP). Node arrays follow XGBoost's tree
 * layout (algorithms-and-formats.md §1.1) so that imported and trained models are one type:
 * node 0 is the root; `left[n] === -1` marks a leaf; for a leaf, `value[n]` is its (already
 * eta-scaled) output, for an internal node `threshold[n]` is the float32 split condition.
 */

/** Learning objectives Attest trains and predicts (XGBoost names). */
export type Objective =
  | 'binary:logistic'
  | 'binary:logitraw'
  | 'reg:squarederror'
  | 'reg:logistic'
  | 'multi:softprob'
  | 'multi:softmax';

export const SUPPORTED_OBJECTIVES: readonly Objective[] = [
  'binary:logistic',
  'binary:logitraw',
  'reg:squarederror',
  'reg:logistic',
  'multi:softprob',
  'multi:softmax',
];

/** One regression tree in structure-of-arrays form. All arrays have length `numNodes`. */
export interface Tree {
  readonly numNodes: number;
  /** Left child id, -1 for a leaf. */
  readonly left: Int32Array;
  /** Right child id, -1 for a leaf. */
  readonly right: Int32Array;
  /** Parent id; the root stores -1. */
  readonly parent: Int32Array;
  /** Split feature index (0 for leaves). */
  readonly splitFeature: Int32Array;
  /** Split condition in float32: a row goes left iff `fround(x) < threshold` (internal nodes; 0 for leaves). */
  readonly threshold: Float32Array;
  /** Leaf output (eta already applied); 0 for internal nodes. */
  readonly value: Float32Array;
  /** 1 when a missing value goes left. */
  readonly defaultLeft: Uint8Array;
  /** Split gain as XGBoost reports it (`loss_changes`, un-halved); 0 for leaves. */
  readonly lossChange: Float32Array;
  /** Cover: sum of hessians of training rows reaching the node (`sum_hessian`). */
  readonly cover: Float32Array;
  /** Unshrunk Newton weight for internal nodes; leaf value for leaves (`base_weights`). */
  readonly baseWeight: Float32Array;
}

/** A trained or imported ensemble. */
export interface TreeEnsemble {
  readonly objective: Objective;
  /** Feature names in column order; `numFeature` long. */
  readonly featureNames: readonly string[];
  /** XGBoost feature types ('float', 'int', 'i', 'q', …) if known; may be empty. */
  readonly featureTypes: readonly string[];
  readonly numFeature: number;
  /** Number of output groups: 1 for binary and regression, `num_class` for multiclass. */
  readonly numGroups: number;
  /** `base_score` as stored by XGBoost: in output (probability) space for logistic objectives. */
  readonly baseScore: number;
  readonly trees: readonly Tree[];
  /** Output group of each tree (`tree_info`). */
  readonly treeGroup: Int32Array;
  /** Free-form string attributes (XGBoost `attributes`: best_iteration, …). */
  readonly attributes: Readonly<Record<string, string>>;
  /** Objective parameters kept for round trip (e.g. scale_pos_weight), as strings. */
  readonly objectiveParams: Readonly<Record<string, string>>;
}

export function isLeaf(tree: Tree, node: number): boolean {
  return tree.left[node] === -1;
}

/**
 * The base margin every row starts from: XGBoost's `ProbToMargin(base_score)`
 * (logit for logistic objectives, identity otherwise; algorithms-and-formats.md §1.2).
 */
export function baseMargin(model: Pick<TreeEnsemble, 'objective' | 'baseScore'>): number {
  switch (model.objective) {
    case 'binary:logistic':
    case 'reg:logistic':
      return Math.fround(-Math.log(1 / model.baseScore - 1));
    default:
      return Math.fround(model.baseScore);
  }
}

/** Allocates an empty tree with `numNodes` nodes (all leaves with value 0). */
export function allocateTree(numNodes: number): Tree {
  const tree: Tree = {
    numNodes,
    left: new Int32Array(numNodes).fill(-1),
    right: new Int32Array(numNodes).fill(-1),
    parent: new Int32Array(numNodes).fill(-1),
    splitFeature: new Int32Array(numNodes),
    threshold: new Float32Array(numNodes),
    value: new Float32Array(numNodes),
    defaultLeft: new Uint8Array(numNodes),
    lossChange: new Float32Array(numNodes),
    cover: new Float32Array(numNodes),
    baseWeight: new Float32Array(numNodes),
  };
  return tree;
}

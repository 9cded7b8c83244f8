/**
 * @module ml/gbdt/xgboost-json
 * Reading and writing XGBoost's JSON model format (`Booster.save_model("m.json")`), layouts of
 * 1.7 and 2.x/3.x (algorithms-and-formats.md §1.1–1.2): `base_score` as "5E-1" or "[5E-1]",
 * `num_target`, `iteration_indptr`. Categorical splits and DART/gblinear boosters are refused
 * with MODEL_UNSUPPORTED rather than predicted wrongly.
 */
import { AppError } from '../../kernel/index.js';
import type { Objective, Tree, TreeEnsemble } from './model.js';
import { SUPPORTED_OBJECTIVES } from './model.js';

const ROOT_PARENT = 2147483647;

type Json = Record<string, unknown>;

function invalid(message: string): AppError {
  return new AppError('MODEL_INVALID', { message: `XGBoost model: ${message}` });
}

function obj(value: unknown, what: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(`${what} is missing or not an object`);
  return value as Json;
}

function numArray(value: unknown, what: string, length: number): number[] {
  if (!Array.isArray(value) || value.length !== length) throw invalid(`${what} must be an array of ${length} numbers`);
  for (const v of value) if (typeof v !== 'number') throw invalid(`${what} holds a non-number`);
  return value as number[];
}

/** Parses a float that XGBoost may write as "5E-1" or, since 3.1, as "[5E-1]". */
export function parseXgbFloat(text: unknown, what: string): number {
  if (typeof text === 'number') return text;
  if (typeof text !== 'string') throw invalid(`${what} must be a string`);
  const trimmed = text.trim();
  const inner = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1).split(',')[0]!.trim() : trimmed;
  const value = Number(inner);
  if (!Number.isFinite(value)) throw invalid(`${what} is not a number: ${text}`);
  return value;
}

function parseIntField(text: unknown, what: string): number {
  const value = typeof text === 'number' ? text : Number(text);
  if (!Number.isInteger(value) || value < 0) throw invalid(`${what} must be a non-negative integer`);
  return value;
}

function parseTree(raw: unknown, index: number, numFeature: number): Tree {
  const t = obj(raw, `tree ${index}`);
  const param = obj(t.tree_param, `tree ${index} tree_param`);
  const n = parseIntField(param.num_nodes, `tree ${index} num_nodes`);
  if (n < 1) throw invalid(`tree ${index} has no nodes`);
  const sizeLeafVector = param.size_leaf_vector === undefined ? 0 : parseIntField(param.size_leaf_vector, 'size_leaf_vector');
  if (sizeLeafVector > 1) throw new AppError('MODEL_UNSUPPORTED', { message: 'XGBoost model: vector-leaf (multi-target) trees are not supported' });
  // Before the number checks: XGBoost writes a categorical node's split condition as NaN.
  if ((Array.isArray(t.split_type) && (t.split_type as unknown[]).some((v) => v !== 0)) || (Array.isArray(t.categories_nodes) && t.categories_nodes.length > 0)) {
    throw new AppError('MODEL_UNSUPPORTED', { message: `XGBoost model: tree ${index} has categorical splits, which are not supported yet` });
  }
  const left = numArray(t.left_children, `tree ${index} left_children`, n);
  const right = numArray(t.right_children, `tree ${index} right_children`, n);
  const parents = numArray(t.parents, `tree ${index} parents`, n);
  const splitIdx = numArray(t.split_indices, `tree ${index} split_indices`, n);
  const cond = numArray(t.split_conditions, `tree ${index} split_conditions`, n);
  const defLeft = numArray(t.default_left, `tree ${index} default_left`, n);
  const loss = numArray(t.loss_changes, `tree ${index} loss_changes`, n);
  const hess = numArray(t.sum_hessian, `tree ${index} sum_hessian`, n);
  const weights = numArray(t.base_weights, `tree ${index} base_weights`, n);
  const tree: Tree = {
    numNodes: n,
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    parent: Int32Array.from(parents, (p) => (p === ROOT_PARENT ? -1 : p)),
    splitFeature: new Int32Array(n),
    threshold: new Float32Array(n),
    value: new Float32Array(n),
    defaultLeft: Uint8Array.from(defLeft),
    lossChange: Float32Array.from(loss),
    cover: Float32Array.from(hess),
    baseWeight: Float32Array.from(weights),
  };
  for (let i = 0; i < n; i++) {
    const l = tree.left[i]!;
    const r = tree.right[i]!;
    if (l === -1) {
      if (r !== -1) throw invalid(`tree ${index} node ${i} has one child`);
      tree.value[i] = cond[i]!;
    } else {
      if (l <= i || r <= i || l >= n || r >= n) throw invalid(`tree ${index} node ${i} has an invalid child id`);
      const f = splitIdx[i]!;
      if (!Number.isInteger(f) || f < 0 || f >= numFeature) throw invalid(`tree ${index} node ${i} splits on feature ${f} (model has ${numFeature})`);
      tree.splitFeature[i] = f;
      tree.threshold[i] = cond[i]!;
    }
  }
  return tree;
}

/** Bare `NaN`, `Infinity` and `-Infinity` outside strings: XGBoost's JSON writer emits them, JSON does not allow them. */
const NON_FINITE_TOKEN = /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g;

/**
 * JSON.parse, and when that fails, again with XGBoost's non-finite number tokens read as null (so
 * a categorical model, whose split conditions XGBoost writes as NaN, reaches the categorical check
 * and is refused as MODEL_UNSUPPORTED; a null anywhere a number is needed is MODEL_INVALID).
 */
function parseXgboostJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    try {
      return JSON.parse(text.replace(NON_FINITE_TOKEN, (token) => (token.startsWith('"') ? token : 'null')));
    } catch {
      throw new AppError('MODEL_INVALID', { message: 'XGBoost model: not valid JSON', cause: error });
    }
  }
}

/** Parses an XGBoost JSON model document (already `JSON.parse`d, or as text). */
export function parseXgboostModel(input: string | unknown): TreeEnsemble {
  let doc: unknown = input;
  if (typeof input === 'string') doc = parseXgboostJsonText(input);
  const learner = obj(obj(doc, 'document').learner, 'learner');
  const lmp = obj(learner.learner_model_param, 'learner_model_param');
  const objectiveDoc = obj(learner.objective, 'objective');
  const objectiveName = String(objectiveDoc.name);
  const objective = (objectiveName === 'reg:linear' ? 'reg:squarederror' : objectiveName) as Objective;
  if (!SUPPORTED_OBJECTIVES.includes(objective)) {
    throw new AppError('MODEL_UNSUPPORTED', { message: `XGBoost model: objective ${objectiveName} is not supported` });
  }
  const booster = obj(learner.gradient_booster, 'gradient_booster');
  if (booster.name !== 'gbtree') {
    throw new AppError('MODEL_UNSUPPORTED', { message: `XGBoost model: booster ${String(booster.name)} is not supported (only gbtree)` });
  }
  const model = obj(booster.model, 'gradient_booster.model');
  const numFeature = parseIntField(lmp.num_feature, 'num_feature');
  const numClass = lmp.num_class === undefined ? 0 : parseIntField(lmp.num_class, 'num_class');
  const numTarget = lmp.num_target === undefined ? 1 : parseIntField(lmp.num_target, 'num_target');
  if (numTarget > 1) throw new AppError('MODEL_UNSUPPORTED', { message: 'XGBoost model: multi-target models are not supported' });
  const numGroups = Math.max(1, numClass);
  const rawTrees = model.trees;
  if (!Array.isArray(rawTrees)) throw invalid('trees must be an array');
  const trees = rawTrees.map((t, i) => parseTree(t, i, numFeature));
  const treeInfo = numArray(model.tree_info, 'tree_info', trees.length);
  for (const g of treeInfo) if (!Number.isInteger(g) || g < 0 || g >= numGroups) throw invalid(`tree_info names group ${g} of ${numGroups}`);
  const featureNames = Array.isArray(learner.feature_names) && learner.feature_names.length === numFeature
    ? (learner.feature_names as unknown[]).map(String)
    : Array.from({ length: numFeature }, (_, i) => `f${i}`);
  const featureTypes = Array.isArray(learner.feature_types) ? (learner.feature_types as unknown[]).map(String) : [];
  const objectiveParams: Record<string, string> = {};
  for (const [k, v] of Object.entries(objectiveDoc)) {
    if (k === 'name' || v === null || typeof v !== 'object') continue;
    for (const [pk, pv] of Object.entries(v as Json)) objectiveParams[pk] = String(pv);
  }
  const attributes: Record<string, string> = {};
  if (learner.attributes && typeof learner.attributes === 'object') {
    for (const [k, v] of Object.entries(learner.attributes as Json)) attributes[k] = String(v);
  }
  const baseScore = parseXgbFloat(lmp.base_score, 'base_score');
  if ((objective === 'binary:logistic' || objective === 'reg:logistic') && !(baseScore > 0 && baseScore < 1)) {
    throw invalid(`base_score ${baseScore} must lie in (0, 1) for ${objective}`);
  }
  return {
    objective,
    featureNames,
    featureTypes,
    numFeature,
    numGroups,
    baseScore,
    trees,
    treeGroup: Int32Array.from(treeInfo),
    attributes,
    objectiveParams,
  };
}

/**
 * Formats a float32 the way XGBoost's JSON writer does: the shortest decimal that round-trips
 * to the same float32, as mantissa and capital-E exponent (`5E-1`, `-4.5074117E-1`, `2E0`).
 * The exponent form matters: XGBoost 1.7 reads a bare `2` as an integer and refuses it where a
 * float is expected.
 */
export function formatXgbFloat(value: number): string {
  const f = Math.fround(value);
  if (f === 0) return Object.is(f, -0) ? '-0E0' : '0E0';
  if (!Number.isFinite(f)) return Number.isNaN(f) ? 'NaN' : f > 0 ? 'Infinity' : '-Infinity';
  let p = 1;
  while (p < 9 && Math.fround(Number(f.toPrecision(p))) !== f) p++;
  return f.toExponential(p - 1).replace('e+', 'E').replace('e-', 'E-');
}

/**
 * Serialises an ensemble in XGBoost's JSON layout (the 2.x schema, version [2,0,3]), which
 * XGBoost 1.7 and later load. Float node arrays are written in XGBoost's own number format
 * ({@link formatXgbFloat}); the output depends only on the model, so it is byte-stable.
 */
export function serializeXgboostModel(model: TreeEnsemble): string {
  const floatArrays: string[] = [];
  const f32List = (values: Float32Array): string => {
    const parts = new Array<string>(values.length);
    for (let i = 0; i < values.length; i++) parts[i] = formatXgbFloat(values[i]!);
    floatArrays.push(`[${parts.join(',')}]`);
    return `${FLOAT_ARRAY_MARK}${floatArrays.length - 1}`;
  };
  const trees = model.trees.map((tree, id) => {
    const n = tree.numNodes;
    const conditions = new Array<number>(n);
    for (let i = 0; i < n; i++) conditions[i] = tree.left[i] === -1 ? tree.value[i]! : tree.threshold[i]!;
    return {
      base_weights: f32List(tree.baseWeight),
      categories: [],
      categories_nodes: [],
      categories_segments: [],
      categories_sizes: [],
      default_left: Array.from(tree.defaultLeft),
      id,
      left_children: Array.from(tree.left),
      loss_changes: f32List(tree.lossChange),
      parents: Array.from(tree.parent, (p) => (p === -1 ? ROOT_PARENT : p)),
      right_children: Array.from(tree.right),
      split_conditions: f32List(Float32Array.from(conditions)),
      split_indices: Array.from(tree.splitFeature),
      split_type: new Array<number>(n).fill(0),
      sum_hessian: f32List(tree.cover),
      tree_param: { num_deleted: '0', num_feature: String(model.numFeature), num_nodes: String(n), size_leaf_vector: '1' },
    };
  });
  const numClass = model.objective.startsWith('multi:') ? model.numGroups : 0;
  const objective: Json = { name: model.objective };
  if (model.objective.startsWith('multi:')) objective.softmax_multiclass_param = { num_class: String(numClass) };
  else if (model.objective === 'reg:squarederror') objective.reg_loss_param = { scale_pos_weight: model.objectiveParams.scale_pos_weight ?? '1' };
  else objective.reg_loss_param = { scale_pos_weight: model.objectiveParams.scale_pos_weight ?? '1' };
  const iterationIndptr = [0];
  const perRound = model.numGroups;
  for (let i = perRound; i <= model.trees.length; i += perRound) iterationIndptr.push(i);
  const doc = {
    learner: {
      attributes: { ...model.attributes },
      feature_names: [...model.featureNames],
      feature_types: model.featureTypes.length === model.numFeature ? [...model.featureTypes] : model.featureNames.map(() => 'float'),
      gradient_booster: {
        model: {
          gbtree_model_param: { num_parallel_tree: '1', num_trees: String(model.trees.length) },
          iteration_indptr: iterationIndptr,
          tree_info: Array.from(model.treeGroup),
          trees,
        },
        name: 'gbtree',
      },
      learner_model_param: {
        base_score: formatXgbFloat(model.baseScore),
        boost_from_average: '1',
        num_class: String(numClass),
        num_feature: String(model.numFeature),
        num_target: '1',
      },
      objective,
    },
    version: [2, 0, 3],
  };
  return JSON.stringify(doc).replace(FLOAT_ARRAY_PATTERN, (_, i: string) => floatArrays[Number(i)]!);
}

/** Placeholder for a pre-formatted float array; JSON.stringify escapes its NUL character. */
const FLOAT_ARRAY_MARK = '\u0000f32:';
const FLOAT_ARRAY_PATTERN = /"\\u0000f32:(\d+)"/g;


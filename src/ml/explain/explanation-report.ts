/**
 * @module ml/explain/explanation-report
 * The explanation report of a tree model on a dataset: the JSON document validators and
 * auditors read (schema below, validated on build), assembled from the pure explainers of this
 * folder. Same model, data and options ⇒ the same report (seeded sampling, single-threaded SHAP,
 * deterministic tie-breaks), so a stored report can be reproduced from its inputs.
 */
import { z } from 'zod';
import { AppError } from '../../kernel/index.js';
import type { FeatureMatrix, TreeEnsemble } from '../gbdt/index.js';
import { gainImportance } from './gain-importance.js';
import { partialDependence } from './partial-dependence.js';
import { permutationImportance } from './permutation-importance.js';
import { shapDependence } from './shap-dependence.js';
import { beeswarmData, meanAbsShap } from './shap-importance.js';
import { fitSurrogateTree, surrogateRules } from './surrogate-tree.js';
import { treeShap } from './tree-shap.js';
import type { DirectedMetric } from './tree-model-function.js';
import { defaultMetric, treeModelFunction } from './tree-model-function.js';

const nullableNumber = z.number().nullable();
const importanceEntry = z.object({ feature: z.number().int(), name: z.string(), value: z.number() });

/** Schema of {@link ExplanationReport} (`kind: attest.explanation-report`, version 1). */
export const explanationReportSchema = z.object({
  kind: z.literal('attest.explanation-report'),
  version: z.literal(1),
  title: z.string(),
  model: z.object({
    objective: z.string(),
    numFeature: z.number().int(),
    numTrees: z.number().int(),
    numGroups: z.number().int(),
    featureNames: z.array(z.string()),
  }),
  data: z.object({ rows: z.number().int(), explainedGroup: z.number().int(), labelsGiven: z.boolean() }),
  parameters: z.object({
    method: z.literal('tree-shap-path-dependent'),
    seed: z.number().int(),
    topK: z.number().int(),
    gridPoints: z.number().int(),
    maxPoints: z.number().int(),
    surrogateDepth: z.number().int(),
    permutationRepeats: z.number().int(),
  }),
  expectedValue: z.array(z.number()),
  importance: z.object({
    meanAbsShap: z.array(importanceEntry),
    gain: z.array(
      z.object({
        feature: z.number().int(),
        name: z.string(),
        weight: z.number(),
        gain: z.number(),
        totalGain: z.number(),
        cover: z.number(),
        totalCover: z.number(),
      }),
    ),
    permutation: z
      .object({
        metric: z.string(),
        greaterIsBetter: z.boolean(),
        baseline: z.number(),
        features: z.array(z.object({ feature: z.number().int(), name: z.string(), mean: z.number(), std: z.number(), decreases: z.array(z.number()) })),
      })
      .nullable(),
  }),
  beeswarm: z.array(
    z.object({ feature: z.number().int(), name: z.string(), meanAbs: z.number(), shap: z.array(z.number()), value: z.array(nullableNumber) }),
  ),
  dependence: z.array(
    z.object({
      feature: z.number().int(),
      name: z.string(),
      value: z.array(nullableNumber),
      shap: z.array(z.number()),
      colorFeature: z.number().int(),
      colorName: z.string().nullable(),
      color: z.array(nullableNumber),
    }),
  ),
  partialDependence: z.array(
    z.object({
      feature: z.number().int(),
      name: z.string(),
      grid: z.array(z.number()),
      average: z.array(z.number()),
      iceRows: z.array(z.number().int()),
      ice: z.array(z.array(z.number())),
    }),
  ),
  surrogate: z.object({
    fidelityR2: z.number(),
    rules: z.array(z.string()),
    nodes: z.array(
      z.object({
        id: z.number().int(),
        depth: z.number().int(),
        samples: z.number().int(),
        value: z.number(),
        feature: z.number().int(),
        name: z.string().nullable(),
        threshold: z.number().nullable(),
        missingLeft: z.boolean(),
        left: z.number().int(),
        right: z.number().int(),
      }),
    ),
  }),
});

export type ExplanationReport = z.infer<typeof explanationReportSchema>;

export interface ExplanationReportOptions {
  title?: string;
  /** Labels of the rows (class ids for multiclass) to add permutation importance. */
  labels?: Float64Array;
  /** Metric for permutation importance; default log loss (classification) or MSE (regression). */
  metric?: DirectedMetric;
  /** Output group explained (multiclass); default 0. */
  group?: number;
  seed?: number;
  /** Features shown in the summary, dependence and PD sections; default 10. */
  topK?: number;
  /** Default 15. */
  gridPoints?: number;
  /** Rows sampled for plots; default 1,000. */
  maxPoints?: number;
  /** Default 3. */
  surrogateDepth?: number;
  /** Default 5. */
  permutationRepeats?: number;
  /** Dependence plots for the first N of the top features; default 3. */
  dependencePlots?: number;
}

/** Builds (and validates) the explanation report of `model` on `x`. */
export function buildExplanationReport(model: TreeEnsemble, x: FeatureMatrix, options: ExplanationReportOptions = {}): ExplanationReport {
  const group = options.group ?? 0;
  if (!(Number.isInteger(group) && group >= 0 && group < model.numGroups)) {
    throw new AppError('INVALID_INPUT', { message: `The model has no output group ${group}` });
  }
  if (options.labels !== undefined && options.labels.length !== x.rows) {
    throw new AppError('INVALID_INPUT', { message: `${options.labels.length} labels for ${x.rows} rows` });
  }
  const seed = options.seed ?? 0;
  const topK = options.topK ?? 10;
  const gridPoints = options.gridPoints ?? 15;
  const maxPoints = options.maxPoints ?? 1000;
  const surrogateDepth = options.surrogateDepth ?? 3;
  const repeats = options.permutationRepeats ?? 5;
  const names = model.featureNames;
  const shap = treeShap(model, x);
  const ranking = meanAbsShap(shap, names, group);
  const top = ranking.slice(0, topK).map((r) => r.feature);
  const f = treeModelFunction(model, group);
  const predictions = f(x);

  let permutation: ExplanationReport['importance']['permutation'] = null;
  if (options.labels !== undefined) {
    const chosen = options.metric ?? defaultMetric(model);
    const multi = model.numGroups > 1;
    const labels = multi ? options.labels.map((y) => (y === group ? 1 : 0)) : options.labels;
    const result = permutationImportance(f, x, labels, chosen.metric, names, { repeats, seed, greaterIsBetter: chosen.greaterIsBetter });
    permutation = { metric: chosen.name, greaterIsBetter: chosen.greaterIsBetter, ...result };
  }
  const surrogate = fitSurrogateTree(x, predictions, names, { maxDepth: surrogateDepth });
  const report: ExplanationReport = {
    kind: 'attest.explanation-report',
    version: 1,
    title: options.title ?? 'Model explanation',
    model: { objective: model.objective, numFeature: model.numFeature, numTrees: model.trees.length, numGroups: model.numGroups, featureNames: [...names] },
    data: { rows: x.rows, explainedGroup: group, labelsGiven: options.labels !== undefined },
    parameters: { method: 'tree-shap-path-dependent', seed, topK, gridPoints, maxPoints, surrogateDepth, permutationRepeats: repeats },
    expectedValue: Array.from(shap.expectedValue),
    importance: { meanAbsShap: ranking, gain: gainImportance(model), permutation },
    beeswarm: beeswarmData(shap, x, names, { group, topK, maxPoints, seed }),
    dependence: top.slice(0, options.dependencePlots ?? 3).map((feature) => shapDependence(shap, x, feature, names, { group, maxPoints, seed })),
    partialDependence: partialDependence(f, x, names, { features: top, gridPoints, maxRows: maxPoints, seed }),
    surrogate: { fidelityR2: surrogate.fidelityR2, rules: surrogateRules(surrogate), nodes: surrogate.nodes },
  };
  return explanationReportSchema.parse(report);
}

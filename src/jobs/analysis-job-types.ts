/**
 * @module jobs/analysis-job-types
 * The analyses issue 18 made reachable from the CLI, as governed job types: background-based SHAP
 * (interventional TreeSHAP and KernelSHAP), over/under-sampling, Parquet export, model quality
 * (binary, multiclass, regression), prediction drift, bias drift and feature-attribution drift.
 * (Logistic regression with standard errors is the `training` job's `algorithm=logistic`.)
 * Inputs are references (dataset versions, or artifacts by name, version or hash); every output
 * is committed through the job context, so it is encrypted, named and linked in lineage. The
 * results are those of the matching CLI commands over the same data.
 */
import { z } from 'zod';
import type { ColumnFrame, FeatureMatrix } from '../data/index.js';
import { ResampleSpecSchema, parseCsvFrame, readParquet, requireColumn, resampleFrame, takeRows, toFeatureMatrix, writeParquet } from '../data/index.js';
import { AppError } from '../kernel/index.js';
import type { ModelFunction, ShapValues } from '../ml/explain/index.js';
import { formatContributionsCsv, kernelShap, kmeansSummary, treeModelFunction, treeShap } from '../ml/explain/index.js';
import { predictLogistic } from '../ml/linear/index.js';
import type { GlobalAttributions, QualityProblem } from '../monitoring/index.js';
import { attributionDriftCheck, attributionsFromClarify, attributionsFromContributions, biasDrift, checkModelQualityConstraints, distributionFromColumn, modelQualityStatistics, predictionDrift, qualityMetricValues } from '../monitoring/index.js';
import type { JobContext } from './job-context.js';
import type { JobModel } from './job-models.js';
import { designMatrix } from './job-models.js';
import { defineJobType, jsonParam } from './job-type.js';

const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
const OutputName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,150}$/, 'letters, digits and . _ / -');
const DatasetName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/, 'letters, digits, . _ -');
const PARQUET_MAGIC = Buffer.from('PAR1');
const PARQUET_MEDIA_TYPE = 'application/vnd.apache.parquet';

/** Rows of an input: a dataset version, or a CSV or Parquet artifact (told apart by Parquet's magic bytes). */
async function inputFrame(ctx: JobContext, role: string): Promise<ColumnFrame> {
  if (ctx.input(role).datasetVersion) return ctx.frame(role);
  const bytes = await ctx.bytes(role);
  if (bytes.length >= 8 && bytes.subarray(0, 4).equals(PARQUET_MAGIC)) return readParquet(bytes);
  return parseCsvFrame(bytes);
}

/** A JSON document input (a stored report or constraints file); the error names the role. */
async function inputJson(ctx: JobContext, role: string): Promise<unknown> {
  const bytes = await ctx.bytes(role);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new AppError('INVALID_INPUT', { message: `The "${role}" input (${ctx.inputName(role)}) is not valid JSON: ${(error as Error).message}`, details: { role } });
  }
}

const safeName = (s: string) => s.toLowerCase().replace(/[^a-z0-9._-]/g, '-');

function modelFunction(model: JobModel, group: number): ModelFunction {
  if (model.kind === 'gbdt') return treeModelFunction(model.ensemble, group);
  const logistic = model.logistic;
  return (x: FeatureMatrix) => predictLogistic(logistic, designMatrix(x));
}

export const shapJob = defineJobType({
  type: 'shap',
  description: 'SHAP contributions against a background dataset: interventional TreeSHAP (tree models, margin space) or seeded KernelSHAP (any model, including a logistic regression); the contributions CSV of `attest explain shap --method`',
  componentType: 'evaluation',
  action: 'model:Explain',
  resourceType: 'model',
  requiredInputs: ['model', 'data', 'background'],
  optionalInputs: [],
  params: z.object({
    method: z.enum(['interventional', 'kernel']).default('interventional'),
    nsamples: z.coerce.number().int().min(1).optional(),
    seed: z.coerce.number().int().default(0),
    link: z.enum(['identity', 'logit']).default('identity'),
    background_clusters: z.coerce.number().int().min(1).optional(),
    max_rows: z.coerce.number().int().min(1).default(2000),
    output: OutputName.optional(),
  }),
  async run(ctx, p) {
    const model = await ctx.model();
    const full = await inputFrame(ctx, 'data');
    const rows = Math.min(full.rowCount, p.max_rows);
    const frame = rows === full.rowCount ? full : takeRows(full, Array.from({ length: rows }, (_, i) => i));
    const x = toFeatureMatrix(frame, model.featureNames);
    const background = toFeatureMatrix(await inputFrame(ctx, 'background'), model.featureNames);
    if (background.rows < 1) throw new AppError('INVALID_INPUT', { message: 'The background input has no rows' });
    let shap: ShapValues;
    if (p.method === 'interventional') {
      if (model.kind !== 'gbdt') throw new AppError('MODEL_UNSUPPORTED', { message: 'Interventional TreeSHAP explains tree models; use method=kernel for a logistic regression' });
      shap = treeShap(model.ensemble, x, { background });
    } else {
      let bg = background;
      let weights: Float64Array | undefined;
      if (p.background_clusters !== undefined) {
        const summary = kmeansSummary(background, p.background_clusters, { seed: p.seed });
        bg = summary.background;
        weights = summary.weights;
      }
      // Multiclass trees are explained through each class's probability, one block per class.
      const groups = model.kind === 'gbdt' ? model.ensemble.numGroups : 1;
      const width = model.featureNames.length + 1;
      const values = new Float64Array(x.rows * groups * width);
      const expectedValue = new Float64Array(groups);
      for (let g = 0; g < groups; g++) {
        const k = kernelShap(modelFunction(model, g), x, {
          background: bg,
          ...(weights !== undefined ? { backgroundWeights: weights } : {}),
          ...(p.nsamples !== undefined ? { nsamples: p.nsamples } : {}),
          seed: p.seed,
          link: p.link,
        });
        expectedValue[g] = k.expectedValue;
        for (let r = 0; r < x.rows; r++) values.set(k.values.subarray(r * width, (r + 1) * width), (r * groups + g) * width);
      }
      shap = { rows: x.rows, groups, width, featureNames: model.featureNames, values, expectedValue };
    }
    ctx.metric('rows', x.rows);
    ctx.metric('background_rows', background.rows);
    const name = p.output ?? `${ctx.inputName('model')}-shap-${p.method}.csv`;
    await ctx.outputArtifact('contributions', name, Buffer.from(formatContributionsCsv(shap)), 'text/csv');
  },
});

export const resampleJob = defineJobType({
  type: 'resample',
  description: 'Seeded random over-sampling (minority classes drawn with replacement) or under-sampling (larger classes thinned) of a label, as a new dataset version with the resampling record',
  componentType: 'processing',
  action: 'dataset:CreateVersion',
  resourceType: 'dataset',
  requiredInputs: ['data'],
  optionalInputs: [],
  params: z.object({
    method: z.enum(['over', 'under']),
    label: z.string().min(1),
    seed: z.coerce.number().int(),
    ratio: z.coerce.number().gt(0).max(1).default(1),
    output: DatasetName.optional(),
  }),
  async run(ctx, p) {
    const frame = await inputFrame(ctx, 'data');
    const spec = ResampleSpecSchema.parse({ label: p.label, strategy: p.method === 'over' ? 'oversample' : 'undersample', seed: p.seed, ratio: p.ratio });
    const result = resampleFrame(frame, spec);
    ctx.metric('rows:before', result.record.before.total);
    ctx.metric('rows:after', result.record.after.total);
    const output = p.output ?? `${ctx.inputName('data')}-${p.method}sampled`;
    await ctx.outputDataset('data', output, result.frame);
    await ctx.outputArtifact('record', `${output}.resampling.json`, json(result.record), 'application/json');
  },
});

export const parquetExportJob = defineJobType({
  type: 'parquet-export',
  description: 'Writes the rows of a dataset version (or a CSV artifact) as a Parquet file, stored as an encrypted artifact',
  componentType: 'processing',
  action: 'artifact:Put',
  resourceType: 'artifact',
  requiredInputs: ['data'],
  optionalInputs: [],
  params: z.object({ output: OutputName.optional() }),
  async run(ctx, p) {
    const frame = await inputFrame(ctx, 'data');
    ctx.metric('rows', frame.rowCount);
    await ctx.outputArtifact('parquet', p.output ?? `${ctx.inputName('data')}.parquet`, writeParquet(frame), PARQUET_MEDIA_TYPE);
  },
});

export const modelQualityJob = defineJobType({
  type: 'model-quality',
  description: "Model quality of rows with ground truth and predictions (binary, multiclass or regression; Model Monitor's metric set), with optional constraints: statistics.json and constraint_violations.json",
  componentType: 'evaluation',
  action: 'monitor:Run',
  resourceType: 'monitor',
  requiredInputs: ['data'],
  optionalInputs: ['constraints'],
  params: z.object({
    problem: z.enum(['binary', 'multiclass', 'regression']),
    label: z.string().min(1),
    predicted: z.string().min(1),
    probability: z.string().min(1).optional(),
    positive: z.union([z.string(), z.number()]).optional(),
    seed: z.coerce.number().int().default(0),
    report_name: OutputName.optional(),
  }),
  async run(ctx, p) {
    const problem: QualityProblem = p.problem;
    if (problem !== 'binary' && (p.probability !== undefined || p.positive !== undefined)) throw new AppError('INVALID_INPUT', { message: 'probability and positive apply to problem=binary only' });
    const frame = await inputFrame(ctx, 'data');
    const statistics = modelQualityStatistics(frame, problem, { label: p.label, predicted: p.predicted, ...(p.probability !== undefined ? { probability: p.probability } : {}), ...(p.positive !== undefined ? { positive: String(p.positive) } : {}) }, p.seed);
    for (const [name, value] of Object.entries(qualityMetricValues(statistics))) ctx.metric(`quality:${name}`, value);
    const base = p.report_name ?? `monitoring/${ctx.inputName('data')}/model-quality`;
    await ctx.outputArtifact('statistics', `${base}/statistics.json`, json(statistics), 'application/json');
    if (ctx.hasInput('constraints')) {
      const violations = checkModelQualityConstraints(statistics, problem, await inputJson(ctx, 'constraints'));
      ctx.metric('violations', violations.length);
      await ctx.outputArtifact('violations', `${base}/constraint_violations.json`, json({ violations }), 'application/json');
    }
  },
});

export const predictionDriftJob = defineJobType({
  type: 'prediction-drift',
  description: "Drift of a model's output column (scores or predicted labels) between reference rows and a window: every statistic and the default test",
  componentType: 'evaluation',
  action: 'monitor:Run',
  resourceType: 'monitor',
  requiredInputs: ['reference', 'data'],
  optionalInputs: [],
  params: z.object({ column: z.string().min(1).default('prediction'), report_name: OutputName.optional() }),
  async run(ctx, p) {
    const reference = requireColumn(await inputFrame(ctx, 'reference'), p.column, `column of the reference input ${ctx.inputName('reference')}`);
    const current = requireColumn(await inputFrame(ctx, 'data'), p.column, `column of the data input ${ctx.inputName('data')}`);
    if (reference.kind !== current.kind) throw new AppError('DATA_SCHEMA_MISMATCH', { message: `"${p.column}" is ${reference.kind} in the reference and ${current.kind} in the window` });
    const drift = predictionDrift(distributionFromColumn(reference), distributionFromColumn(current));
    ctx.metric('drifted', drift.drifted ? 1 : 0);
    ctx.metric(`drift:${drift.test.name}`, drift.test.value);
    ctx.metric('drift:effect_size', drift.effectSize);
    const base = p.report_name ?? `monitoring/${ctx.inputName('data')}/prediction-drift`;
    await ctx.outputArtifact('prediction-drift', `${base}/prediction_drift.json`, json(drift), 'application/json');
  },
});

export const biasDriftJob = defineJobType({
  type: 'bias-drift',
  description: 'Bias drift: every metric of a baseline bias report (a bias job or `attest bias --output` report) compared with a current one; bias_drift_check violations',
  componentType: 'evaluation',
  action: 'monitor:Run',
  resourceType: 'monitor',
  requiredInputs: ['baseline', 'current'],
  optionalInputs: [],
  params: z.object({
    tolerance: z.coerce.number().min(0).default(0.1),
    mode: z.enum(['absolute', 'relative']).default('absolute'),
    metric_tolerances: z.string().optional(),
    report_name: OutputName.optional(),
  }),
  async run(ctx, p) {
    const perMetric = jsonParam(p.metric_tolerances, 'metric_tolerances') ?? {};
    const parsed = z.record(z.string(), z.number().min(0)).safeParse(perMetric);
    if (!parsed.success) throw new AppError('INVALID_INPUT', { message: '--param metric_tolerances must be a JSON object of non-negative numbers, e.g. {"DI":0.2}', details: { parameter: 'metric_tolerances' } });
    const result = biasDrift(await inputJson(ctx, 'baseline'), await inputJson(ctx, 'current'), { tolerance: p.tolerance, mode: p.mode, metricTolerances: parsed.data });
    ctx.metric('compared', result.comparisons.length);
    ctx.metric('violations', result.violations.length);
    const base = p.report_name ?? `monitoring/${ctx.inputName('current')}/bias-drift`;
    await ctx.outputArtifact('violations', `${base}/constraint_violations.json`, json({ violations: result.violations }), 'application/json');
    await ctx.outputArtifact('bias-drift', `${base}/bias_drift.json`, json(result), 'application/json');
  },
});

/** Attributions from a contributions table (dataset version, CSV or Parquet artifact) or a Clarify analysis.json artifact. */
async function inputAttributions(ctx: JobContext, role: string): Promise<GlobalAttributions> {
  if (!ctx.input(role).datasetVersion) {
    const bytes = await ctx.bytes(role);
    if (bytes.toString('utf8', 0, Math.min(bytes.length, 64)).trimStart().startsWith('{')) return attributionsFromClarify(await inputJson(ctx, role));
  }
  return attributionsFromContributions(await inputFrame(ctx, role));
}

export const attributionDriftJob = defineJobType({
  type: 'attribution-drift',
  description: "Feature-attribution drift: nDCG of the window's global SHAP ranking against the baseline's (Model Monitor's rule, violation below the threshold, default 0.9)",
  componentType: 'evaluation',
  action: 'monitor:Run',
  resourceType: 'monitor',
  requiredInputs: ['baseline', 'current'],
  optionalInputs: [],
  params: z.object({ threshold: z.coerce.number().gt(0).max(1).default(0.9), report_name: OutputName.optional() }),
  async run(ctx, p) {
    const result = attributionDriftCheck(await inputAttributions(ctx, 'baseline'), await inputAttributions(ctx, 'current'), p.threshold);
    for (const l of result.labels) ctx.metric(`ndcg:${safeName(l.label)}`, l.ndcg);
    ctx.metric('violations', result.violations.length);
    const base = p.report_name ?? `monitoring/${ctx.inputName('current')}/attribution-drift`;
    await ctx.outputArtifact('violations', `${base}/constraint_violations.json`, json({ violations: result.violations }), 'application/json');
    await ctx.outputArtifact('attribution-drift', `${base}/attribution_drift.json`, json(result), 'application/json');
  },
});

/** Every job type of this module, in the order `jobs types` lists them. */
export const ANALYSIS_JOB_TYPES = [shapJob, resampleJob, parquetExportJob, modelQualityJob, predictionDriftJob, biasDriftJob, attributionDriftJob];

/**
 * @module jobs/model-job-types
 * Jobs over models: training (gradient-boosted trees or logistic regression), evaluation,
 * explanation (SHAP, reason codes, the HTML report), bias (Clarify's metrics) and batch transform.
 * Each reads its inputs through the job context and commits named, encrypted outputs.
 */
import { z } from 'zod';
import type { Column, ColumnFrame } from '../data/index.js';
import { findColumn, labelVector, numericColumn, takeRows, toFeatureMatrix } from '../data/index.js';
import { AppError } from '../kernel/index.js';
import { buildExplanationReport, meanAbsShap, reasonCodesForRows, renderExplanationHtml, treeShap } from '../ml/explain/index.js';
import { biasReport } from '../ml/fairness/index.js';
import { parseBoosterParams, train } from '../ml/gbdt/index.js';
import { fitLogisticRegression } from '../ml/linear/index.js';
import { binaryMetrics } from '../ml/metrics/index.js';
import type { JobContext } from './job-context.js';
import type { JobModel } from './job-models.js';
import { designMatrix, scoreFrame, serializeJobModel } from './job-models.js';
import { defineJobType, listParam } from './job-type.js';

const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
const OutputName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,150}$/, 'letters, digits and . _ / -');

function features(frame: ColumnFrame, label: string, exclude: string[]): string[] {
  const skip = new Set([label, ...exclude]);
  return frame.columns.filter((c) => !skip.has(c.name) && c.kind === 'numeric').map((c) => c.name);
}

/** The model input's name for naming derived outputs (`credit-model` → `credit-model-evaluation`). */
const modelName = (ctx: JobContext) => ctx.inputName('model');

const TRAINING_RESERVED = new Set(['algorithm', 'label', 'exclude', 'model_name', 'penalty', 'C', 'eval_metric']);

export const trainingJob = defineJobType({
  type: 'training',
  description: 'Trains a gradient-boosted tree model (XGBoost-compatible) or a logistic regression on a dataset version',
  componentType: 'training',
  action: 'model:Train',
  resourceType: 'model',
  requiredInputs: ['train'],
  optionalInputs: ['validation'],
  params: z
    .object({
      algorithm: z.enum(['gbdt', 'logistic']).default('gbdt'),
      label: z.string().min(1),
      exclude: z.string().optional(),
      model_name: OutputName.default('model'),
      penalty: z.enum(['l2', 'l1', 'none']).default('l2'),
      C: z.coerce.number().positive().default(1),
      eval_metric: z.string().optional(),
    })
    .catchall(z.union([z.string(), z.number(), z.boolean()])),
  async run(ctx, p) {
    const trainFrame = await ctx.frame('train');
    ctx.log(`read train: ${trainFrame.rowCount} rows`);
    const names = features(trainFrame, p.label, listParam(p.exclude));
    // The feature columns complete the record `attest reproduce` re-runs (reproduce/training-rerun.ts).
    await ctx.component.logParameters({ features: names.join(',') });
    const y = labelVector(trainFrame, p.label);
    const x = toFeatureMatrix(trainFrame, names);
    let model: JobModel;
    if (p.algorithm === 'logistic') {
      const logistic = fitLogisticRegression(designMatrix(x), y, names, { penalty: p.penalty, C: p.C });
      model = { kind: 'logistic', featureNames: names, logistic };
      ctx.metric('train:objective', logistic.objective);
      ctx.metric('iterations', logistic.iterations);
    } else {
      const booster: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(p)) if (!TRAINING_RESERVED.has(k)) booster[k] = v;
      const metrics = listParam(p.eval_metric);
      if (metrics.length > 0) booster.eval_metric = metrics;
      const params = parseBoosterParams(booster);
      const validation = ctx.hasInput('validation') ? await ctx.frame('validation') : undefined;
      if (validation) ctx.log(`read validation: ${validation.rowCount} rows`);
      const result = train({ x, y: Float32Array.from(y), featureNames: names }, params, {
        ...(validation ? { validation: { x: toFeatureMatrix(validation, names), y: Float32Array.from(labelVector(validation, p.label)) } } : {}),
        onRound: (round, metrics) => {
          for (const [name, value] of Object.entries(metrics)) ctx.metric(name.replace('-', ':'), value, round);
        },
      });
      for (const [set, byMetric] of Object.entries(result.evalLog)) {
        for (const [metric, values] of Object.entries(byMetric ?? {})) {
          const last = values?.at(-1);
          if (last !== undefined) ctx.metric(`${set}:${metric}`, last);
        }
      }
      ctx.metric('trees', result.model.trees.length);
      ctx.log(`trained ${result.model.trees.length} trees`);
      model = { kind: 'gbdt', featureNames: names, ensemble: result.model };
    }
    const stored = serializeJobModel(model);
    await ctx.outputArtifact('model', p.model_name, stored.bytes, stored.mediaType);
  },
});

export const evaluationJob = defineJobType({
  type: 'evaluation',
  description: 'Evaluates a binary classifier on a dataset version: ROC AUC, KS, Gini, accuracy, precision, recall, F1, confusion matrix',
  componentType: 'evaluation',
  action: 'model:Evaluate',
  resourceType: 'model',
  requiredInputs: ['model', 'data'],
  optionalInputs: [],
  params: z.object({ label: z.string().min(1), threshold: z.coerce.number().min(0).max(1).default(0.5), split: z.string().regex(/^[a-z0-9_-]+$/).default('test'), report_name: OutputName.optional() }),
  async run(ctx, p) {
    const model = await ctx.model();
    const frame = await ctx.frame('data');
    const { scores } = scoreFrame(model, frame);
    const m = binaryMetrics(labelVector(frame, p.label), scores, p.threshold);
    for (const [name, value] of Object.entries({ auc: m.rocAuc, ks: m.ks, gini: m.gini, accuracy: m.accuracy, precision: m.precision, recall: m.recall, f1: m.f1 })) {
      ctx.metric(`${p.split}:${name}`, value);
    }
    await ctx.outputArtifact('evaluation', p.report_name ?? `${modelName(ctx)}-evaluation`, json({ split: p.split, threshold: p.threshold, rows: frame.rowCount, metrics: m }), 'application/json');
  },
});

export const explanationJob = defineJobType({
  type: 'explanation',
  description: 'Explains a tree model on a dataset version: SHAP values, global importance, reason codes per row and the HTML report',
  componentType: 'evaluation',
  action: 'model:Explain',
  resourceType: 'model',
  requiredInputs: ['model', 'data'],
  optionalInputs: [],
  params: z.object({ label: z.string().optional(), top_k: z.coerce.number().int().min(1).max(20).default(4), max_rows: z.coerce.number().int().min(1).default(2000), title: z.string().max(200).optional() }),
  async run(ctx, p) {
    const model = await ctx.model();
    if (model.kind !== 'gbdt') throw new AppError('MODEL_UNSUPPORTED', { message: 'Explanation jobs compute exact TreeSHAP and need a tree model; explain a logistic regression by its coefficients' });
    const full = await ctx.frame('data');
    const rows = Math.min(full.rowCount, p.max_rows);
    const frame = rows === full.rowCount ? full : takeRows(full, Array.from({ length: rows }, (_, i) => i));
    const x = toFeatureMatrix(frame, model.featureNames);
    const shap = treeShap(model.ensemble, x);
    const importance = meanAbsShap(shap, model.featureNames);
    for (const f of importance.slice(0, 10)) ctx.metric(`shap:${f.name}`, f.value);
    const labels = p.label ? labelVector(frame, p.label) : undefined;
    const report = buildExplanationReport(model.ensemble, x, { ...(labels ? { labels } : {}), title: p.title ?? `${modelName(ctx)}: explanations on ${ctx.inputName('data')}` });
    const reasons = reasonCodesForRows(shap, x, model.featureNames, { topK: p.top_k });
    const base = `${modelName(ctx)}-explanation`;
    await ctx.outputArtifact('explanation-json', `${base}.json`, json(report), 'application/json');
    await ctx.outputArtifact('explanation-html', `${base}.html`, Buffer.from(renderExplanationHtml(report)), 'text/html');
    await ctx.outputArtifact('reason-codes', `${modelName(ctx)}-reason-codes`, json(reasons), 'application/json');
  },
});

export const biasJob = defineJobType({
  type: 'bias',
  description: "Pre- and post-training bias metrics (SageMaker Clarify's set) of a model's predictions on a dataset version for one facet",
  componentType: 'evaluation',
  action: 'bias:Run',
  resourceType: 'bias-report',
  requiredInputs: ['model', 'data'],
  optionalInputs: [],
  params: z.object({
    label: z.string().min(1),
    facet: z.string().min(1),
    sensitive: z.union([z.string(), z.number()]).optional(),
    positive: z.union([z.string(), z.number()]).default(1),
    group: z.string().optional(),
    threshold: z.coerce.number().min(0).max(1).default(0.5),
    bootstrap: z.coerce.number().int().min(0).max(10_000).default(0),
    seed: z.coerce.number().int().default(1),
  }),
  async run(ctx, p) {
    const model = await ctx.model();
    const frame = await ctx.frame('data');
    const { scores } = scoreFrame(model, frame);
    const predicted = Float64Array.from(scores, (s) => (s > p.threshold ? 1 : 0));
    const withPredictions: ColumnFrame = { rowCount: frame.rowCount, columns: [...frame.columns, numericColumn('predicted_label', predicted, 'integer')] };
    const values = (v: string | number | undefined) => (v === undefined ? undefined : String(v).split(',').map((s) => (Number.isFinite(Number(s)) && s.trim() !== '' ? Number(s) : s.trim())));
    const report = biasReport(withPredictions, {
      label: p.label,
      positive: values(p.positive) ?? [1],
      facet: p.facet,
      ...(p.sensitive !== undefined ? { sensitive: values(p.sensitive)! } : {}),
      ...(p.group ? { group: p.group } : {}),
      predicted: 'predicted_label',
      ...(p.bootstrap > 0 ? { bootstrap: { replicates: p.bootstrap, seed: p.seed } } : {}),
    });
    for (const stage of ['pre_training_bias_metrics', 'post_training_bias_metrics'] as const) {
      const facets = report[stage]?.facets ?? {};
      const first = Object.values(facets)[0]?.[0];
      for (const metric of first?.metrics ?? []) if (typeof metric.value === 'number') ctx.metric(`bias:${metric.name}`, metric.value);
    }
    await ctx.outputArtifact('bias-report', `${modelName(ctx)}-bias-${p.facet.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}`, json(report), 'application/json');
  },
});

export const batchTransformJob = defineJobType({
  type: 'batch-transform',
  description: 'Scores every row of a dataset version with a model and stores the rows with a prediction column as a new dataset version; with capture_source, also captures every request and response in Model Monitor\'s format',
  componentType: 'transform',
  action: 'endpoint:RunBatchTransform',
  resourceType: 'endpoint',
  requiredInputs: ['model', 'data'],
  optionalInputs: [],
  params: z.object({
    output: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/).optional(),
    column: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/).default('prediction'),
    capture_source: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/).optional(),
    id_column: z.string().min(1).max(128).optional(),
  }),
  async run(ctx, p) {
    const model = await ctx.model();
    const frame = await ctx.frame('data');
    const { scores } = scoreFrame(model, frame);
    ctx.metric('rows', frame.rowCount);
    const scored: ColumnFrame = { rowCount: frame.rowCount, columns: [...frame.columns.filter((c) => c.name !== p.column), numericColumn(p.column, scores)] };
    await ctx.outputDataset('predictions', p.output ?? `${ctx.inputName('data')}-scored`, scored);
    if (p.capture_source !== undefined) await captureBatch(ctx, model, frame, scores, p.capture_source, p.id_column);
  },
});

/** A CSV field as Model Monitor's CSV capture writes it: empty for missing, quoted when needed. */
function csvField(column: Column, row: number): string {
  if (column.kind === 'numeric') {
    const v = column.values[row]!;
    return Number.isNaN(v) ? '' : String(v);
  }
  const code = column.codes[row]!;
  const text = code < 0 ? '' : column.dictionary[code]!;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Captures a batch transform as an endpoint would (issue 15): one Model Monitor record per row,
 * the model's features as the CSV request and the score as the CSV response, stored through the
 * capture service (encrypted, hourly partitions under `capture/<source>/…`) so that ground truth
 * joins by event id — `<job id>-<row>`, stable across retries — or by the row's `id_column` value
 * as inference id, and model-quality monitoring reads batch and online decisions alike.
 */
async function captureBatch(ctx: JobContext, model: JobModel, frame: ColumnFrame, scores: Float64Array, source: string, idColumn: string | undefined): Promise<void> {
  const { encodeCaptureContent, formatCaptureLine } = await import('../monitoring/index.js');
  const features = model.featureNames.map((name) => {
    const column = findColumn(frame, name);
    if (!column) throw new AppError('DATA_SCHEMA_MISMATCH', { message: `The data has no column ${name}, a feature of the model` });
    return column;
  });
  const ids = idColumn === undefined ? undefined : findColumn(frame, idColumn);
  if (idColumn !== undefined && !ids) throw new AppError('INVALID_INPUT', { message: `id_column ${idColumn} is not a column of the data` });
  const at = new Date();
  const lines: string[] = [];
  for (let row = 0; row < frame.rowCount; row++) {
    const request = features.map((c) => csvField(c, row)).join(',');
    const inferenceId = ids ? csvField(ids, row) : '';
    lines.push(
      formatCaptureLine({
        eventId: `${ctx.job.jobId}-${row}`,
        ...(inferenceId !== '' ? { inferenceId } : {}),
        inferenceTime: at,
        input: encodeCaptureContent('INPUT', 'text/csv', request),
        output: encodeCaptureContent('OUTPUT', 'text/csv', String(scores[row])),
      }),
    );
  }
  const ingested = await ctx.adoptOutput('capture', async () => {
    const result = await ctx.app.capture.ingestCaptures(ctx.actor, ctx.projectId, source, `${lines.join('\n')}\n`);
    const first = result.partitions[0]!;
    return { artifactId: first.artifactId, name: first.name, version: first.version };
  });
  ctx.metric('captured', frame.rowCount);
  ctx.log(`captured ${frame.rowCount} records under capture/${source} (${ingested.name}@${ingested.version})`);
}

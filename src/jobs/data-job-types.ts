/**
 * @module jobs/data-job-types
 * Jobs over data: processing (a seeded, stratified split, or fitting a transform pipeline — the
 * same data functions the processing service uses), monitoring baselines, monitoring checks of a
 * window against a baseline, and custom jobs (a user's script run inside the job process with the
 * job context as its SDK).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { fitPipeline, splitFrame, TransformSpecSchema } from '../data/index.js';
import { AppError } from '../kernel/index.js';
import { monitorCheck, monitorCheckFiles } from '../monitoring/index.js';
import type { JobContext } from './job-context.js';
import { defineJobType, listParam } from './job-type.js';

const DatasetName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/, 'letters, digits, . _ -');

export const processingJob = defineJobType({
  type: 'processing',
  description: 'Splits a dataset version (seeded, optionally stratified) into train/validation/test versions, or fits a transform pipeline and writes the transformed version',
  componentType: 'processing',
  action: 'dataset:CreateVersion',
  resourceType: 'dataset',
  requiredInputs: ['data'],
  optionalInputs: [],
  params: z.object({
    operation: z.enum(['split', 'fit-transforms']).default('split'),
    label: z.string().optional(),
    train: z.coerce.number().min(0).max(1).default(0.7),
    validation: z.coerce.number().min(0).max(1).default(0.15),
    test: z.coerce.number().min(0).max(1).default(0.15),
    seed: z.coerce.number().int().default(42),
    prefix: DatasetName.optional(),
    /**
     * A fraction set aside first as a `holdout` output (stratified, seed `seed`), before the rest is
     * split (seed `seed + 1`): evidence no model step may use, kept apart by lineage.
     */
    holdout: z.coerce.number().min(0).max(0.5).default(0),
    holdout_name: DatasetName.optional(),
    /** Names of the split outputs (default PREFIX-train, PREFIX-validation, PREFIX-test). */
    train_name: DatasetName.optional(),
    validation_name: DatasetName.optional(),
    test_name: DatasetName.optional(),
    transforms: z.string().optional(),
    output: DatasetName.optional(),
  }),
  async run(ctx, p) {
    const frame = await ctx.frame('data');
    const prefix = p.prefix ?? ctx.inputName('data');
    if (p.operation === 'split') {
      const label = p.label ? { label: p.label } : {};
      let rest = frame;
      if (p.holdout > 0) {
        const first = splitFrame(frame, { ...label, fractions: { train: 1 - p.holdout, validation: 0, test: p.holdout }, seed: p.seed });
        ctx.metric('rows:holdout', first.test.rowCount);
        await ctx.outputDataset('holdout', p.holdout_name ?? `${prefix}-holdout`, first.test);
        rest = first.train;
      }
      const parts = splitFrame(rest, { ...label, fractions: { train: p.train, validation: p.validation, test: p.test }, seed: p.holdout > 0 ? p.seed + 1 : p.seed });
      for (const role of ['train', 'validation', 'test'] as const) {
        ctx.metric(`rows:${role}`, parts[role].rowCount);
        if (parts[role].rowCount > 0) await ctx.outputDataset(role, p[`${role}_name`] ?? `${prefix}-${role}`, parts[role]);
      }
      return;
    }
    let specs: unknown;
    try {
      specs = JSON.parse(p.transforms ?? '');
    } catch {
      throw new AppError('INVALID_INPUT', { message: 'fit-transforms needs --param transforms=JSON (an array of transform specifications)' });
    }
    const parsed = TransformSpecSchema.array().min(1).safeParse(specs);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError('INVALID_INPUT', { message: `Invalid transform specification at ${issue?.path.join('.') || '(root)'}: ${issue?.message}` });
    }
    const fitted = fitPipeline(frame, parsed.data);
    const output = p.output ?? `${prefix}-transformed`;
    await ctx.outputArtifact('fitted-pipeline', `transforms/${output}.json`, Buffer.from(`${JSON.stringify(fitted.pipeline, null, 2)}\n`), 'application/vnd.attest.fitted-pipeline+json');
    await ctx.outputDataset('data', output, fitted.frame);
  },
});

export const baselineJob = defineJobType({
  type: 'baseline',
  description: 'Suggests a monitoring baseline (statistics + constraints) from a dataset version, signed and linked to the model',
  componentType: 'processing',
  action: 'baseline:Create',
  resourceType: 'baseline',
  requiredInputs: ['data'],
  optionalInputs: ['model'],
  params: z.object({ name: DatasetName, exclude: z.string().optional() }),
  async run(ctx, p) {
    const data = ctx.input('data');
    if (!data.datasetVersion) throw new AppError('INVALID_INPUT', { message: 'A baseline is suggested from a dataset version: give --input data=NAME@VERSION or dsv_…' });
    const dataset = data.datasetVersion.datasetVersionId;
    await ctx.adoptOutput('baseline-manifest', async () => {
      const baseline = await ctx.app.baselines.create(ctx.actor, ctx.projectId, {
        name: p.name,
        dataset,
        ...(ctx.hasInput('model') ? { model: ctx.input('model').artifactId } : {}),
        exclude: listParam(p.exclude),
      });
      ctx.metric('features', baseline.statistics.features.length);
      return { artifactId: baseline.manifestArtifactId, name: `baselines/${p.name}/manifest.json`, version: baseline.manifest.version };
    });
  },
});

export const monitorCheckJob = defineJobType({
  type: 'monitor-check',
  description: 'Checks a data window against a stored baseline: constraint violations, drift statistics and the HTML report',
  componentType: 'evaluation',
  action: 'monitor:Run',
  resourceType: 'monitor',
  requiredInputs: ['data'],
  optionalInputs: [],
  params: z.object({ baseline: z.string().min(1), report_name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,150}$/).optional() }),
  async run(ctx, p) {
    const baseline = await ctx.app.baselines.get(ctx.actor, ctx.projectId, p.baseline);
    await ctx.component.logInput('baseline', baseline.manifestArtifactId);
    const frame = await ctx.frame('data');
    const result = monitorCheck(baseline, frame);
    ctx.metric('violations', result.violations.violations.length);
    const files = monitorCheckFiles(baseline, result, { title: `Monitoring check: ${ctx.inputName('data')} against baseline ${p.baseline}`, runAt: new Date().toISOString() });
    const base = p.report_name ?? `monitoring/${baseline.manifest.name}`;
    await ctx.outputArtifact('violations', `${base}/constraint_violations.json`, Buffer.from(files['constraint_violations.json']!), 'application/json');
    await ctx.outputArtifact('statistics', `${base}/statistics.json`, Buffer.from(files['statistics.json']!), 'application/json');
    await ctx.outputArtifact('report-json', `${base}/drift_report.json`, Buffer.from(files['drift_report.json']!), 'application/json');
    await ctx.outputArtifact('report-html', `${base}/report.html`, Buffer.from(files['report.html']!), 'text/html');
  },
});

/** What a custom script's default export receives: the job context (inputs, outputs, metrics, log). */
export type CustomJobScript = (ctx: JobContext, params: Record<string, string | number | boolean>) => Promise<void> | void;

export const customJob = defineJobType({
  type: 'custom',
  description: "Runs a user's Node.js module (stored as an artifact, input role `script`) in the job process; its default export receives the job context as its SDK",
  componentType: 'custom',
  action: 'component:Create',
  resourceType: 'component',
  requiredInputs: ['script'],
  optionalInputs: 'any',
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  async run(ctx, p) {
    const path = join(ctx.scratch, 'job-script.mjs');
    writeFileSync(path, await ctx.bytes('script'), { mode: 0o600 });
    const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
    if (typeof module.default !== 'function') throw new AppError('INVALID_INPUT', { message: 'A custom job script must export a default async function (ctx, params)' });
    await (module.default as CustomJobScript)(ctx, p);
  },
});

/**
 * @module jobs/validation-job-types
 * The outcomes analysis of a model validation as governed jobs: `challenger-comparison` (the
 * candidate against the champion on the same holdout rows), `backtest` (metrics per historical
 * period) and `stress-test` (score and decision shifts under scenario transforms of the input
 * features). Each reads its inputs by reference, records them on its trial component (so lineage
 * reads inputs → component → outputs, the champion included when it is resolved from the
 * registry), stores its report as an encrypted, named JSON artifact, and — when the model is a
 * registered version, or `attach_to` names one — attaches the report to that version's validation
 * workspace as evidence once the job has succeeded.
 *
 * The registry's store and tables are imported by file, and its services lazily: the registry's
 * index imports the jobs module (to read models), so importing it here would make a cycle.
 */
import { z } from 'zod';
import { labelVector, requireColumn, toFeatureMatrix } from '../data/index.js';
import type { FeatureMatrix } from '../data/index.js';
import { AppError } from '../kernel/index.js';
import type { PeriodFlag, PeriodSpec, StressScenario } from '../ml/challenge/index.js';
import { backtest, compareChallenger, StressScenarioSchema, stressTest, SUMMARY_METRICS } from '../ml/challenge/index.js';
import { predict } from '../ml/gbdt/index.js';
import { predictLogistic } from '../ml/linear/index.js';
import type { JobContext } from './job-context.js';
import type { JobModel } from './job-models.js';
import { designMatrix, parseJobModel, scoreFrame } from './job-models.js';
import { RegistryStore } from '../registry/registry-store.js';
import { registryDb } from '../registry/registry-tables.js';
import { defineJobType, jsonParam } from './job-type.js';

const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
const OutputName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,150}$/, 'letters, digits and . _ / -');
/** A registry reference: `GROUP@N`, `GROUP@alias` or `mp_…`; `none` turns attachment off. */
const VersionRef = z.string().min(1).max(300);
const safeName = (s: string) => s.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'scenario';

function scorer(model: JobModel): (x: FeatureMatrix) => Float64Array {
  if (model.kind === 'logistic') return (x) => predictLogistic(model.logistic, designMatrix(x));
  if (model.ensemble.numGroups !== 1) throw new AppError('MODEL_UNSUPPORTED', { message: 'Validation jobs score binary tree models; this model has several output groups' });
  return (x) => Float64Array.from(predict(model.ensemble, x));
}

interface RegisteredVersion {
  versionId: string;
  groupId: string;
  group: string;
  version: number;
  artifactId: string;
}

const registry = (ctx: JobContext) => new RegistryStore(ctx.app.db);

/** A registry reference resolved within the job's project. */
async function findVersion(ctx: JobContext, ref: string): Promise<RegisteredVersion> {
  const { group, row } = await registry(ctx).findVersion(ctx.projectId, ref);
  return { versionId: row.id, groupId: group.id, group: group.name, version: Number(row.version), artifactId: row.artifact_id };
}

/** The registered version of the `model` input: named by `version`, else found by its artifact. */
async function candidateVersion(ctx: JobContext, version: string | undefined): Promise<RegisteredVersion | undefined> {
  const artifactId = ctx.input('model').artifactId;
  if (version !== undefined) {
    const v = await findVersion(ctx, version);
    if (v.artifactId !== artifactId) throw new AppError('INVALID_INPUT', { message: `${version} is ${v.group} version ${v.version}, whose artifact ${v.artifactId} is not the model input ${artifactId}`, details: { parameter: 'version' } });
    return v;
  }
  const rows = await registryDb(ctx.app.db)
    .selectFrom('model_versions')
    .innerJoin('model_groups', 'model_groups.id', 'model_versions.group_id')
    .select(['model_versions.id as id', 'model_versions.version as version', 'model_groups.id as groupId', 'model_groups.name as groupName'])
    .where('model_versions.project_id', '=', ctx.projectId)
    .where('model_versions.artifact_id', '=', artifactId)
    .execute();
  if (rows.length === 0) return undefined;
  if (rows.length > 1) throw new AppError('INVALID_INPUT', { message: `The model input is registered as ${rows.map((r) => `${r.groupName}@${r.version}`).join(' and ')}; say which with --param version=GROUP@N`, details: { parameter: 'version' } });
  const r = rows[0]!;
  return { versionId: r.id, groupId: r.groupId, group: r.groupName, version: Number(r.version), artifactId };
}

/**
 * Where the report goes as evidence: `attach_to` (a registry reference, or `none`), else the
 * candidate's registered version. Attached after the job has succeeded (evidence is only ever a
 * succeeded job's outputs); a failure to attach is logged, the job's results stand.
 */
async function attachAfterSuccess(ctx: JobContext, kind: 'challenger-comparison' | 'backtest' | 'stress-test', attachTo: string | undefined, registered: RegisteredVersion | undefined): Promise<void> {
  if (attachTo === 'none') return;
  const target = attachTo !== undefined ? await findVersion(ctx, attachTo) : registered;
  if (!target) {
    ctx.log('evidence: the model is not a registered version and no attach_to was given; nothing attached');
    return;
  }
  ctx.onSucceeded(async () => {
    const project = await ctx.app.db.kysely.selectFrom('projects').select('name').where('id', '=', ctx.projectId).executeTakeFirstOrThrow();
    const { EvidenceService, RegistryService } = await import('../registry/index.js');
    const evidence = new EvidenceService(ctx.app, new RegistryService(ctx.app));
    const attached = await evidence.attach({ actor: ctx.actor }, project.name, target.versionId, { kind, ref: ctx.job.jobId, note: `${kind} job ${ctx.job.jobId}` });
    ctx.log(`evidence: attached as ${kind} to ${target.group} version ${target.version} (${attached.map((e) => e.evidenceId).join(', ')})`);
  });
}

const CommonParams = {
  label: z.string().min(1),
  threshold: z.coerce.number().min(0).max(1).default(0.5),
  version: VersionRef.optional(),
  attach_to: VersionRef.optional(),
  report_name: OutputName.optional(),
};

const reportBase = (ctx: JobContext, registered: RegisteredVersion | undefined, p: { report_name?: string | undefined }, suffix: string) =>
  p.report_name ?? `validation/${registered ? `${registered.group}-v${registered.version}` : ctx.inputName('model')}/${suffix}.json`;

const reference = (r: RegisteredVersion | undefined, artifactId: string) => (r ? { group: r.group, version: r.version, versionId: r.versionId, artifactId } : { artifactId });

export const challengerComparisonJob = defineJobType({
  type: 'challenger-comparison',
  description:
    'A candidate model against the champion on the same holdout rows: metrics of both (AUC, KS, Gini, log loss, Brier, accuracy, …), their differences, a paired seeded bootstrap interval of the AUC difference, and decision agreement and flips at the threshold. The champion is the `champion` input, or the version `champion_version` names, or the alias champion (else production) of the candidate\'s group',
  componentType: 'evaluation',
  action: 'model:Evaluate',
  resourceType: 'model',
  requiredInputs: ['model', 'data'],
  optionalInputs: ['champion'],
  params: z.object({
    ...CommonParams,
    champion_version: VersionRef.optional(),
    replicates: z.coerce.number().int().min(0).max(100_000).default(1000),
    seed: z.coerce.number().int().default(0),
    confidence: z.coerce.number().gt(0).lt(1).default(0.95),
  }),
  async run(ctx, p) {
    const registered = await candidateVersion(ctx, p.version);
    let champion: { model: JobModel; ref: Record<string, unknown> };
    if (ctx.hasInput('champion')) {
      if (p.champion_version !== undefined) throw new AppError('INVALID_INPUT', { message: 'Give the champion as an input or as champion_version, not both', details: { parameter: 'champion_version' } });
      const input = ctx.input('champion');
      const versions = await registryDb(ctx.app.db).selectFrom('model_versions').select('id').where('artifact_id', '=', input.artifactId).where('project_id', '=', ctx.projectId).execute();
      champion = { model: await ctx.model('champion'), ref: { artifactId: input.artifactId, registered: versions.length > 0 } };
    } else {
      let v: RegisteredVersion | undefined;
      if (p.champion_version !== undefined) v = await findVersion(ctx, p.champion_version);
      else {
        if (!registered) throw new AppError('INVALID_INPUT', { message: 'The model is not a registered version, so there is no group to take the champion from: give --input champion=REF or --param champion_version=GROUP@N', details: { parameter: 'champion_version' } });
        const store = registry(ctx);
        for (const alias of ['champion', 'production']) {
          const target = await store.aliasTarget(registered.groupId, alias).catch(() => undefined);
          if (target) {
            v = await findVersion(ctx, target);
            break;
          }
        }
        if (!v) throw new AppError('MODEL_ALIAS_NOT_FOUND', { message: `Model group ${registered.group} has no champion or production alias to compare with; give --param champion_version=GROUP@N`, details: { group: registered.group } });
      }
      if (v.versionId === registered?.versionId) throw new AppError('INVALID_INPUT', { message: `${v.group} version ${v.version} is both the candidate and the champion`, details: { parameter: 'champion_version' } });
      // Recorded as an input of the component, so lineage shows the champion that was compared.
      await ctx.component.logInput('champion', v.artifactId);
      const { bytes } = await ctx.app.artifacts.getBytes(ctx.actor, v.artifactId, ctx.projectId);
      champion = { model: parseJobModel(bytes), ref: reference(v, v.artifactId) };
    }
    const candidate = await ctx.model();
    const frame = await ctx.frame('data');
    const labels = labelVector(frame, p.label);
    const result = compareChallenger(labels, scoreFrame(candidate, frame).scores, scoreFrame(champion.model, frame).scores, { threshold: p.threshold, replicates: p.replicates, seed: p.seed, confidence: p.confidence });
    for (const m of SUMMARY_METRICS) {
      const c = result.candidate.metrics[m];
      const h = result.champion.metrics[m];
      if (c !== null) ctx.metric(`candidate:${m}`, c);
      if (h !== null) ctx.metric(`champion:${m}`, h);
    }
    ctx.metric('auc_difference', result.aucDifference.difference);
    ctx.metric('auc_difference:lower', result.aucDifference.lower);
    ctx.metric('auc_difference:upper', result.aucDifference.upper);
    ctx.metric('decision_flips', result.agreement.flips);
    const report = { kind: 'challenger-comparison', format: 'attest-challenger-comparison/1', job: ctx.job.jobId, holdout: { ref: ctx.input('data').ref, artifactId: ctx.input('data').artifactId, label: p.label }, models: { candidate: reference(registered, ctx.input('model').artifactId), champion: champion.ref }, ...result };
    await ctx.outputArtifact('challenger-comparison', reportBase(ctx, registered, p, 'challenger-comparison'), json(report), 'application/json');
    await attachAfterSuccess(ctx, 'challenger-comparison', p.attach_to, registered);
  },
});

const FlagMetric = z.enum(SUMMARY_METRICS);
const WindowsSchema = z.array(z.object({ name: z.string().min(1).max(100), from: z.union([z.string(), z.number()]), to: z.union([z.string(), z.number()]) }).strict()).min(1);

export const backtestJob = defineJobType({
  type: 'backtest',
  description: 'Back-testing over historical windows: metrics per period (calendar month, quarter or year of a datetime column, each value of a column, or explicit [from, to) windows) with row counts; periods whose flag metric is below flag_below (or above flag_above) or with fewer than min_rows rows are flagged',
  componentType: 'evaluation',
  action: 'model:Evaluate',
  resourceType: 'model',
  requiredInputs: ['model', 'data'],
  optionalInputs: [],
  params: z.object({
    ...CommonParams,
    period_column: z.string().min(1),
    granularity: z.enum(['month', 'quarter', 'year', 'value']).default('month'),
    windows: z.string().optional(),
    flag_metric: FlagMetric.default('auc'),
    flag_below: z.coerce.number().optional(),
    flag_above: z.coerce.number().optional(),
    min_rows: z.coerce.number().int().min(1).optional(),
  }),
  async run(ctx, p) {
    const registered = await candidateVersion(ctx, p.version);
    const model = await ctx.model();
    const frame = await ctx.frame('data');
    const labels = labelVector(frame, p.label);
    const column = requireColumn(frame, p.period_column, `period column of ${ctx.inputName('data')}`);
    let spec: PeriodSpec = { granularity: p.granularity };
    if (p.windows !== undefined) {
      const parsed = WindowsSchema.safeParse(jsonParam(p.windows, 'windows'));
      if (!parsed.success) throw new AppError('INVALID_INPUT', { message: '--param windows must be a JSON list of {"name","from","to"} (from inclusive, to exclusive)', details: { parameter: 'windows' } });
      spec = { windows: parsed.data };
    }
    const flag: PeriodFlag | undefined =
      p.flag_below !== undefined || p.flag_above !== undefined || p.min_rows !== undefined
        ? { metric: p.flag_metric, ...(p.flag_below !== undefined ? { below: p.flag_below } : {}), ...(p.flag_above !== undefined ? { above: p.flag_above } : {}), ...(p.min_rows !== undefined ? { minRows: p.min_rows } : {}) }
        : undefined;
    let result: ReturnType<typeof backtest>;
    try {
      result = backtest(labels, scoreFrame(model, frame).scores, column, spec, { threshold: p.threshold, ...(flag ? { flag } : {}) });
    } catch (error) {
      if (error instanceof RangeError) throw new AppError('INVALID_INPUT', { message: error.message, details: { parameter: 'period_column' } });
      throw error;
    }
    result.periods.forEach((period, step) => {
      ctx.metric('period:rows', period.rows, step);
      if (period.metrics[p.flag_metric] !== null) ctx.metric(`period:${p.flag_metric}`, period.metrics[p.flag_metric]!, step);
    });
    ctx.metric('periods', result.periods.length);
    ctx.metric('flagged_periods', result.flaggedPeriods.length);
    const report = { kind: 'backtest', format: 'attest-backtest/1', job: ctx.job.jobId, data: { ref: ctx.input('data').ref, artifactId: ctx.input('data').artifactId, label: p.label }, model: reference(registered, ctx.input('model').artifactId), ...result };
    await ctx.outputArtifact('backtest', reportBase(ctx, registered, p, 'backtest'), json(report), 'application/json');
    await attachAfterSuccess(ctx, 'backtest', p.attach_to, registered);
  },
});

export const stressTestJob = defineJobType({
  type: 'stress-test',
  description:
    'Stress tests: scenarios of input-feature transforms (multiply, add, set, clip; e.g. [{"name":"income -20%","feature":"LIMIT_BAL","multiply":0.8}]), each reporting the mean score shift, the share of decisions flipped at the threshold and the score percentiles before and after',
  componentType: 'evaluation',
  action: 'model:Evaluate',
  resourceType: 'model',
  requiredInputs: ['model', 'data'],
  optionalInputs: [],
  params: z.object({ ...CommonParams, label: z.string().min(1).optional(), scenarios: z.string().min(2) }),
  async run(ctx, p) {
    const parsed = z.array(StressScenarioSchema).min(1).safeParse(jsonParam(p.scenarios, 'scenarios'));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError('INVALID_INPUT', { message: `--param scenarios must be a JSON list of {"name","feature","multiply"|"add"|"set"|"clip"} or {"name","transforms":[…]}: ${issue?.path.join('.')} ${issue?.message}`, details: { parameter: 'scenarios' } });
    }
    const scenarios: StressScenario[] = parsed.data;
    const names = new Set<string>();
    for (const s of scenarios) {
      if (names.has(s.name)) throw new AppError('INVALID_INPUT', { message: `Two scenarios are called ${s.name}`, details: { parameter: 'scenarios' } });
      names.add(s.name);
    }
    const registered = await candidateVersion(ctx, p.version);
    const model = await ctx.model();
    const frame = await ctx.frame('data');
    const x = toFeatureMatrix(frame, model.featureNames);
    let result: ReturnType<typeof stressTest>;
    try {
      result = stressTest(x, model.featureNames, scorer(model), scenarios, { threshold: p.threshold, ...(p.label !== undefined ? { labels: labelVector(frame, p.label) } : {}) });
    } catch (error) {
      if (error instanceof RangeError) throw new AppError('INVALID_INPUT', { message: error.message, details: { parameter: 'scenarios' } });
      throw error;
    }
    for (const s of result.scenarios) {
      ctx.metric(`stress:${safeName(s.name)}:mean_shift`, s.meanShift);
      ctx.metric(`stress:${safeName(s.name)}:flipped_share`, s.flippedShare);
    }
    const report = { kind: 'stress-test', format: 'attest-stress-test/1', job: ctx.job.jobId, data: { ref: ctx.input('data').ref, artifactId: ctx.input('data').artifactId, label: p.label ?? null }, model: reference(registered, ctx.input('model').artifactId), ...result };
    await ctx.outputArtifact('stress-test', reportBase(ctx, registered, p, 'stress-test'), json(report), 'application/json');
    await attachAfterSuccess(ctx, 'stress-test', p.attach_to, registered);
  },
});

/** Every job type of this module, in the order `jobs types` lists them. */
export const VALIDATION_JOB_TYPES = [challengerComparisonJob, backtestJob, stressTestJob];

/**
 * @module processing/processing-service
 * Governed data processing (issue 5, item 2): fitting a transform pipeline, re-applying a fitted
 * one, and splitting a dataset version each run as a tracked processing component. The fitted
 * pipeline (the learned means, categories, scales, …) is stored as an encrypted artifact a
 * validator can read, outputs become new dataset versions, and lineage links input version →
 * component → fitted pipeline and output versions, so inference re-applies exactly the same
 * transform and anyone can trace it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactService } from '../artifacts/index.js';
import type { ColumnFrame, FittedPipeline, SplitSpec, TransformSpec } from '../data/index.js';
import { applyPipeline, FittedPipelineSchema, fitPipeline, splitFrame, TransformSpecSchema, writeCsv } from '../data/index.js';
import type { DatasetService, DatasetVersion } from '../datasets/index.js';
import { AppError } from '../kernel/index.js';
import type { Actor } from '../security/audit/index.js';
import type { TrackingService, TrialComponent } from '../tracking/index.js';
import { InProcessTransport, Tracker } from '../tracking/index.js';
import type { ComponentLogger } from '../tracking/index.js';

export interface ProcessingDeps {
  artifacts: ArtifactService;
  datasets: DatasetService;
  tracking: TrackingService;
}

/** Where the component is recorded: an experiment (created if absent) and optionally a trial. */
export interface TrackingTarget {
  experiment: string;
  trial?: string;
  /** Working directory for git capture (default the process's). */
  cwd?: string;
}

export interface FitResult {
  component: TrialComponent;
  pipelineArtifactId: string;
  pipeline: FittedPipeline;
  output: DatasetVersion;
}

export class ProcessingService {
  readonly #deps: ProcessingDeps;

  constructor(deps: ProcessingDeps) {
    this.#deps = deps;
  }

  async #tracked<T>(actor: Actor, projectId: string, target: TrackingTarget, name: string, block: (c: ComponentLogger, scratch: string) => Promise<T>): Promise<{ component: TrialComponent; result: T }> {
    const tracker = new Tracker(new InProcessTransport({ tracking: this.#deps.tracking, artifacts: this.#deps.artifacts }, { actor, projectId }), { cwd: target.cwd ?? process.cwd() });
    const experiment = await tracker.experiment(target.experiment);
    const trials = target.trial ? [await this.#trial(tracker, experiment.experimentId, target.trial, projectId)] : [];
    const scratch = mkdtempSync(join(tmpdir(), 'attest-processing-'));
    try {
      return await tracker.component(name, 'processing', (c) => block(c, scratch), { trials });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  async #trial(tracker: Tracker, experimentId: string, name: string, projectId: string): Promise<string> {
    const existing = (await this.#deps.tracking.listTrials(experimentId, [projectId])).find((t) => t.name === name);
    return existing ? existing.trialId : (await tracker.trial(experimentId, name)).trialId;
  }

  async #storeFrame(actor: Actor, projectId: string, scratch: string, frame: ColumnFrame, name: string, c: ComponentLogger, role: string): Promise<DatasetVersion> {
    const path = join(scratch, `${role}.csv`);
    writeFileSync(path, writeCsv(frame));
    const v = await this.#deps.datasets.importFile(actor, path, { projectId, name, source: { component: c.componentId, role } });
    await c.logOutput(role, v.artifactId);
    return v;
  }

  /** Fits a pipeline of transforms on a dataset version and writes the transformed version. */
  async fit(actor: Actor, projectId: string, input: { dataset: string; specs: unknown; output: string }, target: TrackingTarget): Promise<FitResult> {
    const parsed = TransformSpecSchema.array().min(1).safeParse(input.specs);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError('INVALID_INPUT', { message: `Invalid transform specification at ${issue?.path.join('.') || '(root)'}: ${issue?.message}` });
    }
    const specs: TransformSpec[] = parsed.data;
    const source = await this.#deps.datasets.describe(projectId, input.dataset);
    const frame = await this.#deps.datasets.readFrame(actor, projectId, source);
    const { component, result } = await this.#tracked(actor, projectId, target, `FitTransforms:${input.output}`, async (c, scratch) => {
      await c.logParameters({ steps: specs.map((s) => s.kind).join(','), specification: JSON.stringify(specs) });
      await c.logInput('data', source.artifactId);
      const fitted = fitPipeline(frame, specs);
      const stored = await this.#deps.artifacts.putBytes(actor, Buffer.from(`${JSON.stringify(fitted.pipeline, null, 2)}\n`), {
        projectId,
        name: `transforms/${input.output}.json`,
        mediaType: 'application/vnd.attest.fitted-pipeline+json',
      });
      await c.logOutput('fitted-pipeline', stored.artifactId);
      const output = await this.#storeFrame(actor, projectId, scratch, fitted.frame, input.output, c, 'data');
      return { pipeline: fitted.pipeline, pipelineArtifactId: stored.artifactId, output };
    });
    return { component, ...result };
  }

  /** Re-applies a stored fitted pipeline (e.g. at inference) to another dataset version. */
  async apply(actor: Actor, projectId: string, input: { dataset: string; pipeline: string; output: string }, target: TrackingTarget): Promise<{ component: TrialComponent; output: DatasetVersion }> {
    const source = await this.#deps.datasets.describe(projectId, input.dataset);
    const frame = await this.#deps.datasets.readFrame(actor, projectId, source);
    const stored = await this.#deps.artifacts.getBytes(actor, input.pipeline, projectId);
    const pipeline = FittedPipelineSchema.parse(JSON.parse(stored.bytes.toString('utf8')));
    const { component, result } = await this.#tracked(actor, projectId, target, `ApplyTransforms:${input.output}`, async (c, scratch) => {
      await c.logInput('data', source.artifactId);
      await c.logInput('fitted-pipeline', stored.meta.artifactId);
      return this.#storeFrame(actor, projectId, scratch, applyPipeline(frame, pipeline), input.output, c, 'data');
    });
    return { component, output: result };
  }

  /** A seeded, stratified train/validation/test split into three dataset versions `<prefix>-train` etc. */
  async split(actor: Actor, projectId: string, input: { dataset: string; spec: SplitSpec; prefix: string }, target: TrackingTarget): Promise<{ component: TrialComponent; train: DatasetVersion; validation: DatasetVersion; test: DatasetVersion }> {
    const source = await this.#deps.datasets.describe(projectId, input.dataset);
    const frame = await this.#deps.datasets.readFrame(actor, projectId, source);
    const { component, result } = await this.#tracked(actor, projectId, target, `Split:${source.name}.v${source.version}`, async (c, scratch) => {
      await c.logParameters({ seed: input.spec.seed, stratify: input.spec.label ?? '', train: input.spec.fractions.train, validation: input.spec.fractions.validation, test: input.spec.fractions.test });
      await c.logInput('data', source.artifactId);
      const parts = splitFrame(frame, input.spec);
      return {
        train: await this.#storeFrame(actor, projectId, scratch, parts.train, `${input.prefix}-train`, c, 'train'),
        validation: await this.#storeFrame(actor, projectId, scratch, parts.validation, `${input.prefix}-validation`, c, 'validation'),
        test: await this.#storeFrame(actor, projectId, scratch, parts.test, `${input.prefix}-test`, c, 'test'),
      };
    });
    return { component, ...result };
  }
}

/**
 * @module tracking/sdk/tracker
 * The tracking SDK in the style of SageMaker Experiments' Tracker: get or create an experiment and
 * trials, then run each step inside `tracker.component(name, type, async (c) => …)`. The component
 * is started with the git state and runtime of the process, is Completed when the block resolves
 * and Failed (with the error message) when it throws. Logging calls queue in order; metrics are
 * sent in batches; every queued call has reached Attest before the component ends.
 */
import { basename } from 'node:path';
import { captureEnvironment, captureGit } from '../git-capture.js';
import type { ComponentArtifact, ComponentType, EnvironmentInfo, Experiment, ParameterValue, SourceInfo, Tags, Trial, TrialComponent } from '../tracking-model.js';
import type { MetricInput, TrackingTransport, UploadedArtifact } from './transport.js';

const METRIC_BATCH = 1000;

export interface TrackerOptions {
  /** Source-control lineage: captured from `cwd` when 'auto' (default), given explicitly, or none. */
  source?: SourceInfo | 'auto' | 'none';
  /** Where git and the lock file are looked for (default: the process's working directory). */
  cwd?: string;
  /** The runtime environment; by default the Node.js version and the hash of the lock file in `cwd`. */
  environment?: EnvironmentInfo;
}

/** An artifact reference for inputs and outputs: an id, `sha256:HEX`, `name[@version]`, or an upload result. */
export type ArtifactRef = string | { artifactId: string };

/** The handle a component block logs through. */
export class ComponentLogger {
  readonly componentId: string;
  readonly #transport: TrackingTransport;
  #chain: Promise<unknown> = Promise.resolve();
  #metrics: MetricInput[] = [];
  #failure: unknown;

  constructor(transport: TrackingTransport, componentId: string) {
    this.#transport = transport;
    this.componentId = componentId;
  }

  #enqueue<T>(op: () => Promise<T>): Promise<T> {
    this.#sendMetrics();
    const next = this.#chain.then(op);
    // Remember the first failure so the component ends Failed even if the caller did not await.
    this.#chain = next.catch((error: unknown) => {
      this.#failure ??= error;
    });
    return next;
  }

  #sendMetrics(): void {
    if (this.#metrics.length === 0) return;
    const batch = this.#metrics;
    this.#metrics = [];
    const next = this.#chain.then(() => this.#transport.logMetrics(this.componentId, batch));
    this.#chain = next.catch((error: unknown) => {
      this.#failure ??= error;
    });
  }

  logParameters(parameters: Record<string, ParameterValue>): Promise<void> {
    return this.#enqueue(() => this.#transport.logParameters(this.componentId, parameters));
  }

  logParameter(name: string, value: ParameterValue): Promise<void> {
    return this.logParameters({ [name]: value });
  }

  /** Records an input (e.g. role "train" for the training split); lineage: artifact ContributedTo component. */
  logInput(role: string, artifact: ArtifactRef): Promise<ComponentArtifact> {
    const ref = typeof artifact === 'string' ? artifact : artifact.artifactId;
    return this.#enqueue(() => this.#transport.logArtifactLink(this.componentId, 'input', { role, ref }));
  }

  /** Records an output (e.g. role "model"); lineage: component Produced artifact. */
  logOutput(role: string, artifact: ArtifactRef): Promise<ComponentArtifact> {
    const ref = typeof artifact === 'string' ? artifact : artifact.artifactId;
    return this.#enqueue(() => this.#transport.logArtifactLink(this.componentId, 'output', { role, ref }));
  }

  /** Queues one metric point (sent in batches of 1000 and when the block ends). */
  logMetric(name: string, value: number, step?: number, timestamp?: number): void {
    this.#metrics.push({ name, value, ...(step !== undefined ? { step } : {}), timestamp: timestamp ?? Date.now() });
    if (this.#metrics.length >= METRIC_BATCH) this.#sendMetrics();
  }

  /** Stores a file encrypted and records it as an output (role defaults to the file name). */
  async logArtifact(path: string, options: { role?: string; name?: string; mediaType?: string } = {}): Promise<UploadedArtifact> {
    const uploaded = await this.#enqueue(() => this.#transport.uploadArtifact(path, { ...(options.name ? { name: options.name } : {}), ...(options.mediaType ? { mediaType: options.mediaType } : {}) }));
    await this.logOutput(options.role ?? basename(path), uploaded);
    return uploaded;
  }

  setTags(tags: Tags): Promise<void> {
    return this.#enqueue(() => this.#transport.setTags(this.componentId, tags));
  }

  addNote(text: string): Promise<void> {
    return this.#enqueue(() => this.#transport.addNote(this.componentId, text));
  }

  /** Sends everything queued; rejects with the first failure of a queued call. */
  async flush(): Promise<void> {
    this.#sendMetrics();
    await this.#chain;
    if (this.#failure !== undefined) throw this.#failure;
  }
}

export class Tracker {
  readonly #transport: TrackingTransport;
  readonly #options: TrackerOptions;
  #source: Promise<SourceInfo | undefined> | undefined;

  constructor(transport: TrackingTransport, options: TrackerOptions = {}) {
    this.#transport = transport;
    this.#options = options;
  }

  get transport(): TrackingTransport {
    return this.#transport;
  }

  /** Gets or creates the experiment of that name. */
  experiment(name: string, options: { description?: string; tags?: Tags } = {}): Promise<Experiment> {
    return this.#transport.ensureExperiment({ name, ...options });
  }

  trial(experiment: Experiment | string, name: string, tags?: Tags): Promise<Trial> {
    return this.#transport.createTrial({ experiment: typeof experiment === 'string' ? experiment : experiment.experimentId, name, ...(tags ? { tags } : {}) });
  }

  /** Adds an existing (e.g. shared preprocessing) component to another trial. */
  addToTrial(component: TrialComponent | string, trial: Trial | string): Promise<void> {
    return this.#transport.addComponentToTrial(typeof component === 'string' ? component : component.componentId, typeof trial === 'string' ? trial : trial.trialId);
  }

  #captureSource(): Promise<SourceInfo | undefined> {
    const s = this.#options.source ?? 'auto';
    if (s === 'none') return Promise.resolve(undefined);
    if (s !== 'auto') return Promise.resolve(s);
    this.#source ??= captureGit(this.#options.cwd ?? process.cwd());
    return this.#source;
  }

  #environment(): EnvironmentInfo {
    return this.#options.environment ?? captureEnvironment(this.#options.cwd ?? process.cwd());
  }

  /**
   * Runs one tracked step. The component starts InProgress in `options.trials`; the block logs
   * through its handle; when the block resolves the component is Completed, when it throws (or a
   * logging call failed) it is Failed with the message, and the error is rethrown.
   */
  async component<T>(
    name: string,
    type: ComponentType,
    block: (c: ComponentLogger) => Promise<T> | T,
    options: { trials?: (Trial | string)[]; parameters?: Record<string, ParameterValue>; tags?: Tags } = {},
  ): Promise<{ component: TrialComponent; result: T }> {
    const source = await this.#captureSource();
    const started = await this.#transport.startComponent({
      name,
      type,
      trials: (options.trials ?? []).map((t) => (typeof t === 'string' ? t : t.trialId)),
      ...(options.parameters ? { parameters: options.parameters } : {}),
      ...(options.tags ? { tags: options.tags } : {}),
      ...(source ? { source } : {}),
      environment: this.#environment(),
    });
    const logger = new ComponentLogger(this.#transport, started.componentId);
    let result: T;
    try {
      result = await block(logger);
      await logger.flush();
    } catch (error) {
      await logger.flush().catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      await this.#transport.endComponent(started.componentId, 'Failed', message);
      throw error;
    }
    const component = await this.#transport.endComponent(started.componentId, 'Completed');
    return { component, result };
  }
}

/**
 * @module serving/serving-runtime
 * Scores invocations: finds the endpoint's current configuration (re-checked at most every
 * `refreshMs`, so a change or rollback made by any process takes effect within that time), keeps
 * the compiled model of each configuration version in memory, picks the live variant by weight,
 * scores, explains on demand, captures the sampled share through the write-ahead log before
 * answering, scores the shadow challenger after answering, and routes decisions that meet the
 * endpoint's review conditions to the human review queue.
 */
import { randomInt } from 'node:crypto';
import type { ArtifactService } from '../artifacts/index.js';
import type { FeatureMatrix } from '../data/index.js';
import { AppError, newId } from '../kernel/index.js';
import type { ReasonCode } from '../ml/explain/index.js';
import { encodeCaptureContent, buildCaptureRecord } from '../monitoring/index.js';
import type { Actor } from '../security/audit/index.js';
import type { CaptureEntry, CaptureLog } from './capture-log.js';
import { CompiledModel } from './compiled-model.js';
import type { EndpointConfigSpec, Variant } from './endpoint-model.js';
import type { EndpointService } from './endpoint-service.js';
import type { ParsedPayload } from './payload.js';
import { parseCsvPayload, parseJsonPayload } from './payload.js';
import type { ServingMetrics } from './serving-metrics.js';

export interface ReviewCandidate {
  projectId: string;
  endpointId: string;
  endpoint: string;
  configVersion: number;
  eventId: string;
  requestId: string;
  reason: 'score-band' | 'adverse' | 'sampled';
  input: Record<string, number | null>;
  score: number;
  reasons: ReasonCode[];
  variant: string;
  artifactId: string;
}

/** Where matching decisions go (the review queue); called before the response is sent. */
export type ReviewSink = (candidates: ReviewCandidate[]) => Promise<void>;

export interface ServingRuntimeDeps {
  readonly endpoints: EndpointService;
  readonly artifacts: ArtifactService;
  readonly capture: CaptureLog;
  readonly metrics: ServingMetrics;
  /** Who loads models (reads of model artifacts are audited under it). */
  readonly actor: Actor;
  readonly refreshMs?: number;
  readonly review?: ReviewSink;
  /** Uniform integer in [0, n); tests fix it. */
  readonly randomInt?: (n: number) => number;
}

export interface InvokeInput {
  readonly projectId: string;
  readonly endpoint: string;
  /** `application/json` (parsed body) or `text/csv` (string body). */
  readonly contentType: string;
  readonly body: unknown;
  /** Reason codes asked for (query `explain=true`, or `"explain": true` in a JSON body). */
  readonly explain: boolean;
  readonly requestId: string;
  readonly now?: Date;
}

export interface Prediction {
  eventId: string;
  inferenceId?: string;
  score: number;
  reasons?: ReasonCode[];
  review?: string;
}

export interface InvokeResult {
  requestId: string;
  endpoint: string;
  configVersion: number;
  variant: string;
  model: { artifactId: string; sha256: string; reference: string };
  captured: boolean;
  predictions: Prediction[];
}

interface LoadedConfig {
  endpointId: string;
  version: number;
  spec: EndpointConfigSpec;
  models: Map<string, CompiledModel>;
  live: Variant[];
  liveWeight: number;
  shadow: Variant | undefined;
  checkedAt: number;
}

export class ServingRuntime {
  readonly #d: ServingRuntimeDeps;
  readonly #configs = new Map<string, LoadedConfig>();
  readonly #loading = new Map<string, Promise<LoadedConfig>>();
  readonly #models = new Map<string, Promise<CompiledModel>>();
  readonly #refreshMs: number;
  readonly #random: (n: number) => number;

  constructor(deps: ServingRuntimeDeps) {
    this.#d = deps;
    this.#refreshMs = deps.refreshMs ?? 1000;
    this.#random = deps.randomInt ?? ((n) => randomInt(n));
  }

  #model(projectId: string, artifactId: string): Promise<CompiledModel> {
    let p = this.#models.get(artifactId);
    if (!p) {
      p = this.#d.artifacts.getBytes(this.#d.actor, artifactId, projectId).then(({ bytes }) => CompiledModel.fromBytes(artifactId, bytes));
      p.catch(() => this.#models.delete(artifactId));
      this.#models.set(artifactId, p);
    }
    return p;
  }

  async #load(projectId: string, name: string): Promise<LoadedConfig> {
    const key = `${projectId}/${name}`;
    const cached = this.#configs.get(key);
    const now = Date.now();
    if (cached && now - cached.checkedAt < this.#refreshMs) return cached;
    let pending = this.#loading.get(key);
    if (!pending) {
      pending = (async () => {
        const current = await this.#d.endpoints.currentVersion(projectId, name);
        if (!current) {
          this.#configs.delete(key);
          throw new AppError('ENDPOINT_NOT_FOUND', { message: `No endpoint ${name} in this project`, details: { endpoint: name } });
        }
        if (cached && cached.endpointId === current.endpointId && cached.version === current.configVersion) {
          cached.checkedAt = Date.now();
          return cached;
        }
        const { spec } = await this.#d.endpoints.config(current.endpointId, current.configVersion);
        const models = new Map<string, CompiledModel>();
        for (const v of spec.variants) models.set(v.name, await this.#model(projectId, v.artifactId));
        const live = spec.variants.filter((v) => v.role === 'live');
        const loaded: LoadedConfig = {
          endpointId: current.endpointId,
          version: current.configVersion,
          spec,
          models,
          live,
          liveWeight: live.reduce((s, v) => s + v.weight, 0),
          shadow: spec.variants.find((v) => v.role === 'shadow'),
          checkedAt: Date.now(),
        };
        this.#configs.set(key, loaded);
        return loaded;
      })().finally(() => this.#loading.delete(key));
      this.#loading.set(key, pending);
    }
    if (!cached) return pending;
    // While a re-check is in flight, requests keep being served by the version already loaded.
    pending.catch(() => undefined);
    return cached;
  }

  #pick(c: LoadedConfig): Variant {
    if (c.live.length === 1 || c.liveWeight <= 0) return c.live[0]!;
    // Weights are percentages or small integers: draw in hundredths for a fair split.
    let r = this.#random(Math.round(c.liveWeight * 100)) / 100;
    for (const v of c.live) {
      if (r < v.weight) return v;
      r -= v.weight;
    }
    return c.live[c.live.length - 1]!;
  }

  #parse(input: InvokeInput, model: CompiledModel, maxRows: number): ParsedPayload {
    const type = input.contentType.split(';')[0]!.trim().toLowerCase();
    if (type === 'text/csv') {
      if (typeof input.body !== 'string') throw new AppError('PAYLOAD_INVALID', { message: 'body: expected CSV text', details: { field: 'body' } });
      return parseCsvPayload(input.body, model.featureNames, maxRows);
    }
    if (type === 'application/json' || type === '') return parseJsonPayload(input.body, model.featureNames, maxRows);
    throw new AppError('PAYLOAD_INVALID', { message: `content-type: ${type} is not accepted (application/json or text/csv)`, details: { field: 'content-type' } });
  }

  #captureEntries(input: InvokeInput, c: LoadedConfig, source: string, variant: Variant, parsed: ParsedPayload, scores: Float64Array, eventIds: string[], at: Date, reasons?: ReasonCode[][]): CaptureEntry[] {
    const entries: CaptureEntry[] = [];
    for (let i = 0; i < scores.length; i++) {
      const record = buildCaptureRecord({
        eventId: eventIds[i]!,
        ...(parsed.inferenceIds ? { inferenceId: parsed.inferenceIds[i]! } : {}),
        inferenceTime: at,
        input: encodeCaptureContent('INPUT', 'text/csv', parsed.csvRows[i]!),
        output: encodeCaptureContent('OUTPUT', 'text/csv', String(scores[i])),
      });
      // Attest's own fields beside Model Monitor's (its readers ignore them): who served the row and why.
      const attest = { requestId: input.requestId, endpoint: input.endpoint, configVersion: c.version, variant: variant.name, artifactId: variant.artifactId, ...(reasons ? { reasons: reasons[i] } : {}) };
      entries.push({ projectId: input.projectId, source, inferenceTime: record.eventMetadata.inferenceTime, line: JSON.stringify({ ...record, attest }) });
    }
    return entries;
  }

  /** Scores one invocation. Bad payloads throw PAYLOAD_INVALID / PAYLOAD_TOO_LARGE before anything is captured. */
  async invoke(input: InvokeInput): Promise<InvokeResult> {
    const started = process.hrtime.bigint();
    const c = await this.#load(input.projectId, input.endpoint);
    const variant = this.#pick(c);
    const model = c.models.get(variant.name)!;
    const parsed = this.#parse(input, model, c.spec.maxBatchRows);
    const scores = model.score(parsed.x);
    const explain = input.explain || parsed.explain;
    const reasonRows = explain ? model.reasons(parsed.x, c.spec.adverse).map((r) => r.reasons) : undefined;
    const at = input.now ?? new Date();
    const eventIds = Array.from({ length: scores.length }, () => newId('evt'));
    const captured = c.spec.capture.samplingPercent >= 100 || this.#random(10_000) < c.spec.capture.samplingPercent * 100;
    const predictions: Prediction[] = Array.from(scores, (score, i) => ({
      eventId: eventIds[i]!,
      ...(parsed.inferenceIds ? { inferenceId: parsed.inferenceIds[i]! } : {}),
      score,
      ...(reasonRows ? { reasons: reasonRows[i]! } : {}),
    }));
    if (c.spec.review && this.#d.review) await this.#review(input, c, variant, model, parsed, predictions, reasonRows);
    if (captured) {
      const pending = this.#d.capture.append(this.#captureEntries(input, c, input.endpoint, variant, parsed, scores, eventIds, at, reasonRows));
      if (pending) await pending;
      this.#d.metrics.captured.inc({ endpoint: input.endpoint }, scores.length);
    }
    if (c.shadow) this.#shadow(input, c, c.shadow, parsed, eventIds, at, captured);
    const labels = { endpoint: input.endpoint, variant: variant.name };
    this.#d.metrics.requests.inc({ ...labels, code: '200' });
    this.#d.metrics.rows.inc(labels, scores.length);
    this.#d.metrics.latency.observe({ endpoint: input.endpoint }, Number(process.hrtime.bigint() - started) / 1e9);
    return {
      requestId: input.requestId,
      endpoint: input.endpoint,
      configVersion: c.version,
      variant: variant.name,
      model: { artifactId: variant.artifactId, sha256: variant.sha256, reference: variant.model },
      captured,
      predictions,
    };
  }

  /** The challenger scores the same rows after the answer has gone; its records go to `<endpoint>.shadow`. */
  #shadow(input: InvokeInput, c: LoadedConfig, shadow: Variant, parsed: ParsedPayload, eventIds: string[], at: Date, captured: boolean): void {
    setImmediate(() => {
      try {
        const model = c.models.get(shadow.name)!;
        if (model.featureNames.join(',') !== c.models.get(c.live[0]!.name)!.featureNames.join(',')) {
          throw new AppError('PAYLOAD_INVALID', { message: 'The shadow model expects other features than the live model' });
        }
        const scores = model.score(parsed.x);
        this.#d.metrics.rows.inc({ endpoint: input.endpoint, variant: shadow.name }, scores.length);
        if (captured) this.#d.capture.append(this.#captureEntries(input, c, `${input.endpoint}.shadow`, shadow, parsed, scores, eventIds, at))?.catch(() => this.#d.metrics.shadowErrors.inc({ endpoint: input.endpoint }));
      } catch {
        this.#d.metrics.shadowErrors.inc({ endpoint: input.endpoint });
      }
    });
  }

  async #review(input: InvokeInput, c: LoadedConfig, variant: Variant, model: CompiledModel, parsed: ParsedPayload, predictions: Prediction[], reasonRows: ReasonCode[][] | undefined): Promise<void> {
    const cond = c.spec.review!;
    const matches: { i: number; reason: ReviewCandidate['reason'] }[] = [];
    predictions.forEach((p, i) => {
      if (cond.adverseAbove !== undefined && p.score >= cond.adverseAbove) matches.push({ i, reason: 'adverse' });
      else if (cond.scoreBand && p.score >= cond.scoreBand.min && p.score <= cond.scoreBand.max) matches.push({ i, reason: 'score-band' });
      else if (cond.samplePercent > 0 && this.#random(10_000) < cond.samplePercent * 100) matches.push({ i, reason: 'sampled' });
    });
    if (matches.length === 0) return;
    const rowsOf = (rows: number[]): FeatureMatrix => {
      const cols = parsed.x.cols;
      const values = new Float32Array(rows.length * cols);
      rows.forEach((r, k) => {
        values.set(parsed.x.values.subarray(r * cols, (r + 1) * cols), k * cols);
      });
      return { rows: rows.length, cols, values };
    };
    const reasons = reasonRows ? matches.map((m) => reasonRows[m.i]!) : model.kind === 'gbdt' ? model.reasons(rowsOf(matches.map((m) => m.i)), c.spec.adverse).map((r) => r.reasons) : matches.map(() => []);
    const candidates: ReviewCandidate[] = matches.map((m, k) => {
      const input_: Record<string, number | null> = {};
      model.featureNames.forEach((f, j) => {
        const v = parsed.x.values[m.i * parsed.x.cols + j]!;
        input_[f] = Number.isNaN(v) ? null : v;
      });
      predictions[m.i]!.review = m.reason;
      return {
        projectId: input.projectId,
        endpointId: c.endpointId,
        endpoint: input.endpoint,
        configVersion: c.version,
        eventId: predictions[m.i]!.eventId,
        requestId: input.requestId,
        reason: m.reason,
        input: input_,
        score: predictions[m.i]!.score,
        reasons: reasons[k]!,
        variant: variant.name,
        artifactId: variant.artifactId,
      };
    });
    await this.#d.review!(candidates);
    for (const m of matches) this.#d.metrics.reviews.inc({ endpoint: input.endpoint, reason: m.reason });
  }

  /** Drops cached configurations (after a change made in this process). */
  invalidate(projectId: string, name: string): void {
    this.#configs.delete(`${projectId}/${name}`);
  }
}

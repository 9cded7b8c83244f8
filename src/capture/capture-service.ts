/**
 * @module capture/capture-service
 * Data capture and ground truth (issue 7, items 1 and 5). Captured request/response records in
 * Model Monitor's JSON-lines format are validated and stored as encrypted artifacts partitioned by
 * source and hour (`capture/<source>/yyyy/mm/dd/hh`, one version per batch); ground-truth records,
 * which arrive late (banks wait months for default labels), are stored the same way under
 * `ground-truth/<source>/…` by arrival hour. Model quality for a window joins the two by inference
 * id (else event id) and computes Model Monitor's metric set, checked against thresholds.
 */
import type { ArtifactService } from '../artifacts/index.js';
import { AppError } from '../kernel/index.js';
import type { BinaryClassificationMetrics, CaptureRecord, CbpeEstimate, ComparisonOperator, GroundTruthRecord, ModelQualityViolation } from '../monitoring/index.js';
import { binaryClassificationMetrics, capturePartitionKey, checkModelQuality, decodeCaptureContent, estimateCbpe, fitCbpe, mergeGroundTruth, parseCaptureLines, parseGroundTruthLines } from '../monitoring/index.js';
import type { Actor } from '../security/audit/index.js';

const SOURCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export interface IngestResult {
  records: number;
  partitions: { name: string; version: number; records: number; artifactId: string }[];
}

export interface QualityOptions {
  source: string;
  /** Window of inference times, ISO-8601 (inclusive from, exclusive to). */
  from?: string;
  to?: string;
  /** Scores above this are predicted positive (Model Monitor's probability threshold). */
  threshold?: number;
  /** Model Monitor model-quality constraints: `{ metric: { threshold, comparison_operator } }`. */
  constraints?: Record<string, { threshold: number; comparison_operator: ComparisonOperator }>;
}

export interface QualityReport {
  source: string;
  window: { from: string | null; to: string | null };
  captured: number;
  merged: number;
  unmatchedCaptures: number;
  unmatchedGroundTruth: number;
  binary_classification_metrics: BinaryClassificationMetrics;
  violations: ModelQualityViolation[];
}

function firstCsvNumber(text: string, what: string): number {
  const value = Number(text.split(',')[0]!.trim());
  if (!Number.isFinite(value)) throw new AppError('INVALID_INPUT', { message: `${what} is not a number: "${text.slice(0, 40)}"` });
  return value;
}

export class CaptureService {
  readonly #artifacts: ArtifactService;

  constructor(artifacts: ArtifactService) {
    this.#artifacts = artifacts;
  }

  #checkSource(source: string): void {
    if (!SOURCE_PATTERN.test(source)) throw new AppError('INVALID_INPUT', { message: `Invalid capture source "${source}": letters, digits, . _ -` });
  }

  async #store(actor: Actor, projectId: string, groups: Map<string, string[]>, mediaType: string): Promise<IngestResult> {
    const partitions: IngestResult['partitions'] = [];
    let records = 0;
    for (const [name, lines] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const stored = await this.#artifacts.putBytes(actor, Buffer.from(`${lines.join('\n')}\n`), { projectId, name, mediaType });
      partitions.push({ name, version: stored.version ?? 1, records: lines.length, artifactId: stored.artifactId });
      records += lines.length;
    }
    return { records, partitions };
  }

  /** Validates and stores capture records, one batch per hourly partition. */
  async ingestCaptures(actor: Actor, projectId: string, source: string, jsonl: string): Promise<IngestResult> {
    this.#checkSource(source);
    const records = parseCaptureLines(jsonl);
    if (records.length === 0) throw new AppError('INVALID_INPUT', { message: 'No capture records in the input' });
    const groups = new Map<string, string[]>();
    for (const r of records) {
      const name = `capture/${capturePartitionKey(source, r.eventMetadata.inferenceTime)}`.replace(/\/$/, '');
      const list = groups.get(name) ?? [];
      list.push(JSON.stringify(r));
      groups.set(name, list);
    }
    return this.#store(actor, projectId, groups, 'application/jsonl');
  }

  /** Validates and stores ground-truth records under their arrival hour. */
  async ingestGroundTruth(actor: Actor, projectId: string, source: string, jsonl: string, arrivedAt = new Date()): Promise<IngestResult> {
    this.#checkSource(source);
    const records = parseGroundTruthLines(jsonl);
    if (records.length === 0) throw new AppError('INVALID_INPUT', { message: 'No ground-truth records in the input' });
    const name = `ground-truth/${capturePartitionKey(source, arrivedAt)}`.replace(/\/$/, '');
    return this.#store(actor, projectId, new Map([[name, records.map((r) => JSON.stringify(r))]]), 'application/jsonl');
  }

  async #read<T>(actor: Actor, projectId: string, prefix: string, parse: (text: string) => T[], keep: (partition: string) => boolean): Promise<T[]> {
    const out: T[] = [];
    for (const a of await this.#artifacts.listNamed(projectId, prefix)) {
      if (!keep(a.name!)) continue;
      const { bytes } = await this.#artifacts.getBytes(actor, a.artifactId, projectId);
      out.push(...parse(bytes.toString('utf8')));
    }
    return out;
  }

  /** Captured records of `source` with inference times in [from, to). */
  async captures(actor: Actor, projectId: string, source: string, from?: string, to?: string): Promise<CaptureRecord[]> {
    this.#checkSource(source);
    const fromMs = from === undefined ? -Infinity : Date.parse(from);
    const toMs = to === undefined ? Infinity : Date.parse(to);
    if (Number.isNaN(fromMs) || Number.isNaN(toMs)) throw new AppError('INVALID_INPUT', { message: 'The window bounds must be ISO-8601 times' });
    const hourOf = (name: string) => {
      const m = /\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})$/.exec(name);
      return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4])) : Number.NaN;
    };
    const records = await this.#read(actor, projectId, `capture/${source}/`, parseCaptureLines, (name) => {
      const start = hourOf(name);
      return start + 3_600_000 > fromMs && start < toMs;
    });
    // A serving process that crashed between storing a partition and deleting its write-ahead
    // segment stores those records again on recovery: an event id counts once.
    const seen = new Set<string>();
    return records.filter((r) => {
      const t = Date.parse(r.eventMetadata.inferenceTime);
      if (!(t >= fromMs && t < toMs) || seen.has(r.eventMetadata.eventId)) return false;
      seen.add(r.eventMetadata.eventId);
      return true;
    });
  }

  async groundTruth(actor: Actor, projectId: string, source: string): Promise<GroundTruthRecord[]> {
    this.#checkSource(source);
    return this.#read(actor, projectId, `ground-truth/${source}/`, parseGroundTruthLines, () => true);
  }

  /** Scores (the first value of each response) of captured records. */
  #scores(records: readonly CaptureRecord[]): Float64Array {
    return Float64Array.from(records, (r) => {
      const output = r.captureData.endpointOutput;
      if (!output) throw new AppError('INVALID_INPUT', { message: `Capture ${r.eventMetadata.eventId} has no response` });
      return firstCsvNumber(Buffer.from(decodeCaptureContent(output)).toString('utf8'), `The response of ${r.eventMetadata.eventId}`);
    });
  }

  /**
   * Label-free performance estimation (CBPE) for a window of captured scores, calibrated on a
   * labelled reference (e.g. the validation split's scores); where every prediction of the window
   * already has its label, the realised figures are reported beside the estimate.
   */
  async estimatePerformance(
    actor: Actor,
    projectId: string,
    options: { source: string; from?: string; to?: string; reference: { scores: Float64Array; labels: Float64Array }; threshold?: number },
  ): Promise<CbpeEstimate & { rows: number; labelled: number; warnings: string[] }> {
    const captures = await this.captures(actor, projectId, options.source, options.from, options.to);
    if (captures.length === 0) throw new AppError('METRIC_UNDEFINED', { message: `No captured predictions of ${options.source} in the window` });
    const model = fitCbpe(options.reference.scores, options.reference.labels, { threshold: options.threshold ?? 0.5 });
    const merge = mergeGroundTruth(captures, await this.groundTruth(actor, projectId, options.source));
    const complete = merge.unmatchedCaptures.length === 0;
    const ordered = complete ? merge.merged.map((m) => m.capture) : captures;
    const labels = complete ? Float64Array.from(merge.merged, (m) => firstCsvNumber(Buffer.from(decodeCaptureContent(m.groundTruth.groundTruthData)).toString('utf8'), 'A label')) : undefined;
    const estimate = estimateCbpe(model, this.#scores(ordered), labels);
    return { ...estimate, rows: captures.length, labelled: merge.merged.length, warnings: model.warnings };
  }

  /**
   * Model quality of a binary classifier over a window: captured scores (the first value of the
   * response) joined with the labels that have arrived, Model Monitor's metric set with standard
   * deviations, and violations of the given constraints.
   */
  async binaryQuality(actor: Actor, projectId: string, options: QualityOptions): Promise<QualityReport> {
    const threshold = options.threshold ?? 0.5;
    const captures = await this.captures(actor, projectId, options.source, options.from, options.to);
    const merge = mergeGroundTruth(captures, await this.groundTruth(actor, projectId, options.source));
    if (merge.merged.length === 0) throw new AppError('METRIC_UNDEFINED', { message: `No captured prediction of ${options.source} in the window has ground truth yet` });
    const scores = new Float64Array(merge.merged.length);
    const labels = new Float64Array(merge.merged.length);
    merge.merged.forEach((m, i) => {
      const output = m.capture.captureData.endpointOutput;
      if (!output) throw new AppError('INVALID_INPUT', { message: `Capture ${m.capture.eventMetadata.eventId} has no response` });
      scores[i] = firstCsvNumber(Buffer.from(decodeCaptureContent(output)).toString('utf8'), `The response of ${m.capture.eventMetadata.eventId}`);
      labels[i] = firstCsvNumber(Buffer.from(decodeCaptureContent(m.groundTruth.groundTruthData)).toString('utf8'), `The label of ${m.groundTruth.eventMetadata.eventId}`);
    });
    const predicted = Float64Array.from(scores, (s) => (s > threshold ? 1 : 0));
    const metrics = binaryClassificationMetrics(labels, predicted, scores);
    return {
      source: options.source,
      window: { from: options.from ?? null, to: options.to ?? null },
      captured: captures.length,
      merged: merge.merged.length,
      unmatchedCaptures: merge.unmatchedCaptures.length,
      unmatchedGroundTruth: merge.unmatchedGroundTruth.length,
      binary_classification_metrics: metrics,
      violations: options.constraints ? checkModelQuality(metrics as unknown as Record<string, unknown>, options.constraints) : [],
    };
  }
}

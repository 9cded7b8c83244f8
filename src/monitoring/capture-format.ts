/**
 * @module monitoring/capture-format
 * Model Monitor's data-capture records and ground-truth records as JSON lines
 * (algorithms-and-formats.md §3.6): pure formatting and parsing, the hourly partition key
 * `{source}/yyyy/mm/dd/hh/`, and the merge of ground truth with captured predictions on
 * `inferenceId` when the capture has one, else on `eventId` (Model Monitor's model-quality merge).
 * Storage (encrypted artifacts) is the caller's concern.
 */
import { z } from 'zod';
import { AppError } from '../kernel/index.js';

const encoding = z.enum(['CSV', 'JSON', 'BASE64']);
const content = z.object({ observedContentType: z.string(), mode: z.enum(['INPUT', 'OUTPUT']), data: z.string(), encoding });
const captureRecord = z.object({
  captureData: z.object({ endpointInput: content.optional(), endpointOutput: content.optional() }),
  eventMetadata: z.object({ eventId: z.string().min(1), inferenceId: z.string().min(1).optional(), inferenceTime: z.string() }),
  eventVersion: z.string(),
});
const groundTruthRecord = z.object({
  groundTruthData: z.object({ data: z.string(), encoding }),
  eventMetadata: z.object({ eventId: z.string().min(1) }),
  eventVersion: z.string(),
});

export type CaptureContent = z.infer<typeof content>;
export type CaptureRecord = z.infer<typeof captureRecord>;
export type GroundTruthRecord = z.infer<typeof groundTruthRecord>;
export type CaptureEncoding = z.infer<typeof encoding>;

/** Content types captured as text; everything else is base64 (CaptureContentTypeHeader defaults). */
export interface ContentTypeLists {
  csv?: readonly string[];
  json?: readonly string[];
}

function baseType(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

/** Encodes a payload as Model Monitor does: CSV or JSON text for listed content types, else BASE64. */
export function encodeCaptureContent(mode: 'INPUT' | 'OUTPUT', contentType: string, payload: string | Uint8Array, lists: ContentTypeLists = {}): CaptureContent {
  const t = baseType(contentType);
  const csv = (lists.csv ?? ['text/csv']).map(baseType);
  const json = (lists.json ?? ['application/json']).map(baseType);
  const text = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
  if (csv.includes(t)) return { observedContentType: contentType, mode, data: text, encoding: 'CSV' };
  if (json.includes(t)) return { observedContentType: contentType, mode, data: text, encoding: 'JSON' };
  const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return { observedContentType: contentType, mode, data: Buffer.from(bytes).toString('base64'), encoding: 'BASE64' };
}

/** The payload bytes of a captured content. */
export function decodeCaptureContent(c: { data: string; encoding: CaptureEncoding }): Uint8Array {
  return c.encoding === 'BASE64' ? new Uint8Array(Buffer.from(c.data, 'base64')) : new TextEncoder().encode(c.data);
}

export interface CaptureInput {
  eventId: string;
  inferenceId?: string;
  inferenceTime: Date;
  input?: CaptureContent;
  output?: CaptureContent;
}

/** ISO-8601 UTC to the second, as Model Monitor writes inferenceTime ("2022-02-14T17:25:49Z"). */
function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** A capture record in Model Monitor's shape (eventVersion "0"). */
export function buildCaptureRecord(input: CaptureInput): CaptureRecord {
  return {
    captureData: { ...(input.input ? { endpointInput: input.input } : {}), ...(input.output ? { endpointOutput: input.output } : {}) },
    eventMetadata: { eventId: input.eventId, ...(input.inferenceId ? { inferenceId: input.inferenceId } : {}), inferenceTime: isoSeconds(input.inferenceTime) },
    eventVersion: '0',
  };
}

/** One JSON line (no trailing newline) for a capture record. */
export function formatCaptureLine(input: CaptureInput): string {
  return JSON.stringify(buildCaptureRecord(input));
}

/** One JSON line for a ground-truth record keyed by the capture's inference id (or event id). */
export function formatGroundTruthLine(eventId: string, label: string, enc: CaptureEncoding = 'CSV'): string {
  const record: GroundTruthRecord = { groundTruthData: { data: label, encoding: enc }, eventMetadata: { eventId }, eventVersion: '0' };
  return JSON.stringify(record);
}

function parseLines<T>(text: string, schema: z.ZodType<T>, what: string): T[] {
  const out: T[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new AppError('INVALID_INPUT', { message: `${what} line ${i + 1} is not JSON`, details: { line: i + 1 } });
    }
    const r = schema.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new AppError('INVALID_INPUT', { message: `${what} line ${i + 1}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(), details: { line: i + 1 } });
    }
    out.push(r.data);
  }
  return out;
}

/** Parses data-capture JSON lines (throws INVALID_INPUT naming the first bad line). */
export function parseCaptureLines(text: string): CaptureRecord[] {
  return parseLines(text, captureRecord, 'Capture record');
}

/** Parses ground-truth JSON lines. */
export function parseGroundTruthLines(text: string): GroundTruthRecord[] {
  return parseLines(text, groundTruthRecord, 'Ground-truth record');
}

/** The hourly partition prefix `{source}/yyyy/mm/dd/hh/` (UTC) for an event time. */
export function capturePartitionKey(source: string, time: Date | string): string {
  const d = typeof time === 'string' ? new Date(time) : time;
  if (Number.isNaN(d.getTime())) throw new AppError('INVALID_INPUT', { message: `Not a valid time: ${String(time)}` });
  const p = (n: number) => String(n).padStart(2, '0');
  return `${source}/${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${p(d.getUTCHours())}/`;
}

export interface MergedRecord {
  capture: CaptureRecord;
  groundTruth: GroundTruthRecord;
}

export interface MergeResult {
  merged: MergedRecord[];
  unmatchedCaptures: CaptureRecord[];
  unmatchedGroundTruth: GroundTruthRecord[];
}

/**
 * Joins ground truth to captures: the key is the capture's `inferenceId` when present, else its
 * `eventId`; the ground-truth record's `eventMetadata.eventId` carries that key. A later
 * ground-truth record for the same key replaces an earlier one (labels get corrected).
 */
export function mergeGroundTruth(captures: readonly CaptureRecord[], groundTruth: readonly GroundTruthRecord[]): MergeResult {
  const truth = new Map<string, GroundTruthRecord>();
  for (const g of groundTruth) truth.set(g.eventMetadata.eventId, g);
  const used = new Set<string>();
  const merged: MergedRecord[] = [];
  const unmatchedCaptures: CaptureRecord[] = [];
  for (const c of captures) {
    // A caller's late label names its inference id; a label tied to the decision itself (a human
    // reviewer's) names the event id, which is unique, so either joins.
    const byInference = c.eventMetadata.inferenceId !== undefined ? truth.get(c.eventMetadata.inferenceId) : undefined;
    const key = byInference ? c.eventMetadata.inferenceId! : c.eventMetadata.eventId;
    const g = byInference ?? truth.get(c.eventMetadata.eventId);
    if (g) {
      merged.push({ capture: c, groundTruth: g });
      used.add(key);
    } else unmatchedCaptures.push(c);
  }
  return { merged, unmatchedCaptures, unmatchedGroundTruth: [...truth.entries()].filter(([k]) => !used.has(k)).map(([, g]) => g) };
}

/**
 * The captured CSV payloads of `records` (inputs or outputs) joined into one CSV text without a
 * header, one line per captured row, in record order; JSON payloads are rejected. Feed it to the
 * CSV importer with the baseline's column names to get the window's frame.
 */
export function capturedCsv(records: readonly CaptureRecord[], which: 'input' | 'output'): string {
  const lines: string[] = [];
  for (const r of records) {
    const c = which === 'input' ? r.captureData.endpointInput : r.captureData.endpointOutput;
    if (!c) continue;
    if (c.encoding === 'JSON') throw new AppError('INVALID_INPUT', { message: `Record ${r.eventMetadata.eventId} holds JSON, not CSV`, details: { eventId: r.eventMetadata.eventId } });
    const text = c.encoding === 'BASE64' ? new TextDecoder().decode(decodeCaptureContent(c)) : c.data;
    for (const line of text.split(/\r?\n/)) if (line.length > 0) lines.push(line);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/**
 * @module serving/decision-lookup
 * The auditor's question: "what did model X decide for applicant Z on date D, and why". Finds the
 * captured record of a decision by event id, request id or inference id (within one UTC day when a
 * date is given, else across the endpoint's captures) and answers with the captured input, the
 * score, the reason codes (as returned when the caller asked for them, else recomputed now from
 * the same model bytes with exact TreeSHAP, which is deterministic), the model artifact and its
 * content hash, the endpoint configuration version in force, and any human review and ground
 * truth recorded for it.
 */
import type { App } from '../app/index.js';
import { AppError } from '../kernel/index.js';
import type { ReasonCode } from '../ml/explain/index.js';
import { decodeCaptureContent } from '../monitoring/index.js';
import type { Actor } from '../security/audit/index.js';
import { CompiledModel } from './compiled-model.js';
import type { EndpointConfigVersion } from './endpoint-model.js';
import { servingDb } from './serving-tables.js';

export interface DecisionQuery {
  eventId?: string;
  requestId?: string;
  inferenceId?: string;
  /** YYYY-MM-DD (UTC): only that day's captures are searched. */
  date?: string;
}

export interface DecisionRecord {
  endpoint: string;
  eventId: string;
  inferenceId: string | null;
  requestId: string | null;
  inferenceTime: string;
  input: Record<string, number | null>;
  score: number;
  reasons: ReasonCode[];
  reasonsSource: 'returned-to-caller' | 'recomputed';
  model: { artifactId: string; sha256: string; reference: string; variant: string };
  configVersion: number;
  config: EndpointConfigVersion | null;
  review: { decision: string | null; label: string | null; reviewer: string | null; decidedAt: string | null; reason: string } | null;
  groundTruth: string | null;
}

interface RawRecord {
  captureData: { endpointInput?: { data: string; encoding: 'CSV' | 'JSON' | 'BASE64' }; endpointOutput?: { data: string; encoding: 'CSV' | 'JSON' | 'BASE64' } };
  eventMetadata: { eventId: string; inferenceId?: string; inferenceTime: string };
  attest?: { requestId: string; endpoint: string; configVersion: number; variant: string; artifactId: string; reasons?: ReasonCode[] };
}

export async function lookupDecision(app: App, actor: Actor, projectId: string, endpoint: string, query: DecisionQuery): Promise<DecisionRecord[]> {
  const keys = [query.eventId, query.requestId, query.inferenceId].filter((k) => k !== undefined);
  if (keys.length !== 1) throw new AppError('INVALID_INPUT', { message: 'Give exactly one of an event id, a request id or an inference id', details: { field: 'eventId' } });
  let prefix = `capture/${endpoint}/`;
  if (query.date !== undefined) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(query.date);
    if (!m) throw new AppError('INVALID_INPUT', { message: `The date is YYYY-MM-DD (UTC), not ${query.date}`, details: { field: 'date' } });
    prefix += `${m[1]}/${m[2]}/${m[3]}/`;
  }
  const found: RawRecord[] = [];
  const seen = new Set<string>();
  for (const a of await app.artifacts.listNamed(projectId, prefix)) {
    const { bytes } = await app.artifacts.getBytes(actor, a.artifactId, projectId);
    for (const line of bytes.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      const r = JSON.parse(line) as RawRecord;
      const hit = (query.eventId && r.eventMetadata.eventId === query.eventId) || (query.inferenceId && r.eventMetadata.inferenceId === query.inferenceId) || (query.requestId && r.attest?.requestId === query.requestId);
      if (hit && !seen.has(r.eventMetadata.eventId)) {
        seen.add(r.eventMetadata.eventId);
        found.push(r);
      }
    }
  }
  if (found.length === 0) throw new AppError('NOT_FOUND', { message: `No captured decision of ${endpoint} matches ${keys[0]}${query.date ? ` on ${query.date}` : ''}`, details: { endpoint } });
  const ep = await servingDb(app.db).selectFrom('endpoints').select(['id']).where('project_id', '=', projectId).where('name', '=', endpoint).orderBy('created_at', 'desc').execute();
  const out: DecisionRecord[] = [];
  const models = new Map<string, CompiledModel>();
  for (const r of found) {
    const meta = r.attest;
    if (!meta) throw new AppError('INVALID_INPUT', { message: `Record ${r.eventMetadata.eventId} was not captured by an Attest endpoint (no model or configuration recorded)` });
    const artifact = await app.artifacts.describe(meta.artifactId, projectId);
    let model = models.get(meta.artifactId);
    if (!model) {
      model = CompiledModel.fromBytes(meta.artifactId, (await app.artifacts.getBytes(actor, meta.artifactId, projectId)).bytes);
      models.set(meta.artifactId, model);
    }
    const text = (c: { data: string; encoding: 'CSV' | 'JSON' | 'BASE64' } | undefined) => (c ? Buffer.from(decodeCaptureContent(c)).toString('utf8').trim() : '');
    const cells = text(r.captureData.endpointInput).split(',');
    const values = Float32Array.from(cells, (c) => (c === '' ? Number.NaN : Number(c)));
    const input: Record<string, number | null> = {};
    model.featureNames.forEach((f, j) => {
      input[f] = Number.isNaN(values[j]!) ? null : Number(cells[j]);
    });
    let config: EndpointConfigVersion | null = null;
    for (const e of ep) {
      try {
        config = await app.endpoints.config(e.id, meta.configVersion);
        if (config.spec.variants.some((v) => v.artifactId === meta.artifactId)) break;
      } catch {
        config = null;
      }
    }
    const reasons = meta.reasons ?? (model.kind === 'gbdt' ? model.reasons({ rows: 1, cols: values.length, values }, config?.spec.adverse ?? 'higher')[0]!.reasons : []);
    const review = await servingDb(app.db).selectFrom('review_tasks').select(['decision', 'label', 'reviewer', 'decided_at', 'reason']).where('event_id', '=', r.eventMetadata.eventId).executeTakeFirst();
    // Late labels may name the caller's inference id; a reviewer's label names the event id.
    const truth = (await app.capture.groundTruth(actor, projectId, endpoint)).filter((g) => g.eventMetadata.eventId === r.eventMetadata.eventId || (r.eventMetadata.inferenceId !== undefined && g.eventMetadata.eventId === r.eventMetadata.inferenceId)).at(-1);
    out.push({
      endpoint,
      eventId: r.eventMetadata.eventId,
      inferenceId: r.eventMetadata.inferenceId ?? null,
      requestId: meta.requestId,
      inferenceTime: r.eventMetadata.inferenceTime,
      input,
      score: Number(text(r.captureData.endpointOutput).split(',')[0]),
      reasons,
      reasonsSource: meta.reasons ? 'returned-to-caller' : 'recomputed',
      model: { artifactId: meta.artifactId, sha256: artifact.sha256, reference: config?.spec.variants.find((v) => v.artifactId === meta.artifactId)?.model ?? meta.artifactId, variant: meta.variant },
      configVersion: meta.configVersion,
      config,
      review: review ? { decision: review.decision, label: review.label, reviewer: review.reviewer, decidedAt: review.decided_at, reason: review.reason } : null,
      groundTruth: truth ? Buffer.from(decodeCaptureContent(truth.groundTruthData)).toString('utf8') : null,
    });
  }
  return out;
}

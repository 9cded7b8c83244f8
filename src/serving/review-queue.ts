/**
 * @module serving/review-queue
 * Human review of endpoint decisions (the seed's Augmented AI). Decisions that meet an
 * endpoint's activation conditions (score band, adverse decision, sampled share) are queued with
 * what the reviewer needs: the input, the score, the reason codes, the model version and the
 * endpoint configuration. A reviewer records a decision and a label; the reviewer may not be the
 * model's owner (whoever stored the model artifact) nor the endpoint's creator. The label becomes a
 * ground-truth record keyed by the decision's event id, so model-quality monitoring joins it with
 * the captured request like any late label.
 */
import { AppError } from '../kernel/index.js';
import type { App } from '../app/index.js';
import { newId } from '../kernel/index.js';
import { formatGroundTruthLine } from '../monitoring/index.js';
import type { Actor } from '../security/audit/index.js';
import { governed, projectResourceName } from '../security/audit/index.js';
import type { ReviewCandidate } from './serving-runtime.js';
import type { ReviewTasksTable } from './serving-tables.js';
import { servingDb } from './serving-tables.js';

export interface ReviewTask {
  taskId: string;
  endpoint: string;
  configVersion: number;
  eventId: string;
  requestId: string;
  reason: string;
  input: Record<string, number | null>;
  score: number;
  reasons: ReviewCandidate['reasons'];
  variant: string;
  modelArtifactId: string;
  status: 'Pending' | 'Decided';
  decision: string | null;
  label: string | null;
  note: string | null;
  reviewer: string | null;
  createdAt: string;
  decidedAt: string | null;
}

export interface ReviewDecisionInput {
  /** The reviewer's outcome, e.g. approve / decline / refer. */
  decision: 'approve' | 'decline' | 'refer';
  /** The ground-truth label it implies (e.g. "1" = would default); omitted for refer. */
  label?: string;
  note?: string;
}

function toTask(row: ReviewTasksTable, endpoint: string): ReviewTask {
  const p = JSON.parse(row.payload) as { input: ReviewTask['input']; score: number; reasons: ReviewTask['reasons']; variant: string; artifactId: string };
  return {
    taskId: row.id,
    endpoint,
    configVersion: Number(row.config_version),
    eventId: row.event_id,
    requestId: row.request_id,
    reason: row.reason,
    input: p.input,
    score: p.score,
    reasons: p.reasons,
    variant: p.variant,
    modelArtifactId: p.artifactId,
    status: row.status as ReviewTask['status'],
    decision: row.decision,
    label: row.label,
    note: row.note,
    reviewer: row.reviewer,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
  };
}

export class ReviewQueue {
  readonly #app: App;

  constructor(app: App) {
    this.#app = app;
  }

  /** Queues review candidates (the serving runtime calls it before answering). */
  async enqueue(candidates: readonly ReviewCandidate[]): Promise<void> {
    const at = new Date().toISOString();
    await servingDb(this.#app.db)
      .insertInto('review_tasks')
      .values(
        candidates.map((c) => ({
          id: newId('rvw'),
          project_id: c.projectId,
          endpoint_id: c.endpointId,
          config_version: c.configVersion,
          event_id: c.eventId,
          request_id: c.requestId,
          reason: c.reason,
          payload: JSON.stringify({ input: c.input, score: c.score, reasons: c.reasons, variant: c.variant, artifactId: c.artifactId }),
          status: 'Pending',
          decision: null,
          label: null,
          note: null,
          reviewer: null,
          created_at: at,
          decided_at: null,
        })),
      )
      .execute();
  }

  async #names(projectId: string): Promise<Map<string, { name: string; createdBy: string }>> {
    const rows = await servingDb(this.#app.db).selectFrom('endpoints').select(['id', 'name', 'created_by']).where('project_id', '=', projectId).execute();
    return new Map(rows.map((r) => [r.id, { name: r.name, createdBy: r.created_by }]));
  }

  async list(projectId: string, filter: { status?: 'Pending' | 'Decided'; endpoint?: string; limit?: number } = {}): Promise<ReviewTask[]> {
    const names = await this.#names(projectId);
    let q = servingDb(this.#app.db).selectFrom('review_tasks').selectAll().where('project_id', '=', projectId).orderBy('created_at').limit(filter.limit ?? 100);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.endpoint) q = q.where('endpoint_id', '=', [...names].find(([, v]) => v.name === filter.endpoint)?.[0] ?? '-');
    return (await q.execute()).map((r) => toTask(r, names.get(r.endpoint_id)?.name ?? r.endpoint_id));
  }

  async describe(projectId: string, taskId: string): Promise<ReviewTask> {
    const row = await servingDb(this.#app.db).selectFrom('review_tasks').selectAll().where('project_id', '=', projectId).where('id', '=', taskId).executeTakeFirst();
    if (!row) throw new AppError('REVIEW_TASK_NOT_FOUND', { message: `No review task ${taskId} in this project`, details: { taskId } });
    return toTask(row, (await this.#names(projectId)).get(row.endpoint_id)?.name ?? row.endpoint_id);
  }

  /** Records a reviewer's decision; its label is stored as ground truth for the decision's event id. */
  async decide(actor: Actor, projectId: string, taskId: string, input: ReviewDecisionInput): Promise<ReviewTask> {
    if (input.decision !== 'refer' && (input.label === undefined || !/^[A-Za-z0-9._-]{1,64}$/.test(input.label))) {
      throw new AppError('INVALID_INPUT', { message: 'A decision other than refer needs a label (e.g. 0 or 1)', details: { field: 'label' } });
    }
    const task = await this.describe(projectId, taskId);
    const endpoint = (await this.#names(projectId)).get((await servingDb(this.#app.db).selectFrom('review_tasks').select('endpoint_id').where('id', '=', taskId).executeTakeFirstOrThrow()).endpoint_id)!;
    const model = await this.#app.artifacts.describe(task.modelArtifactId, projectId);
    const resource = await projectResourceName(this.#app.db, projectId, 'review', taskId);
    const decided = await governed({ db: this.#app.db, ledger: this.#app.ledger }, actor, 'review:Decide', resource, async (tx) => {
      if (actor.principal === model.createdBy || actor.principal === endpoint.createdBy) {
        throw new AppError('ACCESS_DENIED', { message: `${actor.principal} owns the model or the endpoint of this decision and may not review it (reviewer ≠ model owner)`, details: { taskId } });
      }
      const at = new Date().toISOString();
      const r = await servingDb(tx)
        .updateTable('review_tasks')
        .set({ status: 'Decided', decision: input.decision, label: input.label ?? null, note: input.note ?? null, reviewer: actor.principal, decided_at: at })
        .where('id', '=', taskId)
        .where('status', '=', 'Pending')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw new AppError('REVIEW_DECIDED', { message: `Review task ${taskId} already has a decision`, details: { taskId } });
      return {
        result: { ...task, status: 'Decided' as const, decision: input.decision, label: input.label ?? null, note: input.note ?? null, reviewer: actor.principal, decidedAt: at },
        details: { eventId: task.eventId, endpoint: task.endpoint, decision: input.decision, label: input.label ?? null, score: task.score },
      };
    });
    if (input.label !== undefined) await this.#app.capture.ingestGroundTruth(actor, projectId, task.endpoint, formatGroundTruthLine(task.eventId, input.label));
    return decided;
  }
}

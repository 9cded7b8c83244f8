/**
 * @module jobs/sql-job-queue
 * The embedded job queue: the `jobs` table of the metadata database. A claim is one transaction
 * that picks the oldest runnable row and stamps a fresh lease token on it — under SQLite's
 * BEGIN IMMEDIATE (one writer at a time, so two runners never pick the same row) and under
 * PostgreSQL's SELECT … FOR UPDATE SKIP LOCKED (runners on many machines skip each other's rows
 * instead of waiting). Every later transition is conditional on the token, which makes a stale
 * runner's heartbeat, completion or failure a no-op.
 */
import { newId } from '../kernel/index.js';
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Database, Db, JobsTable, Tx } from '../platform/db/index.js';
import { withTransaction } from '../platform/db/index.js';
import type { Actor } from '../security/audit/index.js';
import type { Job, JobLogLine, JobOutput, JobParamValue, JobResult, JobStatus, JobType } from './job-model.js';
import { DEFAULT_QUEUE } from './job-model.js';
import type { ClaimedJob, ClaimOptions, JobFailure, JobLease, JobListFilter, JobQueue, NewJob } from './job-queue.js';

interface StoredSpec {
  inputs: Record<string, string>;
  params: Record<string, JobParamValue>;
  experiment: string;
  trial: string | null;
  timeoutSeconds?: number;
  memoryMb?: number;
}

/** What happened to a job whose runner stopped heartbeating (see {@link SqlJobQueue.expireLeases}). */
export interface ExpiredLease {
  jobId: string;
  queue: string;
  outcome: 'requeued' | 'failed' | 'cancelled';
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export class SqlJobQueue implements JobQueue {
  readonly #db: Db;
  readonly #now: () => number;

  constructor(db: Db, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  async enqueue(job: NewJob, tx?: Tx): Promise<void> {
    const spec: StoredSpec = {
      inputs: job.inputs,
      params: job.params,
      experiment: job.experiment,
      trial: job.trial,
      ...(job.timeoutSeconds !== undefined ? { timeoutSeconds: job.timeoutSeconds } : {}),
      ...(job.memoryMb !== undefined ? { memoryMb: job.memoryMb } : {}),
    };
    const row: JobsTable = {
      id: job.jobId,
      project_id: job.projectId,
      type: job.type,
      spec: JSON.stringify(spec),
      status: 'queued',
      principal: job.principal,
      actor: JSON.stringify(job.actor),
      attempts: 0,
      max_attempts: job.maxAttempts,
      lease_token: null,
      lease_owner: null,
      lease_expires_at: null,
      run_after: this.#now(),
      cancel_requested: 0,
      component_id: null,
      isolation: null,
      result: null,
      error_code: null,
      error_message: null,
      created_at: new Date(this.#now()).toISOString(),
      started_at: null,
      finished_at: null,
      queue: job.queue ?? DEFAULT_QUEUE,
    };
    await (tx ?? this.#db.kysely).insertInto('jobs').values(row).execute();
  }

  async claim(owner: string, leaseMs: number, options: ClaimOptions = {}): Promise<ClaimedJob | undefined> {
    const queues = options.queues?.length ? [...options.queues] : [DEFAULT_QUEUE];
    return this.#claim(owner, leaseMs, (now) => (eb) =>
      eb.and([
        eb('queue', 'in', queues),
        eb.or([eb.and([eb('status', '=', 'queued'), eb('run_after', '<=', now)]), eb.and([eb('status', '=', 'running'), eb('lease_expires_at', '<', now)])]),
      ]),
    );
  }

  /**
   * Claims one given job if it is runnable: queued (whatever its `run_after`: the caller — a
   * delivery from pg-boss — has already waited the backoff), or running with an expired lease.
   * Undefined when it is not (finished, cancelled, or held by a live runner): a duplicate
   * delivery is thereby harmless.
   */
  claimJob(jobId: string, owner: string, leaseMs: number): Promise<ClaimedJob | undefined> {
    return this.#claim(owner, leaseMs, (now) => (eb) =>
      eb.and([eb('id', '=', jobId), eb.or([eb('status', '=', 'queued'), eb.and([eb('status', '=', 'running'), eb('lease_expires_at', '<', now)])])]),
    );
  }

  async #claim(owner: string, leaseMs: number, runnable: (now: number) => (eb: ExpressionBuilder<Database, 'jobs'>) => Expression<SqlBool>): Promise<ClaimedJob | undefined> {
    const claimed = await withTransaction(this.#db, async (tx) => {
      for (;;) {
        const now = this.#now();
        let q = tx.selectFrom('jobs').selectAll().where(runnable(now)).orderBy('run_after', 'asc').orderBy('id', 'asc').limit(1);
        if (this.#db.dialect === 'postgres') q = q.forUpdate().skipLocked();
        const row = await q.executeTakeFirst();
        if (!row) return undefined;
        // A runner died holding this job: it is either cancelled, out of attempts, or taken over.
        if (row.status === 'running' && (row.cancel_requested === 1 || row.attempts >= row.max_attempts)) {
          await this.#endAbandoned(tx, row, now);
          continue;
        }
        const token = newId('lease');
        const attempts = row.attempts + 1;
        await tx
          .updateTable('jobs')
          .set({ status: 'running', attempts, lease_token: token, lease_owner: owner, lease_expires_at: now + leaseMs, started_at: row.started_at ?? new Date(now).toISOString() })
          .where('id', '=', row.id)
          .execute();
        return { row: { ...row, status: 'running', attempts, lease_token: token, lease_owner: owner, lease_expires_at: now + leaseMs }, token, attempts };
      }
    });
    if (!claimed) return undefined;
    return {
      lease: { jobId: claimed.row.id, token: claimed.token, attempt: claimed.attempts },
      job: await this.#toJob(claimed.row),
      actor: JSON.parse(claimed.row.actor) as Actor,
    };
  }

  /** Ends a job whose runner died and which may not run again: cancelled when asked, else failed. */
  async #endAbandoned(tx: Tx, row: JobsTable, now: number): Promise<'cancelled' | 'failed'> {
    const cancelled = row.cancel_requested === 1;
    await tx
      .updateTable('jobs')
      .set({
        status: cancelled ? 'cancelled' : 'failed',
        lease_token: null,
        lease_expires_at: null,
        finished_at: new Date(now).toISOString(),
        ...(cancelled ? {} : { error_code: 'JOB_LEASE_LOST', error_message: `The runner stopped heartbeating on attempt ${row.attempts} of ${row.max_attempts}` }),
      })
      .where('id', '=', row.id)
      .execute();
    return cancelled ? 'cancelled' : 'failed';
  }

  /**
   * Puts jobs whose runner stopped heartbeating back in their queue (or ends them when cancelled
   * or out of attempts), inside `tx`, rows locked and skipped by concurrent sweepers. The stale
   * runner's token is cleared, so its late heartbeat, completion or failure changes nothing.
   * The embedded claim does this itself; a delivery queue (pg-boss) calls it to redeliver.
   */
  async expireLeases(tx: Tx, limit = 100): Promise<ExpiredLease[]> {
    const now = this.#now();
    let q = tx.selectFrom('jobs').selectAll().where('status', '=', 'running').where('lease_expires_at', '<', now).orderBy('lease_expires_at', 'asc').limit(limit);
    if (this.#db.dialect === 'postgres') q = q.forUpdate().skipLocked();
    const expired: ExpiredLease[] = [];
    for (const row of await q.execute()) {
      if (row.cancel_requested === 1 || row.attempts >= row.max_attempts) {
        expired.push({ jobId: row.id, queue: row.queue, outcome: await this.#endAbandoned(tx, row, now) });
        continue;
      }
      await tx
        .updateTable('jobs')
        .set({ status: 'queued', lease_token: null, lease_owner: null, lease_expires_at: null, run_after: now, error_code: 'JOB_LEASE_LOST', error_message: `The runner stopped heartbeating on attempt ${row.attempts}; queued again` })
        .where('id', '=', row.id)
        .execute();
      expired.push({ jobId: row.id, queue: row.queue, outcome: 'requeued' });
    }
    return expired;
  }

  async heartbeat(lease: JobLease, leaseMs: number): Promise<{ held: boolean; cancelRequested: boolean }> {
    const result = await this.#db.kysely
      .updateTable('jobs')
      .set({ lease_expires_at: this.#now() + leaseMs })
      .where('id', '=', lease.jobId)
      .where('lease_token', '=', lease.token)
      .where('status', '=', 'running')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return { held: false, cancelRequested: false };
    const row = await this.#db.kysely.selectFrom('jobs').select('cancel_requested').where('id', '=', lease.jobId).executeTakeFirstOrThrow();
    return { held: true, cancelRequested: row.cancel_requested === 1 };
  }

  async setRunInfo(lease: JobLease, info: { componentId: string; isolation: string }): Promise<void> {
    await this.#db.kysely.updateTable('jobs').set({ component_id: info.componentId, isolation: info.isolation }).where('id', '=', lease.jobId).where('lease_token', '=', lease.token).execute();
  }

  async #finish(lease: JobLease, values: Partial<JobsTable>, tx?: Tx): Promise<boolean> {
    const result = await (tx ?? this.#db.kysely)
      .updateTable('jobs')
      .set({ ...values, lease_token: null, lease_expires_at: null })
      .where('id', '=', lease.jobId)
      .where('lease_token', '=', lease.token)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  complete(lease: JobLease, result: JobResult, tx?: Tx): Promise<boolean> {
    return this.#finish(lease, { status: 'succeeded', result: JSON.stringify(result), error_code: null, error_message: null, finished_at: new Date(this.#now()).toISOString() }, tx);
  }

  /** As {@link JobQueue.fail}, inside `tx` when given (a delivery queue sends the retry in the same transaction). */
  async fail(lease: JobLease, failure: JobFailure, options: { retryable: boolean; backoffMs: number }, tx?: Tx): Promise<'retrying' | 'failed' | 'lost'> {
    const row = await (tx ?? this.#db.kysely).selectFrom('jobs').select(['attempts', 'max_attempts', 'lease_token']).where('id', '=', lease.jobId).executeTakeFirst();
    if (!row || row.lease_token !== lease.token) return 'lost';
    const retry = options.retryable && row.attempts < row.max_attempts;
    const error = { error_code: failure.code, error_message: failure.message.slice(0, 4000) };
    const done = retry
      ? await this.#finish(lease, { status: 'queued', run_after: this.#now() + options.backoffMs, ...error }, tx)
      : await this.#finish(lease, { status: 'failed', finished_at: new Date(this.#now()).toISOString(), ...error }, tx);
    if (!done) return 'lost';
    return retry ? 'retrying' : 'failed';
  }

  finishCancelled(lease: JobLease): Promise<boolean> {
    return this.#finish(lease, { status: 'cancelled', finished_at: new Date(this.#now()).toISOString() });
  }

  async cancel(jobId: string, tx?: Tx): Promise<'cancelled' | 'requested' | 'finished'> {
    const db = tx ?? this.#db.kysely;
    const queued = await db.updateTable('jobs').set({ status: 'cancelled', cancel_requested: 1, finished_at: new Date(this.#now()).toISOString() }).where('id', '=', jobId).where('status', '=', 'queued').executeTakeFirst();
    if (Number(queued.numUpdatedRows) === 1) return 'cancelled';
    const running = await db.updateTable('jobs').set({ cancel_requested: 1 }).where('id', '=', jobId).where('status', '=', 'running').executeTakeFirst();
    return Number(running.numUpdatedRows) === 1 ? 'requested' : 'finished';
  }

  async get(jobId: string): Promise<Job | undefined> {
    const row = await this.#db.kysely.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
    return row ? this.#toJob(row) : undefined;
  }

  async list(filter: JobListFilter): Promise<Job[]> {
    let q = this.#db.kysely.selectFrom('jobs').selectAll().where('project_id', '=', filter.projectId);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.type) q = q.where('type', '=', filter.type);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit ?? 100).execute();
    return Promise.all(rows.map((r) => this.#toJob(r)));
  }

  async appendLogs(jobId: string, attempt: number, lines: readonly { stream: string; line: string }[]): Promise<void> {
    if (lines.length === 0) return;
    // The child and its runner both append; on PostgreSQL two appends can pick the same next
    // sequence number, and the loser tries again.
    for (let tries = 0; ; tries++) {
      try {
        await this.#appendOnce(jobId, attempt, lines);
        return;
      } catch (error) {
        if (tries >= 4) throw error;
      }
    }
  }

  async #appendOnce(jobId: string, attempt: number, lines: readonly { stream: string; line: string }[]): Promise<void> {
    await withTransaction(this.#db, async (tx) => {
      const last = await tx.selectFrom('job_logs').select((eb) => eb.fn.max('seq').as('seq')).where('job_id', '=', jobId).executeTakeFirst();
      let seq = Number(last?.seq ?? 0);
      const at = new Date(this.#now()).toISOString();
      await tx
        .insertInto('job_logs')
        .values(lines.map((l) => ({ job_id: jobId, seq: ++seq, attempt, stream: l.stream, at, line: l.line.slice(0, 8000) })))
        .execute();
    });
  }

  async logs(jobId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<JobLogLine[]> {
    const rows = await this.#db.kysely
      .selectFrom('job_logs')
      .selectAll()
      .where('job_id', '=', jobId)
      .where('seq', '>', options.afterSeq ?? 0)
      .orderBy('seq', 'asc')
      .limit(options.limit ?? 10_000)
      .execute();
    return rows.map((r) => ({ seq: Number(r.seq), attempt: r.attempt, stream: r.stream, at: r.at, line: r.line }));
  }

  async #toJob(row: JobsTable): Promise<Job> {
    const spec = JSON.parse(row.spec) as StoredSpec;
    const outputs = await this.#db.kysely.selectFrom('job_outputs').selectAll().where('job_id', '=', row.id).orderBy('created_at', 'asc').orderBy('role', 'asc').execute();
    const result = row.result ? (JSON.parse(row.result) as JobResult) : undefined;
    return {
      jobId: row.id,
      projectId: row.project_id,
      type: row.type as JobType,
      status: row.status as JobStatus,
      inputs: spec.inputs,
      params: spec.params,
      experiment: spec.experiment,
      trial: spec.trial,
      principal: row.principal,
      queue: row.queue ?? DEFAULT_QUEUE,
      timeoutSeconds: spec.timeoutSeconds ?? null,
      memoryMb: spec.memoryMb ?? null,
      attempts: row.attempts,
      maxAttempts: row.max_attempts,
      cancelRequested: row.cancel_requested === 1,
      componentId: row.component_id,
      isolation: row.isolation,
      outputs: outputs.map(
        (o): JobOutput => ({ role: o.role, artifactId: o.artifact_id, datasetVersionId: o.dataset_version_id, name: o.name, version: o.version === null ? null : Number(o.version) }),
      ),
      metrics: result?.metrics ?? {},
      error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
      leaseExpiresAt: iso(row.lease_expires_at),
      createdAt: row.created_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    };
  }
}

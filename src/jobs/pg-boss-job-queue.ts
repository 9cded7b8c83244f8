/**
 * @module jobs/pg-boss-job-queue
 * The scaled-out job queue: on PostgreSQL, jobs are delivered to runners on any number of
 * machines through pg-boss (10.x, the last line for Node 20), behind the same {@link JobQueue}
 * port as the embedded queue.
 *
 * Durability and exactly-once stay where they are in the embedded engine: the `jobs` row.
 * Submitting a job writes the row, its audit entry and its pg-boss message in ONE transaction
 * (pg-boss's `send` runs on our transaction through its `db` option), so a job is never audited
 * without being delivered, nor delivered without its record. pg-boss only tells a runner which
 * job to take next (SKIP LOCKED, per named queue, `startAfter` for retry backoff); the runner
 * then claims the row with a fresh lease token exactly as the embedded queue does, and every
 * later transition (heartbeat, output commit, completion, failure) is conditional on that token.
 * The message is acknowledged as soon as the row is claimed: from then on the row's lease is
 * what counts. A duplicate or late delivery finds the row running under a live lease, or
 * finished, and is dropped.
 *
 * A runner killed mid-job stops heartbeating; each runner's claim loop sweeps rows whose lease
 * has expired and, in one transaction, puts them back in their queue (or fails them when out
 * of attempts) and sends a new message, so another runner retries the job. The stale runner's
 * token is gone, so nothing it might still write can complete the job twice; outputs are
 * committed once per (job, role) through `job_outputs` (see job-context.ts).
 */
import type PgBoss from 'pg-boss';
import { CompiledQuery } from 'kysely';
import type { Db, Tx } from '../platform/db/index.js';
import { withTransaction } from '../platform/db/index.js';
import type { Job, JobLogLine, JobResult } from './job-model.js';
import { DEFAULT_QUEUE } from './job-model.js';
import type { ClaimedJob, ClaimOptions, JobFailure, JobLease, JobListFilter, JobQueue, NewJob } from './job-queue.js';
import { SqlJobQueue } from './sql-job-queue.js';

export interface PgBossJobQueueOptions {
  /** The PostgreSQL connection string (the metadata database). */
  connectionString: string;
  /** The schema pg-boss keeps its tables in (default `pgboss`). */
  schema?: string;
  /** How often a claiming runner looks for expired leases (default 1 s). */
  sweepIntervalMs?: number;
  /**
   * How long a delivered message may stay unacknowledged before pg-boss delivers it again (a
   * runner that died between fetching and claiming; default 60 s, pg-boss's minimum is 1 s).
   */
  deliveryExpirySeconds?: number;
  /** Size of pg-boss's own connection pool (default 4). */
  poolSize?: number;
}

interface Message {
  jobId: string;
}

/** pg-boss's database port on one of our (Kysely) transactions. */
function onTransaction(tx: Tx): PgBoss.Db {
  return { executeSql: async (text, values) => ({ rows: [...(await tx.executeQuery(CompiledQuery.raw(text, values))).rows] }) };
}

export class PgBossJobQueue implements JobQueue {
  readonly #db: Db;
  readonly #rows: SqlJobQueue;
  readonly #options: PgBossJobQueueOptions;
  #boss: Promise<PgBoss> | undefined;
  readonly #queues = new Map<string, Promise<void>>();
  #lastSweep = 0;

  constructor(db: Db, options: PgBossJobQueueOptions) {
    if (db.dialect !== 'postgres') throw new Error('the pg-boss job queue needs PostgreSQL');
    this.#db = db;
    this.#rows = new SqlJobQueue(db);
    this.#options = options;
  }

  /** Starts pg-boss on first use (so commands that never touch jobs never connect it). */
  #started(): Promise<PgBoss> {
    this.#boss ??= (async () => {
      const { default: PgBossClass } = await import('pg-boss');
      const boss = new PgBossClass({
        connectionString: this.#options.connectionString,
        schema: this.#options.schema ?? 'pgboss',
        max: this.#options.poolSize ?? 4,
        application_name: 'attest-jobs',
        // Our rows carry the schedule; pg-boss's cron is not used.
        schedule: false,
      });
      boss.on('error', () => undefined);
      await boss.start();
      return boss;
    })();
    return this.#boss;
  }

  static queueName(queue: string): string {
    return `attest-${queue}`;
  }

  /** Creates the pg-boss queue once per process (another process may win the race). */
  async #queue(boss: PgBoss, queue: string): Promise<string> {
    const name = PgBossJobQueue.queueName(queue);
    let ready = this.#queues.get(name);
    if (!ready) {
      ready = (async () => {
        // Workers that start together race to create the queue; PostgreSQL may abort one of them
        // as a deadlock victim before the winner has committed, so look again after a pause.
        for (let attempt = 1; ; attempt++) {
          if (await boss.getQueue(name)) return;
          try {
            await boss.createQueue(name, { name, policy: 'standard', retryLimit: 1000, retryDelay: 1, expireInSeconds: this.#options.deliveryExpirySeconds ?? 60 });
            return;
          } catch (error) {
            if (await boss.getQueue(name)) return;
            if (attempt >= 5) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.floor(Math.random() * 100)));
          }
        }
      })();
      this.#queues.set(name, ready);
      ready.catch(() => this.#queues.delete(name));
    }
    await ready;
    return name;
  }

  async #deliver(tx: Tx, jobId: string, queue: string, delayMs = 0): Promise<void> {
    const boss = await this.#started();
    const name = await this.#queue(boss, queue);
    await boss.send(name, { jobId } satisfies Message, { db: onTransaction(tx), ...(delayMs > 0 ? { startAfter: Math.max(1, Math.ceil(delayMs / 1000)) } : {}) });
  }

  async enqueue(job: NewJob, tx?: Tx): Promise<void> {
    const write = async (t: Tx) => {
      await this.#rows.enqueue(job, t);
      await this.#deliver(t, job.jobId, job.queue ?? DEFAULT_QUEUE);
    };
    if (tx) await write(tx);
    else await withTransaction(this.#db, write);
  }

  /** Redelivers jobs whose runner stopped heartbeating (at most once per sweep interval per process). */
  async #sweep(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastSweep < (this.#options.sweepIntervalMs ?? 1000)) return;
    this.#lastSweep = now;
    await withTransaction(this.#db, async (tx) => {
      for (const expired of await this.#rows.expireLeases(tx)) if (expired.outcome === 'requeued') await this.#deliver(tx, expired.jobId, expired.queue);
    });
  }

  async claim(owner: string, leaseMs: number, options: ClaimOptions = {}): Promise<ClaimedJob | undefined> {
    await this.#sweep();
    const boss = await this.#started();
    for (const queue of options.queues?.length ? options.queues : [DEFAULT_QUEUE]) {
      const name = await this.#queue(boss, queue);
      for (;;) {
        const [message] = await boss.fetch<Message>(name, { batchSize: 1 });
        if (!message) break;
        const claimed = await this.#rows.claimJob(message.data.jobId, owner, leaseMs);
        // Acknowledged either way: claimed, the row's lease rules from here; not claimable, the
        // message was a duplicate or the job ended (cancelled while queued).
        await boss.complete(name, message.id);
        if (claimed) return claimed;
      }
    }
    return undefined;
  }

  async fail(lease: JobLease, failure: JobFailure, options: { retryable: boolean; backoffMs: number }): Promise<'retrying' | 'failed' | 'lost'> {
    return withTransaction(this.#db, async (tx) => {
      const outcome = await this.#rows.fail(lease, failure, options, tx);
      if (outcome === 'retrying') {
        const row = await tx.selectFrom('jobs').select('queue').where('id', '=', lease.jobId).executeTakeFirstOrThrow();
        await this.#deliver(tx, lease.jobId, row.queue, options.backoffMs);
      }
      return outcome;
    });
  }

  heartbeat(lease: JobLease, leaseMs: number): Promise<{ held: boolean; cancelRequested: boolean }> {
    return this.#rows.heartbeat(lease, leaseMs);
  }

  setRunInfo(lease: JobLease, info: { componentId: string; isolation: string }): Promise<void> {
    return this.#rows.setRunInfo(lease, info);
  }

  complete(lease: JobLease, result: JobResult, tx?: Tx): Promise<boolean> {
    return this.#rows.complete(lease, result, tx);
  }

  finishCancelled(lease: JobLease): Promise<boolean> {
    return this.#rows.finishCancelled(lease);
  }

  /** A queued job is cancelled on its row; its message, when delivered, finds it cancelled and is dropped. */
  cancel(jobId: string, tx?: Tx): Promise<'cancelled' | 'requested' | 'finished'> {
    return this.#rows.cancel(jobId, tx);
  }

  get(jobId: string): Promise<Job | undefined> {
    return this.#rows.get(jobId);
  }

  list(filter: JobListFilter): Promise<Job[]> {
    return this.#rows.list(filter);
  }

  appendLogs(jobId: string, attempt: number, lines: readonly { stream: string; line: string }[]): Promise<void> {
    return this.#rows.appendLogs(jobId, attempt, lines);
  }

  logs(jobId: string, options?: { afterSeq?: number; limit?: number }): Promise<JobLogLine[]> {
    return this.#rows.logs(jobId, options);
  }

  async close(): Promise<void> {
    const boss = this.#boss;
    this.#boss = undefined;
    if (!boss) return;
    await (await boss.catch(() => undefined))?.stop({ graceful: false, wait: true, timeout: 1000 });
  }
}

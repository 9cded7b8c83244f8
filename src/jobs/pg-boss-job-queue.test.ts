/**
 * The pg-boss adapter on a real PostgreSQL (skipped without ATTEST_TEST_PG_URL): the job row and
 * its pg-boss message commit or roll back together; two queue instances (two workers) never get
 * the same job; named queues; a runner that stops heartbeating has its job redelivered to another
 * after the lease expires, and the dead runner's token can no longer complete it; a retryable
 * failure is delivered again after its backoff; a cancelled queued job's message is dropped.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureProject } from '../app/index.js';
import { newId } from '../kernel/index.js';
import { withTransaction } from '../platform/db/index.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';
import type { NewJob } from './job-queue.js';
import { PgBossJobQueue } from './pg-boss-job-queue.js';

const PG = process.env.ATTEST_TEST_PG_URL;

describe.skipIf(!PG)('PgBossJobQueue on PostgreSQL', () => {
  let t: TestInstallation;
  let projectId: string;
  let w1: PgBossJobQueue;
  let w2: PgBossJobQueue;
  const job = (over: Partial<NewJob> = {}): NewJob => ({
    jobId: newId('job'),
    projectId,
    type: 'custom',
    inputs: {},
    params: {},
    experiment: 'jobs',
    trial: null,
    principal: 'user:dana',
    actor: TEST_ACTOR,
    maxAttempts: 2,
    ...over,
  });
  const messages = async (state: string) => (await sql<{ n: number }>`select count(*)::int as n from pgboss.job where state = ${state} and name like 'attest-%'`.execute(t.app.db.kysely)).rows[0]!.n;

  beforeAll(async () => {
    t = await createTestInstallation('postgres', 'fs');
    projectId = await ensureProject(t.app, TEST_ACTOR, 'q', 'queue tests');
    const url = t.env.ATTEST_DB_URL!;
    w1 = new PgBossJobQueue(t.app.db, { connectionString: url, sweepIntervalMs: 0 });
    w2 = new PgBossJobQueue(t.app.db, { connectionString: url, sweepIntervalMs: 0 });
  }, 60_000);
  afterAll(async () => {
    await w1?.close();
    await w2?.close();
    await t?.dispose();
  });

  it('commits the job row and its message together: a rolled-back submission leaves neither', async () => {
    const rolledBack = job();
    await expect(
      withTransaction(t.app.db, async (tx) => {
        await w1.enqueue(rolledBack, tx);
        throw new Error('audit append failed');
      }),
    ).rejects.toThrow('audit append failed');
    expect(await w1.get(rolledBack.jobId)).toBeUndefined();
    expect(await messages('created')).toBe(0);
    const kept = job();
    await withTransaction(t.app.db, (tx) => w1.enqueue(kept, tx));
    expect(await messages('created')).toBe(1);
    const claimed = await w2.claim('w2', 5000);
    expect(claimed?.job.jobId).toBe(kept.jobId);
    expect(await messages('created')).toBe(0);
    expect(await w2.complete(claimed!.lease, { metrics: {} })).toBe(true);
  }, 60_000);

  it('gives each job to one worker and honours named queues', async () => {
    const jobs = [job(), job(), job(), job({ queue: 'gpu' })];
    for (const j of jobs) await w1.enqueue(j);
    const claims = await Promise.all([w1.claim('w1', 5000), w2.claim('w2', 5000), w1.claim('w1b', 5000), w2.claim('w2b', 5000)]);
    const ids = claims.filter(Boolean).map((c) => c!.job.jobId);
    expect(ids.sort()).toEqual(jobs.slice(0, 3).map((j) => j.jobId).sort());
    const gpu = await w2.claim('w2', 5000, { queues: ['gpu'] });
    expect(gpu?.job).toMatchObject({ jobId: jobs[3]!.jobId, queue: 'gpu' });
    for (const c of [...claims, gpu]) if (c) await w1.complete(c.lease, { metrics: {} });
  }, 60_000);

  it('redelivers the job of a worker that stopped heartbeating once its lease expires; the dead token cannot complete it', async () => {
    const j = job();
    await w1.enqueue(j);
    const dead = await w1.claim('w1', 300);
    expect(dead?.job.jobId).toBe(j.jobId);
    expect(await w2.claim('w2', 300)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const retaken = await w2.claim('w2', 5000);
    expect(retaken?.job.jobId).toBe(j.jobId);
    expect(retaken?.lease.attempt).toBe(2);
    expect(await w1.complete(dead!.lease, { metrics: {} })).toBe(false);
    expect(await w1.heartbeat(dead!.lease, 5000)).toEqual({ held: false, cancelRequested: false });
    expect(await w2.complete(retaken!.lease, { metrics: { auc: 0.7 } })).toBe(true);
    expect(await w1.get(j.jobId)).toMatchObject({ status: 'succeeded', attempts: 2, metrics: { auc: 0.7 } });
    // Out of attempts: a second lost runner fails the job for good.
    const k = job({ maxAttempts: 1 });
    await w1.enqueue(k);
    await w1.claim('w1', 200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await w2.claim('w2', 5000)).toBeUndefined();
    expect(await w1.get(k.jobId)).toMatchObject({ status: 'failed', error: { code: 'JOB_LEASE_LOST' } });
  }, 60_000);

  it('delivers a retryable failure again after its backoff, and drops a cancelled job’s message', async () => {
    const j = job();
    await w1.enqueue(j);
    const first = await w1.claim('w1', 5000);
    expect(await w1.fail(first!.lease, { code: 'INTERNAL', message: 'flaky' }, { retryable: true, backoffMs: 1000 })).toBe('retrying');
    expect(await w2.claim('w2', 5000)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 2200));
    const second = await w2.claim('w2', 5000);
    expect(second?.lease.attempt).toBe(2);
    expect(await w2.fail(second!.lease, { code: 'INTERNAL', message: 'flaky' }, { retryable: true, backoffMs: 0 })).toBe('failed');

    const c = job();
    await w1.enqueue(c);
    expect(await w1.cancel(c.jobId)).toBe('cancelled');
    expect(await w2.claim('w2', 5000)).toBeUndefined();
    expect(await messages('created')).toBe(0);
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureProject } from '../app/index.js';
import { newId } from '../kernel/index.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';
import { testDialects } from '../../test/support/databases.js';
import type { NewJob } from './job-queue.js';
import { SqlJobQueue } from './sql-job-queue.js';

describe.each(testDialects())('SqlJobQueue on %s', (dialect) => {
  let t: TestInstallation;
  let projectId: string;
  let clock = 1_000_000;
  let queue: SqlJobQueue;
  const job = (over: Partial<NewJob> = {}): NewJob => ({
    jobId: newId('job'),
    projectId,
    type: 'training',
    inputs: { train: 'x@1' },
    params: { label: 'default' },
    experiment: 'jobs',
    trial: null,
    principal: 'user:dana',
    actor: TEST_ACTOR,
    maxAttempts: 2,
    ...over,
  });

  beforeAll(async () => {
    t = await createTestInstallation(dialect, 'fs');
    projectId = await ensureProject(t.app, TEST_ACTOR, 'q', 'queue tests');
    queue = new SqlJobQueue(t.app.db, () => clock);
  });
  afterAll(async () => t?.dispose());

  it('gives each job to one runner, fences completion by lease, retries after lease expiry, and fails when attempts run out', async () => {
    const a = job();
    const b = job();
    await queue.enqueue(a);
    clock += 1;
    await queue.enqueue(b);
    const [first, second] = await Promise.all([queue.claim('r1', 1000), queue.claim('r2', 1000)]);
    expect(new Set([first?.job.jobId, second?.job.jobId])).toEqual(new Set([a.jobId, b.jobId]));
    expect(await queue.claim('r3', 1000)).toBeUndefined();
    const ca = first!.job.jobId === a.jobId ? first! : second!;
    const cb = first!.job.jobId === a.jobId ? second! : first!;
    expect(ca.actor.principal).toBe(TEST_ACTOR.principal);
    expect(await queue.heartbeat(ca.lease, 1000)).toEqual({ held: true, cancelRequested: false });

    // b's runner dies: after the lease expires another runner takes b over; the dead runner's token is void.
    clock += 1500;
    expect(await queue.heartbeat(ca.lease, 1000)).toEqual({ held: true, cancelRequested: false });
    const retaken = await queue.claim('r4', 1000);
    expect(retaken?.job.jobId).toBe(b.jobId);
    expect(retaken?.lease.attempt).toBe(2);
    expect(await queue.complete(cb.lease, { metrics: {} })).toBe(false);
    expect(await queue.complete(retaken!.lease, { metrics: { auc: 0.8 } })).toBe(true);
    expect(await queue.complete(retaken!.lease, { metrics: { auc: 0.8 } })).toBe(false);
    expect((await queue.get(b.jobId))?.status).toBe('succeeded');
    expect((await queue.get(b.jobId))?.metrics).toEqual({ auc: 0.8 });

    // a fails transiently: queued again after the backoff, then its runner dies on the last attempt.
    expect(await queue.fail(ca.lease, { code: 'INTERNAL', message: 'boom' }, { retryable: true, backoffMs: 500 })).toBe('retrying');
    expect(await queue.claim('r1', 1000)).toBeUndefined();
    clock += 600;
    const again = await queue.claim('r1', 1000);
    expect(again?.lease.attempt).toBe(2);
    clock += 2000;
    expect(await queue.claim('r2', 1000)).toBeUndefined();
    const failed = await queue.get(a.jobId);
    expect(failed?.status).toBe('failed');
    expect(failed?.error?.code).toBe('JOB_LEASE_LOST');
  });

  it('cancels a queued job at once and asks a running one to stop', async () => {
    const q = job();
    const r = job();
    await queue.enqueue(q);
    await queue.enqueue(r);
    expect(await queue.cancel(q.jobId)).toBe('cancelled');
    const claimed = await queue.claim('r1', 1000);
    expect(claimed?.job.jobId).toBe(r.jobId);
    expect(await queue.cancel(r.jobId)).toBe('requested');
    expect(await queue.heartbeat(claimed!.lease, 1000)).toEqual({ held: true, cancelRequested: true });
    expect(await queue.finishCancelled(claimed!.lease)).toBe(true);
    expect(await queue.cancel(r.jobId)).toBe('finished');
    expect((await queue.list({ projectId, status: 'cancelled' })).map((j) => j.jobId).sort()).toEqual([q.jobId, r.jobId].sort());
  });

  it('stores log lines in order per job', async () => {
    const j = job();
    await queue.enqueue(j);
    await queue.appendLogs(j.jobId, 1, [{ stream: 'stdout', line: 'one' }, { stream: 'stderr', line: 'two' }]);
    await queue.appendLogs(j.jobId, 1, [{ stream: 'stdout', line: 'three' }]);
    expect((await queue.logs(j.jobId)).map((l) => `${l.seq}:${l.line}`)).toEqual(['1:one', '2:two', '3:three']);
    expect((await queue.logs(j.jobId, { afterSeq: 2 })).map((l) => l.line)).toEqual(['three']);
  });
});

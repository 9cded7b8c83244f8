/**
 * @module jobs/job-events
 * In-process wake-ups between the parts of the job system that share a process (a submitter, the
 * embedded runner, a waiter): a job submitted here is claimed at once instead of at the runner's
 * next poll, and a waiter learns at once that a job process of this runner ended. The queue stays
 * the truth — these only cut the sleeps; across processes the poll intervals still apply.
 */
import { EventEmitter } from 'node:events';

const events = new EventEmitter();
// Every waiter listens while it sleeps; many concurrent waits are normal, not a leak.
events.setMaxListeners(0);

/** A job was enqueued in this process (after its transaction committed). */
export function jobEnqueued(): void {
  events.emit('enqueued');
}

/** A job process for `jobId` ended in this process (the job may be final now). */
export function jobProcessEnded(jobId: string): void {
  events.emit('ended', jobId);
}

export function onJobEnqueued(listener: () => void): () => void {
  events.on('enqueued', listener);
  return () => events.off('enqueued', listener);
}

/** Sleeps `ms`, or less when a job process (for `jobId`, else any) ends in this process meanwhile. */
export function sleepUnlessEnded(ms: number, jobId?: string): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      events.off('ended', onEnded);
      resolve();
    };
    const onEnded = (ended: string) => {
      if (jobId === undefined || ended === jobId) done();
    };
    const timer = setTimeout(done, ms);
    events.on('ended', onEnded);
  });
}

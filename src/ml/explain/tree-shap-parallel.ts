/**
 * @module ml/explain/tree-shap-parallel
 * TreeSHAP over worker threads for large batches. Rows are claimed in contiguous chunks; every
 * chunk runs {@link treeShapKernel} (the same source text) on tables shared through
 * SharedArrayBuffers, and each row is computed independently, so the result is bit-identical to
 * the single-threaded {@link treeShap} whatever the number of threads.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FeatureMatrix, TreeEnsemble } from '../gbdt/index.js';
import type { ShapValues } from './shap-values.js';
import { checkFeatureMatrix, shapResult } from './shap-values.js';
import { treeShapKernel } from './tree-shap-kernel.js';
import type { ShapTables } from './tree-shap-tables.js';
import { shapTables } from './tree-shap-tables.js';

/** Below this many rows per extra thread, one thread is faster than messaging a worker. */
const MIN_ROWS_PER_THREAD = 256;

// `__name` covers transpilers that wrap function names (keepNames) inside the serialised source.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const __name = (f) => f;
const treeShapKernel = ${treeShapKernel.toString()};
parentPort.on('message', (job) => {
  try {
    for (;;) {
      const start = Atomics.add(job.next, 0, job.chunk);
      if (start >= job.rows) break;
      treeShapKernel(job.tables, job.x, job.cols, start, Math.min(job.rows, start + job.chunk), job.out);
    }
    parentPort.postMessage({ id: job.id, ok: true });
  } catch (error) {
    parentPort.postMessage({ id: job.id, ok: false, message: String(error && error.stack || error) });
  }
});
`;

interface Job {
  /** Matches a worker's reply to its job when several batches are in flight. */
  id: number;
  tables: ShapTables;
  x: Float32Array;
  cols: number;
  rows: number;
  /** Shared cursor: the first row of the next unclaimed chunk. */
  next: Int32Array;
  chunk: number;
  out: Float64Array;
}

/** Claims chunks of rows until none are left (the same loop the workers run). */
function drain(job: Job): void {
  for (;;) {
    const start = Atomics.add(job.next, 0, job.chunk);
    if (start >= job.rows) return;
    treeShapKernel(job.tables, job.x, job.cols, start, Math.min(job.rows, start + job.chunk), job.out);
  }
}

interface Reply {
  id: number;
  ok: boolean;
  message?: string;
}

interface PooledWorker {
  worker: Worker;
  pending: Map<number, { resolve: () => void; reject: (error: Error) => void }>;
}

const pool: (PooledWorker | undefined)[] = [];
let nextJobId = 1;

function pooledWorker(index: number): PooledWorker {
  let entry = pool[index];
  if (entry === undefined) {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    const created: PooledWorker = { worker, pending: new Map() };
    worker.on('message', (reply: Reply) => {
      const waiter = created.pending.get(reply.id);
      if (waiter === undefined) return;
      created.pending.delete(reply.id);
      if (created.pending.size === 0) worker.unref();
      if (reply.ok) waiter.resolve();
      else waiter.reject(new Error(`TreeSHAP worker failed: ${reply.message}`));
    });
    worker.on('error', (error: Error) => {
      if (pool[index] === created) pool[index] = undefined;
      for (const waiter of created.pending.values()) waiter.reject(error);
      created.pending.clear();
    });
    pool[index] = created;
    entry = created;
  }
  return entry;
}

function runOnWorker(entry: PooledWorker, job: Job): Promise<void> {
  return new Promise((resolve, reject) => {
    // A worker with work in flight keeps the process alive; an idle one does not.
    entry.worker.ref();
    entry.pending.set(job.id, { resolve, reject });
    entry.worker.postMessage(job);
  });
}

function sharedCopy(values: Float32Array): Float32Array {
  if (values.buffer instanceof SharedArrayBuffer) return values;
  const out = new Float32Array(new SharedArrayBuffer(Math.max(1, values.length) * 4));
  out.set(values);
  return out;
}

/** Options for {@link treeShapParallel}. */
export interface ParallelOptions {
  /** Threads including the calling one; default: all available cores. */
  threads?: number;
}

/**
 * TreeSHAP values like {@link treeShap}, computed on up to `threads` threads (the calling thread
 * takes the first block). Small batches run on the calling thread only.
 */
export async function treeShapParallel(model: TreeEnsemble, x: FeatureMatrix, options: ParallelOptions = {}): Promise<ShapValues> {
  checkFeatureMatrix(model, x);
  const tables = shapTables(model);
  const requested = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  const threads = Math.max(1, Math.min(requested, Math.floor(x.rows / MIN_ROWS_PER_THREAD)));
  const size = x.rows * model.numGroups * (model.numFeature + 1);
  if (threads === 1) {
    const values = new Float64Array(size);
    treeShapKernel(tables, x.values, x.cols, 0, x.rows, values);
    return shapResult(model, x.rows, values);
  }
  const out = new Float64Array(new SharedArrayBuffer(Math.max(1, size) * 8));
  const xs = sharedCopy(x.values);
  // Threads claim small chunks from a shared cursor, so a core slowed by other work does not
  // hold up the batch; each row's values do not depend on which thread computed them.
  const job: Job = {
    id: nextJobId++,
    tables,
    x: xs,
    cols: x.cols,
    rows: x.rows,
    next: new Int32Array(new SharedArrayBuffer(4)),
    chunk: Math.max(MIN_ROWS_PER_THREAD, Math.ceil(x.rows / (threads * 8))),
    out,
  };
  const pending: Promise<void>[] = [];
  for (let i = 1; i < threads; i++) pending.push(runOnWorker(pooledWorker(i - 1), job));
  drain(job);
  await Promise.all(pending);
  return shapResult(model, x.rows, new Float64Array(out));
}

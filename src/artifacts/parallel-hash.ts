/**
 * @module artifacts/parallel-hash
 * SHA-256 of a byte stream computed on a worker thread, so that hashing (the content address) and
 * AES-GCM encryption of a large artifact use both cores instead of taking turns on one. Chunks are
 * copied to the worker; at most `maxInFlight` unacknowledged chunks keep memory bounded.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hash = createHash('sha256');
parentPort.on('message', (chunk) => {
  if (chunk === null) { parentPort.postMessage({ digest: hash.digest('hex') }); return; }
  hash.update(chunk);
  parentPort.postMessage({ ack: true });
});
`;

export interface StreamHasher {
  update(chunk: Uint8Array): Promise<void>;
  digest(): Promise<string>;
  close(): Promise<void>;
}

/** Hashes in the calling thread (small objects: a worker's start-up would cost more than it saves). */
export function inlineHasher(): StreamHasher {
  const hash = createHash('sha256');
  return {
    update: async (chunk) => {
      hash.update(chunk);
    },
    digest: async () => hash.digest('hex'),
    close: async () => undefined,
  };
}

const FILE_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { createReadStream } = require('node:fs');
const hash = createHash('sha256');
createReadStream(workerData.path, { highWaterMark: 1 << 20 })
  .on('data', (chunk) => hash.update(chunk))
  .on('end', () => parentPort.postMessage({ digest: hash.digest('hex') }))
  .on('error', (error) => parentPort.postMessage({ error: error.message }));
`;

/**
 * SHA-256 of a file computed by a worker thread that reads the file itself — no bytes cross
 * threads, so hashing a large file costs the caller nothing while it encrypts the same file.
 * The caller must check that the file did not change between the two reads.
 */
export function hashFileOnWorker(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(FILE_WORKER_SOURCE, { eval: true, workerData: { path } });
    worker.once('message', (m: { digest?: string; error?: string }) => {
      void worker.terminate();
      if (m.digest) resolve(m.digest);
      else reject(new Error(m.error ?? 'hashing failed'));
    });
    worker.once('error', reject);
  });
}

/** Hashes on a worker thread. */
export function workerHasher(maxInFlight = 8): StreamHasher {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  let inFlight = 0;
  let waiter: (() => void) | undefined;
  let digestResolve: ((digest: string) => void) | undefined;
  let failure: Error | undefined;
  worker.on('message', (m: { ack?: boolean; digest?: string }) => {
    if (m.ack) {
      inFlight--;
      waiter?.();
      waiter = undefined;
    } else if (m.digest !== undefined) digestResolve?.(m.digest);
  });
  worker.on('error', (error) => {
    failure = error;
    waiter?.();
  });
  return {
    async update(chunk) {
      if (failure) throw failure;
      while (inFlight >= maxInFlight) await new Promise<void>((resolve) => (waiter = resolve));
      if (failure) throw failure;
      inFlight++;
      worker.postMessage(chunk);
    },
    async digest() {
      const result = new Promise<string>((resolve) => (digestResolve = resolve));
      worker.postMessage(null);
      return result;
    },
    async close() {
      await worker.terminate();
    },
  };
}

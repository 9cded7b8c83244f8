/**
 * @module artifacts/parallel-hash
 * SHA-256 of a byte stream computed on a pooled worker thread, so that hashing (the content
 * address) and AES-GCM encryption of a large artifact use both cores instead of taking turns on
 * one. Bytes cross threads through a ring of shared-memory slots: the caller copies a chunk into a
 * free slot (a memcpy, far cheaper than a structured clone) and posts only its position; the worker
 * hands the slot back once hashed, so memory stays bounded at `SLOT_COUNT × SLOT_BYTES` per worker.
 * Workers are kept for reuse (start-up costs tens of milliseconds) and do not keep the process
 * alive while idle.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

const SLOT_BYTES = 1 << 20;
const SLOT_COUNT = 8;
/** Idle workers kept for the next large put or get. */
const MAX_IDLE_WORKERS = 2;

export interface StreamHasher {
  update(chunk: Uint8Array): Promise<void>;
  /** Hex SHA-256 of everything passed to `update`; the hasher is finished afterwards. */
  digest(): Promise<string>;
  /** Releases the hasher; safe after `digest` and after a failure. */
  close(): Promise<void>;
}

/** Hashes in the calling thread (small objects: handing chunks over would cost more than it saves). */
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

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const ring = new Uint8Array(workerData.ring);
let hash;
parentPort.on('message', (m) => {
  if (m.op === 'begin') hash = createHash('sha256');
  else if (m.op === 'update') {
    hash.update(ring.subarray(m.offset, m.offset + m.length));
    parentPort.postMessage({ slot: m.slot });
  } else if (m.op === 'end') parentPort.postMessage({ digest: hash.digest('hex') });
});
`;

type WorkerReply = { slot?: number; digest?: string };

class HashWorker {
  readonly #worker: Worker;
  readonly #ring: Buffer;
  #free: number[] = [];
  #wake: (() => void) | undefined;
  #onDigest: { resolve: (digest: string) => void; reject: (error: Error) => void } | undefined;
  failure: Error | undefined;

  constructor() {
    const shared = new SharedArrayBuffer(SLOT_BYTES * SLOT_COUNT);
    this.#ring = Buffer.from(shared);
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ring: shared } });
    this.#worker.on('message', (m: WorkerReply) => {
      if (m.slot !== undefined) {
        this.#free.push(m.slot);
        this.#wakeUp();
      } else if (m.digest !== undefined) this.#onDigest?.resolve(m.digest);
    });
    this.#worker.on('error', (error) => this.#fail(error));
    // A worker that stops without an error (killed, out of memory) must not leave a put waiting.
    this.#worker.on('exit', () => this.#fail(new Error('the hashing worker stopped')));
  }

  #fail(error: Error): void {
    this.failure ??= error;
    this.#wakeUp();
    this.#onDigest?.reject(this.failure);
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  begin(): void {
    this.#free = Array.from({ length: SLOT_COUNT }, (_, i) => i);
    this.#worker.ref();
    this.#worker.postMessage({ op: 'begin' });
  }

  async update(chunk: Uint8Array): Promise<void> {
    for (let offset = 0; offset < chunk.byteLength; offset += SLOT_BYTES) {
      const part = chunk.subarray(offset, offset + SLOT_BYTES);
      while (this.#free.length === 0 && !this.failure) await new Promise<void>((resolve) => (this.#wake = resolve));
      if (this.failure) throw this.failure;
      const slot = this.#free.pop()!;
      this.#ring.set(part, slot * SLOT_BYTES);
      this.#worker.postMessage({ op: 'update', slot, offset: slot * SLOT_BYTES, length: part.byteLength });
    }
  }

  async digest(): Promise<string> {
    if (this.failure) throw this.failure;
    const digest = new Promise<string>((resolve, reject) => {
      this.#onDigest = { resolve, reject };
    });
    this.#worker.postMessage({ op: 'end' });
    const hex = await digest;
    this.#onDigest = undefined;
    return hex;
  }

  /** Back to the pool (only after a completed digest, so no reply of this session is still due). */
  idle(): void {
    this.#worker.unref();
  }

  terminate(): Promise<number> {
    return this.#worker.terminate();
  }
}

const idleWorkers: HashWorker[] = [];

/** Hashes on a pooled worker thread. */
export function workerHasher(): StreamHasher {
  let pooled = idleWorkers.pop();
  while (pooled?.failure) pooled = idleWorkers.pop();
  const worker = pooled ?? new HashWorker();
  worker.begin();
  let finished = false;
  let released = false;
  const release = async (reusable: boolean) => {
    if (released) return;
    released = true;
    if (reusable && !worker.failure && idleWorkers.length < MAX_IDLE_WORKERS) {
      worker.idle();
      idleWorkers.push(worker);
    } else await worker.terminate();
  };
  return {
    update: (chunk) => worker.update(chunk),
    async digest() {
      const hex = await worker.digest();
      finished = true;
      await release(true);
      return hex;
    },
    close: () => release(finished),
  };
}

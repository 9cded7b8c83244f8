/**
 * @module security/audit/store-witness
 * A witness in the write-once artifact store (`audit.witness.store: true`): every signed tree head
 * is also written as an object of its own, `audit-sth.<n>` for n = 1, 2, 3 … in the order heads
 * are issued. The store refuses to overwrite an object (and an S3 bucket with Object Lock refuses
 * to delete one), so neither a database writer nor someone who rewrites the home's anchor history
 * can take back a head once it is mirrored. The numbering needs no listing: the heads are read
 * back from 1 until the first number with no object, and a racing writer that finds its number
 * taken moves to the next one. Tree heads are signed public statements, not secrets, so they are
 * stored as they are, not encrypted.
 */
import type { BlobStore } from '../../platform/blob/index.js';
import type { HistoryLine } from './anchor-history.js';
import { parseHistoryLine } from './anchor-history.js';

const KEY_PREFIX = 'audit-sth.';
/** A bound on numbering probes, far above any real history (one head per second for 300 years). */
const MAX_HEADS = 10_000_000_000;

export const storeWitnessKey = (n: number) => `${KEY_PREFIX}${String(n).padStart(12, '0')}`;

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

async function readObject(store: BlobStore, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

export class StoreWitness {
  readonly #store: BlobStore;
  /** Heads known to be mirrored (objects 1..count exist); found by probing on first use. */
  #count: number | undefined;

  constructor(store: BlobStore) {
    this.#store = store;
  }

  get name(): string {
    return `the artifact store witness (${this.#store.location})`;
  }

  /** The number of mirrored heads: objects 1..n exist and n + 1 does not (exponential then binary search). */
  async #probeCount(): Promise<number> {
    let lo = 0;
    let hi = 1;
    while (hi < MAX_HEADS && (await this.#store.exists(storeWitnessKey(hi)))) {
      lo = hi;
      hi *= 2;
    }
    // Invariant: lo exists (or is 0), hi does not.
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await this.#store.exists(storeWitnessKey(mid))) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** Mirrors one head (its history line) under the next free number. */
  async append(line: string): Promise<void> {
    let n = (this.#count ?? (await this.#probeCount())) + 1;
    for (;;) {
      try {
        await this.#store.put(storeWitnessKey(n), once(Buffer.from(`${line}\n`)));
        this.#count = n;
        return;
      } catch (error) {
        // Another process took this number: the next one.
        if ((error as { code?: string }).code !== 'ARTIFACT_IMMUTABLE') throw error;
        n++;
      }
    }
  }

  /** Every mirrored head, in the order issued (line = its number). */
  async read(): Promise<HistoryLine[]> {
    const out: HistoryLine[] = [];
    for (let n = 1; n < MAX_HEADS; n++) {
      const key = storeWitnessKey(n);
      if (!(await this.#store.exists(key))) break;
      out.push({ line: n, head: parseHistoryLine((await readObject(this.#store, key)).trim()) });
    }
    this.#count = Math.max(this.#count ?? 0, out.length);
    return out;
  }
}

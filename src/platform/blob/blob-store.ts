/**
 * @module platform/blob/blob-store
 * The artifact byte store port. It only ever sees ciphertext (the artifact service encrypts before
 * a byte reaches it). Two adapters: a local directory (default) and an S3-compatible object store,
 * chosen by `ATTEST_STORE_URL` (`file:///path` or `s3://bucket/prefix?…`).
 */

export interface BlobStore {
  /** Printable location, without credentials. */
  readonly location: string;
  /**
   * Writes a new object. Atomic: the object becomes visible only once complete, so a crash
   * mid-write leaves nothing behind under `key`. Write-once: fails with CONFLICT if `key` exists.
   */
  put(key: string, body: AsyncIterable<Uint8Array>): Promise<{ bytes: number }>;
  /** Streams an object's bytes; NOT_FOUND if absent. */
  get(key: string): Promise<AsyncIterable<Uint8Array>>;
  exists(key: string): Promise<boolean>;
  /**
   * Makes the bytes of `existingKey` readable under `newKey` as well, without copying them (a hard
   * link), where the store can. Each name is then deleted independently: the bytes go with the
   * last one. False when the store cannot share bytes or `existingKey` is gone.
   */
  link(existingKey: string, newKey: string): Promise<boolean>;
  /** Removes an object (the artifact service decides whether deletion is allowed). */
  delete(key: string): Promise<void>;
  /**
   * Removes incomplete writes left by crashed processes: at once when the store can tell that the
   * writing process is gone, otherwise once older than `unownedOlderThanMs`. Writes of live
   * processes are never touched. Returns how many were removed.
   */
  sweepIncomplete(unownedOlderThanMs: number): Promise<number>;
  /** Counts incomplete writes without changing anything (for `attest doctor`). */
  incomplete(unownedOlderThanMs: number): Promise<IncompleteWrites>;
  close(): Promise<void>;
}

/** Incomplete writes in a store; `orphaned` ones are what a sweep would remove. */
export interface IncompleteWrites {
  count: number;
  bytes: number;
  orphaned: number;
  orphanedBytes: number;
}

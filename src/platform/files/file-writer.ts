/**
 * @module platform/files/file-writer
 * Writes a stream of buffers to an open file with positional `writev` calls that are kept in
 * flight while the producer computes the next bytes, so encryption (on the main thread) and the
 * copy into the page cache (on libuv's pool) overlap instead of taking turns, as they do behind a
 * `stream.pipeline` into a write stream. Optionally asks the kernel to start writing back every
 * few MiB, so a durable store's closing fsync waits only for the tail rather than the whole file.
 */
import type { FileHandle } from 'node:fs/promises';

export interface WriteToFileOptions {
  /** Bytes gathered into one `writev` (default 1 MiB). */
  batchBytes?: number;
  /** `writev` calls allowed in flight at once (default 4). */
  maxInFlight?: number;
  /**
   * When set, `fdatasync` runs in the background each time this many more bytes have been
   * written. It only starts write-back early: the caller still syncs at the end for durability.
   */
  syncEveryBytes?: number;
}

async function writevFully(handle: FileHandle, buffers: Uint8Array[], position: number): Promise<void> {
  let remaining = buffers;
  let at = position;
  for (;;) {
    const total = remaining.reduce((n, b) => n + b.byteLength, 0);
    const { bytesWritten } = await handle.writev(remaining, at);
    if (bytesWritten >= total) return;
    // A short write: resume after the bytes that made it.
    at += bytesWritten;
    let skip = bytesWritten;
    const rest: Uint8Array[] = [];
    for (const b of remaining) {
      if (skip >= b.byteLength) skip -= b.byteLength;
      else {
        rest.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    remaining = rest;
  }
}

/** Writes `body` to `handle` from offset 0; returns the number of bytes written. */
export async function writeToFile(handle: FileHandle, body: AsyncIterable<Uint8Array>, options: WriteToFileOptions = {}): Promise<number> {
  const batchLimit = options.batchBytes ?? 1 << 20;
  const maxInFlight = options.maxInFlight ?? 4;
  const syncEvery = options.syncEveryBytes;
  let position = 0;
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  const inFlight: Promise<void>[] = [];
  let syncing: Promise<void> | undefined;
  let syncedUpTo = 0;
  let syncError: unknown;

  const flush = async (): Promise<void> => {
    if (batchBytes > 0) {
      const write = writevFully(handle, batch, position);
      // Observed now so a failure is never "unhandled" while an earlier write is being awaited.
      write.catch(() => undefined);
      inFlight.push(write);
      position += batchBytes;
      batch = [];
      batchBytes = 0;
    }
    while (inFlight.length > maxInFlight) await inFlight.shift();
    if (syncEvery !== undefined && syncing === undefined && position - syncedUpTo >= syncEvery) {
      const upTo = position;
      // A write-back error must not be lost: fsync reports it once, so the final sync could pass.
      syncing = Promise.all(inFlight.slice())
        .then(() => handle.datasync())
        .then(
          () => {
            syncedUpTo = upTo;
          },
          (error: unknown) => {
            syncError ??= error;
          },
        )
        .finally(() => {
          syncing = undefined;
        });
    }
  };

  try {
    for await (const chunk of body) {
      if (chunk.byteLength === 0) continue;
      batch.push(chunk);
      batchBytes += chunk.byteLength;
      if (batchBytes >= batchLimit) await flush();
    }
    await flush();
    await Promise.all(inFlight);
  } finally {
    // Never leave a write or sync running against a handle the caller is about to close.
    await Promise.allSettled([...inFlight, syncing]);
  }
  if (syncError !== undefined) throw syncError;
  return position;
}

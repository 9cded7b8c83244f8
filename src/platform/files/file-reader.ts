/**
 * @module platform/files/file-reader
 * Reads a file as a stream of chunks with several positional reads in flight, so the next bytes
 * are already on their way from the page cache (on libuv's pool) while the consumer decrypts or
 * hashes the current ones. A `fs.ReadStream` keeps only one read ahead.
 */
import { open } from 'node:fs/promises';
import { AppError } from '../../kernel/index.js';

export interface ReadFileChunksOptions {
  /** Bytes per chunk (default 1 MiB). */
  chunkBytes?: number;
  /** Reads kept in flight ahead of the consumer (default 4). */
  readAhead?: number;
}

/**
 * Yields the file's bytes, as they were when it was opened, in chunks of `chunkBytes` (the last
 * one shorter). Every chunk is a fresh buffer the consumer may keep. Fails if the file shrinks
 * while being read.
 */
export async function* readFileChunks(path: string, options: ReadFileChunksOptions = {}): AsyncGenerator<Buffer> {
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  const readAhead = Math.max(1, options.readAhead ?? 4);
  const handle = await open(path, 'r');
  const pending: Promise<Buffer>[] = [];
  try {
    const size = (await handle.stat()).size;
    let next = 0;
    const issue = () => {
      const position = next;
      const length = Math.min(chunkBytes, size - position);
      next += length;
      const read = (async () => {
        const buffer = Buffer.allocUnsafe(length);
        let filled = 0;
        while (filled < length) {
          const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
          if (bytesRead === 0) throw new AppError('INTERNAL', { message: `${path} shrank while it was being read` });
          filled += bytesRead;
        }
        return buffer;
      })();
      // Observed now so a failure is never "unhandled" while an earlier read is being awaited.
      read.catch(() => undefined);
      pending.push(read);
    };
    while (next < size && pending.length < readAhead) issue();
    while (pending.length > 0) {
      const chunk = await pending.shift()!;
      if (next < size) issue();
      yield chunk;
    }
  } finally {
    await Promise.allSettled(pending);
    await handle.close();
  }
}

/**
 * @module platform/blob/fs-blob-store
 * Blob store on a local directory. A put streams into `tmp/` (opened O_EXCL, mode 0600) with
 * write-back started every few MiB, fsyncs, then hard-links the file to its final name — `link` fails if the name exists, which makes
 * objects write-once — and fsyncs the directory. A process killed mid-put leaves only a temp file,
 * which is never listed and is swept later.
 */
import { link, mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, newId } from '../../kernel/index.js';
import { readFileChunks, writeToFile } from '../files/index.js';
import type { BlobStore, IncompleteWrites } from './blob-store.js';
import { ownerState, ownerTag, parseOwner } from './temp-owner.js';

const KEY_PATTERN = /^[A-Za-z0-9_.-]{1,200}$/;
/** Background write-back interval during a put (see writeToFile). */
const WRITE_BACK_EVERY_BYTES = 8 * 1024 * 1024;

export class FsBlobStore implements BlobStore {
  readonly location: string;
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
    this.location = `file://${root}`;
  }

  async #ready(): Promise<void> {
    await mkdir(join(this.#root, 'objects'), { recursive: true, mode: 0o700 });
    await mkdir(join(this.#root, 'tmp'), { recursive: true, mode: 0o700 });
  }

  #path(key: string): { dir: string; file: string } {
    if (!KEY_PATTERN.test(key)) throw new AppError('INVALID_INPUT', { message: `Invalid blob key ${key}` });
    const shard = key.slice(-2);
    const dir = join(this.#root, 'objects', shard);
    return { dir, file: join(dir, key) };
  }

  async put(key: string, body: AsyncIterable<Uint8Array>): Promise<{ bytes: number }> {
    await this.#ready();
    const { dir, file } = this.#path(key);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (await this.exists(key)) throw new AppError('ARTIFACT_IMMUTABLE', { message: `Blob ${key} already exists` });
    // The name says which process owns the temp file, so a crashed put's leftovers are swept on
    // the next start whatever their age, while a live put of another process is left alone.
    const tmp = join(this.#root, 'tmp', `${newId('put')}~${ownerTag()}.part`);
    let bytes = 0;
    const handle = await open(tmp, 'wx', 0o600);
    try {
      bytes = await writeToFile(handle, body, { syncEveryBytes: WRITE_BACK_EVERY_BYTES });
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
    await handle.close();
    try {
      await link(tmp, file);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new AppError('ARTIFACT_IMMUTABLE', { message: `Blob ${key} already exists` });
      throw error;
    }
    await unlink(tmp);
    await syncDirectory(dir);
    return { bytes };
  }

  async get(key: string): Promise<AsyncIterable<Uint8Array>> {
    const { file } = this.#path(key);
    try {
      await stat(file);
    } catch {
      throw new AppError('ARTIFACT_NOT_FOUND', { message: `The stored object ${key} is missing from ${this.location}` });
    }
    return readFileChunks(file);
  }

  async exists(key: string): Promise<boolean> {
    try {
      await stat(this.#path(key).file);
      return true;
    } catch {
      return false;
    }
  }

  async link(existingKey: string, newKey: string): Promise<boolean> {
    const from = this.#path(existingKey);
    const to = this.#path(newKey);
    await mkdir(to.dir, { recursive: true, mode: 0o700 });
    try {
      await link(from.file, to.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new AppError('ARTIFACT_IMMUTABLE', { message: `Blob ${newKey} already exists` });
      throw error;
    }
    await syncDirectory(to.dir);
    return true;
  }

  async delete(key: string): Promise<void> {
    await unlink(this.#path(key).file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  async sweepIncomplete(unownedOlderThanMs: number): Promise<number> {
    let removed = 0;
    for (const file of await this.#incompleteFiles(unownedOlderThanMs)) {
      if (!file.orphaned) continue;
      await unlink(file.path).catch(() => undefined);
      removed++;
    }
    return removed;
  }

  async incomplete(unownedOlderThanMs: number): Promise<IncompleteWrites> {
    const files = await this.#incompleteFiles(unownedOlderThanMs);
    const orphaned = files.filter((f) => f.orphaned);
    return {
      count: files.length,
      bytes: files.reduce((sum, f) => sum + f.bytes, 0),
      orphaned: orphaned.length,
      orphanedBytes: orphaned.reduce((sum, f) => sum + f.bytes, 0),
    };
  }

  /** Temp files of puts; orphaned: its owner is dead, or (no owner known) it is older than the cutoff. */
  async #incompleteFiles(unownedOlderThanMs: number): Promise<{ path: string; bytes: number; orphaned: boolean }[]> {
    const dir = join(this.#root, 'tmp');
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return [];
    }
    const cutoff = Date.now() - unownedOlderThanMs;
    const files: { path: string; bytes: number; orphaned: boolean }[] = [];
    for (const name of names) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) continue;
      const owner = parseOwner(name);
      const state = owner ? ownerState(owner) : 'unknown';
      files.push({ path, bytes: info.size, orphaned: state === 'dead' || (state === 'unknown' && info.mtimeMs <= cutoff) });
    }
    return files;
  }

  async close(): Promise<void> {}
}

/** Makes a new directory entry durable. */
async function syncDirectory(dir: string): Promise<void> {
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync().catch(() => undefined);
  } finally {
    await dirHandle.close();
  }
}

/**
 * @module serving/capture-log
 * The serving path's data capture: a write-ahead log, then encrypted artifacts.
 *
 * A response is sent only after its capture records are written to the current WAL segment with
 * write(2), so they are in the operating system's page cache and survive the serving process
 * being killed (kill -9) at any later moment; segments are fdatasync'd as a group every
 * `syncIntervalMs` (or, with `durability: 'fsync'`, before the response) against power loss.
 * Every record is sealed with AES-256-GCM under a data key wrapped by the installation's key, so
 * the WAL on disk is ciphertext. In the background, sealed segments are read back, grouped into
 * Model Monitor hourly partitions (`capture/<endpoint>/yyyy/mm/dd/hh`) and stored as encrypted
 * artifacts; a segment is deleted only after all its partitions are stored. Segments left by a
 * dead process are uploaded by the next one to start. An upload interrupted between storing and
 * deleting stores a record twice; readers drop repeated event ids.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fdatasync, fdatasyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactService } from '../artifacts/index.js';
import { AppError, newId } from '../kernel/index.js';
import { capturePartitionKey } from '../monitoring/index.js';
import type { Actor } from '../security/audit/index.js';
import type { KeyService } from '../security/keys/index.js';
import { DEFAULT_KEY_ALIAS } from '../security/keys/index.js';

const FORMAT = 'attest-capture-wal/1';
const CONTEXT = Buffer.from('attest:capture-wal');

export interface CaptureLogOptions {
  /** Root folder of the WAL (`<home>/serving/capture-wal`); each process writes its own subfolder. */
  readonly root: string;
  readonly keys: KeyService;
  readonly artifacts: ArtifactService;
  /** Who stores the partitions (the serving process's system actor). */
  readonly actor: Actor;
  /** How often sealed records are moved into artifacts; default 1000 ms. */
  readonly flushIntervalMs?: number;
  /** `write` (default): acknowledged once written (survives a process crash), fdatasync'd every syncIntervalMs. `fsync`: acknowledged after fdatasync. */
  readonly durability?: 'write' | 'fsync';
  readonly syncIntervalMs?: number;
}

/** One captured record and where it belongs. */
export interface CaptureEntry {
  readonly projectId: string;
  /** The endpoint name: the capture source. */
  readonly source: string;
  readonly inferenceTime: string;
  /** The record, one JSON line in Model Monitor's capture format. */
  readonly line: string;
}

export interface CaptureLogStats {
  /** Records written to the WAL (acknowledged). */
  appended: number;
  /** Records stored in artifacts. */
  stored: number;
  /** Records recovered from segments of a dead process. */
  recovered: number;
  /** WAL lines that could not be decrypted (a write torn by a crash before it was acknowledged). */
  torn: number;
  uploadErrors: number;
}

interface Segment {
  path: string;
  fd: number;
  records: number;
}

function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

function open(key: Buffer, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class CaptureLog {
  readonly stats: CaptureLogStats = { appended: 0, stored: 0, recovered: 0, torn: 0, uploadErrors: 0 };
  readonly #o: Required<Omit<CaptureLogOptions, 'root'>> & { dir: string; root: string };
  readonly #key: Buffer | undefined;
  readonly #header: string;
  #segment: Segment | undefined;
  #dirty = false;
  #syncWaiters: (() => void)[] = [];
  #syncing = false;
  #flushTimer: NodeJS.Timeout | undefined;
  #syncTimer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;

  private constructor(options: CaptureLogOptions, dir: string, key: Buffer | undefined, header: string) {
    this.#o = { flushIntervalMs: 1000, durability: 'write', syncIntervalMs: 10, ...options, dir, root: options.root };
    this.#key = key;
    this.#header = header;
  }

  /** Opens a WAL for this process and uploads what dead processes left behind. */
  static async open(options: CaptureLogOptions): Promise<CaptureLog> {
    mkdirSync(options.root, { recursive: true, mode: 0o700 });
    const dir = join(options.root, `${process.pid}-${newId('wal')}`);
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'owner.pid'), String(process.pid));
    // Without a usable key (disabled, pending deletion) the server still starts; captures fail
    // with UNAVAILABLE until a log is opened with a key, and nothing is written in clear.
    let key: Buffer | undefined;
    let header = '';
    try {
      const dataKey = await options.keys.generateDataKey(DEFAULT_KEY_ALIAS, CONTEXT);
      key = dataKey.plaintext;
      header = JSON.stringify({ format: FORMAT, keyId: dataKey.keyId, keyVersion: dataKey.keyVersion, wrapped: dataKey.wrapped.toString('base64') });
    } catch {
      key = undefined;
    }
    const log = new CaptureLog(options, dir, key, header);
    if (key) await log.#recoverOrphans().catch(() => undefined);
    log.#flushTimer = setInterval(() => void log.flush().catch(() => undefined), log.#o.flushIntervalMs);
    log.#flushTimer.unref();
    if (log.#o.durability === 'write') {
      log.#syncTimer = setInterval(() => log.#syncNow(), log.#o.syncIntervalMs);
      log.#syncTimer.unref();
    }
    return log;
  }

  /** The folder this process writes (tests look inside). */
  get dir(): string {
    return this.#o.dir;
  }

  #openSegment(): Segment {
    const path = join(this.#o.dir, `${Date.now()}-${newId('seg')}.wal`);
    const fd = openSync(path, 'a', 0o600);
    writeSync(fd, `${this.#header}\n`);
    return { path, fd, records: 0 };
  }

  /**
   * Writes records to the WAL. Resolves when they are acknowledged: written (survives a process
   * crash), or with `durability: 'fsync'` also on disk.
   */
  append(entries: readonly CaptureEntry[]): Promise<void> | undefined {
    if (this.#closed) throw new AppError('UNAVAILABLE', { message: 'The capture log is closed' });
    if (entries.length === 0) return undefined;
    const key = this.#key;
    if (!key) throw new AppError('UNAVAILABLE', { message: 'Capture is unavailable: the installation key could not give a data key when the server started' });
    this.#segment ??= this.#openSegment();
    let text = '';
    for (const e of entries) text += `${seal(key, JSON.stringify([e.projectId, e.source, e.inferenceTime, e.line]))}\n`;
    // One write(2) per request: its records reach the page cache together.
    writeSync(this.#segment.fd, text);
    this.#segment.records += entries.length;
    this.stats.appended += entries.length;
    this.#dirty = true;
    if (this.#o.durability === 'write') return undefined;
    return new Promise((resolve) => {
      this.#syncWaiters.push(resolve);
      this.#syncNow();
    });
  }

  /** Group fdatasync of the current segment; waiters of 'fsync' durability resolve after it. */
  #syncNow(): void {
    if (this.#syncing || !this.#dirty || !this.#segment) return;
    this.#syncing = true;
    this.#dirty = false;
    const waiters = this.#syncWaiters;
    this.#syncWaiters = [];
    fdatasync(this.#segment.fd, () => {
      this.#syncing = false;
      for (const w of waiters) w();
      if (this.#dirty && this.#o.durability === 'fsync') this.#syncNow();
    });
  }

  /** Seals the current segment and stores every sealed segment's records as artifacts. */
  flush(): Promise<void> {
    // Flushes run one after another: a caller's flush starts after any flush already running, so
    // it also seals the records appended since that one started.
    const run = (this.#flushing ?? Promise.resolve()).catch(() => undefined).then(() => this.#flushOnce());
    const tracked = run.finally(() => {
      if (this.#flushing === tracked) this.#flushing = undefined;
    });
    // Errors reach the caller through `run`; the bookkeeping copy must not be an unhandled rejection.
    tracked.catch(() => undefined);
    this.#flushing = tracked;
    return run;
  }

  async #flushOnce(): Promise<void> {
    // An fdatasync in flight holds the segment open: wait for it, so this flush seals the segment.
    while (this.#syncing) await new Promise((r) => setTimeout(r, 1));
    const current = this.#segment;
    if (current && current.records > 0 && !this.#syncing && existsSync(current.path)) {
      this.#segment = undefined;
      fdatasyncSync(current.fd);
      closeSync(current.fd);
      for (const w of this.#syncWaiters.splice(0)) w();
    }
    // The home may be gone (an installation removed under a running server): nothing left to store.
    if (!existsSync(this.#o.dir)) return;
    const sealed = readdirSync(this.#o.dir)
      .filter((f) => f.endsWith('.wal') && join(this.#o.dir, f) !== this.#segment?.path)
      .sort();
    for (const f of sealed) await this.#upload(join(this.#o.dir, f), false);
  }

  async #upload(path: string, recovered: boolean): Promise<void> {
    const lines = readFileSync(path, 'utf8').split('\n');
    let key = this.#key;
    const header = JSON.parse(lines[0]!) as { format: string; keyId: string; keyVersion: number; wrapped: string };
    if (header.format !== FORMAT) throw new AppError('INVALID_INPUT', { message: `${path} is not a capture WAL segment` });
    if (!key || lines[0] !== this.#header) key = await this.#o.keys.decryptDataKey(header.keyId, header.keyVersion, Buffer.from(header.wrapped, 'base64'), CONTEXT);
    const groups = new Map<string, { projectId: string; name: string; lines: string[] }>();
    let count = 0;
    for (const sealedLine of lines.slice(1)) {
      if (sealedLine === '') continue;
      let entry: [string, string, string, string];
      try {
        entry = JSON.parse(open(key, sealedLine)) as [string, string, string, string];
      } catch {
        this.stats.torn++;
        continue;
      }
      const [projectId, source, inferenceTime, line] = entry;
      const name = `capture/${capturePartitionKey(source, inferenceTime)}`.replace(/\/$/, '');
      const k = `${projectId}\u0000${name}`;
      const g = groups.get(k) ?? { projectId, name, lines: [] };
      g.lines.push(line);
      groups.set(k, g);
      count++;
    }
    try {
      for (const g of [...groups.values()].sort((a, b) => a.name.localeCompare(b.name))) {
        await this.#o.artifacts.putBytes(this.#o.actor, Buffer.from(`${g.lines.join('\n')}\n`), { projectId: g.projectId, name: g.name, mediaType: 'application/jsonl' });
      }
    } catch (error) {
      this.stats.uploadErrors++;
      throw error;
    }
    unlinkSync(path);
    this.stats.stored += count;
    if (recovered) this.stats.recovered += count;
  }

  /** Uploads the segments of WAL folders whose process is gone, then removes those folders. */
  async #recoverOrphans(): Promise<void> {
    for (const sub of readdirSync(this.#o.root)) {
      const dir = join(this.#o.root, sub);
      if (dir === this.#o.dir) continue;
      const ownerFile = join(dir, 'owner.pid');
      const pid = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : Number.NaN;
      if (Number.isInteger(pid) && pid !== process.pid && pidAlive(pid)) continue;
      for (const f of readdirSync(dir).filter((n) => n.endsWith('.wal')).sort()) await this.#upload(join(dir, f), true);
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Stores everything written so far and stops the timers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#flushTimer);
    clearInterval(this.#syncTimer);
    await this.#flushing;
    // An fdatasync in flight holds the segment open: wait for it, so the flush seals it.
    while (this.#syncing) await new Promise((r) => setTimeout(r, 1));
    await this.flush();
    this.#closed = true;
    // Keep the folder when an upload failed: the next process to start stores its segments.
    if (existsSync(this.#o.dir) && !readdirSync(this.#o.dir).some((f) => f.endsWith('.wal'))) rmSync(this.#o.dir, { recursive: true, force: true });
  }
}

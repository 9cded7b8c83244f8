/**
 * @module serving/capture-log
 * The serving path's data capture: a write-ahead log, then encrypted artifacts.
 *
 * A response is sent only after its capture records are written to the current WAL segment with
 * write(2), so they are in the operating system's page cache and survive the serving process
 * being killed (kill -9) at any later moment; segments are fdatasync'd as a group every
 * `syncIntervalMs` (or, with `durability: 'fsync'`, before the response) against power loss.
 * Appends of concurrent requests are group-written: those made in one turn of the event loop are
 * sealed together as one WAL line with AES-256-GCM under a data key wrapped by the installation's
 * key (so the WAL on disk is ciphertext) and written with one write(2), after which all of them
 * are acknowledged; a line torn by a crash held only records not yet acknowledged. In the
 * background, sealed segments are grouped into Model Monitor hourly partitions
 * (`capture/<endpoint>/yyyy/mm/dd/hh`) and stored as encrypted artifacts — from the records this
 * process still holds in memory, or read back from the file for segments of a dead process; a
 * segment is deleted only after all its partitions are stored. Segments left by a dead process are
 * uploaded by the next one to start. An upload interrupted between storing and deleting stores a
 * record twice; readers drop repeated event ids.
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

/** Version 2: a line is a sealed array of records (a group write); version 1 lines sealed one record each. */
const FORMAT = 'attest-capture-wal/2';
const READABLE_FORMATS = new Set(['attest-capture-wal/1', FORMAT]);
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

/** A record as sealed in the WAL: project id, source, inference time, the JSON line. */
type WalRecord = [string, string, string, string];

interface Segment {
  path: string;
  fd: number;
  records: number;
  /** The records written to it, kept for the upload so it need not read and decrypt the file again. */
  written: WalRecord[];
}

interface PendingWrite {
  readonly records: WalRecord[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
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
  /** Records of sealed segments not yet stored, by segment path (this process's own segments). */
  readonly #sealedRecords = new Map<string, WalRecord[]>();
  /** Appends waiting for this turn's group write. */
  #pending: PendingWrite[] = [];
  #writeScheduled = false;
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
    return { path, fd, records: 0, written: [] };
  }

  /**
   * Writes records to the WAL. Resolves when they are acknowledged: written (survives a process
   * crash), or with `durability: 'fsync'` also on disk. Appends made in the same turn of the event
   * loop share one sealed line and one write(2); none of them resolves before that write returned.
   */
  append(entries: readonly CaptureEntry[]): Promise<void> | undefined {
    if (this.#closed) throw new AppError('UNAVAILABLE', { message: 'The capture log is closed' });
    if (entries.length === 0) return undefined;
    if (!this.#key) throw new AppError('UNAVAILABLE', { message: 'Capture is unavailable: the installation key could not give a data key when the server started' });
    const records = entries.map((e): WalRecord => [e.projectId, e.source, e.inferenceTime, e.line]);
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ records, resolve, reject });
      if (!this.#writeScheduled) {
        this.#writeScheduled = true;
        // After this turn's I/O callbacks: every request parsed in this turn joins the write.
        setImmediate(() => this.#writePending());
      }
    });
  }

  /** The group write: one sealed line for every pending append, one write(2), then the acknowledgements. */
  #writePending(): void {
    this.#writeScheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    const records = batch.length === 1 ? batch[0]!.records : batch.flatMap((w) => w.records);
    try {
      this.#segment ??= this.#openSegment();
      writeSync(this.#segment.fd, `${seal(this.#key!, JSON.stringify(records))}\n`);
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    this.#segment.records += records.length;
    for (const r of records) this.#segment.written.push(r);
    this.stats.appended += records.length;
    this.#dirty = true;
    if (this.#o.durability === 'write') {
      for (const w of batch) w.resolve();
      return;
    }
    for (const w of batch) this.#syncWaiters.push(w.resolve);
    this.#syncNow();
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
    // Appends already made are written first, so this flush seals them too.
    if (this.#pending.length > 0) this.#writePending();
    // An fdatasync in flight holds the segment open: wait for it, so this flush seals the segment.
    while (this.#syncing) await new Promise((r) => setTimeout(r, 1));
    if (this.#pending.length > 0) this.#writePending();
    const current = this.#segment;
    if (current && current.records > 0 && !this.#syncing && existsSync(current.path)) {
      this.#segment = undefined;
      fdatasyncSync(current.fd);
      closeSync(current.fd);
      this.#sealedRecords.set(current.path, current.written);
      for (const w of this.#syncWaiters.splice(0)) w();
    }
    // The home may be gone (an installation removed under a running server): nothing left to store.
    if (!existsSync(this.#o.dir)) return;
    const sealed = readdirSync(this.#o.dir)
      .filter((f) => f.endsWith('.wal') && join(this.#o.dir, f) !== this.#segment?.path)
      .sort();
    for (const f of sealed) await this.#upload(join(this.#o.dir, f), false);
  }

  /** Every record of a segment file, decrypted (for segments whose records are not in memory). */
  async #readSegment(path: string): Promise<WalRecord[]> {
    const lines = readFileSync(path, 'utf8').split('\n');
    let key = this.#key;
    const header = JSON.parse(lines[0]!) as { format: string; keyId: string; keyVersion: number; wrapped: string };
    if (!READABLE_FORMATS.has(header.format)) throw new AppError('INVALID_INPUT', { message: `${path} is not a capture WAL segment` });
    if (!key || lines[0] !== this.#header) key = await this.#o.keys.decryptDataKey(header.keyId, header.keyVersion, Buffer.from(header.wrapped, 'base64'), CONTEXT);
    const records: WalRecord[] = [];
    for (const sealedLine of lines.slice(1)) {
      if (sealedLine === '') continue;
      let parsed: WalRecord | WalRecord[];
      try {
        parsed = JSON.parse(open(key, sealedLine)) as WalRecord | WalRecord[];
      } catch {
        this.stats.torn++;
        continue;
      }
      // A version-1 line is one record (an array of strings); a version-2 line an array of records.
      if (typeof parsed[0] === 'string') records.push(parsed as WalRecord);
      else for (const r of parsed as WalRecord[]) records.push(r);
    }
    return records;
  }

  async #upload(path: string, recovered: boolean): Promise<void> {
    const records = this.#sealedRecords.get(path) ?? (await this.#readSegment(path));
    const groups = new Map<string, { projectId: string; name: string; lines: string[] }>();
    let count = 0;
    for (const [projectId, source, inferenceTime, line] of records) {
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
      // The file has every record: a later attempt reads it back rather than this process holding them.
      this.#sealedRecords.delete(path);
      throw error;
    }
    unlinkSync(path);
    this.#sealedRecords.delete(path);
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

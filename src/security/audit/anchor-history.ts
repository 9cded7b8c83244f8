/**
 * @module security/audit/anchor-history
 * The anchor history: every signed tree head ever issued, one JSON line each, kept outside the
 * database (`<home>/audit-anchors.jsonl`) and optionally mirrored to witnesses (another file, an
 * HTTPS endpoint). Lines are only ever appended (O_APPEND, then fsync) and are each signed and
 * self-contained, so a torn last line after a crash costs that line only. A reader keeps its byte
 * offset: a file that shrinks under a running process has been truncated or replaced.
 */
import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import type { SignedTreeHead } from './tree-head.js';
import { SignedTreeHeadSchema } from './tree-head.js';

/** Appends one line durably: O_APPEND so concurrent writers never interleave within a line, then fsync. */
export function appendLineDurably(path: string, line: string): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
  try {
    writeSync(fd, `${line}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface HistoryLine {
  /** 1-based line number in the file. */
  readonly line: number;
  /** The parsed head, or undefined when the line is not a well-formed signed tree head. */
  readonly head: SignedTreeHead | undefined;
}

/** Reads an append-only file of signed tree heads incrementally. */
export class AnchorHistory {
  readonly path: string;
  #offset = 0;
  #lines = 0;
  #partial = '';
  #shrunk = false;

  constructor(path: string) {
    this.path = path;
  }

  /** True once the file was seen shorter than what this reader had already read. */
  get shrunk(): boolean {
    return this.#shrunk;
  }

  /** Reads lines appended since the last call (all lines on the first call). */
  readNew(): HistoryLine[] {
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_RDONLY);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (this.#offset > 0) this.#shrunk = true;
      return [];
    }
    const chunks: Buffer[] = [];
    try {
      const size = fstatSync(fd).size;
      if (size < this.#offset) this.#shrunk = true;
      let position = this.#offset;
      while (position < size) {
        const chunk = Buffer.allocUnsafe(Math.min(size - position, 1 << 20));
        const read = readSync(fd, chunk, 0, chunk.length, position);
        if (read === 0) break;
        chunks.push(chunk.subarray(0, read));
        position += read;
      }
      this.#offset = Math.max(this.#offset, position);
    } finally {
      closeSync(fd);
    }
    const text = this.#partial + Buffer.concat(chunks).toString('utf8');
    const parts = text.split('\n');
    this.#partial = parts.pop() ?? '';
    const out: HistoryLine[] = [];
    for (const raw of parts) {
      this.#lines++;
      if (raw.trim() === '') continue;
      out.push({ line: this.#lines, head: parseHistoryLine(raw) });
    }
    return out;
  }
}

/** A history line as a signed tree head, or undefined when it is not a well-formed one. */
export function parseHistoryLine(raw: string): SignedTreeHead | undefined {
  try {
    const parsed = SignedTreeHeadSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Reads every head of a history file at once (for verification and witnesses). */
export function readAnchorHistory(path: string): HistoryLine[] {
  return new AnchorHistory(path).readNew();
}

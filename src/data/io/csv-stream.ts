/**
 * @module data/io/csv-stream
 * Drives bytes (or text) through strict UTF-8 decoding and the tokenizer, checks the header and
 * the shape of every record, and hands data records to a sink. Shared by the in-memory reader and
 * the bounded-memory scan, so both reject exactly the same malformed inputs.
 */
import { AppError } from '../../kernel/index.js';
import { CsvTokenizer } from './csv-tokenizer.js';
import { Utf8ChunkDecoder } from './utf8-chunk-decoder.js';

/** CSV input: text, bytes, or a (possibly async) stream of byte chunks such as a Node ReadStream. */
export type CsvSource = string | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * Receives the validated header, then each data record with its row number (header = row 1).
 * The `fields` array is reused between records: copy the cells a sink keeps.
 */
export interface CsvSink {
  header(names: readonly string[]): void;
  record(fields: readonly string[], row: number): void;
}

export interface CsvStreamOptions {
  /** Field delimiter, one character; default ','. */
  readonly delimiter?: string;
  /** Cell texts that also mean "missing" besides the empty cell, e.g. ['NA', '?']; compared exactly. */
  readonly missingValues?: readonly string[];
  /** Called with every raw byte chunk before decoding (hashing, byte counts). */
  readonly onBytes?: (chunk: Uint8Array) => void;
}

/** Large buffers are decoded in pieces so no single string grows past V8's limits. */
const PIECE_BYTES = 4 << 20;

function malformed(row: number, column: number, name: string | undefined, what: string): AppError {
  const label = name === undefined ? `column ${column}` : `column ${column} ("${name}")`;
  return new AppError('CSV_MALFORMED', {
    message: `CSV malformed at row ${row}, ${label}: ${what}`,
    details: { row, column, ...(name === undefined ? {} : { columnName: name }) },
  });
}

/** Push-style CSV reader: feed chunks with `push`, then call `finish`. */
export class CsvPump {
  readonly #sink: CsvSink;
  readonly #tokenizer: CsvTokenizer;
  readonly #decoder = new Utf8ChunkDecoder();
  readonly #onBytes: ((chunk: Uint8Array) => void) | undefined;
  readonly #missing: ReadonlySet<string> | undefined;
  #names: readonly string[] | undefined;
  #rows = 0;
  #sawText = false;

  constructor(sink: CsvSink, options: CsvStreamOptions = {}) {
    this.#sink = sink;
    this.#onBytes = options.onBytes;
    this.#missing = options.missingValues !== undefined && options.missingValues.length > 0 ? new Set(options.missingValues) : undefined;
    this.#tokenizer = new CsvTokenizer((fields, row) => this.#onRecord(fields, row), options.delimiter ?? ',');
  }

  /** Number of data records seen so far. */
  get rowCount(): number {
    return this.#rows;
  }

  push(chunk: Uint8Array | string): void {
    if (typeof chunk === 'string') {
      this.#write(this.#sawText ? chunk : chunk.replace(/^\uFEFF/, ''));
      return;
    }
    for (let start = 0; start < chunk.length; start += PIECE_BYTES) {
      const piece = chunk.subarray(start, Math.min(chunk.length, start + PIECE_BYTES));
      this.#onBytes?.(piece);
      const decoded = this.#decoder.decode(piece);
      this.#write(decoded.text);
      if (decoded.invalidAt !== undefined) this.#invalidUtf8(decoded.invalidAt);
    }
  }

  finish(): void {
    const last = this.#decoder.end();
    if (last.invalidAt !== undefined) this.#invalidUtf8(last.invalidAt);
    this.#tokenizer.end();
    if (this.#names === undefined) throw malformed(1, 1, undefined, 'the file is empty (a header row is required)');
    if (this.#rows === 0) throw malformed(2, 1, this.#names[0], 'the file has a header but no data rows');
  }

  #write(text: string): void {
    if (text.length > 0) this.#sawText = true;
    this.#tokenizer.write(text);
  }

  #invalidUtf8(offset: number): never {
    const column = this.#tokenizer.column;
    throw malformed(
      this.#tokenizer.row,
      column,
      this.#names?.[column - 1],
      `invalid UTF-8 at byte ${offset} (is the file in another encoding, such as Latin-1? Save it as UTF-8)`,
    );
  }

  #onRecord(fields: readonly string[], row: number): void {
    const names = this.#names;
    if (names === undefined) {
      this.#header(fields);
      return;
    }
    if (fields.length !== names.length) {
      const column = Math.min(fields.length, names.length) + 1;
      const what =
        fields.length < names.length
          ? `expected ${names.length} fields as in the header, found ${fields.length}`
          : `expected ${names.length} fields as in the header, found ${fields.length} (an extra field)`;
      throw malformed(row, column, names[column - 1], what);
    }
    this.#rows++;
    const missing = this.#missing;
    this.#sink.record(missing === undefined ? fields : fields.map((f) => (missing.has(f) ? '' : f)), row);
  }

  #header(fields: readonly string[]): void {
    const seen = new Map<string, number>();
    for (const [i, raw] of fields.entries()) {
      const name = raw.trim();
      if (name === '') throw malformed(1, i + 1, undefined, 'empty column name in the header');
      const first = seen.get(name);
      if (first !== undefined) throw malformed(1, i + 1, name, `duplicate column name (also column ${first + 1})`);
      seen.set(name, i);
    }
    const names = fields.map((f) => f.trim());
    this.#names = names;
    this.#tokenizer.setColumnNames(names);
    this.#sink.header(names);
  }
}

function isAsyncIterable(source: CsvSource): source is AsyncIterable<Uint8Array> {
  return typeof source === 'object' && source !== null && Symbol.asyncIterator in source;
}

/** Reads a whole source through a sink; bytes are never held beyond the current chunk. */
export async function pumpCsv(source: CsvSource, sink: CsvSink, options: CsvStreamOptions = {}): Promise<number> {
  const pump = new CsvPump(sink, options);
  if (typeof source === 'string' || source instanceof Uint8Array) pump.push(source);
  else if (isAsyncIterable(source)) for await (const chunk of source) pump.push(chunk);
  else for (const chunk of source) pump.push(chunk);
  pump.finish();
  return pump.rowCount;
}

/** Synchronous {@link pumpCsv} for text, bytes or an iterable of chunks. */
export function pumpCsvSync(source: string | Uint8Array | Iterable<Uint8Array>, sink: CsvSink, options: CsvStreamOptions = {}): number {
  const pump = new CsvPump(sink, options);
  if (typeof source === 'string' || source instanceof Uint8Array) pump.push(source);
  else for (const chunk of source) pump.push(chunk);
  pump.finish();
  return pump.rowCount;
}

/**
 * @module data/io/csv-scan
 * The bounded-memory import scan: one pass over the bytes computes their SHA-256 (the dataset
 * version's content hash), validates the CSV, infers the schema and builds the profile. Memory
 * is one decoded chunk, one batch of rows and the profilers' fixed-size sketches, whatever the
 * file's size.
 */
import { createHash } from 'node:crypto';
import type { ColumnSchema, DataSchema } from '../schema/data-schema.js';
import { alignSchema } from '../schema/data-schema.js';
import { assertRecordConforms } from '../schema/record-check.js';
import type { DatasetProfile } from '../profile/dataset-profile.js';
import { TextProfiler } from '../profile/profile-dataset.js';
import type { ProfileOptions } from '../stats/index.js';
import type { CsvSink, CsvSource, CsvStreamOptions } from './csv-stream.js';
import { pumpCsv } from './csv-stream.js';

export interface ScanCsvOptions extends Pick<CsvStreamOptions, 'delimiter' | 'missingValues'> {
  /** Rows profiled per batch (default 8192). */
  readonly batchRows?: number;
  readonly profile?: ProfileOptions;
  /** Declared schema: the header must match it and every cell must parse as its column's type. */
  readonly schema?: DataSchema;
  /** Called with the rows read so far after each batch (for progress displays; no I/O here). */
  readonly onRows?: (rowsRead: number) => void;
}

/** What an import learns about a CSV file without keeping it in memory. */
export interface CsvScanResult {
  /** Hex SHA-256 of the exact bytes read. */
  readonly sha256: string;
  readonly byteCount: number;
  readonly rowCount: number;
  readonly schema: DataSchema;
  readonly profile: DatasetProfile;
}

class ScanSink implements CsvSink {
  readonly #batchRows: number;
  readonly #options: ProfileOptions;
  readonly #schema: DataSchema | undefined;
  #declared: ColumnSchema[] | undefined;
  #profiler: TextProfiler | undefined;
  #cells: string[][] = [];
  #filled = 0;
  names: readonly string[] = [];

  #rowsRead = 0;
  readonly #onRows: ((rowsRead: number) => void) | undefined;

  constructor(batchRows: number, options: ProfileOptions, schema: DataSchema | undefined, onRows?: (rowsRead: number) => void) {
    this.#onRows = onRows;
    this.#batchRows = batchRows;
    this.#options = options;
    this.#schema = schema;
  }

  header(names: readonly string[]): void {
    this.names = names;
    this.#declared = this.#schema === undefined ? undefined : alignSchema(this.#schema, names);
    this.#profiler = new TextProfiler(
      names,
      this.#batchRows,
      this.#options,
      this.#declared?.map((c) => c.type),
    );
    this.#cells = names.map(() => new Array<string>(this.#batchRows));
  }

  record(fields: readonly string[], row: number): void {
    if (this.#declared !== undefined) assertRecordConforms(this.#declared, fields, row);
    const i = this.#filled;
    for (let j = 0; j < fields.length; j++) this.#cells[j]![i] = fields[j]!;
    this.#filled = i + 1;
    if (this.#filled === this.#batchRows) this.flush();
  }

  flush(): void {
    if (this.#filled === 0 || this.#profiler === undefined) return;
    this.#profiler.addBatch(this.#cells, this.#filled);
    this.#rowsRead += this.#filled;
    this.#filled = 0;
    this.#onRows?.(this.#rowsRead);
  }

  finish(): { schema: DataSchema; profile: DatasetProfile } {
    this.flush();
    const { types, nullable, profile } = this.#profiler!.finish();
    const declared = this.#declared;
    const columns = declared ?? this.names.map((name, j) => ({ name, type: types[j]!, nullable: nullable[j]! }));
    return { schema: { version: 1, columns }, profile };
  }
}

/**
 * Scans a CSV source once: hash, validation, schema and profile.
 * @throws AppError CSV_MALFORMED naming the row and column of the first problem.
 * @example
 * const { sha256, schema, profile } = await scanCsv(createReadStream(path));
 */
export async function scanCsv(source: CsvSource, options: ScanCsvOptions = {}): Promise<CsvScanResult> {
  const hash = createHash('sha256');
  let byteCount = 0;
  const sink = new ScanSink(options.batchRows ?? 8192, options.profile ?? {}, options.schema, options.onRows);
  const input = typeof source === 'string' ? new TextEncoder().encode(source) : source;
  const rowCount = await pumpCsv(input, sink, {
    ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
    ...(options.missingValues === undefined ? {} : { missingValues: options.missingValues }),
    onBytes: (chunk) => {
      hash.update(chunk);
      byteCount += chunk.length;
    },
  });
  const { schema, profile } = sink.finish();
  return { sha256: hash.digest('hex'), byteCount, rowCount, schema, profile };
}

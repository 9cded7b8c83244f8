/**
 * @module data/io/csv-reader
 * CSV → {@link ColumnFrame}. While the bytes stream through, each column keeps its cells' text
 * and narrows its inferred type (one pass); at the end each column is parsed into its type, or
 * dictionary-encoded if it is a string column. A declared schema replaces inference, and each
 * record is checked against it as it arrives, so the first non-conforming cell stops the read
 * with a CSV_MALFORMED error naming its row and column. Without a schema, a column whose values
 * are numbers but for at most 1% is an error naming the first non-number's row and column, not a
 * text column (a schema that declares the column string keeps it as text).
 */
import { AppError } from '../../kernel/index.js';
import type { Column, ColumnFrame } from '../frame/column-frame.js';
import { encodeTextColumn } from '../frame/frame-ops.js';
import type { ColumnSchema, DataSchema, LogicalType } from '../schema/data-schema.js';
import { alignSchema } from '../schema/data-schema.js';
import { assertRecordConforms, strayTextError } from '../schema/record-check.js';
import { TypeInference, parseCell } from '../schema/type-inference.js';
import type { CsvSink, CsvSource, CsvStreamOptions } from './csv-stream.js';
import { pumpCsv, pumpCsvSync } from './csv-stream.js';

export interface ReadCsvOptions extends Pick<CsvStreamOptions, 'delimiter' | 'missingValues'> {
  /** Declared schema: the header must have exactly these columns (any order) and every cell must parse as its type. */
  readonly schema?: DataSchema;
  /**
   * Read only these columns, in this order (others are still checked for shape and against the
   * schema, but not kept). Default: every column in file order.
   */
  readonly columns?: readonly string[];
}

function streamOptions(options: ReadCsvOptions): CsvStreamOptions {
  return {
    ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
    ...(options.missingValues === undefined ? {} : { missingValues: options.missingValues }),
  };
}

class ColumnBuilder {
  readonly cells: string[] = [];
  readonly inference = new TypeInference();
}

class FrameSink implements CsvSink {
  readonly #schema: DataSchema | undefined;
  readonly #wanted: readonly string[] | undefined;
  builders: ColumnBuilder[] = [];
  names: readonly string[] = [];
  /** Header index of each kept column, in output order. */
  kept: number[] = [];
  /** The declared column of each header field, when a schema is given. */
  declared: ColumnSchema[] | undefined;

  constructor(options: ReadCsvOptions) {
    this.#schema = options.schema;
    this.#wanted = options.columns;
  }

  header(names: readonly string[]): void {
    this.names = names;
    this.declared = this.#schema === undefined ? undefined : alignSchema(this.#schema, names);
    const wanted = this.#wanted;
    if (wanted === undefined) {
      this.kept = names.map((_, j) => j);
    } else {
      const absent = wanted.filter((w) => !names.includes(w));
      if (absent.length > 0) {
        throw new AppError('DATA_SCHEMA_MISMATCH', {
          message: `The CSV has no column ${absent.map((a) => `"${a}"`).join(', ')}`,
          details: { missing: absent },
        });
      }
      this.kept = wanted.map((w) => names.indexOf(w));
    }
    this.builders = this.kept.map(() => new ColumnBuilder());
  }

  record(fields: readonly string[], row: number): void {
    if (this.declared !== undefined) assertRecordConforms(this.declared, fields, row);
    const builders = this.builders;
    const kept = this.kept;
    for (let k = 0; k < kept.length; k++) {
      const builder = builders[k]!;
      const text = fields[kept[k]!]!;
      builder.cells.push(text);
      builder.inference.observe(text);
    }
  }
}

/** Data record i (0-based) is file row i + 2: the header is row 1 and every record is one row. */
function rowOf(index: number): number {
  return index + 2;
}

function cellError(row: number, column: number, name: string, what: string): AppError {
  return new AppError('CSV_MALFORMED', {
    message: `CSV malformed at row ${row}, column ${column} ("${name}"): ${what}`,
    details: { row, column, columnName: name },
  });
}

function buildColumn(cells: readonly string[], name: string, columnIndex: number, type: LogicalType, declared: boolean): Column {
  const rowCount = cells.length;
  if (type === 'string') return encodeTextColumn(name, cells);
  const values = new Float64Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    const text = cells[i]!;
    if (text === '') {
      values[i] = Number.NaN;
      continue;
    }
    const v = parseCell(text, type);
    if (Number.isNaN(v)) {
      const origin = declared ? 'declared by the schema as' : 'inferred as';
      throw cellError(rowOf(i), columnIndex + 1, name, `value ${JSON.stringify(text)} is not ${type === 'integer' ? 'an' : 'a'} ${type} value (column ${origin} ${type})`);
    }
    values[i] = v;
  }
  return { kind: 'numeric', name, dtype: type, values };
}

function assemble(sink: FrameSink, rowCount: number): ColumnFrame {
  // Declared cells were checked record by record; release each column's text once it is built.
  const columns = sink.kept.map((j, k) => {
    const name = sink.names[j]!;
    const builder = sink.builders[k]!;
    const spec = sink.declared?.[j];
    const stray = spec === undefined ? builder.inference.strayText : undefined;
    if (stray !== undefined) throw strayTextError(name, j, stray);
    const column = buildColumn(builder.cells, name, j, spec?.type ?? builder.inference.type, spec !== undefined);
    builder.cells.length = 0;
    return column;
  });
  return { rowCount, columns };
}

/**
 * Reads a whole CSV into a column frame, inferring types unless a schema is given.
 * @throws AppError CSV_MALFORMED (with `details.row`, `details.column`) or DATA_SCHEMA_MISMATCH.
 * @example
 * const frame = await readCsvFrame(createReadStream('datasets/adult.csv'));
 */
export async function readCsvFrame(source: CsvSource, options: ReadCsvOptions = {}): Promise<ColumnFrame> {
  const sink = new FrameSink(options);
  const rows = await pumpCsv(source, sink, streamOptions(options));
  return assemble(sink, rows);
}

/** Synchronous {@link readCsvFrame} for text or bytes already in memory. */
export function parseCsvFrame(source: string | Uint8Array, options: ReadCsvOptions = {}): ColumnFrame {
  const sink = new FrameSink(options);
  const rows = pumpCsvSync(source, sink, streamOptions(options));
  return assemble(sink, rows);
}

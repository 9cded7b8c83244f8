/**
 * @module data/io/parquet-io
 * Parquet ⇄ ColumnFrame with hyparquet (read) and hyparquet-writer (write). Logical types map to
 * Parquet types that other tools read naturally: integer → INT32 (or INT64 beyond 32 bits),
 * fractional → DOUBLE, boolean → BOOLEAN, datetime → INT64 TIMESTAMP_MILLIS, string → UTF8
 * BYTE_ARRAY; every column is OPTIONAL and a missing value is a Parquet null. The frame's schema
 * is also stored in the key-value metadata (`attest.schema`), so a round trip restores the exact
 * logical types; files from elsewhere get types from their Parquet schema. Reading decodes every
 * codec Parquet defines (hyparquet-compressors: GZIP and ZSTD as pyarrow and Spark write them,
 * Brotli, LZ4, as well as Snappy).
 */
import { parquetMetadata, parquetRead } from 'hyparquet';
import type { ColumnData, FileMetaData, SchemaElement } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { AppError } from '../../kernel/index.js';
import type { Column, ColumnFrame } from '../frame/column-frame.js';
import { categoricalColumn } from '../frame/column-frame.js';
import type { DataSchema, LogicalType } from '../schema/data-schema.js';
import { DataSchemaSchema, schemaOfFrame } from '../schema/data-schema.js';

/** Key of the key-value metadata entry holding the frame's {@link DataSchema} as JSON. */
export const PARQUET_SCHEMA_KEY = 'attest.schema';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

type ParquetColumnSource = Parameters<typeof parquetWriteBuffer>[0]['columnData'][number];

function hasMissing(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) return true;
  return false;
}

function toSource(column: Column): ParquetColumnSource {
  const name = column.name;
  if (column.kind === 'categorical') {
    const dictionary = column.dictionary;
    return { name, type: 'STRING', data: Array.from(column.codes, (c) => (c < 0 ? null : dictionary[c]!)) };
  }
  const values = column.values;
  const missing = hasMissing(values);
  switch (column.dtype) {
    case 'fractional':
      return { name, type: 'DOUBLE', data: missing ? Array.from(values, (v) => (Number.isNaN(v) ? null : v)) : values };
    case 'boolean':
      return { name, type: 'BOOLEAN', data: Array.from(values, (v) => (Number.isNaN(v) ? null : v !== 0)) };
    case 'datetime':
      return { name, type: 'TIMESTAMP', data: Array.from(values, (v) => (Number.isNaN(v) ? null : new Date(v))) };
    case 'integer': {
      let fits32 = true;
      for (const v of values) if (v < INT32_MIN || v > INT32_MAX) fits32 = false;
      if (fits32) return { name, type: 'INT32', data: missing ? Array.from(values, (v) => (Number.isNaN(v) ? null : v)) : Int32Array.from(values) };
      return { name, type: 'INT64', data: Array.from(values, (v) => (Number.isNaN(v) ? null : BigInt(v))) };
    }
  }
}

/**
 * The frame as a Parquet file (snappy-compressed, one row group per 100,000 rows).
 * @example const bytes = writeParquet(frame); await writeFile('data.parquet', bytes);
 */
export function writeParquet(frame: ColumnFrame): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: frame.columns.map(toSource),
    rowGroupSize: 100_000,
    kvMetadata: [{ key: PARQUET_SCHEMA_KEY, value: JSON.stringify(schemaOfFrame(frame)) }],
    createdBy: 'attest',
  });
  return new Uint8Array(buffer);
}

function unsupported(name: string, what: string): AppError {
  return new AppError('PARQUET_MALFORMED', { message: `Parquet column "${name}": ${what}`, details: { column: name } });
}

/** Logical type of a flat Parquet column from its schema element. */
function logicalTypeOf(element: SchemaElement): LogicalType {
  const converted = element.converted_type;
  const logical = element.logical_type?.type;
  if (logical === 'TIMESTAMP' || logical === 'DATE' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS' || converted === 'DATE') return 'datetime';
  if (logical === 'DECIMAL' || converted === 'DECIMAL') return 'fractional';
  switch (element.type) {
    case 'BOOLEAN':
      return 'boolean';
    case 'INT32':
    case 'INT64':
      return 'integer';
    case 'FLOAT':
    case 'DOUBLE':
      return 'fractional';
    case 'BYTE_ARRAY':
      if (logical === 'STRING' || logical === 'ENUM' || logical === 'JSON' || converted === 'UTF8' || converted === 'ENUM' || converted === 'JSON' || logical === undefined) return 'string';
      throw unsupported(element.name, `unsupported logical type ${logical}`);
    default:
      throw unsupported(element.name, `unsupported physical type ${element.type}`);
  }
}

function storedSchema(metadata: FileMetaData): DataSchema | undefined {
  const entry = metadata.key_value_metadata?.find((kv) => kv.key === PARQUET_SCHEMA_KEY);
  if (entry?.value === undefined) return undefined;
  try {
    return DataSchemaSchema.parse(JSON.parse(entry.value));
  } catch {
    return undefined;
  }
}

function toNumber(v: unknown, name: string): number {
  if (v === null || v === undefined) return Number.NaN;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  throw unsupported(name, `unexpected value of type ${typeof v}`);
}

function buildColumn(name: string, type: LogicalType, data: ArrayLike<unknown>, rows: number): Column {
  if (type === 'string') {
    const texts = Array.from({ length: rows }, (_, i) => {
      const v = data[i];
      return v === null || v === undefined ? null : typeof v === 'string' ? v : String(v);
    });
    return categoricalColumn(name, texts);
  }
  const values = new Float64Array(rows);
  for (let i = 0; i < rows; i++) values[i] = toNumber(data[i], name);
  return { kind: 'numeric', name, dtype: type, values };
}

/**
 * Reads a Parquet file of flat columns into a frame.
 * @throws AppError PARQUET_MALFORMED for unreadable files, nested columns or unsupported types.
 */
export async function readParquet(bytes: Uint8Array | ArrayBuffer): Promise<ColumnFrame> {
  const file = bytes instanceof ArrayBuffer ? bytes : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(file);
  } catch (cause) {
    throw new AppError('PARQUET_MALFORMED', { message: `Not a readable Parquet file: ${(cause as Error).message}`, cause });
  }
  const rows = Number(metadata.num_rows);
  const root = metadata.schema[0];
  const leaves = metadata.schema.slice(1);
  if (root === undefined || leaves.length !== root.num_children || leaves.some((e) => e.num_children !== undefined && e.num_children > 0)) {
    throw new AppError('PARQUET_MALFORMED', { message: 'Nested Parquet columns are not supported; flatten the file first' });
  }
  const stored = storedSchema(metadata);
  const types = leaves.map((e) => {
    if (e.repetition_type === 'REPEATED') throw unsupported(e.name, 'repeated (list) columns are not supported');
    return stored?.columns.find((c) => c.name === e.name)?.type ?? logicalTypeOf(e);
  });
  const data = leaves.map((): unknown[] => new Array<unknown>(rows).fill(null));
  const position = new Map(leaves.map((e, j) => [e.name, j]));
  // The codecs (zstd, brotli, lz4, gzip) load with the first read, not with every command that opens the data capability.
  const { compressors } = await import('hyparquet-compressors');
  try {
    await parquetRead({
      file,
      metadata,
      compressors,
      onChunk: (chunk: ColumnData) => {
        const target = data[position.get(chunk.columnName)!]!;
        const source = chunk.columnData;
        for (let i = chunk.rowStart; i < chunk.rowEnd; i++) target[i] = source[i - chunk.rowStart];
      },
    });
  } catch (cause) {
    throw new AppError('PARQUET_MALFORMED', { message: `Cannot read the Parquet data: ${(cause as Error).message}`, cause });
  }
  return { rowCount: rows, columns: leaves.map((e, j) => buildColumn(e.name, types[j]!, data[j]!, rows)) };
}

/**
 * @module cli/files
 * Reading and writing the files the model, explain, bias and monitoring commands take, with
 * errors that name the file. Outputs are written to a temporary name and renamed, so a failed
 * command never leaves a half-written result. The parsers are imported when a file is read, so
 * that declaring the commands stays cheap.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ColumnFrame } from '../data/index.js';
import { AppError } from '../kernel/index.js';
import type { TreeEnsemble } from '../ml/gbdt/index.js';

export function requireFile(path: string, what: string): void {
  if (!existsSync(path) || !statSync(path).isFile()) throw new AppError('INVALID_INPUT', { message: `${what} ${path} does not exist or is not a file` });
}

const PARQUET_MAGIC = Buffer.from('PAR1', 'latin1');

/** True when the file starts with Parquet's magic bytes `PAR1`, whatever its name. */
export function isParquetFile(path: string): boolean {
  const head = Buffer.alloc(PARQUET_MAGIC.length);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(PARQUET_MAGIC);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a data file into a column frame: Parquet when it starts with `PAR1` (any name, any of the
 * codecs pyarrow and Spark write), else CSV (streaming parse; errors name row and column).
 */
export async function readDataFile(path: string, what = 'Data file'): Promise<ColumnFrame> {
  requireFile(path, what);
  const { readCsvFrame, readParquet } = await import('../data/index.js');
  try {
    if (isParquetFile(path)) return await readParquet(readFileSync(path));
    return await readCsvFrame(createReadStream(path, { highWaterMark: 1 << 20 }));
  } catch (error) {
    if (error instanceof AppError) throw new AppError(error.code, { message: `${path}: ${error.message}`, details: error.details, cause: error });
    throw error;
  }
}

/** The name the CSV-only reader had; it reads Parquet too now. */
export const readCsvFile = readDataFile;

/** Reads an XGBoost JSON model (Attest's own or XGBoost's). */
export async function readModelFile(path: string): Promise<TreeEnsemble> {
  requireFile(path, 'Model file');
  const { parseXgboostModel } = await import('../ml/gbdt/index.js');
  try {
    return parseXgboostModel(readFileSync(path, 'utf8'));
  } catch (error) {
    if (error instanceof AppError) throw new AppError(error.code, { message: `${path}: ${error.message}`, details: error.details, cause: error });
    throw error;
  }
}

/** Writes a file atomically (temporary name, then rename). */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const dir = dirname(path);
  if (!existsSync(dir)) throw new AppError('INVALID_INPUT', { message: `The folder ${dir} does not exist` });
  const tmp = `${path}.attest-partial-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** Output formats of the commands that write data. */
export type DataFileFormat = 'csv' | 'parquet';

/** The format asked for, else the output name's (.parquet or .pq means Parquet), else CSV. */
export function outputFormat(path: string, format: string | undefined): DataFileFormat {
  if (format !== undefined) {
    if (format !== 'csv' && format !== 'parquet') throw new AppError('INVALID_INPUT', { message: `--format must be csv or parquet, not ${format}` });
    return format;
  }
  return /\.(parquet|pq)$/i.test(path) ? 'parquet' : 'csv';
}

/** Writes a frame as CSV or Parquet (snappy), atomically. */
export async function writeDataFile(path: string, frame: ColumnFrame, format: DataFileFormat): Promise<void> {
  const { writeCsv, writeParquet } = await import('../data/index.js');
  writeFileAtomic(path, format === 'parquet' ? writeParquet(frame) : writeCsv(frame));
}

/** Writes several files into a directory (created if needed); each appears whole or not at all. */
export function writeFilesInto(dir: string, files: Readonly<Record<string, string>>): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    writeFileAtomic(path, content);
    written.push(path);
  }
  return written;
}

/** Parses `name=value` pairs from repeated `--param` options. */
export function parsePairs(pairs: readonly string[], flag: string): Record<string, string> {
  return Object.fromEntries(parsePairList(pairs, flag));
}

/** Repeated `name=value` options in the order given, repeats kept. */
export function parsePairList(pairs: readonly string[], flag: string): [string, string][] {
  return pairs.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AppError('INVALID_INPUT', { message: `${flag} takes name=value, not "${pair}"` });
    return [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
  });
}

/** Collects repeated options into an array (commander helper). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parses a whole number option. */
export function intOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new AppError('INVALID_INPUT', { message: `${flag} must be a whole number, not ${value}` });
  return n;
}

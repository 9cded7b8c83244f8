/**
 * @module cli/files
 * Reading and writing the files the model, explain, bias and monitoring commands take, with
 * errors that name the file. Outputs are written to a temporary name and renamed, so a failed
 * command never leaves a half-written result. The parsers are imported when a file is read, so
 * that declaring the commands stays cheap.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ColumnFrame } from '../data/index.js';
import { AppError } from '../kernel/index.js';
import type { TreeEnsemble } from '../ml/gbdt/index.js';

export function requireFile(path: string, what: string): void {
  if (!existsSync(path) || !statSync(path).isFile()) throw new AppError('INVALID_INPUT', { message: `${what} ${path} does not exist or is not a file` });
}

/** Reads a CSV file into a column frame (streaming parse; errors name row and column). */
export async function readCsvFile(path: string, what = 'CSV file'): Promise<ColumnFrame> {
  requireFile(path, what);
  const { readCsvFrame } = await import('../data/index.js');
  try {
    return await readCsvFrame(createReadStream(path, { highWaterMark: 1 << 20 }));
  } catch (error) {
    if (error instanceof AppError) throw new AppError(error.code, { message: `${path}: ${error.message}`, details: error.details, cause: error });
    throw error;
  }
}

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
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AppError('INVALID_INPUT', { message: `${flag} takes name=value, not "${pair}"` });
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
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

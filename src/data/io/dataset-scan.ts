/**
 * @module data/io/dataset-scan
 * What `attest data import` needs from a file before storing it: the content hash, schema and
 * profile, for CSV (streamed, bounded memory) and Parquet (read whole: Parquet keeps its
 * metadata at the end of the file).
 */
import { createHash } from 'node:crypto';
import { profileDataset } from '../profile/profile-dataset.js';
import { schemaOfFrame } from '../schema/data-schema.js';
import type { CsvScanResult, ScanCsvOptions } from './csv-scan.js';
import { scanCsv } from './csv-scan.js';
import type { CsvSource } from './csv-stream.js';
import { readParquet } from './parquet-io.js';

/** Dataset file formats Attest imports. */
export type DatasetFormat = 'csv' | 'parquet';

/** Hash, size, schema and profile of a dataset file (the same shape for every format). */
export type DatasetScanResult = CsvScanResult;

const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31];

/**
 * The format of a file from its first bytes (`PAR1` is Parquet, whatever the name), else from its
 * name (.parquet, .pq), else CSV.
 */
export function detectFormat(fileName: string, head?: Uint8Array): DatasetFormat {
  if (head !== undefined && PARQUET_MAGIC.every((b, i) => head[i] === b)) return 'parquet';
  const lower = fileName.toLowerCase();
  return lower.endsWith('.parquet') || lower.endsWith('.pq') ? 'parquet' : 'csv';
}

/** Scans a Parquet file held in memory: SHA-256 of its bytes, schema and exact-count profile. */
export async function scanParquet(bytes: Uint8Array): Promise<DatasetScanResult> {
  const frame = await readParquet(bytes);
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    byteCount: bytes.length,
    rowCount: frame.rowCount,
    schema: schemaOfFrame(frame),
    profile: profileDataset(frame),
  };
}

/**
 * Scans a dataset file of either format. A CSV source may be a stream (bounded memory);
 * a Parquet source must be the whole file's bytes.
 * @example
 * const scan = format === 'csv' ? await scanDataset('csv', createReadStream(path)) : await scanDataset('parquet', await readFile(path));
 */
export async function scanDataset(format: 'csv', source: CsvSource, options?: ScanCsvOptions): Promise<DatasetScanResult>;
export async function scanDataset(format: 'parquet', source: Uint8Array): Promise<DatasetScanResult>;
export async function scanDataset(format: DatasetFormat, source: CsvSource | Uint8Array, options: ScanCsvOptions = {}): Promise<DatasetScanResult> {
  if (format === 'parquet') return scanParquet(source as Uint8Array);
  return scanCsv(source as CsvSource, options);
}

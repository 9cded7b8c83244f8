/**
 * @module ml/explain/feature-matrix-csv
 * Reads CSV text (header = column names, empty cell = missing) into the model's feature matrix,
 * matching columns by name so that extra columns (ids, labels) are ignored and column order does
 * not matter. Pure: text in, typed array out; the CLI does the file reading.
 */
import { parse } from 'csv-parse/sync';
import { AppError } from '../../kernel/index.js';
import type { FeatureMatrix } from '../gbdt/index.js';

export interface CsvFeatures {
  readonly x: FeatureMatrix;
  /** All columns of the file, by name, as read (for labels and report context). */
  readonly header: string[];
  readonly records: string[][];
}

/** Parses `text` and builds the matrix of `featureNames` (values cast to float32). */
export function featureMatrixFromCsv(text: string, featureNames: readonly string[]): CsvFeatures {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: false, skip_empty_lines: true, trim: true }) as string[][];
  } catch (error) {
    throw new AppError('CSV_MALFORMED', { message: `The CSV could not be parsed: ${(error as Error).message}`, cause: error });
  }
  const header = records.shift();
  if (header === undefined) throw new AppError('CSV_MALFORMED', { message: 'The CSV has no header line' });
  const positions = featureNames.map((name) => header.indexOf(name));
  const missing = featureNames.filter((_, j) => positions[j] === -1);
  if (missing.length > 0) {
    throw new AppError('DATA_SCHEMA_MISMATCH', {
      message: `The CSV lacks model feature column(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
      details: { missing },
    });
  }
  const cols = featureNames.length;
  const values = new Float32Array(records.length * cols);
  records.forEach((record, r) => {
    for (let j = 0; j < cols; j++) {
      const cell = record[positions[j]!]!;
      const v = cell === '' ? Number.NaN : Number(cell);
      if (cell !== '' && Number.isNaN(v)) {
        throw new AppError('CSV_MALFORMED', {
          message: `Row ${r + 1}, column ${featureNames[j]}: "${cell}" is not a number`,
          details: { row: r + 1, column: featureNames[j] },
        });
      }
      values[r * cols + j] = v;
    }
  });
  return { x: { rows: records.length, cols, values }, header, records };
}

/** A numeric column of the parsed CSV by name (labels); empty cells are NaN. */
export function csvColumn(csv: CsvFeatures, name: string): Float64Array {
  const index = csv.header.indexOf(name);
  if (index === -1) throw new AppError('DATA_SCHEMA_MISMATCH', { message: `The CSV has no column ${name}`, details: { column: name } });
  return Float64Array.from(csv.records, (record, r) => {
    const cell = record[index]!;
    const v = cell === '' ? Number.NaN : Number(cell);
    if (cell !== '' && Number.isNaN(v)) {
      throw new AppError('CSV_MALFORMED', { message: `Row ${r + 1}, column ${name}: "${cell}" is not a number`, details: { row: r + 1, column: name } });
    }
    return v;
  });
}

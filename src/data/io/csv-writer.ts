/**
 * @module data/io/csv-writer
 * ColumnFrame → RFC 4180 CSV (LF line ends, header first, missing = empty cell). Written so that
 * reading it back infers the same types: fractional values always carry a decimal point or an
 * exponent, booleans are `true`/`false`, datetimes are ISO 8601 UTC. A string column whose values
 * all look like numbers would be re-inferred as numeric; pass the schema when reading to keep it.
 */
import type { Column, ColumnFrame } from '../frame/column-frame.js';

const NEEDS_QUOTES = /[",\n\r]|^\s|\s$/;

function quote(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function formatFractional(v: number): string {
  // Shortest round-trip form; add ".0" to integral values so they are not read back as integers.
  const s = Object.is(v, -0) ? '-0' : String(v);
  return Number.isInteger(v) && !s.includes('e') ? `${s}.0` : s;
}

function cellWriter(column: Column): (i: number) => string {
  if (column.kind === 'categorical') {
    const quoted = column.dictionary.map(quote);
    return (i) => {
      const code = column.codes[i]!;
      return code < 0 ? '' : quoted[code]!;
    };
  }
  const values = column.values;
  const format =
    column.dtype === 'fractional'
      ? formatFractional
      : column.dtype === 'boolean'
        ? (v: number) => (v !== 0 ? 'true' : 'false')
        : column.dtype === 'datetime'
          ? (v: number) => new Date(v).toISOString()
          : (v: number) => (Object.is(v, -0) ? '-0' : String(v));
  return (i) => {
    const v = values[i]!;
    return Number.isNaN(v) ? '' : format(v);
  };
}

/**
 * CSV text in chunks of about `rowsPerChunk` rows, for streaming to a file or response.
 * @example for (const chunk of csvChunks(frame)) stream.write(chunk);
 */
export function* csvChunks(frame: ColumnFrame, rowsPerChunk = 10_000): Generator<string> {
  const writers = frame.columns.map(cellWriter);
  // With a single column a missing cell would be an empty line, which readers skip; quote it.
  const single = writers[0];
  if (writers.length === 1 && single !== undefined) writers[0] = (i) => single(i) || '""';
  yield `${frame.columns.map((c) => quote(c.name)).join(',')}\n`;
  const cells: string[] = new Array(writers.length);
  for (let start = 0; start < frame.rowCount; start += rowsPerChunk) {
    const end = Math.min(frame.rowCount, start + rowsPerChunk);
    let out = '';
    for (let i = start; i < end; i++) {
      for (let j = 0; j < writers.length; j++) cells[j] = writers[j]!(i);
      out += `${cells.join(',')}\n`;
    }
    yield out;
  }
}

/** The whole frame as CSV text. */
export function writeCsv(frame: ColumnFrame): string {
  let out = '';
  for (const chunk of csvChunks(frame)) out += chunk;
  return out;
}

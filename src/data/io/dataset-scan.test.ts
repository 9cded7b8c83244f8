import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { categoricalColumn, numericColumn } from '../frame/column-frame.js';
import { frameDifference } from '../frame/frame-equality.js';
import { formatProfile, formatSchema } from '../profile/format-profile.js';
import { schemaOfFrame } from '../schema/data-schema.js';
import { parseCsvFrame } from './csv-reader.js';
import { writeCsv } from './csv-writer.js';
import { detectFormat, scanDataset } from './dataset-scan.js';
import { writeParquet } from './parquet-io.js';

describe('dataset scan for import', () => {
  it('scans CSV and Parquet of the same data to the same schema and counts', async () => {
    const text = 'id,score,grade\n1,0.5,A\n2,,B\n3,1.5,\n';
    const csv = await scanDataset('csv', text);
    const parquet = await scanDataset('parquet', writeParquet(parseCsvFrame(text)));
    expect(parquet.schema).toEqual(csv.schema);
    expect(parquet.profile.columns.map((c) => [c.count, c.missing])).toEqual(csv.profile.columns.map((c) => [c.count, c.missing]));
    expect(parquet.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(parquet.sha256).not.toBe(csv.sha256);
  });

  it('detects the format from the name or the magic bytes', () => {
    expect(detectFormat('x.CSV')).toBe('csv');
    expect(detectFormat('x.parquet')).toBe('parquet');
    expect(detectFormat('upload.bin', new Uint8Array([0x50, 0x41, 0x52, 0x31, 0]))).toBe('parquet');
    expect(detectFormat('upload.bin', new TextEncoder().encode('a,b'))).toBe('csv');
    expect(detectFormat('misnamed.csv', new Uint8Array([0x50, 0x41, 0x52, 0x31, 0]))).toBe('parquet');
  });

  it('renders schema and profile tables for the CLI', async () => {
    const scan = await scanDataset('csv', 'when,n,s\n2024-01-01,1,x\n2024-01-02,3,x\n');
    expect(formatSchema(scan.schema)).toEqual(['#  column  type      nullable', '-  ------  --------  --------', '1  when    datetime  no', '2  n       integer   no', '3  s       string    no']);
    const lines = formatProfile(scan.profile);
    expect(lines[0]).toBe('2 rows, 3 columns');
    expect(lines.find((l) => l.startsWith('when'))).toContain('2024-01-02T00:00:00.000Z');
    expect(lines.find((l) => l.startsWith('s '))).toContain('x (2)');
  });
});

describe('CSV writer and reader round trip (property)', () => {
  it('any strings, including quotes, delimiters and line breaks, survive with the schema', () => {
    const cell = fc.option(fc.string({ unit: fc.constantFrom('a', 'é', ',', '"', '\n', '\r', ' ', '1', '𝄞') , minLength: 1, maxLength: 6 }), { nil: null });
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null })), { minLength: 1, maxLength: 20 }), (rows) => {
        const frame = {
          rowCount: rows.length,
          columns: [categoricalColumn('text', rows.map(([s]) => s)), numericColumn('x', Float64Array.from(rows, ([, x]) => (x === null ? Number.NaN : x)))],
        };
        const back = parseCsvFrame(writeCsv(frame), { schema: schemaOfFrame(frame) });
        expect(frameDifference(back, frame)).toBeUndefined();
      }),
    );
  });
});

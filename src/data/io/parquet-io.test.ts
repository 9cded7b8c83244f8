import { readFileSync } from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/index.js';
import { frameDifference } from '../frame/frame-equality.js';
import { parseCsvFrame } from './csv-reader.js';
import { readParquet, writeParquet } from './parquet-io.js';

describe('Parquet', () => {
  it('round-trips every logical type and missing values', async () => {
    const frame = parseCsvFrame(
      'i,big,f,b,d,s\n1,5000000000,1.5,true,2024-01-31T10:20:30.123Z,"a,b"\n,-5000000000,,,,\n-3,7,-0.25,false,2020-02-29,x\n',
    );
    expect(frame.columns.map((c) => c.dtype)).toEqual(['integer', 'integer', 'fractional', 'boolean', 'datetime', 'string']);
    const back = await readParquet(writeParquet(frame));
    expect(back).toEqual(frame);
  });

  it('round-trips the adult dataset (strings with missing values)', async () => {
    const frame = parseCsvFrame(readFileSync(new URL('../../../datasets/adult.csv', import.meta.url)));
    const bytes = writeParquet(frame);
    expect(bytes.length).toBeLessThan(5_547_834);
    expect(frameDifference(await readParquet(bytes), frame)).toBeUndefined();
  });

  it('reads types from the Parquet schema when the file comes from elsewhere', async () => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'n', data: [1, null, 3], type: 'INT32' },
        { name: 'x', data: [0.5, 1, null], type: 'FLOAT' },
        { name: 's', data: ['u', null, 'v'], type: 'STRING' },
      ],
    });
    const frame = await readParquet(buffer);
    expect(frame.columns.map((c) => [c.name, c.dtype])).toEqual([
      ['n', 'integer'],
      ['x', 'fractional'],
      ['s', 'string'],
    ]);
    const n = frame.columns[0]!;
    if (n.kind !== 'numeric') throw new Error('numeric expected');
    expect(Array.from(n.values)).toEqual([1, Number.NaN, 3]);
  });

  it('rejects bytes that are not Parquet', async () => {
    await expect(readParquet(new TextEncoder().encode('a,b\n1,2\n'))).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === 'PARQUET_MALFORMED');
  });
});

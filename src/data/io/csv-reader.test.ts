import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/index.js';
import type { ColumnFrame } from '../frame/column-frame.js';
import { frameDifference } from '../frame/frame-equality.js';
import { schemaOfFrame } from '../schema/data-schema.js';
import { parseCsvFrame, readCsvFrame } from './csv-reader.js';
import { writeCsv } from './csv-writer.js';

const dataset = (name: string): Buffer => readFileSync(new URL(`../../../datasets/${name}.csv`, import.meta.url));

function types(frame: ColumnFrame): Record<string, string> {
  return Object.fromEntries(frame.columns.map((c) => [c.name, c.dtype]));
}

function missingCount(frame: ColumnFrame, name: string): number {
  const c = frame.columns.find((x) => x.name === name)!;
  return c.kind === 'numeric' ? c.values.filter((v) => Number.isNaN(v)).length : c.codes.filter((k) => k < 0).length;
}

/** The CSV_MALFORMED error `fn` throws. */
function malformed(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('CSV_MALFORMED');
    return e as AppError;
  }
  throw new Error('expected CSV_MALFORMED');
}

describe('readCsvFrame on the shipped datasets', () => {
  it('reads the credit default file: 30,000 × 25 integers', async () => {
    const frame = await readCsvFrame([dataset('uci_credit_card_default')]);
    expect(frame.rowCount).toBe(30000);
    expect(frame.columns).toHaveLength(25);
    expect(new Set(Object.values(types(frame)))).toEqual(new Set(['integer']));
    const target = frame.columns.at(-1)!;
    expect(target.name).toBe('default');
    if (target.kind !== 'numeric') throw new Error('numeric expected');
    expect(target.values.reduce((a, b) => a + b, 0)).toBe(6636);
  });

  it('reads german credit: 1,000 × 21, strings and integers', () => {
    const frame = parseCsvFrame(dataset('german_credit'));
    expect(frame.rowCount).toBe(1000);
    const t = types(frame);
    expect(t.checking_status).toBe('string');
    expect(t.duration_months).toBe('integer');
    expect(t.credit_amount).toBe('integer');
    expect(t.class).toBe('string');
    expect(Object.values(t).filter((x) => x === 'string')).toHaveLength(14);
  });

  it('reads adult: 48,842 × 16 with missing values in three string columns', () => {
    const frame = parseCsvFrame(dataset('adult'));
    expect(frame.rowCount).toBe(48842);
    expect(frame.columns).toHaveLength(16);
    const t = types(frame);
    expect(t.age).toBe('integer');
    expect(t.workclass).toBe('string');
    expect(t.income).toBe('string');
    expect(missingCount(frame, 'workclass')).toBe(2799);
    expect(missingCount(frame, 'occupation')).toBe(2809);
    expect(missingCount(frame, 'native_country')).toBe(857);
    expect(missingCount(frame, 'age')).toBe(0);
  });
});

describe('CSV parsing', () => {
  it('handles quotes, escaped quotes, embedded newlines, CRLF and a BOM', () => {
    const frame = parseCsvFrame('\uFEFFname,note,n\r\n"Smith, J","said ""hi""\nthen left",1\r\nLee,,2\r\n');
    expect(frame.columns.map((c) => c.name)).toEqual(['name', 'note', 'n']);
    const note = frame.columns[1]!;
    if (note.kind !== 'categorical') throw new Error('string expected');
    expect(note.dictionary).toEqual(['said "hi"\nthen left']);
    expect(Array.from(note.codes)).toEqual([0, -1]);
  });

  it('infers boolean, fractional and datetime columns', () => {
    const frame = parseCsvFrame('b,f,d,mixed\ntrue,1,2024-01-31,1\nFALSE,2.5,2024-02-01T10:00:00Z,x\n,-3e2,2024-02-01T12:00:00+02:00,\n');
    expect(types(frame)).toEqual({ b: 'boolean', f: 'fractional', d: 'datetime', mixed: 'string' });
    const d = frame.columns[2]!;
    if (d.kind !== 'numeric') throw new Error('numeric expected');
    expect(Array.from(d.values)).toEqual([Date.UTC(2024, 0, 31), Date.UTC(2024, 1, 1, 10), Date.UTC(2024, 1, 1, 10)]);
  });

  it('reads only the requested columns, in the requested order', () => {
    const frame = parseCsvFrame('a,b,c\n1,x,2.5\n3,y,4\n', { columns: ['c', 'a'] });
    expect(types(frame)).toEqual({ c: 'fractional', a: 'integer' });
    expect(frame.columns.map((c) => c.name)).toEqual(['c', 'a']);
    expect(() => parseCsvFrame('a,b\n1,2\n', { columns: ['a', 'z'] })).toThrow(/no column "z"/);
    expect(() => parseCsvFrame('a,b\n1,2\n3\n', { columns: ['a'] })).toThrow(/row 3, column 2/);
  });

  it('treats extra missing-value markers as missing when asked', () => {
    const frame = parseCsvFrame('x,s\nNA,?\n2,b\n', { missingValues: ['NA', '?'] });
    expect(types(frame)).toEqual({ x: 'integer', s: 'string' });
    expect(missingCount(frame, 'x')).toBe(1);
    expect(missingCount(frame, 's')).toBe(1);
    expect(types(parseCsvFrame('x\nNA\n2\n'))).toEqual({ x: 'string' });
  });

  it('parses identically whatever the chunk boundaries', async () => {
    const text = 'a,b,c\n1,"x,\r\ny",true\r\n2,"q""",false\r3,é€𝄞,\n';
    const bytes = new TextEncoder().encode(text);
    const whole = parseCsvFrame(bytes);
    expect(whole.rowCount).toBe(3);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 8 }), async (cuts) => {
        const points = [0, ...[...new Set(cuts)].sort((x, y) => x - y), bytes.length];
        const chunks = points.slice(1).map((end, k) => bytes.subarray(points[k]!, end));
        expect(await readCsvFrame(chunks)).toEqual(whole);
      }),
    );
  });

  it('reads an async stream of chunks split inside fields and multi-byte characters', async () => {
    const bytes = new TextEncoder().encode('k,v\n"a""b",é\n"c\nd",€\n');
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
    }
    const frame = await readCsvFrame(chunks());
    expect(frame).toEqual(parseCsvFrame(bytes));
    expect(frame.rowCount).toBe(2);
  });
});

describe('malformed CSV names the row and column', () => {
  const cases: [string, string | Uint8Array, number, number, RegExp][] = [
    ['a ragged row (too few fields)', 'a,b,c\n1,2,3\n4,5\n', 3, 3, /expected 3 fields/],
    ['a ragged row (too many fields)', 'a,b\n1,2\n3,4,5\n', 3, 3, /extra field/],
    ['text after a closing quote', 'a,b\n1,"x"y\n', 2, 2, /after the closing quote/],
    ['a quote inside an unquoted field', 'a,b\n1,x"y\n', 2, 2, /quote inside an unquoted field/],
    ['an unclosed quote', 'a,b\n1,2\n3,"open\n', 3, 2, /closing quote is missing/],
    ['an empty file', '', 1, 1, /empty/],
    ['a header-only file', 'a,b\n', 2, 1, /no data rows/],
    ['duplicate column names', 'a,b,a\n1,2,3\n', 1, 3, /duplicate column name/],
    ['Latin-1 bytes', new Uint8Array([...new TextEncoder().encode('name,city\nx,M'), 0xfc, ...new TextEncoder().encode('nchen\n')]), 2, 2, /invalid UTF-8/],
  ];
  for (const [what, input, row, column, message] of cases) {
    it(what, () => {
      const error = malformed(() => parseCsvFrame(input));
      expect(error.details).toMatchObject({ row, column });
      expect(error.message).toMatch(message);
      expect(error.message).toContain(`row ${row}, column ${column}`);
    });
  }

  it('an unclosed quote stops at the field-size limit instead of reading the whole file into memory', async () => {
    const piece = new TextEncoder().encode('x'.repeat(1 << 20));
    function* chunks(): Generator<Uint8Array> {
      yield new TextEncoder().encode('a,b\n1,"');
      for (let i = 0; i < 64; i++) yield piece;
    }
    await expect(readCsvFrame(chunks())).rejects.toSatisfy(
      (e: unknown) => e instanceof AppError && e.details.row === 2 && e.details.column === 2 && /closing quote missing/.test(e.message),
    );
  });

  it('a non-numeric value in a column the schema declares numeric', () => {
    const schema = {
      version: 1 as const,
      columns: [
        { name: 'id', type: 'integer' as const, nullable: false },
        { name: 'amount', type: 'fractional' as const, nullable: true },
      ],
    };
    const error = malformed(() => parseCsvFrame('id,amount\n1,2.5\n2,\n3,n/a\n', { schema }));
    expect(error.details).toMatchObject({ row: 4, column: 2, columnName: 'amount' });
    expect(error.message).toMatch(/"n\/a" is not a fractional/);
    const missing = malformed(() => parseCsvFrame('id,amount\n1,2.5\n,3\n', { schema }));
    expect(missing.details).toMatchObject({ row: 3, column: 1 });
  });

  it('a header that does not match the declared schema', () => {
    const schema = { version: 1 as const, columns: [{ name: 'x', type: 'integer' as const, nullable: false }] };
    expect(() => parseCsvFrame('y\n1\n', { schema })).toThrow(/missing: x; not in the schema: y/);
  });
});

describe('writeCsv', () => {
  it('round-trips types, missing values and awkward strings', () => {
    const text = 'i,f,b,d,s\n1,1.0,true,2024-01-31T10:20:30.123Z,"a,b"\n,2.5,,,"say ""x"""\n-3,,false,2020-02-29T00:00:00.000Z,\n';
    const frame = parseCsvFrame(text);
    expect(types(frame)).toEqual({ i: 'integer', f: 'fractional', b: 'boolean', d: 'datetime', s: 'string' });
    expect(writeCsv(frame)).toBe(text);
    expect(parseCsvFrame(writeCsv(frame))).toEqual(frame);
  });

  it('round-trips the german credit file', () => {
    const frame = parseCsvFrame(dataset('german_credit'));
    expect(frameDifference(parseCsvFrame(writeCsv(frame), { schema: schemaOfFrame(frame) }), frame)).toBeUndefined();
  });
});

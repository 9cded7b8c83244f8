import { describe, expect, it } from 'vitest';
import { DataSchemaSchema } from './data-schema.js';
import { TypeInference, parseBoolean, parseDatetime, parseFractional, parseInteger } from './type-inference.js';

function infer(values: string[]): string {
  const t = new TypeInference();
  for (const v of values) t.observe(v);
  return t.type;
}

describe('type inference', () => {
  it('picks the most specific type every value fits', () => {
    expect(infer(['1', '-2', '+3', ''])).toBe('integer');
    expect(infer(['1', '2.5', '1e3', '.5', '-0.'])).toBe('fractional');
    expect(infer(['true', 'FALSE', 'True', ''])).toBe('boolean');
    expect(infer(['2024-01-01', '2024-01-02T03:04:05Z', '2024-01-02 03:04'])).toBe('datetime');
    expect(infer(['1', 'x'])).toBe('string');
    expect(infer(['1', 'true'])).toBe('string');
    expect(infer(['2024-01-01', '5'])).toBe('string');
    expect(infer(['', ''])).toBe('string');
    expect(infer(['0x10', 'Infinity', 'NaN', '1,5', ' 1'])).toBe('string');
  });

  it('integers beyond 2^53 are fractional, not silently rounded integers', () => {
    expect(parseInteger('9007199254740991')).toBe(9007199254740991);
    expect(parseInteger('9007199254740993')).toBeNaN();
    expect(infer(['1', '9007199254740993'])).toBe('fractional');
  });

  it('parses numbers and booleans strictly', () => {
    expect(parseFractional('1e-3')).toBe(0.001);
    expect(parseFractional('1e')).toBeNaN();
    expect(parseFractional('-')).toBeNaN();
    expect(parseFractional('1e999')).toBeNaN();
    expect(parseBoolean('yes')).toBeNaN();
  });

  it('parses ISO 8601 dates and date-times as UTC epoch milliseconds', () => {
    expect(parseDatetime('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(parseDatetime('2023-02-29')).toBeNaN();
    expect(parseDatetime('2024-13-01')).toBeNaN();
    expect(parseDatetime('2024-01-01T25:00')).toBeNaN();
    expect(parseDatetime('2024-01-01T10:00:00.5+01:30')).toBe(Date.UTC(2024, 0, 1, 8, 30, 0, 500));
    expect(parseDatetime('2024-01-01T10:00:00-0500')).toBe(Date.UTC(2024, 0, 1, 15));
    expect(parseDatetime('2024-01-01T10:00:00.123456Z')).toBe(Date.UTC(2024, 0, 1, 10, 0, 0, 123));
    expect(parseDatetime('01/02/2024')).toBeNaN();
  });

  it('the schema JSON rejects duplicate names and unknown types', () => {
    expect(() => DataSchemaSchema.parse({ version: 1, columns: [{ name: 'a', type: 'integer', nullable: false }, { name: 'a', type: 'string', nullable: true }] })).toThrow(/duplicate/);
    expect(() => DataSchemaSchema.parse({ version: 1, columns: [{ name: 'a', type: 'decimal', nullable: false }] })).toThrow();
  });
});

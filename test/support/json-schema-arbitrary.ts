/**
 * fast-check values from the JSON Schemas of a generated OpenAPI document (what zod emits): values
 * that conform to the schema's shape but sit at its edges (huge and fractional numbers, empty,
 * unicode and very long strings, known identifiers), and values that do not conform at all.
 */
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema | JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
}

export const EDGE_STRINGS: readonly string[] = [
  '', ' ', 'a', '0', '-1', '1.5', '99999999999999999', '99999999999999999999999', '1e309', '-1e309', 'NaN', 'Infinity', 'null', 'true',
  '🙂', 'é', 'ünïcödé-名前', '\u0000', '\ud800', '\u202e', '%', '_', '%_%', "'", '"', '\\', '\\\\', '`', '../../etc/passwd', '/', '@', 'a@b', 'a@99999999999999999999',
  'art_', 'sha256:', 'sha256:zz', '2030-13-45', '2030-01-01T00:00:00Z', '0000-00-00', '-271821-04-19T00:00:00Z', '<script>', '*', 'alias/', 'alias/attest-default',
  '{"a":1}', '[]', 'x'.repeat(300), 'x'.repeat(70_000), 'AAAA', '!!!!', 'eyJ', 'name = \'x\'', "start_time > 99999999999999999999999", 'metrics.auc > 0.5 AND params.x = \'1\'',
  "name LIKE 'x\\\\'", 'tags.a = \'b\'', 'attributes.status = \'RUNNING\'',
];

export const EDGE_NUMBERS: readonly number[] = [
  0, -0, 1, -1, 0.5, -0.5, 1e-300, 2 ** 31, -(2 ** 31), 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER,
  // 99999999999999999 and 99999999999999999999999 as JSON parses them.
  1e17, 1e23, 1.0000000000000001e23, 8.64e15 + 1, 1.7976931348623157e308, -1.7976931348623157e308, 5e-324,
];

const typesOf = (s: JsonSchema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);

/** Garbage: any JSON value, nested a few levels. */
export const garbage: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom<unknown>(null, [], {}, [[[[[]]]]], { a: { b: { c: { d: {} } } } }, ...EDGE_NUMBERS, ...EDGE_STRINGS),
);

/** A value shaped by `schema` with edge leaves; `known` strings (real ids, names) let requests reach handlers. */
export function schemaArbitrary(schema: JsonSchema | undefined, known: readonly string[], depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return garbage;
  const options: fc.Arbitrary<unknown>[] = [];
  if (schema.enum) options.push(fc.constantFrom(...schema.enum));
  if (schema.const !== undefined) options.push(fc.constant(schema.const));
  for (const sub of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) options.push(schemaArbitrary(sub, known, depth + 1));
  if (schema.allOf?.[0]) options.push(schemaArbitrary(schema.allOf[0], known, depth + 1));
  if (schema.nullable) options.push(fc.constant(null));
  for (const type of typesOf(schema)) {
    if (type === 'string') {
      const lengths = [schema.minLength, schema.maxLength, schema.maxLength !== undefined ? schema.maxLength + 1 : undefined].filter((n): n is number => n !== undefined && n < 100_000);
      options.push(
        fc.oneof(
          { weight: 3, arbitrary: known.length > 0 ? fc.constantFrom(...known) : fc.constant('default') },
          { weight: 3, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
          { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
          { weight: 1, arbitrary: lengths.length > 0 ? fc.constantFrom(...lengths).map((n) => 'y'.repeat(n)) : fc.constant('') },
        ),
      );
    } else if (type === 'number' || type === 'integer') {
      const bounds = [schema.minimum, schema.maximum].filter((n): n is number => n !== undefined).flatMap((n) => [n, n - 1, n + 1]);
      options.push(fc.oneof(fc.constantFrom(...EDGE_NUMBERS, ...bounds), type === 'integer' ? fc.integer() : fc.double({ noNaN: true, noDefaultInfinity: true })));
    } else if (type === 'boolean') {
      options.push(fc.boolean());
    } else if (type === 'null') {
      options.push(fc.constant(null));
    } else if (type === 'array') {
      const item = Array.isArray(schema.items) ? schema.items[0] : schema.items;
      options.push(fc.array(schemaArbitrary(item, known, depth + 1), { maxLength: 4 }));
      if (schema.maxItems !== undefined && schema.maxItems < 2000) options.push(fc.constant(schema.maxItems + 1).chain((n) => fc.array(schemaArbitrary(item, known, depth + 1), { minLength: n, maxLength: n })));
    } else if (type === 'object') {
      options.push(objectArbitrary(schema, known, depth));
    }
  }
  if (options.length === 0) return schema.properties ? objectArbitrary(schema, known, depth) : garbage;
  return fc.oneof({ weight: 9, arbitrary: fc.oneof(...options) }, { weight: 1, arbitrary: garbage });
}

function objectArbitrary(schema: JsonSchema, known: readonly string[], depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  if (properties.length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), garbage, { maxKeys: 3 });
  // Required keys are usually present (so requests reach handlers), occasionally dropped.
  const entries = properties.map(([key, sub]) =>
    fc.tuple(fc.constant(key), schemaArbitrary(sub, known, depth + 1), fc.double({ min: 0, max: 1, noNaN: true })).map(([k, v, roll]) => {
      const keep = required.has(k) ? roll < 0.95 : roll < 0.6;
      return keep ? ([k, v] as const) : undefined;
    }),
  );
  return fc.tuple(...entries).map((pairs) => Object.fromEntries(pairs.filter((p): p is readonly [string, unknown] => p !== undefined)));
}

/**
 * @module kernel/canonical-json
 * RFC 8785 (JSON Canonicalization Scheme) serialisation: object keys sorted by UTF-16 code units,
 * no insignificant white space, numbers in ECMAScript's shortest round-trip form (which is what
 * `JSON.stringify` emits for finite numbers). Used for hashing audit entries and signing
 * checkpoints, so the same logical value always hashes the same, in every process and database.
 */

/** Serialises `value` canonically. Throws on non-finite numbers, `undefined` at top level, or cycles. */
export function canonicalJson(value: unknown): string {
  return serialise(value, new Set());
}

function serialise(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson: cannot serialise ${typeof value}`);
  }
  const obj = value as object;
  if (seen.has(obj)) throw new TypeError('canonicalJson: cycle');
  seen.add(obj);
  try {
    if (obj instanceof Date) return JSON.stringify(obj.toISOString());
    if (Array.isArray(obj)) return `[${obj.map((v) => (v === undefined ? 'null' : serialise(v, seen))).join(',')}]`;
    const record = obj as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${serialise(record[k], seen)}`).join(',')}}`;
  } finally {
    seen.delete(obj);
  }
}

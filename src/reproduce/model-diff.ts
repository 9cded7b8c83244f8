/**
 * @module reproduce/model-diff
 * Where two serialized models first differ: the byte offset, and for JSON models the path of the
 * first differing value (`$.learner.gradient_booster.model.trees[3].split_conditions[5]`).
 */

export interface ModelDifference {
  /** Offset of the first differing byte (the shorter length when one is a prefix of the other). */
  readonly byteOffset: number;
  readonly recordedBytes: number;
  readonly reproducedBytes: number;
  /** The first differing value's JSON path, when both sides are JSON. */
  readonly jsonPath?: string;
  readonly recordedValue?: unknown;
  readonly reproducedValue?: unknown;
}

function firstJsonDifference(a: unknown, b: unknown, path: string): { path: string; a: unknown; b: unknown } | undefined {
  if (Object.is(a, b)) return undefined;
  const bothArrays = Array.isArray(a) && Array.isArray(b);
  const bothObjects = !bothArrays && a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b);
  if (bothArrays) {
    const [x, y] = [a as unknown[], b as unknown[]];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const d = firstJsonDifference(x[i], y[i], `${path}[${i}]`);
      if (d) return d;
    }
    return x.length === y.length ? undefined : { path: `${path}.length`, a: x.length, b: y.length };
  }
  if (bothObjects) {
    const [x, y] = [a as Record<string, unknown>, b as Record<string, unknown>];
    for (const key of new Set([...Object.keys(x), ...Object.keys(y)])) {
      const d = firstJsonDifference(x[key], y[key], /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);
      if (d) return d;
    }
    return undefined;
  }
  return { path, a, b };
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

/** The first difference between the recorded and the reproduced model, or undefined when byte-identical. */
export function firstModelDifference(recorded: Uint8Array, reproduced: Uint8Array): ModelDifference | undefined {
  const shorter = Math.min(recorded.length, reproduced.length);
  let offset = 0;
  while (offset < shorter && recorded[offset] === reproduced[offset]) offset++;
  if (offset === shorter && recorded.length === reproduced.length) return undefined;
  const base = { byteOffset: offset, recordedBytes: recorded.length, reproducedBytes: reproduced.length };
  const [a, b] = [parseJson(recorded), parseJson(reproduced)];
  if (a === undefined || b === undefined) return base;
  const d = firstJsonDifference(a, b, '$');
  return d ? { ...base, jsonPath: d.path, recordedValue: d.a, reproducedValue: d.b } : base;
}

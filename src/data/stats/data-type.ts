/**
 * @module data/stats/data-type
 * Deequ's `DataType` analyzer: per-value type counts and the inferred column type
 * (awslabs/deequ 2.0.2 `analyzers/DataType.scala` and `org.apache.spark.sql.StatefulDataType`).
 * Values are classified by Deequ's regexes (checked in this order): Fractional
 * `^(-|\+)? ?\d*\.\d*$`, Integral `^(-|\+)? ?\d*$`, Boolean `^(true|false)$`, else String.
 */

export type InferredType = 'Integral' | 'Fractional' | 'Boolean' | 'String' | 'Unknown';

/** Mergeable per-type counts (merge = addition, so it is exact and associative). */
export interface DataTypeCounts {
  missing: number;
  fractional: number;
  integral: number;
  boolean: number;
  string: number;
}

/** Zero counts. */
export function initDataTypeCounts(): DataTypeCounts {
  return { missing: 0, fractional: 0, integral: 0, boolean: 0, string: 0 };
}

/** Sum of two count sets (exact, associative). */
export function mergeDataTypeCounts(a: DataTypeCounts, b: DataTypeCounts): DataTypeCounts {
  return {
    missing: a.missing + b.missing,
    fractional: a.fractional + b.fractional,
    integral: a.integral + b.integral,
    boolean: a.boolean + b.boolean,
    string: a.string + b.string,
  };
}

const FRACTIONAL = /^(-|\+)? ?\d*\.\d*$/;
const INTEGRAL = /^(-|\+)? ?\d*$/;
const BOOLEAN = /^(true|false)$/;

/** Deequ's classification of one textual value. */
export function classifyString(value: string): Exclude<InferredType, 'Unknown'> {
  if (FRACTIONAL.test(value)) return 'Fractional';
  if (INTEGRAL.test(value)) return 'Integral';
  if (BOOLEAN.test(value)) return 'Boolean';
  return 'String';
}

/** Adds `count` values of the given type. */
export function addTypeCount(counts: DataTypeCounts, type: Exclude<InferredType, 'Unknown'> | 'missing', count = 1): void {
  switch (type) {
    case 'missing':
      counts.missing += count;
      break;
    case 'Fractional':
      counts.fractional += count;
      break;
    case 'Integral':
      counts.integral += count;
      break;
    case 'Boolean':
      counts.boolean += count;
      break;
    case 'String':
      counts.string += count;
      break;
  }
}

/**
 * Deequ's `determineType`: no values → Unknown; any string, or booleans mixed with numbers →
 * String; only booleans → Boolean; any fractional → Fractional; else Integral.
 */
export function determineType(counts: DataTypeCounts): InferredType {
  const present = counts.fractional + counts.integral + counts.boolean + counts.string;
  if (present === 0) return 'Unknown';
  if (counts.string > 0) return 'String';
  if (counts.boolean > 0) return counts.fractional + counts.integral > 0 ? 'String' : 'Boolean';
  if (counts.fractional > 0) return 'Fractional';
  return 'Integral';
}

/** Share of present values whose type is not compatible with `expected` (Integral values are compatible with Fractional). */
export function typeMismatchShare(counts: DataTypeCounts, expected: InferredType): number {
  const present = counts.fractional + counts.integral + counts.boolean + counts.string;
  if (present === 0) return 0;
  let ok: number;
  switch (expected) {
    case 'Integral':
      ok = counts.integral;
      break;
    case 'Fractional':
      ok = counts.integral + counts.fractional;
      break;
    case 'Boolean':
      ok = counts.boolean;
      break;
    case 'String':
      ok = present;
      break;
    case 'Unknown':
      ok = present;
      break;
  }
  return (present - ok) / present;
}

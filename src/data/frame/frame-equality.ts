/**
 * @module data/frame/frame-equality
 * Value equality of frames (NaN equals NaN; categorical columns compared by value, not by code),
 * for round-trip checks and reproducibility tests; much cheaper than a generic deep equality
 * on large typed arrays.
 */
import type { ColumnFrame } from './column-frame.js';

/** The first difference between two frames, described in words, or undefined when equal. */
export function frameDifference(a: ColumnFrame, b: ColumnFrame): string | undefined {
  if (a.rowCount !== b.rowCount) return `row counts differ: ${a.rowCount} vs ${b.rowCount}`;
  if (a.columns.length !== b.columns.length) return `column counts differ: ${a.columns.length} vs ${b.columns.length}`;
  for (let j = 0; j < a.columns.length; j++) {
    const x = a.columns[j]!;
    const y = b.columns[j]!;
    if (x.name !== y.name || x.kind !== y.kind || x.dtype !== y.dtype) return `column ${j + 1}: ${x.name} (${x.dtype}) vs ${y.name} (${y.dtype})`;
    for (let i = 0; i < a.rowCount; i++) {
      let u: unknown;
      let v: unknown;
      if (x.kind === 'numeric' && y.kind === 'numeric') {
        u = x.values[i];
        v = y.values[i];
      } else if (x.kind === 'categorical' && y.kind === 'categorical') {
        const cx = x.codes[i]!;
        const cy = y.codes[i]!;
        u = cx < 0 ? null : x.dictionary[cx];
        v = cy < 0 ? null : y.dictionary[cy];
      }
      if (!Object.is(u, v)) return `column "${x.name}", row ${i + 1}: ${String(u)} vs ${String(v)}`;
    }
  }
  return undefined;
}

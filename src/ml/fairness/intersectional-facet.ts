/**
 * @module ml/fairness/intersectional-facet
 * Intersectional facets (e.g. SEX × age band; Buolamwini & Gebru, "Gender Shades", FAT* 2018):
 * a derived text column whose value joins each part's value, like "SEX=2 & AGE=(40, 60]". Clarify's
 * metrics then apply unchanged, one-vs-rest over every combination or for chosen combinations.
 */
import type { ColumnFrame } from '../../data/index.js';
import { categoricalColumn } from '../../data/index.js';
import { AppError } from '../../kernel/index.js';
import { requireColumn } from './bias-inputs.js';
import { formatDataValue, pythonFloatRepr } from './clarify-series.js';

/** One attribute of an intersection; numeric columns may be cut into bands (l, r] at increasing `bands` edges. */
export interface FacetPart {
  readonly column: string;
  readonly bands?: readonly number[];
}

function formatEdge(x: number, integer: boolean): string {
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return integer && Number.isInteger(x) ? String(x) : pythonFloatRepr(x);
}

/**
 * The frame with one more text column, `name` (default "A×B"), holding each row's combination;
 * rows missing any part are missing.
 * @example intersectFacets(frame, [{ column: 'SEX' }, { column: 'AGE', bands: [25, 40, 60] }])
 */
export function intersectFacets(frame: ColumnFrame, parts: readonly FacetPart[], name?: string): { frame: ColumnFrame; column: string } {
  if (parts.length < 2) throw new AppError('INVALID_INPUT', { message: 'An intersectional facet needs at least two columns' });
  const column = name ?? parts.map((p) => p.column).join('×');
  if (frame.columns.some((c) => c.name === column)) throw new AppError('INVALID_INPUT', { message: `Column ${column} already exists`, details: { column } });
  const labels: ((row: number) => string | null)[] = parts.map((part) => {
    const col = requireColumn(frame, part.column, 'Facet');
    const bands = part.bands;
    if (bands === undefined) {
      return (row: number) => {
        const missing = col.kind === 'numeric' ? Number.isNaN(col.values[row]!) : col.codes[row]! < 0;
        return missing ? null : `${part.column}=${formatDataValue(col, row)}`;
      };
    }
    if (col.kind !== 'numeric') throw new AppError('INVALID_INPUT', { message: `Column ${part.column} is not numeric and cannot be banded` });
    if (bands.length === 0 || bands.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= bands[i - 1]!))) {
      throw new AppError('INVALID_INPUT', { message: `Bands of ${part.column} must be increasing finite numbers` });
    }
    const integer = col.dtype === 'integer';
    const edges = [Number.NEGATIVE_INFINITY, ...bands, Number.POSITIVE_INFINITY];
    const names = edges.slice(1).map((r, i) => `${part.column}=(${formatEdge(edges[i]!, integer)}, ${formatEdge(r, integer)}]`);
    return (row: number) => {
      const v = col.values[row]!;
      if (Number.isNaN(v)) return null;
      let b = 0;
      while (v > edges[b + 1]!) b++;
      return names[b]!;
    };
  });
  const values: (string | null)[] = [];
  for (let row = 0; row < frame.rowCount; row++) {
    const pieces = labels.map((f) => f(row));
    values.push(pieces.some((p) => p === null) ? null : pieces.join(' & '));
  }
  return { frame: { rowCount: frame.rowCount, columns: [...frame.columns, categoricalColumn(column, values)] }, column };
}

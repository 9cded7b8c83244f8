/**
 * @module ml/fairness/bias-counts
 * Every Clarify bias metric except the flip test is a function of how many rows fall into each cell
 * of (group, facet d?, label positive?, prediction positive?). Counting once per cell makes the
 * report and each bootstrap replicate one pass over the rows.
 */

/** Cell of a row within its group block: d·4 + y·2 + ŷ. */
export const CELLS = 8;

/** Cell counts: `cells[g·8 + d·4 + y·2 + ŷ]`; group slot `groupCount` holds rows with a missing group value. */
export interface BiasCounts {
  /** Number of distinct group values (1 when there is no group variable). */
  readonly groupCount: number;
  /** (groupCount + 1) · 8 counts. */
  readonly cells: Float64Array;
}

/** Row-wise inputs: facet d, positive label and positive prediction as 0/1, group slot per row. */
export interface BiasRows {
  readonly facet: Uint8Array;
  readonly label: Uint8Array;
  /** Absent before training (pre-training metrics only). */
  readonly predicted?: Uint8Array;
  /** Group slot 0..groupCount−1 per row, or groupCount for a missing group value. */
  readonly group?: Int32Array;
  readonly groupCount: number;
}

/** Index of a row's cell in {@link BiasCounts.cells}. */
export function cellOf(rows: BiasRows, i: number): number {
  const g = rows.group === undefined ? 0 : rows.group[i]!;
  return g * CELLS + rows.facet[i]! * 4 + rows.label[i]! * 2 + (rows.predicted === undefined ? 0 : rows.predicted[i]!);
}

/** Each row's cell index, computed once so that bootstrap replicates only tally. */
export function cellIndex(rows: BiasRows): Int32Array {
  const out = new Int32Array(rows.facet.length);
  for (let i = 0; i < out.length; i++) out[i] = cellOf(rows, i);
  return out;
}

/** Counts over all rows, or over the rows listed in `sample` (with repetition, for the bootstrap). */
export function countCells(rows: BiasRows, sample?: Int32Array, cellsOfRows?: Int32Array): BiasCounts {
  const cells = new Float64Array((rows.groupCount + 1) * CELLS);
  const index = cellsOfRows ?? cellIndex(rows);
  if (sample === undefined) for (let i = 0; i < index.length; i++) cells[index[i]!]!++;
  else for (let j = 0; j < sample.length; j++) cells[index[sample[j]!]!]!++;
  return { groupCount: rows.groupCount, cells };
}

/** Totals over all groups for a predicate on (d, y, ŷ). */
export function total(counts: BiasCounts, pick: (d: number, y: number, p: number) => boolean): number {
  let sum = 0;
  for (let g = 0; g <= counts.groupCount; g++) {
    for (let cell = 0; cell < CELLS; cell++) {
      if (pick(cell >> 2, (cell >> 1) & 1, cell & 1)) sum += counts.cells[g * CELLS + cell]!;
    }
  }
  return sum;
}

/** Counts within one group (excludes rows with a missing group value when g = groupCount is not asked). */
export function groupTotal(counts: BiasCounts, g: number, pick: (d: number, y: number, p: number) => boolean): number {
  let sum = 0;
  for (let cell = 0; cell < CELLS; cell++) if (pick(cell >> 2, (cell >> 1) & 1, cell & 1)) sum += counts.cells[g * CELLS + cell]!;
  return sum;
}

/**
 * numpy's `np.sum` of a float64 array (up to its 8192-element buffer): the first element plus the
 * pairwise sum of the rest, with an 8-way unrolled base case of at most 128 elements
 * (numpy/core/src/umath/loops_utils.h `pairwise_sum`), reproduced so sums match Clarify's bit for bit.
 */
export function numpySum(a: ArrayLike<number>): number {
  if (a.length === 0) return 0;
  return a[0]! + pairwiseSum(a, 1, a.length - 1);
}

function pairwiseSum(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= 128) {
    const r = new Float64Array(8);
    for (let j = 0; j < 8; j++) r[j] = a[start + j]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += a[start + i + j]!;
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

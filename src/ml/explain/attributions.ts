/**
 * @module ml/explain/attributions
 * The common shape of per-row attributions (TreeSHAP, interventional TreeSHAP, KernelSHAP) that
 * the global views read: rows × groups × width values with the bias last in each block.
 */

/** Per-row attributions; `groups` defaults to 1 (KernelSHAP explains one output). */
export interface Attributions {
  readonly rows: number;
  /** Features + 1 (bias last). */
  readonly width: number;
  readonly groups?: number;
  readonly values: Float64Array;
}

/** The attribution of `feature` for `row` in output `group`. */
export function attributionAt(a: Attributions, row: number, group: number, feature: number): number {
  return a.values[(row * (a.groups ?? 1) + group) * a.width + feature]!;
}

/** JSON cannot hold NaN: missing feature values become null in report data. */
export function jsonNumber(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

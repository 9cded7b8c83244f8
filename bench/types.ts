/** One measured figure printed by `npm run bench`. */
export interface BenchResult {
  /** What was measured, e.g. "gbdt train (paper setup)". */
  name: string;
  /** The median measurement. */
  value: number;
  /** Unit of `value`, e.g. "s", "rows/s", "ms". */
  unit: string;
  /** The same work done by a reference in the same run (plain copy, plain insert, XGBoost). */
  reference?: { name: string; value: number };
  /** value / reference.value (or the inverse, as `goal` states). */
  ratio?: number;
  /** The goal the issue sets, in words, e.g. "ratio >= 0.5". */
  goal?: string;
}

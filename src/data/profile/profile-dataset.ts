/**
 * @module data/profile/profile-dataset
 * Dataset profiles built on the mergeable profilers of data/stats (moments, KLL quantiles,
 * HyperLogLog, frequent items): from an in-memory frame, or incrementally from batches of CSV
 * text whose column types are only known at the end. Memory is bounded by the sketches' sizes.
 */
import { AppError } from '../../kernel/index.js';
import type { ColumnFrame } from '../frame/column-frame.js';
import { encodeTextColumn } from '../frame/frame-ops.js';
import type { LogicalType } from '../schema/data-schema.js';
import { strayTextError } from '../schema/record-check.js';
import { TypeInference } from '../schema/type-inference.js';
import type { ColumnProfile, ColumnProfileState, ProfileOptions } from '../stats/index.js';
import { finalizeColumnProfile, initColumnProfile, kllCdf, kllQuantile, profileFrame, updateColumnProfile } from '../stats/index.js';
import type { CategoryCount, DatasetColumnProfile, DatasetProfile } from './dataset-profile.js';
import { PROFILE_QUANTILES, PROFILE_TOP_CATEGORIES } from './dataset-profile.js';

/** Lower quantiles from exact value counts: the smallest value whose cumulative count is ≥ q·n. */
function histogramQuantile(histogram: readonly { value: number; count: number }[]): (q: number) => number {
  const sorted = [...histogram].sort((a, b) => a.value - b.value);
  let total = 0;
  for (const h of sorted) total += h.count;
  return (q) => {
    const target = q * total;
    let cumulative = 0;
    for (const h of sorted) {
      cumulative += h.count;
      if (cumulative >= target) return h.value;
    }
    return sorted[sorted.length - 1]!.value;
  };
}

/** The JSON profile of one column from its data/stats profile. */
export function toDatasetColumnProfile(profile: ColumnProfile, type: LogicalType): DatasetColumnProfile {
  const out: DatasetColumnProfile = {
    name: profile.name,
    type,
    count: profile.present,
    missing: profile.missing,
    distinct: profile.distinct,
    distinctApproximate: !profile.distinctIsExact,
  };
  if (profile.kind === 'categorical') {
    out.topCategories = profile.frequentItems.items.slice(0, PROFILE_TOP_CATEGORIES).map((i) => ({ value: i.value, count: i.count }));
    out.topCategoriesApproximate = !profile.frequentItems.exact;
    return out;
  }
  if (profile.present > 0) {
    const m = profile.moments;
    // With few distinct values the exact histogram gives exact quantiles; otherwise the KLL sketch.
    const exact = profile.histogram === null ? undefined : histogramQuantile(profile.histogram);
    const cdf = exact === undefined ? kllCdf(profile.kll) : undefined;
    const quantile = (q: number): number => (exact !== undefined ? exact(q) : kllQuantile(cdf!, q));
    out.numeric = {
      min: m.min,
      max: m.max,
      mean: m.mean,
      std: m.stdDev,
      sum: m.sum,
      // The extremes are known exactly from the moments, whatever the sketch kept.
      quantiles: PROFILE_QUANTILES.map((q) => ({ q, value: q === 0 ? m.min : q === 1 ? m.max : quantile(q) })),
      quantilesApproximate: exact === undefined && profile.kll.worstCaseError > 0,
    };
  }
  if (type === 'boolean' && profile.histogram !== null) {
    const categories: CategoryCount[] = profile.histogram.map((h) => ({ value: h.value === 1 ? 'true' : 'false', count: h.count }));
    out.topCategories = categories;
    out.topCategoriesApproximate = false;
  }
  return out;
}

/**
 * Profile of an in-memory frame.
 * @example const profile = profileDataset(parseCsvFrame(bytes));
 */
export function profileDataset(frame: ColumnFrame, options: ProfileOptions = {}): DatasetProfile {
  const stats = profileFrame(frame, options);
  return {
    version: 1,
    rowCount: frame.rowCount,
    columns: stats.columns.map((p, j) => toDatasetColumnProfile(p, frame.columns[j]!.dtype)),
  };
}

/** One column of a {@link TextProfiler}. */
interface TextColumnState {
  readonly name: string;
  /** The type a declared schema fixes, if any. */
  readonly declared: LogicalType | undefined;
  readonly inference: TypeInference;
  /** Profile of the numeric readings while the column may still be numeric. */
  numeric: ColumnProfileState | undefined;
  /** Profile of the text, started in the batch where the column turned out to be text. */
  text: ColumnProfileState | undefined;
  /** The numeric profile of the rows before that batch, if there were any. */
  before: ColumnProfile | undefined;
}

/**
 * Profiles columns of CSV text batch by batch before their types are known. Each column feeds
 * its cells' numeric readings to a numeric profile; only when a value rules out every numeric
 * type does it switch to a categorical profile of the text. Profiling the text of every column
 * from the start would cost about a third more time for the rare column that switches late.
 * For such a column the categories of the earlier rows are rebuilt from the numeric profile's
 * exact histogram (the number's shortest form rather than the original text), so its
 * categories and distinct count are flagged approximate.
 */
export class TextProfiler {
  readonly #columns: TextColumnState[];
  readonly #values: Float64Array;
  readonly #options: ProfileOptions;
  #rowCount = 0;

  /**
   * @param declared Types fixed by a declared schema, per column (undefined = infer). The caller
   * must have checked that every cell conforms.
   */
  constructor(names: readonly string[], batchRows: number, options: ProfileOptions = {}, declared: readonly (LogicalType | undefined)[] = []) {
    this.#values = new Float64Array(batchRows);
    this.#options = options;
    this.#columns = names.map((name, j) => {
      const type = declared[j];
      const text = type === 'string';
      return {
        name,
        declared: type,
        inference: new TypeInference(),
        numeric: text ? undefined : initColumnProfile({ kind: 'numeric', name, dtype: 'fractional' }, options),
        text: text ? initColumnProfile({ kind: 'categorical', name, dtype: 'string' }, options) : undefined,
        before: undefined,
      };
    });
  }

  /** Adds one batch: `cells[j][i]` is row i of column j; every column has `rows` cells. */
  addBatch(cells: readonly (readonly string[])[], rows: number): void {
    const values = this.#values.subarray(0, rows);
    for (const [j, state] of this.#columns.entries()) {
      const column = cells[j]!;
      const inference = state.inference;
      if (state.numeric !== undefined) {
        for (let i = 0; i < rows; i++) values[i] = inference.observeValue(column[i]!);
        if (!inference.isString) {
          updateColumnProfile(state.numeric, { kind: 'numeric', name: state.name, dtype: 'fractional', values }, 0, rows);
          continue;
        }
        const earlier = finalizeColumnProfile(state.numeric);
        state.before = earlier.rows > 0 ? earlier : undefined;
        state.numeric = undefined;
        state.text = initColumnProfile({ kind: 'categorical', name: state.name, dtype: 'string' }, this.#options);
      } else {
        for (let i = 0; i < rows; i++) inference.observe(column[i]!);
      }
      if (state.text !== undefined) updateColumnProfile(state.text, encodeTextColumn(state.name, column, rows), 0, rows);
    }
    this.#rowCount += rows;
  }

  get rowCount(): number {
    return this.#rowCount;
  }

  /** The inferred type of each column and the dataset profile. */
  finish(): { types: LogicalType[]; nullable: boolean[]; profile: DatasetProfile } {
    for (const [j, c] of this.#columns.entries()) {
      const stray = c.declared === undefined ? c.inference.strayText : undefined;
      if (stray !== undefined) throw strayTextError(c.name, j, stray);
    }
    const types = this.#columns.map((c) => c.declared ?? c.inference.type);
    const columns = this.#columns.map((c, j) => finishColumn(c, types[j]!));
    return {
      types,
      nullable: this.#columns.map((c) => c.inference.missing > 0),
      profile: { version: 1, rowCount: this.#rowCount, columns },
    };
  }
}

function finishColumn(state: TextColumnState, type: LogicalType): DatasetColumnProfile {
  if (state.numeric !== undefined) {
    const profile = finalizeColumnProfile(state.numeric);
    if (type !== 'string') return toDatasetColumnProfile(profile, type);
    // No value at all: an empty string column.
    return { name: state.name, type, count: 0, missing: profile.missing, distinct: 0, distinctApproximate: false, topCategories: [], topCategoriesApproximate: false };
  }
  if (type !== 'string') {
    throw new AppError('DATA_SCHEMA_MISMATCH', { message: `Column "${state.name}" is declared ${type} but holds text`, details: { column: state.name } });
  }
  const textProfile = finalizeColumnProfile(state.text!);
  const text = toDatasetColumnProfile(textProfile, 'string');
  const before = state.before;
  if (before === undefined || before.kind !== 'numeric' || textProfile.kind !== 'categorical') return text;
  const counts = new Map<string, number>();
  for (const item of textProfile.frequentItems.items) counts.set(item.value, item.count);
  for (const h of before.histogram ?? []) {
    const value = String(h.value);
    counts.set(value, (counts.get(value) ?? 0) + h.count);
  }
  const exactUnion = before.histogram !== null && textProfile.frequentItems.exact;
  const topCategories = [...counts.entries()]
    .map(([value, count]) => ({ value, count }))
    .sort((x, y) => y.count - x.count || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0))
    .slice(0, PROFILE_TOP_CATEGORIES);
  return {
    ...text,
    count: text.count + before.present,
    missing: text.missing + before.missing,
    distinct: exactUnion ? counts.size : text.distinct + before.distinct,
    distinctApproximate: true,
    topCategories,
    topCategoriesApproximate: true,
  };
}

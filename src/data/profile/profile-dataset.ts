/**
 * @module data/profile/profile-dataset
 * Dataset profiles built on the mergeable profilers of data/stats (moments, KLL quantiles,
 * HyperLogLog, frequent items): from an in-memory frame, or incrementally from batches of CSV
 * text whose column types are only known at the end. Memory is bounded by the sketches' sizes.
 */
import type { ColumnFrame } from '../frame/column-frame.js';
import { encodeTextColumn } from '../frame/frame-ops.js';
import type { LogicalType } from '../schema/data-schema.js';
import { TypeInference } from '../schema/type-inference.js';
import type { ColumnProfile, ColumnProfileState, ProfileOptions } from '../stats/index.js';
import { finalizeColumnProfile, initColumnProfile, kllCdf, kllQuantile, profileFrame, updateColumnProfile } from '../stats/index.js';
import type { CategoryCount, DatasetColumnProfile, DatasetProfile } from './dataset-profile.js';
import { PROFILE_QUANTILES, PROFILE_TOP_CATEGORIES } from './dataset-profile.js';

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
    const cdf = kllCdf(profile.kll);
    out.numeric = {
      min: m.min,
      max: m.max,
      mean: m.mean,
      std: m.stdDev,
      sum: m.sum,
      // The extremes are known exactly from the moments, whatever the sketch kept.
      quantiles: PROFILE_QUANTILES.map((q) => ({ q, value: q === 0 ? m.min : q === 1 ? m.max : kllQuantile(cdf, q) })),
      quantilesApproximate: profile.kll.worstCaseError > 0,
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

/** One column of a {@link TextProfiler}: its type inference and both possible profiles. */
interface TextColumnState {
  readonly name: string;
  readonly inference: TypeInference;
  /** Profile of the numeric readings; dropped once the column can only be a string column. */
  numeric: ColumnProfileState | undefined;
  readonly text: ColumnProfileState;
}

/**
 * Profiles columns of CSV text batch by batch before their types are known: each column feeds
 * its cells' numeric readings to a numeric profile and the cells themselves to a categorical
 * profile, and `finish` keeps the one that matches the inferred type.
 */
export class TextProfiler {
  readonly #columns: TextColumnState[];
  readonly #values: Float64Array;
  #rowCount = 0;

  constructor(names: readonly string[], batchRows: number, options: ProfileOptions = {}) {
    this.#values = new Float64Array(batchRows);
    this.#columns = names.map((name) => ({
      name,
      inference: new TypeInference(),
      numeric: initColumnProfile({ kind: 'numeric', name, dtype: 'fractional' }, options),
      text: initColumnProfile({ kind: 'categorical', name, dtype: 'string' }, options),
    }));
  }

  /** Adds one batch: `cells[j][i]` is row i of column j; every column has `rows` cells. */
  addBatch(cells: readonly (readonly string[])[], rows: number): void {
    const values = this.#values.subarray(0, rows);
    for (const [j, state] of this.#columns.entries()) {
      const column = cells[j]!;
      const inference = state.inference;
      for (let i = 0; i < rows; i++) values[i] = inference.observeValue(column[i]!);
      if (inference.isString) state.numeric = undefined;
      if (state.numeric !== undefined) updateColumnProfile(state.numeric, { kind: 'numeric', name: state.name, dtype: 'fractional', values }, 0, rows);
      updateColumnProfile(state.text, encodeTextColumn(state.name, column, rows), 0, rows);
    }
    this.#rowCount += rows;
  }

  get rowCount(): number {
    return this.#rowCount;
  }

  /** The inferred type of each column and the dataset profile. */
  finish(): { types: LogicalType[]; nullable: boolean[]; profile: DatasetProfile } {
    const types = this.#columns.map((c) => c.inference.type);
    const columns = this.#columns.map((c, j) => {
      const type = types[j]!;
      const state = type === 'string' || c.numeric === undefined ? c.text : c.numeric;
      return toDatasetColumnProfile(finalizeColumnProfile(state), type);
    });
    return {
      types,
      nullable: this.#columns.map((c) => c.inference.missing > 0),
      profile: { version: 1, rowCount: this.#rowCount, columns },
    };
  }
}

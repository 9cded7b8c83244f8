/**
 * @module data/profile/dataset-profile
 * The JSON form of a dataset profile, stored with every dataset version: row count and, per
 * column, counts, missing values, distinct values, numeric summaries (min, max, mean, standard
 * deviation, quantiles) and the most frequent categories.
 */
import { z } from 'zod';
import { LogicalTypeSchema } from '../schema/data-schema.js';

/** Quantile levels every profile reports. */
export const PROFILE_QUANTILES: readonly number[] = [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1];

/** How many of the most frequent categories a profile keeps. */
export const PROFILE_TOP_CATEGORIES = 10;

export const NumericSummarySchema = z.object({
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  /** Population standard deviation (divisor n), as Deequ's StandardDeviation. */
  std: z.number(),
  sum: z.number(),
  /**
   * Lower quantiles: the smallest value whose cumulative share is ≥ q (inverted empirical CDF,
   * Hyndman–Fan definition 1), read from a KLL sketch (data/stats).
   */
  quantiles: z.array(z.object({ q: z.number().min(0).max(1), value: z.number() })),
  /** True when the sketch compacted values, so quantiles carry KLL's rank error; false when exact. */
  quantilesApproximate: z.boolean(),
});
export type NumericSummary = z.infer<typeof NumericSummarySchema>;

export const CategoryCountSchema = z.object({ value: z.string(), count: z.number().int().nonnegative() });
export type CategoryCount = z.infer<typeof CategoryCountSchema>;

export const DatasetColumnProfileSchema = z.object({
  name: z.string(),
  type: LogicalTypeSchema,
  /** Non-missing values. */
  count: z.number().int().nonnegative(),
  missing: z.number().int().nonnegative(),
  distinct: z.number().int().nonnegative(),
  /** True when `distinct` is a HyperLogLog estimate rather than an exact count. */
  distinctApproximate: z.boolean(),
  /** For integer, fractional, boolean (share of true = mean) and datetime (epoch ms) columns with a value. */
  numeric: NumericSummarySchema.optional(),
  /** Most frequent values, most frequent first, ties by value; for string and boolean columns. */
  topCategories: z.array(CategoryCountSchema).optional(),
  /** True when `topCategories` counts are lower bounds from a Misra–Gries summary rather than exact. */
  topCategoriesApproximate: z.boolean().optional(),
});
export type DatasetColumnProfile = z.infer<typeof DatasetColumnProfileSchema>;

export const DatasetProfileSchema = z.object({
  version: z.literal(1),
  rowCount: z.number().int().nonnegative(),
  columns: z.array(DatasetColumnProfileSchema),
});
/** A dataset profile; validate untrusted JSON with `DatasetProfileSchema.parse`. */
export type DatasetProfile = z.infer<typeof DatasetProfileSchema>;

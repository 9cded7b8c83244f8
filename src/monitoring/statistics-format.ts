/**
 * @module monitoring/statistics-format
 * SageMaker Model Monitor's `statistics.json` (algorithms-and-formats.md §3.1): built from a
 * {@link FrameProfile}, parsed back with validation. Numeric features carry a KLL distribution
 * materialised in 10 equal-width buckets between min and max (Deequ: bound_i = min + (max−min)·i/10,
 * the last bucket closed) plus the sketch's parameters and compactor data; string features carry
 * the distinct count and categorical buckets.
 */
import { z } from 'zod';
import type { ColumnProfile, FrameProfile, KllSketch, WeightedCdf } from '../data/index.js';
import { cdfRank, kllCdf, kllFromData } from '../data/index.js';
import { AppError } from '../kernel/index.js';

const common = z.object({ num_present: z.number(), num_missing: z.number() });
const kllBucket = z.object({ lower_bound: z.number(), upper_bound: z.number(), count: z.number() });
const numericalStatistics = z.object({
  common,
  mean: z.number(),
  sum: z.number(),
  std_dev: z.number(),
  min: z.number(),
  max: z.number(),
  distribution: z.object({
    kll: z.object({
      buckets: z.array(kllBucket),
      sketch: z.object({ parameters: z.object({ c: z.number(), k: z.number() }), data: z.array(z.array(z.number())) }),
    }),
  }),
});
const stringStatistics = z.object({
  common,
  distinct_count: z.number(),
  distribution: z.object({ categorical: z.object({ buckets: z.array(z.object({ value: z.string(), count: z.number() })) }) }),
});
const inferredType = z.enum(['Integral', 'Fractional', 'Boolean', 'String', 'Unknown']);
const featureStatistics = z.object({
  name: z.string(),
  inferred_type: inferredType,
  numerical_statistics: numericalStatistics.optional(),
  string_statistics: stringStatistics.optional(),
});

/** Zod schema of statistics.json. */
export const statisticsSchema = z.object({
  version: z.number(),
  dataset: z.object({ item_count: z.number() }),
  features: z.array(featureStatistics),
});

export type Statistics = z.infer<typeof statisticsSchema>;
export type FeatureStatistics = z.infer<typeof featureStatistics>;
export type NumericalStatistics = z.infer<typeof numericalStatistics>;

/** Number of KLL buckets Model Monitor materialises (not configurable there either). */
export const KLL_BUCKETS = 10;

/** Equal-width bucket counts from a sketch CDF: [lo, hi) and the last bucket [lo, hi]. */
export function kllBuckets(cdf: WeightedCdf, min: number, max: number, buckets = KLL_BUCKETS): { lower_bound: number; upper_bound: number; count: number }[] {
  const out: { lower_bound: number; upper_bound: number; count: number }[] = [];
  for (let i = 0; i < buckets; i++) {
    const lo = min + ((max - min) * i) / buckets;
    const hi = i === buckets - 1 ? max : min + ((max - min) * (i + 1)) / buckets;
    const below = cdfRank(cdf, lo, false);
    const upTo = i === buckets - 1 ? cdfRank(cdf, hi, true) : cdfRank(cdf, hi, false);
    out.push({ lower_bound: lo, upper_bound: hi, count: upTo - below });
  }
  return out;
}

function featureFromProfile(p: ColumnProfile): FeatureStatistics {
  const c = { num_present: p.present, num_missing: p.missing };
  if (p.kind === 'numeric') {
    const m = p.moments;
    const present = m.count > 0;
    return {
      name: p.name,
      inferred_type: p.inferredType,
      numerical_statistics: {
        common: c,
        mean: present ? m.mean : 0,
        sum: m.sum,
        std_dev: present ? m.stdDev : 0,
        min: present ? m.min : 0,
        max: present ? m.max : 0,
        distribution: {
          kll: {
            buckets: present ? kllBuckets(kllCdf(p.kll), m.min, m.max) : [],
            sketch: { parameters: { c: p.kll.c, k: p.kll.k }, data: p.kll.data },
          },
        },
      },
    };
  }
  return {
    name: p.name,
    inferred_type: p.inferredType,
    string_statistics: {
      common: c,
      distinct_count: p.distinct,
      distribution: { categorical: { buckets: p.frequentItems.items.map((i) => ({ value: i.value, count: i.count })) } },
    },
  };
}

/** statistics.json for a profiled frame. */
export function buildStatistics(profile: FrameProfile): Statistics {
  return { version: 0, dataset: { item_count: profile.rowCount }, features: profile.columns.map(featureFromProfile) };
}

/** Parses and validates statistics.json (throws INVALID_INPUT with the first problem). */
export function parseStatistics(json: unknown): Statistics {
  const r = statisticsSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new AppError('INVALID_INPUT', { message: `statistics.json is not valid: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(), details: { issues: r.error.issues.length } });
  }
  return r.data;
}

/** The stored KLL sketch of a numeric feature. */
export function sketchOf(stats: NumericalStatistics): KllSketch {
  const { c, k } = stats.distribution.kll.sketch.parameters;
  return kllFromData(k, c, stats.distribution.kll.sketch.data);
}

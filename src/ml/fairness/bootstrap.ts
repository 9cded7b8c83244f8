/**
 * @module ml/fairness/bootstrap
 * Seeded percentile-bootstrap confidence intervals for every bias metric (Efron & Tibshirani, "An
 * Introduction to the Bootstrap", 1993, ch. 13). Each replicate draws n rows with replacement
 * (`createRandom(seed)`), recounts the cells and recomputes the metrics; the flip test keeps the
 * kNN fitted on the full facet-a sample and resamples the facet-d rows' flip outcomes (an interval
 * conditional on the fitted kNN, which keeps the test affordable). Replicates where a metric is
 * undefined or infinite are left out, and the interval reports how many were used.
 */
import { createRandom } from '../../kernel/index.js';
import { linearQuantile } from '../metrics/index.js';
import { type BiasRows, cellIndex, countCells } from './bias-counts.js';
import type { FlipState, MetricDefinition, MetricInput, MetricName } from './clarify-metrics.js';

export interface BootstrapOptions {
  /** Number of replicates; default 200. 0 turns the bootstrap off. */
  readonly replicates?: number;
  /** PRNG seed; default 1. */
  readonly seed?: number;
  /** Two-sided confidence level; default 0.95. */
  readonly confidenceLevel?: number;
}

/** A percentile interval, null bounds when no replicate gave a finite value. */
export interface ConfidenceInterval {
  readonly lower: number | null;
  readonly upper: number | null;
  /** Replicates with a finite value of the metric. */
  readonly replicates: number;
}


/** Context shared by all replicates of one facet selection. */
export interface BootstrapContext {
  readonly rows: BiasRows;
  readonly metrics: readonly MetricDefinition[];
  readonly hasGroup: boolean;
  readonly groupError?: string;
  /** Flip outcomes per row (facet d only), or the flip test's error. */
  readonly flips?: { readonly flips: Int8Array } | { readonly error: string };
}

/** Intervals for each metric. Deterministic for a given seed. */
export function bootstrapIntervals(ctx: BootstrapContext, options: Required<BootstrapOptions>): Map<MetricName, ConfidenceInterval> {
  const n = ctx.rows.facet.length;
  const random = createRandom(options.seed);
  const draws = new Map<MetricName, number[]>(ctx.metrics.map((m) => [m.name, []]));
  const sample = new Int32Array(n);
  const cells = cellIndex(ctx.rows);
  for (let b = 0; b < options.replicates; b++) {
    for (let j = 0; j < n; j++) sample[j] = random.nextInt(n);
    const counts = countCells(ctx.rows, sample, cells);
    let flip: FlipState | undefined;
    if (ctx.flips !== undefined) {
      if ('error' in ctx.flips) flip = ctx.flips;
      else {
        let flipSum = 0;
        for (const i of sample) flipSum += ctx.flips.flips[i]!;
        flip = { flipSum };
      }
    }
    const input: MetricInput = { counts, hasGroup: ctx.hasGroup, ...(flip ? { flip } : {}), ...(ctx.groupError ? { groupError: ctx.groupError } : {}) };
    for (const metric of ctx.metrics) {
      let value: number;
      try {
        value = metric.compute(input);
      } catch {
        continue;
      }
      if (Number.isFinite(value)) draws.get(metric.name)!.push(value);
    }
  }
  const alpha = 1 - options.confidenceLevel;
  const result = new Map<MetricName, ConfidenceInterval>();
  for (const [name, values] of draws) {
    if (values.length === 0) {
      result.set(name, { lower: null, upper: null, replicates: 0 });
      continue;
    }
    const sorted = Float64Array.from(values).sort();
    result.set(name, { lower: linearQuantile(sorted, alpha / 2), upper: linearQuantile(sorted, 1 - alpha / 2), replicates: values.length });
  }
  return result;
}

/**
 * @module serving/serving-metrics
 * The serving process's metrics in Prometheus's text exposition format (version 0.0.4):
 * counters and histograms with labels, kept in memory and rendered on scrape. Small on purpose:
 * the few metric families the issue names need no client library.
 */

type Labels = Readonly<Record<string, string>>;

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',');
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

export class Counter implements Family {
  readonly type: 'counter' | 'gauge';
  readonly #values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    type: 'counter' | 'gauge' = 'counter',
  ) {
    this.type = type;
  }
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.#values.set(k, (this.#values.get(k) ?? 0) + by);
  }
  set(labels: Labels, value: number): void {
    this.#values.set(labelKey(labels), value);
  }
  get(labels: Labels = {}): number {
    return this.#values.get(labelKey(labels)) ?? 0;
  }
  /** Drops every series carrying all of `labels` (a gauge of the latest execution forgets the one before). */
  clear(labels: Labels): void {
    const parts = labelKey(labels).split(',').filter((p) => p !== '');
    for (const k of [...this.#values.keys()]) if (parts.every((p) => k.split(',').includes(p))) this.#values.delete(k);
  }
  render(): string[] {
    return [...this.#values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${v}`);
  }
}

/** Latency buckets in seconds, from 100 µs to 1 s. */
export const LATENCY_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export class Histogram implements Family {
  readonly type = 'histogram' as const;
  readonly #series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[] = LATENCY_BUCKETS_S,
  ) {}
  observe(labels: Labels, value: number): void {
    const k = labelKey(labels);
    let s = this.#series.get(k);
    if (!s) {
      s = { counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.#series.set(k, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }
  render(): string[] {
    const out: string[] = [];
    for (const [k, s] of this.#series) {
      const sep = k ? `${k},` : '';
      this.buckets.forEach((b, i) => {
        out.push(`${this.name}_bucket{${sep}le="${b}"} ${s.counts[i]}`);
      });
      out.push(`${this.name}_bucket{${sep}le="+Inf"} ${s.count}`);
      out.push(`${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`);
      out.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return out;
  }
}

/** The metric families of a serving process. */
export class ServingMetrics {
  readonly requests = new Counter('attest_endpoint_requests_total', 'Invocation requests by endpoint, variant and HTTP status');
  readonly rows = new Counter('attest_endpoint_rows_total', 'Rows scored by endpoint and variant');
  readonly latency = new Histogram('attest_endpoint_request_duration_seconds', 'Invocation latency from parsed request to response, by endpoint');
  readonly captured = new Counter('attest_capture_records_total', 'Capture records written to the write-ahead log (acknowledged) by endpoint');
  readonly captureStored = new Counter('attest_capture_records_stored_total', 'Capture records stored as encrypted artifacts', 'gauge');
  readonly shadowErrors = new Counter('attest_endpoint_shadow_errors_total', 'Shadow variant scoring failures by endpoint');
  readonly reviews = new Counter('attest_review_tasks_created_total', 'Requests routed to human review by endpoint and reason');
  readonly drift = new Counter('attest_monitoring_drift_statistic', 'Latest drift statistic per endpoint and feature (monitoring executions)', 'gauge');
  readonly violations = new Counter('attest_monitoring_violations_total', 'Constraint violations found by monitoring executions by endpoint and kind');
  readonly executions = new Counter('attest_monitoring_executions_total', 'Monitoring executions by endpoint and status');
  readonly featureDrift = new Counter('attest_monitoring_feature_drift', "Latest data-quality execution per endpoint, schedule and feature: Model Monitor's L-infinity distance (statistic=distance), the default test's p-value when it is a p-value test (statistic=p_value), drifted 0/1 (statistic=drifted)", 'gauge');
  readonly checkViolations = new Counter('attest_monitoring_check_violations', 'Violations of the latest execution per endpoint, schedule and Model Monitor check type (baseline_drift_check, model_quality_check, bias_drift_check, …)', 'gauge');
  readonly attributionNdcg = new Counter('attest_monitoring_attribution_ndcg', 'nDCG of the latest attribution-drift execution per endpoint, schedule and label (violation below the threshold)', 'gauge');

  #families(): Family[] {
    return [this.requests, this.rows, this.latency, this.captured, this.captureStored, this.shadowErrors, this.reviews, this.drift, this.violations, this.executions, this.featureDrift, this.checkViolations, this.attributionNdcg];
  }

  /** The exposition text. */
  render(): string {
    const lines: string[] = [];
    for (const f of this.#families()) {
      lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...f.render());
    }
    return `${lines.join('\n')}\n`;
  }
}

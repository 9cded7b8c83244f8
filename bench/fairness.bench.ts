/**
 * Benchmarks for bias metrics, logistic regression and evaluation metrics on the full credit card
 * default data (30,000 rows). The logistic regression fit is compared with scikit-learn's
 * LogisticRegression (lbfgs, same standardised inputs and C) when `python3` can import sklearn.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readFrameCsv } from '../test/support/frame-csv.js';
import { DATASETS_DIR } from '../test/support/golden.js';
import { type ColumnFrame, numericColumn } from '../src/data/index.js';
import { biasReport } from '../src/ml/fairness/index.js';
import { fitLogisticRegression, predictLogistic } from '../src/ml/linear/index.js';
import { binaryMetrics } from '../src/ml/metrics/index.js';
import type { BenchResult } from './types.js';

function medianMs(repeats: number, work: () => void): number {
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    work();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function sklearnFitMs(csv: string, features: string[]): number | undefined {
  const script = `
import sys, time, numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression
d = pd.read_csv(sys.argv[1]); X = d[sys.argv[2].split(',')].values.astype(float); y = d['default'].values
Z = (X - X.mean(0)) / X.std(0)
t = []
for _ in range(5):
    s = time.perf_counter(); LogisticRegression(C=1.0, tol=1e-8, max_iter=1000).fit(Z, y); t.append(time.perf_counter() - s)
print(sorted(t)[2] * 1000)`;
  for (const python of ['/usr/bin/python3', 'python3']) {
    try {
      return Number(execFileSync(python, ['-c', script, csv, features.join(',')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    } catch {}
  }
  return undefined;
}

export async function run(): Promise<BenchResult[]> {
  const csv = join(DATASETS_DIR, 'uci_credit_card_default.csv');
  const frame = readFrameCsv(csv);
  const features = frame.columns.map((c) => c.name).filter((n) => n !== 'ID' && n !== 'default');
  const rows = frame.rowCount;
  const values = new Float64Array(rows * features.length);
  features.forEach((name, j) => {
    const col = frame.columns.find((c) => c.name === name)!;
    if (col.kind === 'numeric') for (let i = 0; i < rows; i++) values[i * features.length + j] = col.values[i]!;
  });
  const labelCol = frame.columns.find((c) => c.name === 'default')!;
  const labels = labelCol.kind === 'numeric' ? labelCol.values : new Float64Array(rows);
  const x = { rows, cols: features.length, values };
  const results: BenchResult[] = [];

  let model = fitLogisticRegression(x, labels, features, { C: 1 });
  const fitMs = medianMs(5, () => {
    model = fitLogisticRegression(x, labels, features, { C: 1 });
  });
  const reference = sklearnFitMs(csv, features);
  results.push({
    name: `logistic regression fit (L2, C=1, ${rows}×${features.length})`,
    value: fitMs,
    unit: 'ms',
    ...(reference !== undefined ? { reference: { name: 'scikit-learn lbfgs', value: reference }, ratio: fitMs / reference } : {}),
    goal: 'ratio <= 1.5 (informational)',
  });

  const scores = predictLogistic(model, x);
  results.push({ name: `binary metrics (${rows} rows)`, value: medianMs(5, () => binaryMetrics(labels, scores)), unit: 'ms' });

  const withPredictions: ColumnFrame = {
    rowCount: rows,
    columns: [...frame.columns.filter((c) => c.name !== 'ID'), numericColumn('predicted_label', Float64Array.from(scores, (p) => (p > 0.5 ? 1 : 0)), 'integer')],
  };
  const options = { label: 'default', positive: [1], facet: 'SEX', sensitive: [2], group: 'EDUCATION', predicted: 'predicted_label' } as const;
  results.push({
    name: `bias report, Clarify metrics incl. flip test on 23 features (${rows} rows)`,
    value: medianMs(3, () => biasReport(withPredictions, { ...options, bootstrap: false })),
    unit: 'ms',
  });
  results.push({
    name: `bias report with 200 bootstrap replicates (${rows} rows)`,
    value: medianMs(3, () => biasReport(withPredictions, options)),
    unit: 'ms',
  });
  return results;
}

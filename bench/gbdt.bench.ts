/**
 * Gradient-boosted trees: training time on the whitepaper setup (credit default, golden split,
 * binary:logistic, max_depth 5, eta 0.2, gamma 4, min_child_weight 6, subsample 0.8, 100 rounds)
 * against XGBoost 1.7 hist with one thread measured in the same run (bench/xgb_reference.py,
 * when a python3 with xgboost is found), prediction rows per second against XGBoost's, and
 * training time at 1×, 2× and 4× the training rows (rows replicated) to show linear growth.
 * Figures are medians of several repetitions after a warm-up run.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { predict, train } from '../src/ml/gbdt/index.js';
import type { FeatureMatrix } from '../src/ml/gbdt/index.js';
import { DATASETS_DIR } from '../test/support/golden.js';
import { creditDefault, pythonWithXgboost } from '../test/support/gbdt-data.js';
import type { BenchResult } from './types.js';

const PAPER_PARAMS = { objective: 'binary:logistic', max_depth: 5, eta: 0.2, gamma: 4, min_child_weight: 6, subsample: 0.8, seed: 0, num_round: 100 };
const REPS = 3;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function timeIt(reps: number, fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    times.push((performance.now() - t) / 1000);
  }
  return median(times);
}

function replicate(x: FeatureMatrix, y: Float32Array, k: number): { x: FeatureMatrix; y: Float32Array } {
  const values = new Float32Array(x.values.length * k);
  const labels = new Float32Array(y.length * k);
  for (let i = 0; i < k; i++) {
    values.set(x.values, i * x.values.length);
    labels.set(y, i * y.length);
  }
  return { x: { rows: x.rows * k, cols: x.cols, values }, y: labels };
}

interface XgbReference {
  train_s: number;
  predict_rows_per_s: number;
  test_auc: number;
}

function xgboostReference(): XgbReference | null {
  const python = pythonWithXgboost();
  if (python === null) return null;
  const script = join(dirname(fileURLToPath(import.meta.url)), 'xgb_reference.py');
  const result = spawnSync(python, [script, join(DATASETS_DIR, 'uci_credit_card_default.csv'), String(REPS)], { encoding: 'utf8' });
  if (result.status !== 0) return null;
  return JSON.parse(result.stdout) as XgbReference;
}

export async function run(): Promise<BenchResult[]> {
  const data = creditDefault('default');
  const all = replicate(data.train.x, data.train.y, 1);
  const parts = [data.train.x, data.validation.x, data.test.x];
  const everything: FeatureMatrix = { rows: parts.reduce((n, p) => n + p.rows, 0), cols: data.train.x.cols, values: new Float32Array(parts.reduce((n, p) => n + p.values.length, 0)) };
  parts.reduce((offset, p) => {
    everything.values.set(p.values, offset);
    return offset + p.values.length;
  }, 0);
  const trainOnce = (x: FeatureMatrix, y: Float32Array, threads?: number) =>
    train({ x, y, featureNames: data.featureNames }, PAPER_PARAMS, threads === undefined ? { evaluateTraining: false } : { evaluateTraining: false, threads });

  const trainS = timeIt(REPS, () => trainOnce(all.x, all.y));
  const trainS1 = timeIt(REPS, () => trainOnce(all.x, all.y, 1));
  const model = trainOnce(all.x, all.y).model;
  const predictS = timeIt(Math.max(REPS, 5), () => predict(model, everything));
  const predictRate = everything.rows / predictS;
  const scaling: Record<number, number> = { 1: trainS };
  for (const k of [2, 4]) {
    const big = replicate(data.train.x, data.train.y, k);
    scaling[k] = timeIt(REPS, () => trainOnce(big.x, big.y));
  }

  const xgb = xgboostReference();
  const results: BenchResult[] = [];
  results.push(
    xgb === null
      ? { name: 'gbdt train, paper setup (21,000 rows, 100 rounds; XGBoost not importable, no reference)', value: trainS, unit: 's', goal: 'ratio to XGBoost hist 1 thread <= 1.5' }
      : {
          name: 'gbdt train, paper setup (21,000 rows, 100 rounds; histogram worker when 2 cores)',
          value: trainS,
          unit: 's',
          reference: { name: 'XGBoost 1.7 hist, nthread=1', value: xgb.train_s },
          ratio: trainS / xgb.train_s,
          goal: 'time ratio <= 1.5',
        },
  );
  results.push(
    xgb === null
      ? { name: 'gbdt train, paper setup, one thread (XGBoost not importable, no reference)', value: trainS1, unit: 's' }
      : {
          name: 'gbdt train, paper setup, one thread',
          value: trainS1,
          unit: 's',
          reference: { name: 'XGBoost 1.7 hist, nthread=1', value: xgb.train_s },
          ratio: trainS1 / xgb.train_s,
          goal: 'for information (same thread count as the reference)',
        },
  );
  results.push(
    xgb === null
      ? { name: 'gbdt predict, 30,000 rows × 100 trees (XGBoost not importable, no reference)', value: predictRate, unit: 'rows/s', goal: 'ratio to XGBoost >= 0.5' }
      : {
          name: 'gbdt predict, 30,000 rows × 100 trees',
          value: predictRate,
          unit: 'rows/s',
          reference: { name: 'XGBoost 1.7 predict, nthread=1', value: xgb.predict_rows_per_s },
          ratio: predictRate / xgb.predict_rows_per_s,
          goal: 'rows/s ratio >= 0.5',
        },
  );
  for (const k of [2, 4]) {
    results.push({
      name: `gbdt train, paper setup at ${k}× rows (${(21000 * k).toLocaleString('en')} rows)`,
      value: scaling[k]!,
      unit: 's',
      reference: { name: `${k} × time at 1× rows`, value: k * scaling[1]! },
      ratio: scaling[k]! / (k * scaling[1]!),
      goal: 'linear growth: ratio <= ~1.1',
    });
  }
  return results;
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  for (const r of await run()) console.log(JSON.stringify(r));
}

/**
 * Explainability benchmarks (issue 6): exact TreeSHAP rows per second on the whitepaper model
 * (100 trees, depth 5) over 10,000 rows of the UCI credit default data, on one thread and on all
 * cores, as a ratio to XGBoost's own `pred_contribs` with nthread=1 measured in the same run
 * (bench/xgb_shap_reference.py, when a python3 with xgboost is found; set ATTEST_PYTHON to choose
 * the interpreter); and KernelSHAP rows per second for 23 features and 100 background rows.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelShap, treeModelFunction, treeShap, treeShapParallel } from '../src/ml/explain/index.js';
import type { FeatureMatrix } from '../src/ml/gbdt/index.js';
import { parseXgboostModel } from '../src/ml/gbdt/index.js';
import type { BenchResult } from './types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODEL = join(ROOT, 'test/fixtures/golden/xgboost/credit_default_whitepaper/model.json');
const DATA = join(ROOT, 'datasets/uci_credit_card_default.csv');
const ROWS = 10_000;
const REPEATS = 7;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Rows of the credit data (ID first and label last dropped), empty cells missing. */
function loadRows(rows: number, skip = 0): FeatureMatrix {
  const lines = readFileSync(DATA, 'utf8').split('\n').slice(1 + skip, 1 + skip + rows).filter((l) => l.length > 0);
  const cols = lines[0]!.split(',').length - 2;
  const values = new Float32Array(lines.length * cols);
  lines.forEach((line, r) => {
    const cells = line.split(',');
    for (let j = 0; j < cols; j++) values[r * cols + j] = cells[j + 1] === '' ? Number.NaN : Number(cells[j + 1]);
  });
  return { rows: lines.length, cols, values };
}

function findPython(): string | undefined {
  const candidates = [process.env.ATTEST_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  return candidates.find((py) => spawnSync(py, ['-c', 'import xgboost, numpy'], { stdio: 'ignore' }).status === 0);
}

function xgboostReference(rows: number): { name: string; value: number } | undefined {
  const python = findPython();
  if (python === undefined) return undefined;
  const script = join(ROOT, 'bench/xgb_shap_reference.py');
  const run = spawnSync(python, [script, MODEL, DATA, String(rows), String(REPEATS)], { encoding: 'utf8' });
  if (run.status !== 0) return undefined;
  const out = JSON.parse(run.stdout) as { rows_per_s: number; xgboost: string };
  return { name: `XGBoost ${out.xgboost} pred_contribs, nthread=1`, value: out.rows_per_s };
}

export async function run(): Promise<BenchResult[]> {
  const model = parseXgboostModel(readFileSync(MODEL, 'utf8'));
  const x = loadRows(ROWS);
  const results: BenchResult[] = [];

  let t = performance.now();
  treeShap(model, { rows: 1, cols: x.cols, values: x.values.subarray(0, x.cols) });
  results.push({ name: 'TreeSHAP per-model table build (paper model)', value: performance.now() - t, unit: 'ms' });

  const single: number[] = [];
  for (let k = 0; k < REPEATS; k++) {
    t = performance.now();
    treeShap(model, x);
    single.push(x.rows / ((performance.now() - t) / 1000));
  }
  const threads = availableParallelism();
  await treeShapParallel(model, x, { threads });
  const multi: number[] = [];
  for (let k = 0; k < REPEATS; k++) {
    t = performance.now();
    await treeShapParallel(model, x, { threads });
    multi.push(x.rows / ((performance.now() - t) / 1000));
  }
  const reference = xgboostReference(ROWS);
  const one = median(single);
  const all = median(multi);
  results.push({
    name: `TreeSHAP exact, 1 thread (paper model, ${x.rows} rows)`,
    value: one,
    unit: 'rows/s',
    ...(reference ? { reference, ratio: one / reference.value } : {}),
    goal: 'ratio >= 2.0 vs XGBoost pred_contribs nthread=1',
  });
  results.push({
    name: `TreeSHAP exact, ${threads} threads (paper model, ${x.rows} rows)`,
    value: all,
    unit: 'rows/s',
    ...(reference ? { reference, ratio: all / reference.value } : {}),
    goal: 'faster than one thread',
  });

  // KernelSHAP: 23 features, 100 background rows, default budget 2M + 2048 coalitions, logit link.
  const background = loadRows(100, 20_000);
  const explain = loadRows(4, 25_000);
  const f = treeModelFunction(model);
  const kernel: number[] = [];
  for (let k = 0; k < 3; k++) {
    t = performance.now();
    kernelShap(f, explain, { background, link: 'logit', seed: k });
    kernel.push(explain.rows / ((performance.now() - t) / 1000));
  }
  results.push({ name: 'KernelSHAP, 23 features, 100 background rows, 2094 coalitions', value: median(kernel), unit: 'rows/s' });
  return results;
}

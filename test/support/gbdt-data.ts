/**
 * Training data for the gradient-boosting tests and benchmark: the credit default data split
 * exactly as the golden XGBoost cases were (numpy default_rng(42) permutation, committed as
 * test/fixtures/splits/*.json because numpy's generator cannot be reproduced in TypeScript),
 * and a locator for a Python interpreter that can import xgboost (for interop checks only).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATASETS_DIR, FIXTURES_DIR, readJson, readNumericCsv } from './golden.js';

export interface Split {
  train: number[];
  validation: number[];
  test: number[];
}

export interface Rows {
  x: { rows: number; cols: number; values: Float32Array };
  y: Float32Array;
}

export interface SplitData {
  featureNames: string[];
  train: Rows;
  validation: Rows;
  test: Rows;
}

export function readSplit(name: string): Split {
  return readJson<Split>(join(FIXTURES_DIR, 'splits', `${name}.json`));
}

function take(values: Float64Array, width: number, featureCols: number[], label: (row: number) => number, idx: readonly number[]): Rows {
  const cols = featureCols.length;
  const x = new Float32Array(idx.length * cols);
  const y = new Float32Array(idx.length);
  idx.forEach((r, i) => {
    for (let c = 0; c < cols; c++) x[i * cols + c] = values[r * width + featureCols[c]!]!;
    y[i] = label(r);
  });
  return { x: { rows: idx.length, cols, values: x }, y };
}

/**
 * The credit default data (ID dropped) split as the golden cases. `target` 'default' gives the
 * whitepaper's classification; 'limit' the regression case (LIMIT_BAL / 1000 from the other columns).
 */
export function creditDefault(target: 'default' | 'limit' = 'default'): SplitData {
  const csv = readNumericCsv(join(DATASETS_DIR, 'uci_credit_card_default.csv'));
  const split = readSplit('credit_default_rng42');
  const drop = new Set(['ID', 'default', ...(target === 'limit' ? ['LIMIT_BAL'] : [])]);
  const featureCols = csv.header.map((h, i) => (drop.has(h) ? -1 : i)).filter((i) => i >= 0);
  const labelCol = csv.header.indexOf(target === 'limit' ? 'LIMIT_BAL' : 'default');
  const label = target === 'limit' ? (r: number) => Math.fround(csv.values[r * csv.cols + labelCol]! / 1000) : (r: number) => csv.values[r * csv.cols + labelCol]!;
  const part = (idx: number[]) => take(csv.values, csv.cols, featureCols, label, idx);
  return { featureNames: featureCols.map((i) => csv.header[i]!), train: part(split.train), validation: part(split.validation), test: part(split.test) };
}

/**
 * German credit one-hot encoded as the golden multiclass case (pandas get_dummies with the
 * case's column-name sanitising), label = index of `purpose` among its sorted categories.
 */
export function germanCreditPurpose(featureNames: readonly string[], classes: readonly string[]): SplitData {
  const lines = readFileSync(join(DATASETS_DIR, 'german_credit.csv'), 'utf8').split('\n').filter((l) => l.length > 0);
  const header = lines.shift()!.split(',');
  const cells = lines.map((l) => l.split(','));
  const sanitise = (s: string) => s.replace(/\[/g, '(').replace(/]/g, ')').replace(/</g, 'lt');
  const getters = featureNames.map((name) => {
    const direct = header.indexOf(name);
    if (direct >= 0) return (row: string[]) => Number(row[direct]);
    for (let c = 0; c < header.length; c++) {
      const prefix = `${header[c]}_`;
      if (!name.startsWith(prefix)) continue;
      const categories = new Set(cells.map((row) => row[c]!));
      for (const cat of categories) if (sanitise(cat) === name.slice(prefix.length)) return (row: string[]) => (row[c] === cat ? 1 : 0);
    }
    throw new Error(`german credit: no column for ${name}`);
  });
  const purpose = header.indexOf('purpose');
  const values = new Float64Array(cells.length * (featureNames.length + 1));
  const width = featureNames.length + 1;
  cells.forEach((row, r) => {
    getters.forEach((get, c) => {
      values[r * width + c] = get(row);
    });
    values[r * width + featureNames.length] = classes.indexOf(row[purpose]!);
  });
  const split = readSplit('german_credit_rng42');
  const featureCols = featureNames.map((_, i) => i);
  const part = (idx: number[]) => take(values, width, featureCols, (r) => values[r * width + featureNames.length]!, idx);
  return { featureNames: [...featureNames], train: part(split.train), validation: part(split.validation), test: part(split.test) };
}

let cachedPython: string | null | undefined;

/** A python3 that can `import xgboost` ($ATTEST_PYTHON, python3, /usr/bin/python3), or null. */
export function pythonWithXgboost(): string | null {
  if (cachedPython !== undefined) return cachedPython;
  const candidates = [process.env.ATTEST_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => c !== undefined && c !== '');
  cachedPython = null;
  for (const candidate of candidates) {
    const result = spawnSync(candidate, ['-c', 'import xgboost'], { stdio: 'ignore' });
    if (result.status === 0) {
      cachedPython = candidate;
      break;
    }
  }
  return cachedPython;
}

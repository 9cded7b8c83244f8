/**
 * Monitoring (issue 7): baseline statistics (profile + statistics.json + constraints.json) over
 * 1,000,000 rows × 25 columns (20 numeric, 5 categorical; synthetic, seeded), against one pass of
 * plain typed-array moments (sum, sum of squares, min, max; category counts) over the same data in
 * the same run; and a drift check (constraint violations + drift report) of a 100,000-row window
 * against that baseline. Single-threaded; times are CPU seconds of this process (user + system,
 * `process.cpuUsage`), so rows/s is per core and stays meaningful on a shared machine; repetitions
 * of the profile and the reference pass are interleaved and their medians compared.
 */
import type { Column, ColumnFrame } from '../src/data/index.js';
import { numericColumn } from '../src/data/index.js';
import { createRandom } from '../src/kernel/index.js';
import { monitorCheck, suggestBaseline } from '../src/monitoring/index.js';
import type { BenchResult } from './types.js';

const ROWS = 1_000_000;
const WINDOW = 100_000;

function syntheticFrame(rows: number, seed: number, shift = 0): ColumnFrame {
  const r = createRandom(seed);
  const columns: Column[] = [];
  for (let c = 0; c < 20; c++) {
    const v = new Float64Array(rows);
    const kind = c % 4;
    for (let i = 0; i < rows; i++) {
      if (kind === 0) v[i] = 50 + 10 * r.nextNormal() + shift;
      else if (kind === 1) v[i] = Math.exp(r.nextNormal());
      else if (kind === 2) v[i] = r.nextInt(12);
      else v[i] = r.nextInt(100_000);
      if ((i & 255) === c) v[i] = Number.NaN;
    }
    columns.push(numericColumn(`n${c}`, v, kind >= 2 ? 'integer' : 'fractional'));
  }
  for (let c = 0; c < 5; c++) {
    const size = [3, 8, 20, 50, 200][c]!;
    const dictionary = Array.from({ length: size }, (_, i) => `cat_${c}_${i}`);
    const codes = new Int32Array(rows);
    for (let i = 0; i < rows; i++) codes[i] = Math.floor(r.next() ** 2 * size);
    columns.push({ kind: 'categorical', name: `c${c}`, dtype: 'string', codes, dictionary });
  }
  return { rowCount: rows, columns };
}

/** The reference: one plain pass of moments per numeric column and counts per categorical column. */
function plainMoments(frame: ColumnFrame): number {
  let guard = 0;
  for (const col of frame.columns) {
    if (col.kind === 'numeric') {
      const v = col.values;
      let n = 0;
      let s = 0;
      let s2 = 0;
      let mn = Number.POSITIVE_INFINITY;
      let mx = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < v.length; i++) {
        const x = v[i]!;
        if (Number.isNaN(x)) continue;
        n++;
        s += x;
        s2 += x * x;
        if (x < mn) mn = x;
        if (x > mx) mx = x;
      }
      guard += n + s + s2 + mn + mx;
    } else {
      const counts = new Float64Array(col.dictionary.length);
      for (const code of col.codes) if (code >= 0) counts[code] = counts[code]! + 1;
      guard += counts[0]!;
    }
  }
  return guard;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function cpuSeconds(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1e6;
}

function timeIt(reps: number, f: () => void): number {
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) ts.push(cpuSeconds(f));
  return median(ts);
}

export async function run(): Promise<BenchResult[]> {
  const frame = syntheticFrame(ROWS, 42);
  let guard = 0;
  let baseline = suggestBaseline(frame);
  const plain: number[] = [];
  const profile: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    plain.push(
      cpuSeconds(() => {
        guard += plainMoments(frame);
      }),
    );
    profile.push(
      cpuSeconds(() => {
        baseline = suggestBaseline(frame);
      }),
    );
  }
  const plainSeconds = median(plain);
  const baselineSeconds = median(profile);
  const window = syntheticFrame(WINDOW, 7, 5);
  let violations = 0;
  const checkSeconds = timeIt(3, () => {
    violations = monitorCheck(baseline, window).violations.violations.length;
  });
  if (!Number.isFinite(guard) || violations === 0) throw new Error('benchmark sanity check failed');
  return [
    {
      name: `baseline statistics ${ROWS} rows × 25 columns (1 core)`,
      value: ROWS / baselineSeconds,
      unit: 'rows/s',
      reference: { name: 'plain typed-array moments pass', value: ROWS / plainSeconds },
      ratio: plainSeconds / baselineSeconds,
      goal: 'ratio >= 0.3',
    },
    { name: `drift check of a ${WINDOW}-row window against that baseline`, value: checkSeconds, unit: 's' },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((r) => console.log(JSON.stringify(r, null, 1)));
}

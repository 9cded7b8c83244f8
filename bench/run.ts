/**
 * `npm run bench`: runs every benchmark file and prints one table of medians and ratios against
 * references measured in the same run. `npm run bench -- artifacts audit` runs only those groups.
 * The machines are shared and noisy: read ratios, not absolute figures.
 */
import type { BenchResult } from './types.js';

type BenchModule = { run: () => Promise<BenchResult[]> };

const GROUPS: Record<string, () => Promise<BenchModule>> = {
  artifacts: () => import('./artifacts.bench.js'),
  audit: () => import('./audit.bench.js'),
  policy: () => import('./policy.bench.js'),
  data: () => import('./data.bench.js'),
  gbdt: () => import('./gbdt.bench.js'),
  explain: () => import('./explain.bench.js'),
  fairness: () => import('./fairness.bench.js'),
  monitoring: () => import('./monitoring.bench.js'),
  tracking: () => import('./tracking.bench.js'),
  server: () => import('./server.bench.js'),
  cli: () => import('./cli.bench.js'),
  jobs: () => import('./jobs.bench.js'),
  serving: () => import('./serving.bench.js'),
  pipelines: () => import('./pipelines.bench.js'),
  console: () => import('./console.bench.js'),
};

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1e6) return n.toExponential(3);
  if (a >= 100) return n.toFixed(0);
  if (a >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

const wanted = process.argv.slice(2);
const rows: BenchResult[] = [];
for (const [name, load] of Object.entries(GROUPS)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stderr.write(`running ${name}…\n`);
  try {
    const results = await (await load()).run();
    rows.push(...results);
    for (const r of results) {
      const ref = r.reference ? `  vs ${r.reference.name}: ${fmt(r.reference.value)} ${r.unit}` : '';
      const ratio = r.ratio !== undefined ? `  ratio ${fmt(r.ratio)}` : '';
      const goal = r.goal ? `  (goal ${r.goal})` : '';
      console.log(`${r.name}: ${fmt(r.value)} ${r.unit}${ref}${ratio}${goal}`);
    }
  } catch (error) {
    console.log(`${name}: FAILED ${(error as Error).message}`);
    process.exitCode = 1;
  }
}

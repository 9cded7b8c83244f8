/**
 * Start-up of the compiled CLI (issue 13, "The CLI as people use it"): the median wall time of
 * `attest --version`, `attest --help` and `attest data list` on a fresh home, each as a new
 * process of `node bin/attest.js`, against `node -e 0` (Node's own start-up) measured in the same
 * run, interleaved so that drift on the shared machine hits all alike. Builds dist/ first when it
 * is missing or older than the sources it would hold. Goals: --version ≤ 0.2 s, data list ≤ 0.5 s.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/support/cli.js';
import { median } from './measure.js';
import type { BenchResult } from './types.js';

const RUNS = 11;
const BIN = join(REPO_ROOT, 'bin', 'attest.js');

function ensureBuilt(): void {
  const built = join(REPO_ROOT, 'dist', 'cli', 'main.js');
  if (existsSync(built) && statSync(built).mtimeMs >= statSync(join(REPO_ROOT, 'src', 'cli', 'main.ts')).mtimeMs) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed: ${r.stderr}`);
}

/** Wall time of one process in seconds; fails on a non-zero exit. */
function timeProcess(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, env, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return seconds;
}

export async function run(): Promise<BenchResult[]> {
  ensureBuilt();
  const home = mkdtempSync(join(tmpdir(), 'attest-cli-bench-'));
  const env = { ...process.env, ATTEST_HOME: join(home, 'home') };
  try {
    timeProcess([BIN, 'init', '--json'], env);
    const cases = { version: [BIN, '--version'], help: [BIN, '--help'], 'data list': [BIN, 'data', 'list'] } as const;
    const times: Record<keyof typeof cases | 'node', number[]> = { node: [], version: [], help: [], 'data list': [] };
    for (let i = 0; i <= RUNS; i++) {
      const round = { node: timeProcess(['-e', '0'], env), ...Object.fromEntries(Object.entries(cases).map(([k, args]) => [k, timeProcess(args, env)])) } as Record<keyof typeof times, number>;
      // The first round warms the file cache and is not counted.
      if (i > 0) for (const k of Object.keys(times) as (keyof typeof times)[]) times[k].push(round[k]);
    }
    const reference = { name: '`node -e 0` start-up', value: median(times.node) };
    const goals: Record<keyof typeof cases, string> = { version: '≤ 0.2 s', help: '-', 'data list': '≤ 0.5 s' };
    return (Object.keys(cases) as (keyof typeof cases)[]).map((k) => ({
      name: `cli: attest ${k === 'version' ? '--version' : k === 'help' ? '--help' : 'data list (fresh SQLite home)'} (median of ${RUNS} processes)`,
      value: median(times[k]),
      unit: 's',
      reference,
      ratio: median(times[k]) / reference.value,
      goal: goals[k],
    }));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

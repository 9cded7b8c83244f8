/**
 * Running the CLI in tests: in-process through `runCli` (fast), or as a real child process from
 * the TypeScript sources through tsx (for exit codes, signals and stdout as a user sees them).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENTRY = join(REPO_ROOT, 'src', 'cli', 'entry.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  const io = memoryIo();
  const code = await runCli(args, io, env);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

export function cliProcess(args: string[], env: NodeJS.ProcessEnv = process.env): CliResult {
  const r = spawnSync(process.execPath, ['--no-warnings', '--import', 'tsx', ENTRY, ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(process.execPath, ['--no-warnings', '--import', 'tsx', ENTRY, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

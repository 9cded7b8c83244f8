/**
 * @module cli/main
 * The `attest` command line. Thin: it parses arguments, calls a capability, prints the result
 * (a table for people, `--json` for scripts) and maps errors to one line and an exit code
 * (kernel/errors `exitCodeOf`). Each capability registers its commands in `commands/<name>.ts`.
 */
import { Command, CommanderError } from 'commander';
import { AppError, exitCodeOf, toAppError } from '../kernel/index.js';
import { registerCommands } from './commands/index.js';
import { createContext } from './context.js';
import type { CliIo } from './io.js';
import { processIo } from './io.js';
import { CLI_VERSION } from './version.js';

/** Builds the commander program; exported for tests that want to inspect the command tree. */
export function buildProgram(io: CliIo, env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('attest')
    .description('Attest: a governed machine-learning lifecycle for regulated institutions')
    .version(CLI_VERSION)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, '')),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
    });
  registerCommands(program, createContext(io, env));
  return program;
}

/** Runs the CLI with `argv` (without node and script) and resolves to the process exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const program = buildProgram(io, env);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return 0;
      return 2;
    }
    const appError = error instanceof AppError ? error : toAppError(error);
    io.err(`attest: error ${appError.code}: ${appError.message.split('\n')[0]}`);
    return exitCodeOf(appError);
  }
}

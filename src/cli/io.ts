/** Where the CLI writes; tests pass an in-memory implementation. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Whether standard error is a terminal: progress is drawn only there (see cli/progress.ts). */
  readonly stderrIsTty?: boolean;
  /** Redraws the one-line status on standard error in place; an empty string erases it. */
  status?(text: string): void;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  stderrIsTty: process.stderr.isTTY === true,
  // Carriage return + erase line, so that each redraw replaces the previous one.
  status: (text) => process.stderr.write(`\r\x1b[2K${text}`),
};

/** Collects output in memory (for tests); `tty: true` pretends standard error is a terminal. */
export function memoryIo(options: { tty?: boolean } = {}): CliIo & { stdout: string[]; stderr: string[]; statuses: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const statuses: string[] = [];
  return { stdout, stderr, statuses, out: (l) => stdout.push(l), err: (l) => stderr.push(l), stderrIsTty: options.tty === true, status: (t) => statuses.push(t) };
}

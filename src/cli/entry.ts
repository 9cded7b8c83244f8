/**
 * @module cli/entry
 * Process entry point of the `attest` command (bin/attest.js runs the compiled form).
 * Files Attest creates are private to the operating-system user that owns the installation.
 */
import { CLI_VERSION } from './version.js';

process.umask(0o077);
// A reader that stops early (`attest audit list | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const argv = process.argv.slice(2);
// `attest --version` answers before commander and the command declarations load (issue 13: ≤ 0.2 s).
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) process.stdout.write(`${CLI_VERSION}\n`);
else process.exitCode = await (await import('./main.js')).runCli(argv);

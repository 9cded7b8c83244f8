/**
 * @module cli/entry
 * Process entry point of the `attest` command (bin/attest.js runs the compiled form).
 * Files Attest creates are private to the operating-system user that owns the installation.
 */
import { runCli } from './main.js';

process.umask(0o077);
// A reader that stops early (`attest audit list | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
process.exitCode = await runCli(process.argv.slice(2));

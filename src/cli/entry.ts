/**
 * @module cli/entry
 * Process entry point of the `attest` command (bin/attest.js runs the compiled form).
 * Files Attest creates are private to the operating-system user that owns the installation.
 */
import { runCli } from './main.js';

process.umask(0o077);
process.exitCode = await runCli(process.argv.slice(2));

/**
 * Writes docs/errors.md from the error catalogue (the single source of truth).
 * Run: npx tsx scripts/generate-error-docs.ts
 */
import { writeFileSync } from 'node:fs';
import { AppError, ERROR_CATALOGUE, exitCodeOf, httpStatusOf } from '../src/kernel/index.js';
import type { ErrorCode } from '../src/kernel/index.js';

const lines = [
  '# Error codes',
  '',
  'Generated from `src/kernel/errors.ts` by `npx tsx scripts/generate-error-docs.ts`. Every error a user sees',
  'carries one of these codes: the HTTP API answers `{"error": {"code", "message", "details"}}` with the status',
  'below; the CLI prints `attest: error CODE: message` on one line and exits with the exit code below.',
  '',
  '| code | kind | HTTP | CLI exit | meaning |',
  '| --- | --- | --- | --- | --- |',
];
for (const code of Object.keys(ERROR_CATALOGUE) as ErrorCode[]) {
  const e = new AppError(code);
  lines.push(`| \`${code}\` | ${e.kind} | ${httpStatusOf(e)} | ${exitCodeOf(e)} | ${ERROR_CATALOGUE[code].message} |`);
}
writeFileSync(new URL('../docs/errors.md', import.meta.url), `${lines.join('\n')}\n`);

// Module customization hooks that append every resolved module URL to $ATTEST_MODULE_TRACE_FILE.
// Registered by module-trace-register.mjs (`node --import`) to check which modules a command loads.
import { appendFileSync } from 'node:fs';

const traceFile = process.env.ATTEST_MODULE_TRACE_FILE;

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (traceFile) appendFileSync(traceFile, `${result.url}\n`);
  return result;
}

#!/usr/bin/env node
// The `attest` command: runs the compiled CLI (`npm ci` builds it through the `prepare` script).
await import('../dist/cli/entry.js');

/**
 * Start-up cost (issue 13): a command loads only what it runs. `--version` and `--help` load no
 * capability, no database driver, no web framework and no cloud SDK; an embedded `data list`
 * loads SQLite but neither pg, fastify nor the AWS SDK. Checked in a real child process with
 * module hooks that record every module resolved (test/support/module-trace-register.mjs).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, REPO_ROOT } from '../../test/support/cli.js';

const TRACE_REGISTER = join(REPO_ROOT, 'test', 'support', 'module-trace-register.mjs');
const ENTRY = join(REPO_ROOT, 'src', 'cli', 'entry.ts');

describe('the CLI loads a command’s modules only when it runs', () => {
  let dir: string;
  let home: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'attest-lazy-'));
    home = join(dir, 'home');
    const r = await cli(['init', '--home', home], { ...process.env, ATTEST_HOME: undefined });
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The module URLs a CLI process resolved while running `args`. */
  function loadedModules(args: readonly string[]): string[] {
    const traceFile = join(dir, `trace-${args.join('-').replace(/\W+/g, '_')}.txt`);
    const r = spawnSync(process.execPath, ['--no-warnings', '--import', 'tsx', '--import', TRACE_REGISTER, ENTRY, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ATTEST_HOME: home, ATTEST_MODULE_TRACE_FILE: traceFile },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    return [...new Set(readFileSync(traceFile, 'utf8').split('\n').filter(Boolean))];
  }
  const packages = (urls: readonly string[]) => new Set(urls.filter((u) => u.includes('/node_modules/')).map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)![1]!));

  it('--version loads no package at all; --help loads commander and the command declarations, nothing else', () => {
    const version = loadedModules(['--version']);
    expect([...packages(version)].filter((p) => p !== 'tsx' && p !== 'get-tsconfig' && p !== 'esbuild')).toEqual([]);
    expect(version.filter((u) => u.includes('/src/'))).toEqual([expect.stringMatching(/\/src\/cli\/entry\.ts$/), expect.stringMatching(/\/src\/cli\/version\.ts$/)]);
    for (const args of [['--help'], ['data', '--help']]) {
      const urls = loadedModules(args);
      expect([...packages(urls)].filter((p) => p !== 'tsx' && p !== 'get-tsconfig' && p !== 'esbuild')).toEqual(['commander']);
      // platform/http is the remote commands' API client: kernel-only, no package behind it.
      const capabilityModules = urls.filter((u) => u.includes('/src/') && !/\/src\/(cli|kernel|platform\/http)\//.test(u) && !/\/(defaults|lineage-model|tracking-names|job-names)\.ts$/.test(u));
      expect(capabilityModules, args.join(' ')).toEqual([]);
    }
  });

  it('an embedded `data list` loads SQLite, not pg, fastify or the AWS SDK', () => {
    const loaded = packages(loadedModules(['data', 'list']));
    expect(loaded.has('better-sqlite3')).toBe(true);
    for (const name of ['@aws-sdk/client-s3', '@aws-sdk/lib-storage', 'fastify', '@fastify/type-provider-zod', 'pg']) expect(loaded.has(name), name).toBe(false);
  });
});

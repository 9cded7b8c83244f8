/**
 * A put killed with SIGKILL leaves a temp file that the next open of the installation removes at
 * once (not after an hour), while the temp file of a put still running in another process stays.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/support/cli.js';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation } from '../../../test/support/test-app.js';
import { FsBlobStore } from './fs-blob-store.js';

const SLOW_PUT = join(REPO_ROOT, 'test', 'support', 'slow-put.ts');

function startSlowPut(root: string): ChildProcess {
  return spawn(process.execPath, ['--no-warnings', '--import', 'tsx', SLOW_PUT, root], { cwd: REPO_ROOT, stdio: 'ignore' });
}

/** Waits until `pid` has a temp file with bytes in it. */
async function tempFileOf(tmpDir: string, pid: number): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const name = (() => {
      try {
        return readdirSync(tmpDir).find((n) => n.includes(`~${pid}~`));
      } catch {
        return undefined;
      }
    })();
    if (name && statSync(join(tmpDir, name)).size > 0) return name;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`process ${pid} wrote no temp file`);
}

describe('temp files of interrupted puts', () => {
  let t: TestInstallation;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    t = await createTestInstallation('sqlite', 'fs');
  }, 60_000);
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await t?.dispose();
  });

  it('are removed on the next open once their writer was killed, and kept while it runs', { timeout: 120_000 }, async () => {
    const root = join(t.home, 'artifacts');
    const tmpDir = join(root, 'tmp');
    const killed = startSlowPut(root);
    const live = startSlowPut(root);
    children.push(killed, live);
    const killedFile = await tempFileOf(tmpDir, killed.pid!);
    const liveFile = await tempFileOf(tmpDir, live.pid!);
    const exited = new Promise((r) => killed.once('exit', r));
    killed.kill('SIGKILL');
    await exited;

    const store = new FsBlobStore(root);
    expect(await store.incomplete(60 * 60 * 1000)).toMatchObject({ count: 2, orphaned: 1 });
    await t.reopen();
    const left = readdirSync(tmpDir);
    expect(left).not.toContain(killedFile);
    expect(left).toContain(liveFile);

    const liveExited = new Promise((r) => live.once('exit', r));
    live.kill('SIGKILL');
    await liveExited;
    expect(await store.sweepIncomplete(60 * 60 * 1000)).toBe(1);
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('keeps the temp file of a put in flight in this process', async () => {
    const root = join(t.home, 'artifacts');
    const store = new FsBlobStore(root);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    async function* body(): AsyncGenerator<Buffer> {
      yield Buffer.from('first half');
      await gate;
      yield Buffer.from('second half');
    }
    const put = store.put('inflight_blob', body());
    while (readdirSync(join(root, 'tmp')).length === 0) await new Promise((r) => setTimeout(r, 10));
    expect(await new FsBlobStore(root).sweepIncomplete(0)).toBe(0);
    release();
    await put;
    expect(await store.exists('inflight_blob')).toBe(true);
  });
});

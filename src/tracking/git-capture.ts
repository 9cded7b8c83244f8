/**
 * @module tracking/git-capture
 * Source-control lineage and the runtime environment. Source-control lineage captured from the work tree the code runs in: commit, branch, author,
 * date, message, remote URL (credentials removed) and whether the tree was dirty. `git` runs as a
 * child process with a timeout; outside a work tree, or without git, the answer is "none".
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvironmentInfo, SourceInfo } from './tracking-model.js';

/** Lock files looked for, in order, to fingerprint the dependency set. */
const LOCK_FILES = ['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'poetry.lock', 'uv.lock', 'requirements.txt'];

/** The runtime a step runs in: Node.js version, platform, and the SHA-256 of the lock file in `cwd`. */
export function captureEnvironment(cwd: string = process.cwd()): EnvironmentInfo {
  const env: EnvironmentInfo = { runtime: `node ${process.version}`, platform: `${process.platform}-${process.arch}` };
  const lock = LOCK_FILES.map((f) => join(cwd, f)).find((p) => existsSync(p));
  if (lock) env.lockFileHash = `sha256:${createHash('sha256').update(readFileSync(lock)).digest('hex')}`;
  return env;
}

/**
 * Removes credentials from a remote URL: the user-info part of `https://user:token@host/…` and
 * secret-looking query parameters. SCP-style `git@host:path` keeps its (non-secret) user.
 */
export function stripCredentials(url: string): string {
  const trimmed = url.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return trimmed.replace(/^[^@/:]+:[^@/]*@/, '');
  try {
    const u = new URL(trimmed);
    u.username = '';
    u.password = '';
    for (const key of [...u.searchParams.keys()]) if (/token|key|secret|password|sig/i.test(key)) u.searchParams.delete(key);
    return u.toString();
  } catch {
    return trimmed.replace(/\/\/[^@/]*@/, '//');
  }
}

function git(cwd: string, args: string[], timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: timeoutMs, windowsHide: true, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } }, (error, stdout) => {
      resolve(error ? undefined : stdout.toString());
    });
  });
}

/** Captures the git state of `cwd`; undefined when it is not inside a work tree or git is absent. */
export async function captureGit(cwd: string = process.cwd(), timeoutMs = 5000): Promise<SourceInfo | undefined> {
  const inside = await git(cwd, ['rev-parse', '--is-inside-work-tree'], timeoutMs);
  if (inside?.trim() !== 'true') return undefined;
  const commit = (await git(cwd, ['rev-parse', 'HEAD'], timeoutMs))?.trim();
  if (!commit || !/^[0-9a-f]{7,64}$/.test(commit)) return undefined;
  const [branch, log, remote, status] = await Promise.all([
    git(cwd, ['rev-parse', '--abbrev-ref', 'HEAD'], timeoutMs),
    git(cwd, ['log', '-1', '--format=%an <%ae>%n%aI%n%s'], timeoutMs),
    git(cwd, ['config', '--get', 'remote.origin.url'], timeoutMs),
    git(cwd, ['status', '--porcelain', '--untracked-files=no'], timeoutMs),
  ]);
  const [author, date, message] = (log ?? '').split('\n');
  const info: SourceInfo = { commit };
  const b = branch?.trim();
  if (b && b !== 'HEAD') info.branch = b;
  if (author) info.author = author;
  if (date) info.date = date;
  if (message) info.message = message;
  if (remote?.trim()) info.remoteUrl = stripCredentials(remote.trim());
  if (status !== undefined) info.dirty = status.trim().length > 0;
  return info;
}

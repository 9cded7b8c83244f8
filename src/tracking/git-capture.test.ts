import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureEnvironment, captureGit, stripCredentials } from './git-capture.js';

describe('git capture', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'attest-git-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('strips credentials from remote URLs', () => {
    expect(stripCredentials('https://dana:ghp_abc123@github.com/bank/credit.git')).toBe('https://github.com/bank/credit.git');
    expect(stripCredentials('https://oauth2:tok@gitlab.example/x.git?private_token=s3cret&ref=main')).toBe('https://gitlab.example/x.git?ref=main');
    expect(stripCredentials('ssh://git@host.example:2222/repo.git')).toBe('ssh://host.example:2222/repo.git');
    expect(stripCredentials('git@github.com:bank/credit.git')).toBe('git@github.com:bank/credit.git');
    expect(stripCredentials('user:password@host:repo.git')).toBe('host:repo.git');
  });

  it('records commit, branch, author, date, message, remote and dirtiness inside a work tree', async () => {
    const repo = join(dir, 'repo');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir } });
    execFileSync('mkdir', ['-p', repo]);
    git('init', '-q', '-b', 'feature/credit');
    git('config', 'user.name', 'Dana Scientist');
    git('config', 'user.email', 'dana@bank.example');
    git('remote', 'add', 'origin', 'https://dana:secret-token@git.bank.example/ml/credit.git');
    writeFileSync(join(repo, 'train.ts'), 'export {};\n');
    git('add', '.');
    git('commit', '-q', '-m', 'Train the credit model');
    const clean = await captureGit(repo);
    expect(clean).toMatchObject({ branch: 'feature/credit', author: 'Dana Scientist <dana@bank.example>', message: 'Train the credit model', remoteUrl: 'https://git.bank.example/ml/credit.git', dirty: false });
    expect(clean?.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(Number.isNaN(Date.parse(clean!.date!))).toBe(false);
    writeFileSync(join(repo, 'train.ts'), 'export const changed = 1;\n');
    expect((await captureGit(repo))?.dirty).toBe(true);
  });

  it('answers none outside a work tree', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'attest-nogit-'));
    try {
      expect(await captureGit(outside)).toBeUndefined();
      expect(await captureGit(join(outside, 'missing'))).toBeUndefined();
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('fingerprints the lock file of the working directory', () => {
    const env = captureEnvironment(process.cwd());
    expect(env.runtime).toBe(`node ${process.version}`);
    expect(env.lockFileHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(captureEnvironment(dir).lockFileHash).toBeUndefined();
  });
});

/**
 * `attest doctor` reports without changing anything: it counts the temp files of killed puts (and
 * leaves them), flags a home readable by others, and summarises audit ledger verification.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerTag } from '../platform/blob/temp-owner.js';
import { cli } from '../../test/support/cli.js';
import { testDialects } from '../../test/support/databases.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation } from '../../test/support/test-app.js';
import type { DoctorReport } from './doctor.js';

describe.each(testDialects())('attest doctor on %s', (dialect) => {
  let t: TestInstallation;
  beforeAll(async () => {
    t = await createTestInstallation(dialect, 'fs');
  }, 60_000);
  afterAll(async () => t?.dispose());

  const doctor = async () => {
    const result = await cli(['doctor', '--json', '--home', t.home], t.env);
    return { ...result, report: JSON.parse(result.stdout) as DoctorReport };
  };
  const check = (report: DoctorReport, name: string) => report.checks.find((c) => c.name === name)!;

  it('passes on a fresh installation', async () => {
    const { code, report } = await doctor();
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['home', 'ok'],
      ['keyring', 'ok'],
      ['database', 'ok'],
      ['temp-files', 'ok'],
      ['alert-webhooks', 'ok'],
      ['audit-ledger', 'ok'],
    ]);
    expect(check(report, 'database').data?.pending).toEqual([]);
    expect(check(report, 'audit-ledger').data?.entriesChecked).toBeGreaterThan(0);
    expect(code).toBe(0);
  });

  it('counts orphaned temp files of killed puts and leaves them in place', async () => {
    const tmp = join(t.home, 'artifacts', 'tmp');
    mkdirSync(tmp, { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const [host, , ticks] = ownerTag().split('~');
    const orphan = join(tmp, `put_dead~${host}~${dead}~${ticks}.part`);
    const legacy = join(tmp, 'put_legacy.part');
    writeFileSync(orphan, Buffer.alloc(4096));
    writeFileSync(legacy, Buffer.alloc(1024));
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(legacy, twoHoursAgo, twoHoursAgo);
    const { code, report } = await doctor();
    expect(check(report, 'temp-files')).toMatchObject({ status: 'warn', data: { count: 2, orphaned: 2, orphanedBytes: 5120 } });
    expect(code).toBe(0);
    expect(existsSync(orphan) && existsSync(legacy)).toBe(true);
    await t.reopen();
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('fails, naming the check, when the home is readable by others', async () => {
    chmodSync(t.home, 0o755);
    try {
      const { code, stderr, report } = await doctor();
      expect(check(report, 'home').status).toBe('fail');
      expect(code).not.toBe(0);
      expect(stderr).toMatch(/^attest: error DOCTOR_CHECKS_FAILED: 1 check\(s\) failed: home/);
    } finally {
      chmodSync(t.home, 0o700);
    }
  });
});

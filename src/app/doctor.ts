/**
 * @module app/doctor
 * `attest doctor`: read-only checks of an installation — file permissions of the home and the
 * keyring, the metadata store (reachable, migrations applied), temp files left by interrupted
 * puts, alert webhook secrets, and a summary of audit ledger verification. Nothing here writes:
 * no migrations, no sweeps, no checkpoints, so it is safe to run on a broken installation.
 */
import { existsSync, statSync } from 'node:fs';
import type { ResolvedConfig } from '../config/index.js';
import { openBlobStore } from '../platform/blob/index.js';
import type { Db } from '../platform/db/index.js';
import { openDb, parseDbUrl, pendingMigrations, redactUrl } from '../platform/db/index.js';
import { openKeyProvider, UNOWNED_TEMP_MAX_AGE_MS, verifyAuditLedger } from './app.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly data?: Record<string, unknown>;
}

export interface DoctorReport {
  /** False when any check failed (warnings do not count). */
  readonly ok: boolean;
  readonly checks: readonly DoctorCheck[];
}

/** Owner-only: no permission bits for group or others. */
function ownerOnly(name: string, path: string, what: string, wanted: string): DoctorCheck {
  if (!existsSync(path)) return { name, status: 'fail', detail: `${what} ${path} does not exist` };
  const mode = statSync(path).mode & 0o777;
  const octal = mode.toString(8).padStart(3, '0');
  if ((mode & 0o077) !== 0) return { name, status: 'fail', detail: `${what} ${path} has mode ${octal}; others can read it (chmod ${wanted})`, data: { path, mode: octal } };
  return { name, status: 'ok', detail: `${what} ${path} has mode ${octal}`, data: { path, mode: octal } };
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

async function databaseCheck(db: Db | undefined, location: string, openError: unknown): Promise<DoctorCheck> {
  if (!db) return { name: 'database', status: 'fail', detail: `cannot open ${location}: ${message(openError)}` };
  try {
    const { applied, pending } = await pendingMigrations(db);
    if (pending.length > 0) return { name: 'database', status: 'warn', detail: `${db.location}: ${pending.length} migration(s) not applied yet (${pending.join(', ')}); the next start applies them`, data: { applied, pending } };
    return { name: 'database', status: 'ok', detail: `${db.location}: reachable, ${applied} migration(s) applied`, data: { applied, pending } };
  } catch (error) {
    return { name: 'database', status: 'fail', detail: `${db.location}: ${message(error)}` };
  }
}

async function tempFilesCheck(config: ResolvedConfig): Promise<DoctorCheck> {
  const store = await openBlobStore(config.storeUrl);
  try {
    const found = await store.incomplete(UNOWNED_TEMP_MAX_AGE_MS);
    const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
    const status: CheckStatus = found.orphaned > 0 ? 'warn' : 'ok';
    const detail =
      found.count === 0
        ? `${store.location}: no temp files`
        : `${store.location}: ${found.count} temp file(s) (${mib(found.bytes)}), ${found.orphaned} orphaned by killed puts (${mib(found.orphanedBytes)}); the next start removes the orphaned ones`;
    return { name: 'temp-files', status, detail, data: { ...found } };
  } catch (error) {
    return { name: 'temp-files', status: 'fail', detail: `${store.location}: ${message(error)}` };
  } finally {
    await store.close();
  }
}

function webhooksCheck(config: ResolvedConfig): DoctorCheck {
  const missing = config.alerts.webhooks.filter((w) => !w.secret);
  if (config.alerts.webhooks.length === 0) return { name: 'alert-webhooks', status: 'ok', detail: 'none configured' };
  if (missing.length > 0) {
    return {
      name: 'alert-webhooks',
      status: 'warn',
      detail: `${missing.length} of ${config.alerts.webhooks.length} webhook(s) have no secret (${missing.map((w) => w.secretEnv).join(', ')} unset): their alerts are recorded but not delivered`,
    };
  }
  return { name: 'alert-webhooks', status: 'ok', detail: `${config.alerts.webhooks.length} webhook(s), secrets set` };
}

async function auditCheck(config: ResolvedConfig, db: Db | undefined): Promise<DoctorCheck> {
  if (!db) return { name: 'audit-ledger', status: 'fail', detail: 'not checked: the database cannot be opened' };
  try {
    const report = await verifyAuditLedger(config, db, openKeyProvider(config));
    const summary = { ok: report.ok, entriesChecked: report.entriesChecked, checkpointsChecked: report.checkpointsChecked, headSeq: report.headSeq, problems: report.problems.length };
    if (!report.ok) {
      const p = report.firstProblem;
      return { name: 'audit-ledger', status: 'fail', detail: `verification FAILED at entry ${p?.seq ?? '?'}: ${p?.reason ?? 'unknown'} (${report.problems.length} problem(s))`, data: summary };
    }
    return { name: 'audit-ledger', status: 'ok', detail: `${report.entriesChecked} entries chained, ${report.checkpointsChecked} signed checkpoint(s), head at ${report.headSeq}`, data: summary };
  } catch (error) {
    return { name: 'audit-ledger', status: 'fail', detail: message(error) };
  }
}

/** Runs every check; never throws for a failing check (each says what is wrong). */
export async function diagnose(config: ResolvedConfig): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [ownerOnly('home', config.home, 'home', '700'), ownerOnly('keyring', config.keyringPath, 'keyring', '600')];
  let db: Db | undefined;
  let openError: unknown;
  const { dialect, target } = parseDbUrl(config.databaseUrl);
  if (dialect === 'sqlite' && !existsSync(target)) {
    openError = new Error('the database file does not exist (run attest init)');
  } else {
    try {
      db = await openDb(config.databaseUrl);
    } catch (error) {
      openError = error;
    }
  }
  try {
    checks.push(await databaseCheck(db, redactUrl(config.databaseUrl), openError));
    checks.push(await tempFilesCheck(config));
    checks.push(webhooksCheck(config));
    checks.push(await auditCheck(config, db));
  } finally {
    await db?.close();
  }
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}

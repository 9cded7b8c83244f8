/**
 * @module app/app
 * The composition root: the one place that turns configuration into adapters (database, blob
 * store, key provider) and wires the capability services on top. Nothing else constructs adapters.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArtifactService } from '../artifacts/index.js';
import { BaselineService } from '../baselines/index.js';
import { CaptureService } from '../capture/index.js';
import type { ResolvedConfig } from '../config/index.js';
import { DatasetService } from '../datasets/index.js';
import { AppError } from '../kernel/index.js';
import { LineageService } from '../lineage/index.js';
import { ProcessingService } from '../processing/index.js';
import type { BlobStore } from '../platform/blob/index.js';
import { openBlobStore } from '../platform/blob/index.js';
import type { Db } from '../platform/db/index.js';
import { migrate, openDb } from '../platform/db/index.js';
import type { Actor, VerifyReport } from '../security/audit/index.js';
import { AuditLedger, GroupCommitWriter, routeLoneEntries, verifyLedger } from '../security/audit/index.js';
import type { KeyProvider } from '../security/keys/index.js';
import type { IdentityServices } from '../security/identity-store/index.js';
import { createIdentityServices } from '../security/identity-store/index.js';
import { KeyService, LocalKeyring, writeOwnerOnlyFile } from '../security/keys/index.js';
import { TrackingService } from '../tracking/index.js';

/** Temp files whose writer cannot be checked for liveness are swept once this old. */
export const UNOWNED_TEMP_MAX_AGE_MS = 60 * 60 * 1000;

/** The anchor file: the newest signed checkpoint, kept outside the database. */
export const AUDIT_ANCHOR_FILE = 'audit-anchor.json';

export interface App {
  readonly config: ResolvedConfig;
  readonly db: Db;
  readonly blobs: BlobStore;
  readonly provider: KeyProvider;
  readonly ledger: AuditLedger;
  readonly keys: KeyService;
  readonly artifacts: ArtifactService;
  readonly datasets: DatasetService;
  readonly baselines: BaselineService;
  readonly processing: ProcessingService;
  readonly capture: CaptureService;
  readonly tracking: TrackingService;
  readonly lineage: LineageService;
  /** Users, groups, tokens, roles, policies; authentication and authorization. */
  readonly identity: IdentityServices;
  /** Signs a checkpoint over new audit entries (if any) and updates the anchor file. */
  checkpoint(): Promise<void>;
  /** Verifies the audit ledger against checkpoints and the anchor. */
  verifyAudit(): Promise<VerifyReport>;
  close(): Promise<void>;
}

export function openKeyProvider(config: ResolvedConfig): KeyProvider {
  return LocalKeyring.open({ path: config.keyringPath, ...(config.keyringPassphrase !== undefined ? { passphrase: config.keyringPassphrase } : {}) });
}

function readAnchor(home: string): { seq: number; headHash: string } | undefined {
  const path = join(home, AUDIT_ANCHOR_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const anchor = JSON.parse(readFileSync(path, 'utf8')) as { seq?: unknown; headHash?: unknown };
    if (typeof anchor.seq === 'number' && typeof anchor.headHash === 'string') return { seq: anchor.seq, headHash: anchor.headHash };
  } catch {
    throw new AppError('AUDIT_CHAIN_BROKEN', { message: `The audit anchor ${path} is unreadable` });
  }
  throw new AppError('AUDIT_CHAIN_BROKEN', { message: `The audit anchor ${path} is malformed` });
}

/** Opens an installation: connects adapters, applies migrations, and wires services. */
export async function openApp(config: ResolvedConfig, options: { systemActor?: Actor } = {}): Promise<App> {
  const provider = openKeyProvider(config);
  const db = await openDb(config.databaseUrl);
  let blobs: BlobStore | undefined;
  try {
    await migrate(db);
    blobs = await openBlobStore(config.storeUrl);
    const ledger = new AuditLedger(db);
    // Reads, denials and failures of concurrent requests share a commit; governed changes keep theirs.
    const loneEntries = new GroupCommitWriter(db, ledger);
    routeLoneEntries(ledger, loneEntries);
    const keys = new KeyService({ db, ledger, provider });
    const artifacts = new ArtifactService({ db, ledger, keys, blobs });
    const datasets = new DatasetService({ db, ledger, artifacts });
    const tracking = new TrackingService({ db, ledger, artifacts });
    const lineage = new LineageService({ db, ledger });
    const baselines = new BaselineService({ db, artifacts, datasets, lineage, keys, provider });
    const processing = new ProcessingService({ artifacts, datasets, tracking });
    const capture = new CaptureService(artifacts);
    const identity = createIdentityServices(db, ledger, { oidc: config.oidc, sessionTtlMs: config.sessionTtlMs, grantBoundaries: config.grantBoundaries });
    const system = options.systemActor ?? { principal: 'system:attest' };
    await keys.purgeDueKeys(system);
    // Leftovers of killed puts go at once (their owner is dead); temp files whose owner cannot be
    // checked (another host, an older version's names) after an hour.
    await blobs.sweepIncomplete(UNOWNED_TEMP_MAX_AGE_MS);
    const store = blobs;
    const app: App = {
      config,
      db,
      blobs: store,
      provider,
      ledger,
      keys,
      artifacts,
      datasets,
      baselines,
      processing,
      capture,
      tracking,
      lineage,
      identity,
      async checkpoint() {
        const head = await ledger.head();
        const written = await ledger.checkpoint(keys);
        if (written || head.seq > 0) {
          const latest = written ?? (await latestCheckpoint(db));
          if (latest) writeOwnerOnlyFile(join(config.home, AUDIT_ANCHOR_FILE), `${JSON.stringify(latest, null, 2)}\n`, false);
        }
      },
      verifyAudit() {
        return verifyAuditLedger(config, db, provider);
      },
      async close() {
        await loneEntries.idle();
        await store.close();
        await db.close();
      },
    };
    return app;
  } catch (error) {
    await blobs?.close();
    await db.close();
    throw error;
  }
}

/** Verifies the ledger against its checkpoints and the anchor file; changes nothing. */
export function verifyAuditLedger(config: ResolvedConfig, db: Db, provider: KeyProvider): Promise<VerifyReport> {
  const anchor = readAnchor(config.home);
  return verifyLedger(db, new AuditLedger(db), {
    trustedPublicKey: (keyId, version) => provider.trustedPublicKey(keyId, version),
    ...(anchor ? { anchor } : {}),
  });
}

async function latestCheckpoint(db: Db): Promise<{ seq: number; headHash: string; createdAt: string; signature: string } | undefined> {
  const row = await db.kysely.selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row ? { seq: Number(row.seq), headHash: row.head_hash, createdAt: row.created_at, signature: row.signature } : undefined;
}

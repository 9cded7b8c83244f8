/**
 * @module app/app
 * The composition root: the one place that turns configuration into adapters (database, blob
 * store, key provider) and wires the capability services on top. Nothing else constructs adapters.
 */
import { join } from 'node:path';
import { ArtifactService } from '../artifacts/index.js';
import { BaselineService } from '../baselines/index.js';
import { CaptureService } from '../capture/index.js';
import type { ResolvedConfig } from '../config/index.js';
import { DatasetService } from '../datasets/index.js';
import { isAppError } from '../kernel/index.js';
import { LineageService } from '../lineage/index.js';
import { ProcessingService } from '../processing/index.js';
// The service module itself: the serving barrel also loads the model runtime (ml/), which opening an installation does not need.
import { EndpointService } from '../serving/endpoint-service.js';
import type { BlobStore } from '../platform/blob/index.js';
import { openBlobStore } from '../platform/blob/index.js';
import type { Db } from '../platform/db/index.js';
import { migrate, openDb } from '../platform/db/index.js';
import type { Actor, CheckpointOutcome, VerifyReport } from '../security/audit/index.js';
import { AuditLedger, AuditTrust, GroupCommitWriter, loadMacRequirement, recordOutcome, routeLoneEntries, StoreWitness } from '../security/audit/index.js';
import { DetectiveControls, webhookSink } from '../security/controls/index.js';
import type { KeyProvider } from '../security/keys/index.js';
import type { IdentityServices } from '../security/identity-store/index.js';
import { createIdentityServices } from '../security/identity-store/index.js';
import { KeyService, LocalKeyring } from '../security/keys/index.js';
import { TrackingService } from '../tracking/index.js';
// The queue adapters only (not the jobs capability's index, which loads the ML core): every command opens the app.
import type { JobQueue } from '../jobs/index.js';
import { openJobQueue } from '../jobs/job-queues.js';

/** Temp files whose writer cannot be checked for liveness are swept once this old. */
export const UNOWNED_TEMP_MAX_AGE_MS = 60 * 60 * 1000;

/** The legacy anchor file (the newest checkpoint only), written before the anchor history; still honoured. */
export const AUDIT_ANCHOR_FILE = 'audit-anchor.json';
/** The anchor history: every signed tree head ever issued, one JSON line each, outside the database. */
export const AUDIT_ANCHOR_HISTORY_FILE = 'audit-anchors.jsonl';
/** From which entry on MACs are required (written once, when an installation first runs with MACs). */
export const AUDIT_MAC_FILE = 'audit-mac.json';

export interface CheckpointOptions {
  /**
   * When the ledger fails verification, fire the `audit-verify-failed` alert to the configured
   * webhooks from this process (default). The API server passes false: its running detective
   * controls pick up the recorded failure and alert once.
   */
  readonly alert?: boolean;
}

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
  /** Real-time endpoints and their configuration versions (issue 15). */
  readonly endpoints: EndpointService;
  /** Users, groups, tokens, roles, policies; authentication and authorization. */
  readonly identity: IdentityServices;
  /** Signed tree heads, the anchor history and witnesses, verification. */
  readonly auditTrust: AuditTrust;
  /** The job queue chosen by `jobs.queue`: the metadata database's (default) or pg-boss on PostgreSQL. */
  readonly jobQueue: JobQueue;
  /**
   * Verifies the entries since the last trusted head and signs a tree head over them (if any).
   * A ledger that fails is never re-anchored: the failure is recorded (`audit:Verify`, failed),
   * alerted, and thrown as AUDIT_CHAIN_BROKEN.
   */
  checkpoint(options?: CheckpointOptions): Promise<CheckpointOutcome>;
  /** Verifies the whole audit ledger against its checkpoints, the anchor history and witnesses. */
  verifyAudit(): Promise<VerifyReport>;
  close(): Promise<void>;
}

export function openKeyProvider(config: ResolvedConfig): KeyProvider {
  return LocalKeyring.open({ path: config.keyringPath, ...(config.keyringPassphrase !== undefined ? { passphrase: config.keyringPassphrase } : {}) });
}

/** Opens an installation: connects adapters, applies migrations, and wires services. */
export async function openApp(config: ResolvedConfig, options: { systemActor?: Actor } = {}): Promise<App> {
  const provider = openKeyProvider(config);
  const db = await openDb(config.databaseUrl);
  let blobs: BlobStore | undefined;
  try {
    await migrate(db);
    blobs = await openBlobStore(config.storeUrl);
    const macKey = await provider.auditMacKey();
    const ledger = new AuditLedger(db, { macKey });
    // Reads, denials and failures of concurrent requests share a commit; governed changes keep theirs.
    const loneEntries = new GroupCommitWriter(db, ledger);
    routeLoneEntries(ledger, loneEntries);
    const keys = new KeyService({ db, ledger, provider });
    const auditTrust = await auditTrustFor(config, db, provider, ledger, keys, macKey, blobs);
    const artifacts = new ArtifactService({ db, ledger, keys, blobs });
    const datasets = new DatasetService({ db, ledger, artifacts });
    const tracking = new TrackingService({ db, ledger, artifacts });
    const lineage = new LineageService({ db, ledger });
    const baselines = new BaselineService({ db, artifacts, datasets, lineage, keys, provider });
    const processing = new ProcessingService({ artifacts, datasets, tracking });
    const capture = new CaptureService(artifacts);
    const endpoints = new EndpointService({ db, ledger, artifacts, datasets });
    // Serving resolves models through the registry (Approved versions only), loaded on first use so
    // commands that never deploy do not load it.
    endpoints.useModelResolver(async (projectId, ref) => (await import('../registry/serving-resolver.js')).resolveServingModel({ db, artifacts, datasets }, projectId, ref));
    const identity = createIdentityServices(db, ledger, { oidc: config.oidc, sessionTtlMs: config.sessionTtlMs, grantBoundaries: config.grantBoundaries });
    const system = options.systemActor ?? { principal: 'system:attest' };
    await keys.purgeDueKeys(system);
    // Leftovers of killed puts go at once (their owner is dead); temp files whose owner cannot be
    // checked (another host, an older version's names) after an hour.
    await blobs.sweepIncomplete(UNOWNED_TEMP_MAX_AGE_MS);
    const store = blobs;
    const jobQueue = openJobQueue(db, config);
    let lastReported: string | undefined;
    /**
     * Records a refused checkpoint as a failed `audit:Verify` (appended after the damage, which
     * stays where it is) and alerts. Reported once per distinct problem per process, so a server
     * retrying every second does not flood the ledger or the webhooks.
     */
    const reportBrokenChain = async (message: string, details: unknown, alert: boolean) => {
      if (lastReported === message) return;
      lastReported = message;
      const problems = (details as { problems?: unknown } | undefined)?.problems;
      const entry = await recordOutcome({ db, ledger }, system, 'audit:Verify', 'attest::audit/ledger', 'failed', {
        checkpoint: 'refused',
        message,
        ...(Array.isArray(problems) ? { firstProblem: problems[0] } : {}),
      });
      if (!alert) return;
      const controls = new DetectiveControls({
        db,
        ledger,
        identity,
        sinks: config.alerts.webhooks.map((w) => webhookSink({ url: w.url, secret: w.secret, attempts: 3 })),
        verifyAudit: () => auditTrust.verify(),
      });
      await controls.scanOnce(entry.seq - 1);
    };
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
      endpoints,
      identity,
      auditTrust,
      jobQueue,
      async checkpoint(checkpointOptions = {}) {
        try {
          return await auditTrust.checkpoint();
        } catch (error) {
          if (isAppError(error) && error.code === 'AUDIT_CHAIN_BROKEN') await reportBrokenChain(error.message, error.details, checkpointOptions.alert !== false);
          throw error;
        }
      },
      verifyAudit() {
        return auditTrust.verify();
      },
      async close() {
        await loneEntries.idle();
        await jobQueue.close?.();
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

/**
 * Verifies the ledger against its checkpoints, the anchor history and witnesses without opening
 * the whole installation (for `attest doctor`); signs and sweeps nothing.
 */
export async function verifyAuditLedger(config: ResolvedConfig, db: Db, provider: KeyProvider): Promise<VerifyReport> {
  const macKey = await provider.auditMacKey();
  const ledger = new AuditLedger(db, { macKey });
  const blobs = config.audit.witness.store ? await openBlobStore(config.storeUrl) : undefined;
  try {
    return await (await auditTrustFor(config, db, provider, ledger, new KeyService({ db, ledger, provider }), macKey, blobs)).verify();
  } finally {
    await blobs?.close();
  }
}

/** The ledger's trust machinery for an installation: signed heads, anchor history, witnesses, MACs. */
async function auditTrustFor(config: ResolvedConfig, db: Db, provider: KeyProvider, ledger: AuditLedger, signer: KeyService, macKey: Buffer, blobs: BlobStore | undefined): Promise<AuditTrust> {
  const macRequiredFromSeq = loadMacRequirement(join(config.home, AUDIT_MAC_FILE), (await ledger.head()).seq);
  return new AuditTrust({
    db,
    ledger,
    signer,
    trustedPublicKey: (keyId, version) => provider.trustedPublicKey(keyId, version),
    historyPath: join(config.home, AUDIT_ANCHOR_HISTORY_FILE),
    legacyAnchorPath: join(config.home, AUDIT_ANCHOR_FILE),
    witness: { file: config.audit.witness.file, url: config.audit.witness.url, store: config.audit.witness.store && blobs ? new StoreWitness(blobs) : undefined },
    mac: { key: macKey, requiredFromSeq: macRequiredFromSeq },
  });
}

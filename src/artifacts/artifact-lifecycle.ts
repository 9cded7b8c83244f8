/**
 * @module artifacts/artifact-lifecycle
 * What happens to an artifact after it is stored: retention dates (extend-only, like object lock
 * in compliance mode), legal holds, deletion (refused under either), and re-wrapping data keys
 * after a key rotation without rewriting object bytes. Every change is governed: it commits with
 * its audit entry and config-history record.
 */
import { AppError } from '../kernel/index.js';
import type { BlobStore } from '../platform/blob/index.js';
import type { Db } from '../platform/db/index.js';
import type { Actor, AuditLedger } from '../security/audit/index.js';
import { governed, installationResourceName, projectResourceName } from '../security/audit/index.js';
import type { KeyService } from '../security/keys/index.js';
import type { ArtifactMetadata } from './artifact-model.js';
import { artifactContext, encryptionContextId, rowToArtifact } from './artifact-model.js';

export interface LifecycleDeps {
  db: Db;
  ledger: AuditLedger;
  keys: KeyService;
  blobs: BlobStore;
  now: () => Date;
  resolve(ref: string, projectId?: string): Promise<ArtifactMetadata>;
}

/** Sets or extends the retention date. Like object lock in compliance mode, it can never be shortened. */
export async function setRetention(deps: LifecycleDeps, actor: Actor, ref: string, until: string, projectId?: string): Promise<ArtifactMetadata> {
  const t = Date.parse(until);
  if (Number.isNaN(t)) throw new AppError('INVALID_INPUT', { message: `Invalid retention date ${until}; use ISO-8601, e.g. 2030-01-01` });
  const meta = await deps.resolve(ref, projectId);
  return governed({ db: deps.db, ledger: deps.ledger }, actor, 'artifact:SetRetention', await projectResourceName(deps.db, meta.projectId, 'artifact', meta.artifactId), async (tx) => {
    const row = await tx.selectFrom('artifacts').selectAll().where('id', '=', meta.artifactId).executeTakeFirstOrThrow();
    if (row.deleted_at) throw new AppError('ARTIFACT_NOT_FOUND', { message: `Artifact ${row.id} was deleted` });
    const iso = new Date(t).toISOString();
    if (row.retention_until && row.retention_until > iso) {
      throw new AppError('ARTIFACT_RETAINED', { message: `Retention of ${row.id} runs until ${row.retention_until} and cannot be shortened` });
    }
    await tx.updateTable('artifacts').set({ retention_until: iso }).where('id', '=', row.id).execute();
    return {
      result: rowToArtifact({ ...row, retention_until: iso }),
      details: { before: row.retention_until, after: iso },
      configChanges: [{ resourceType: 'artifact', resourceId: row.id, change: 'retention', before: { retentionUntil: row.retention_until }, after: { retentionUntil: iso } }],
    };
  });
}

/** Places or releases a legal hold. */
export async function setLegalHold(deps: LifecycleDeps, actor: Actor, ref: string, hold: boolean, projectId?: string): Promise<ArtifactMetadata> {
  const meta = await deps.resolve(ref, projectId);
  return governed({ db: deps.db, ledger: deps.ledger }, actor, hold ? 'artifact:SetLegalHold' : 'artifact:ReleaseLegalHold', await projectResourceName(deps.db, meta.projectId, 'artifact', meta.artifactId), async (tx) => {
    const row = await tx.selectFrom('artifacts').selectAll().where('id', '=', meta.artifactId).executeTakeFirstOrThrow();
    if (row.deleted_at) throw new AppError('ARTIFACT_NOT_FOUND', { message: `Artifact ${row.id} was deleted` });
    await tx.updateTable('artifacts').set({ legal_hold: hold ? 1 : 0 }).where('id', '=', row.id).execute();
    return {
      result: rowToArtifact({ ...row, legal_hold: hold ? 1 : 0 }),
      configChanges: [{ resourceType: 'artifact', resourceId: row.id, change: 'legal-hold', before: { legalHold: row.legal_hold === 1 }, after: { legalHold: hold } }],
    };
  });
}

/**
 * Deletes an artifact's bytes and marks it deleted; refused under retention or legal hold. Every
 * row owns its blob name (deduplicated rows read shared bytes under a hard link of their own), so
 * this removes only this artifact's name: bytes other versions read stay.
 */
export async function deleteArtifact(deps: LifecycleDeps, actor: Actor, ref: string, projectId?: string): Promise<ArtifactMetadata> {
  const meta = await deps.resolve(ref, projectId);
  let blobKey = meta.artifactId;
  const deleted = await governed({ db: deps.db, ledger: deps.ledger }, actor, 'artifact:Delete', await projectResourceName(deps.db, meta.projectId, 'artifact', meta.artifactId), async (tx) => {
    const row = await tx.selectFrom('artifacts').selectAll().where('id', '=', meta.artifactId).executeTakeFirstOrThrow();
    if (row.deleted_at) throw new AppError('ARTIFACT_NOT_FOUND', { message: `Artifact ${row.id} was already deleted` });
    if (row.legal_hold === 1) throw new AppError('ARTIFACT_RETAINED', { message: `Artifact ${row.id} is under legal hold` });
    const nowIso = deps.now().toISOString();
    if (row.retention_until && row.retention_until > nowIso) throw new AppError('ARTIFACT_RETAINED', { message: `Artifact ${row.id} is retained until ${row.retention_until}` });
    // Before per-version deduplication, a put of existing content reused the existing row, so one
    // row can stand for several named versions: deleting it would delete all of them.
    const names = await tx.selectFrom('named_objects').select(['name', 'version']).where('artifact_id', '=', row.id).orderBy('name').orderBy('version').execute();
    if (names.length > 1) {
      throw new AppError('ARTIFACT_RETAINED', {
        message: `Artifact ${row.id} is stored once for ${names.length} named versions (${names.map((n) => `${n.name}@${n.version}`).join(', ')}); deleting it would delete them all`,
      });
    }
    await tx.updateTable('artifacts').set({ deleted_at: nowIso, deleted_by: actor.principal }).where('id', '=', row.id).execute();
    blobKey = row.blob_key;
    return { result: rowToArtifact({ ...row, deleted_at: nowIso, deleted_by: actor.principal }) };
  });
  await deps.blobs.delete(blobKey);
  return deleted;
}

/**
 * Re-wraps every live artifact's data key under its key's newest version (after a rotation)
 * without rewriting any object bytes. Returns how many were re-wrapped.
 */
export async function rewrapArtifacts(deps: LifecycleDeps, actor: Actor, keyIdOrAlias?: string): Promise<{ rewrapped: number; keys: string[] }> {
  const keyIds = keyIdOrAlias
    ? [(await deps.keys.describe(keyIdOrAlias)).keyId]
    : (await deps.keys.list()).filter((k) => k.usage === 'ENCRYPT_DECRYPT' && k.state === 'Enabled').map((k) => k.keyId);
  let rewrapped = 0;
  for (const keyId of keyIds) {
    const current = (await deps.keys.describe(keyId)).currentVersion;
    for (;;) {
      const batch = await deps.db.kysely
        .selectFrom('artifacts')
        .select(['id', 'key_version', 'wrapped_key', 'encryption'])
        .where('key_id', '=', keyId)
        .where('key_version', '<', current)
        .where('deleted_at', 'is', null)
        .limit(500)
        .execute();
      if (batch.length === 0) break;
      const updates: { id: string; wrapped: string; version: number }[] = [];
      for (const a of batch) {
        const result = await deps.keys.rewrapDataKey(keyId, a.key_version, Buffer.from(a.wrapped_key, 'base64'), artifactContext(encryptionContextId(a)));
        if (result) updates.push({ id: a.id, wrapped: result.wrapped.toString('base64'), version: result.keyVersion });
      }
      await governed({ db: deps.db, ledger: deps.ledger }, actor, 'key:Rewrap', installationResourceName('key', keyId), async (tx) => {
        for (const u of updates) {
          await tx.updateTable('artifacts').set({ wrapped_key: u.wrapped, key_version: u.version }).where('id', '=', u.id).execute();
        }
        return { result: undefined, details: { artifacts: updates.length, toVersion: current } };
      });
      rewrapped += updates.length;
    }
  }
  return { rewrapped, keys: keyIds };
}

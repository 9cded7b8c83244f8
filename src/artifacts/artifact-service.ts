/**
 * @module artifacts/artifact-service
 * The encrypted, content-addressed artifact store (the whitepaper's S3 default encryption, object
 * lock and versioning). A put hashes the plaintext (SHA-256, the content address), encrypts it under
 * a fresh data key wrapped by a customer-managed key, and streams ciphertext to the blob store —
 * there is no code path that stores plaintext. The digest is bound into the final chunk's tag, so a
 * read proves the bytes match the recorded content address without hashing them again. The metadata row and its audit entry commit only
 * after the bytes are durably stored, so a crash mid-put leaves no listed artifact. Artifacts are
 * write-once; retention dates and legal holds block deletion; names give S3-style versioning.
 */
import { open, rename, stat, unlink } from 'node:fs/promises';
import { sql } from 'kysely';
import { AppError, newId } from '../kernel/index.js';
import type { BlobStore } from '../platform/blob/index.js';
import { readFileChunks, writeToFile } from '../platform/files/index.js';
import type { ArtifactsTable, Db, Tx } from '../platform/db/index.js';
import { escapeLike } from '../platform/db/index.js';
import type { Actor, AuditLedger } from '../security/audit/index.js';
import { governed, projectResourceName, recordOutcome } from '../security/audit/index.js';
import { decryptStream, encryptStream } from '../security/crypto/index.js';
import type { KeyService } from '../security/keys/index.js';
import { DEFAULT_KEY_ALIAS } from '../security/keys/index.js';
import type { ArtifactMetadata } from './artifact-model.js';
import { artifactContext, encryptionContextId, encryptionSharing, rowToArtifact } from './artifact-model.js';
import type { LifecycleDeps } from './artifact-lifecycle.js';
import { deleteArtifact, rewrapArtifacts, setLegalHold, setRetention } from './artifact-lifecycle.js';
import type { StreamHasher } from './parallel-hash.js';
import { inlineHasher, workerHasher } from './parallel-hash.js';

/** Objects from this size on are hashed on a worker thread, in parallel with encryption. */
const PARALLEL_HASH_MIN_BYTES = 4 * 1024 * 1024;
/** Recorded per artifact: format 2 binds the plaintext's SHA-256 into the final chunk. */
const ENCRYPTION_FORMAT = JSON.stringify({ format: 'attest-stream/2', algorithm: 'AES-256-GCM' });

export interface ArtifactServiceDeps {
  db: Db;
  ledger: AuditLedger;
  keys: KeyService;
  blobs: BlobStore;
  now?: () => Date;
}

export interface PutOptions {
  projectId: string;
  /** Expected size in bytes, if known: large objects are hashed on a worker thread. */
  sizeHint?: number;
  mediaType?: string;
  /** Store under this name as its next version. */
  name?: string;
  /** Key id or alias; defaults to alias/attest-default. */
  key?: string;
  retentionUntil?: string;
  /** Free-form, non-secret details recorded in the audit entry (e.g. the source file name). */
  auditDetails?: Record<string, unknown>;
  /**
   * Runs inside the transaction that records the artifact (and its name): a caller's own record
   * of it commits or rolls back together with it (jobs use this for exactly-once outputs).
   */
  onCommit?: (tx: Tx, stored: ArtifactMetadata) => Promise<void>;
}

export interface PutResult extends ArtifactMetadata {
  /** True when identical content already existed in the project and was reused. */
  deduplicated: boolean;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/;

export class ArtifactService {
  readonly #db: Db;
  readonly #ledger: AuditLedger;
  readonly #keys: KeyService;
  readonly #blobs: BlobStore;
  readonly #now: () => Date;

  constructor(deps: ArtifactServiceDeps) {
    this.#db = deps.db;
    this.#ledger = deps.ledger;
    this.#keys = deps.keys;
    this.#blobs = deps.blobs;
    this.#now = deps.now ?? (() => new Date());
  }

  get blobStore(): BlobStore {
    return this.#blobs;
  }

  /** Stores a stream of plaintext as a new encrypted artifact. */
  put(actor: Actor, source: AsyncIterable<Uint8Array>, options: PutOptions): Promise<PutResult> {
    const hasher = (options.sizeHint ?? 0) >= PARALLEL_HASH_MIN_BYTES ? workerHasher() : inlineHasher();
    return this.#put(actor, source, options, hasher);
  }

  async #put(actor: Actor, source: AsyncIterable<Uint8Array>, options: PutOptions, hasher: StreamHasher): Promise<PutResult> {
    if (options.name !== undefined && !NAME_PATTERN.test(options.name)) {
      throw new AppError('INVALID_INPUT', { message: `Invalid artifact name "${options.name}": use letters, digits and . _ / -` });
    }
    if (options.retentionUntil !== undefined && Number.isNaN(Date.parse(options.retentionUntil))) {
      throw new AppError('INVALID_INPUT', { message: `Invalid retention date ${options.retentionUntil}` });
    }
    const project = await this.#db.kysely.selectFrom('projects').select('id').where('id', '=', options.projectId).executeTakeFirst();
    if (!project) throw new AppError('NOT_FOUND', { message: `No project ${options.projectId}` });
    const artifactId = newId('art');
    const context = artifactContext(artifactId);
    const dataKey = await this.#keys.generateDataKey(options.key ?? DEFAULT_KEY_ALIAS, context);
    let size = 0;
    const hashing = async function* () {
      for await (const chunk of source) {
        await hasher.update(chunk);
        size += chunk.byteLength;
        yield chunk;
      }
    };
    let digest: string | undefined;
    // The digest of exactly the bytes encrypted, sealed into the final chunk.
    const bindDigest = async () => {
      digest = await hasher.digest();
      return Buffer.from(digest, 'hex');
    };
    try {
      await this.#blobs.put(artifactId, encryptStream(hashing(), dataKey.plaintext, context, { finalBinding: bindDigest }));
      if (digest === undefined) throw new AppError('INTERNAL', { message: 'The artifact was stored without its digest' });
    } catch (error) {
      await this.#blobs.delete(artifactId).catch(() => undefined);
      throw error;
    } finally {
      dataKey.plaintext.fill(0);
      await hasher.close();
    }
    const sha256 = digest;
    // Deduplication shares bytes, never metadata: this put always gets its own row (its own id,
    // retention, hold, media type, key and name). When a live artifact of the project holds the
    // same plaintext under the same customer key, and the store can give those bytes a second
    // name (a hard link), the new row reads them under that name and the copy just written is
    // dropped. Each row owns its blob name, so deleting one version can never remove another's
    // bytes. Under a different key the copy just written is kept: disabling or destroying a key
    // must act on exactly the versions stored under it, which a data key wrapped under two keys
    // would defeat.
    const shared = await this.#db.kysely
      .selectFrom('artifacts')
      .selectAll()
      .where('project_id', '=', options.projectId)
      .where('sha256', '=', sha256)
      .where('key_id', '=', dataKey.keyId)
      .where('deleted_at', 'is', null)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .executeTakeFirst();
    const linkKey = newId('blb');
    const linked = shared !== undefined && (await this.#blobs.link(shared.blob_key, linkKey).catch(() => false));
    const resource = await projectResourceName(this.#db, options.projectId, 'artifact', artifactId);
    try {
      const result = await governed({ db: this.#db, ledger: this.#ledger }, actor, 'artifact:Put', resource, async (tx) => {
        const row: ArtifactsTable = {
          id: artifactId,
          project_id: options.projectId,
          sha256,
          size_bytes: size,
          media_type: options.mediaType ?? 'application/octet-stream',
          key_id: dataKey.keyId,
          key_version: linked ? shared.key_version : dataKey.keyVersion,
          wrapped_key: linked ? shared.wrapped_key : dataKey.wrapped.toString('base64'),
          encryption: linked ? encryptionSharing(shared) : ENCRYPTION_FORMAT,
          blob_key: linked ? linkKey : artifactId,
          created_at: this.#now().toISOString(),
          created_by: actor.principal,
          retention_until: options.retentionUntil ? new Date(options.retentionUntil).toISOString() : null,
          legal_hold: 0,
          deleted_at: null,
          deleted_by: null,
        };
        await tx.insertInto('artifacts').values(row).execute();
        const named = options.name === undefined ? undefined : await this.#addName(tx, options.projectId, options.name, row.id, actor.principal);
        const meta = rowToArtifact(row, named);
        if (options.onCommit) await options.onCommit(tx, meta);
        return {
          result: { ...meta, deduplicated: linked },
          resource,
          details: {
            sha256,
            sizeBytes: size,
            keyId: row.key_id,
            keyVersion: row.key_version,
            deduplicated: linked,
            ...(linked ? { bytesSharedWith: shared.id } : {}),
            ...(row.retention_until ? { retentionUntil: row.retention_until } : {}),
            ...(named ?? {}),
            ...(options.auditDetails ?? {}),
          },
        };
      });
      if (linked) await this.#blobs.delete(artifactId);
      return result;
    } catch (error) {
      await this.#blobs.delete(artifactId).catch(() => undefined);
      if (linked) await this.#blobs.delete(linkKey).catch(() => undefined);
      throw error;
    }
  }

  /** Stores an in-memory document (a model, a report, a manifest). */
  putBytes(actor: Actor, bytes: Uint8Array, options: PutOptions): Promise<PutResult> {
    const single = async function* () {
      yield bytes;
    };
    return this.put(actor, single(), options);
  }

  /** Stores a file, read once: the bytes hashed are the bytes encrypted. */
  async putFile(actor: Actor, path: string, options: PutOptions): Promise<PutResult> {
    const info = await stat(path);
    return this.put(actor, readFileChunks(path), { sizeHint: info.size, ...options });
  }

  async #addName(tx: Tx, projectId: string, name: string, artifactId: string, principal: string): Promise<{ name: string; version: number }> {
    const last = await tx
      .selectFrom('named_objects')
      .select('version')
      .where('project_id', '=', projectId)
      .where('name', '=', name)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    const version = (last?.version ?? 0) + 1;
    await tx.insertInto('named_objects').values({ project_id: projectId, name, version, artifact_id: artifactId, created_at: this.#now().toISOString(), created_by: principal }).execute();
    return { name, version };
  }

  /**
   * Resolves a reference: an artifact id (`art_…`), a content address (`sha256:<hex>`, within
   * `projectId`), or a name with an optional version (`name@3`; latest when omitted).
   */
  async resolve(ref: string, projectId?: string): Promise<ArtifactMetadata> {
    const q = this.#db.kysely.selectFrom('artifacts').selectAll();
    let row: ArtifactsTable | undefined;
    if (ref.startsWith('art_')) {
      row = await q.where('id', '=', ref).executeTakeFirst();
    } else if (ref.startsWith('sha256:')) {
      let byHash = q.where('sha256', '=', ref.slice(7).toLowerCase()).where('deleted_at', 'is', null);
      if (projectId) byHash = byHash.where('project_id', '=', projectId);
      row = await byHash.orderBy('created_at', 'asc').executeTakeFirst();
    } else {
      const at = ref.lastIndexOf('@');
      const name = at > 0 ? ref.slice(0, at) : ref;
      const version = at > 0 ? Number(ref.slice(at + 1)) : undefined;
      if (version !== undefined && !Number.isInteger(version)) throw new AppError('INVALID_INPUT', { message: `Invalid version in ${ref}` });
      let nq = this.#db.kysely.selectFrom('named_objects').selectAll().where('name', '=', name);
      if (projectId) nq = nq.where('project_id', '=', projectId);
      if (version !== undefined) nq = nq.where('version', '=', version);
      const named = await nq.orderBy('version', 'desc').limit(1).executeTakeFirst();
      if (named) {
        const r = await q.where('id', '=', named.artifact_id).executeTakeFirst();
        if (r) return rowToArtifact(r, { name: named.name, version: named.version });
      }
    }
    if (!row) throw new AppError('ARTIFACT_NOT_FOUND', { message: `No artifact ${ref}`, details: { ref } });
    return rowToArtifact(row);
  }

  async #open(actor: Actor, ref: string, projectId?: string): Promise<{ meta: ArtifactMetadata; plaintext: AsyncIterable<Buffer> }> {
    const meta = await this.resolve(ref, projectId);
    const resource = await projectResourceName(this.#db, meta.projectId, 'artifact', meta.artifactId);
    try {
      if (meta.deletedAt) throw new AppError('ARTIFACT_NOT_FOUND', { message: `Artifact ${meta.artifactId} was deleted on ${meta.deletedAt}` });
      const row = await this.#db.kysely.selectFrom('artifacts').select(['id', 'wrapped_key', 'blob_key', 'encryption']).where('id', '=', meta.artifactId).executeTakeFirstOrThrow();
      const context = artifactContext(encryptionContextId(row));
      const key = await this.#keys.decryptDataKey(meta.keyId, meta.keyVersion, Buffer.from(row.wrapped_key, 'base64'), context);
      const ciphertext = await this.#blobs.get(row.blob_key);
      await recordOutcome({ db: this.#db, ledger: this.#ledger }, actor, 'artifact:Get', resource, 'allowed', { sha256: meta.sha256 });
      const expected = meta.sha256;
      const large = meta.sizeBytes >= PARALLEL_HASH_MIN_BYTES;
      const verified = async function* () {
        // Format 2 checks the recorded SHA-256 in the final tag; format 1 objects are hashed here.
        let hasher: StreamHasher | undefined;
        const onVersion = (version: number) => {
          if (version === 1) hasher = large ? workerHasher() : inlineHasher();
        };
        try {
          for await (const chunk of decryptStream(ciphertext, key, context, { finalBinding: Buffer.from(expected, 'hex'), onVersion })) {
            await hasher?.update(chunk);
            yield chunk;
          }
          if (hasher && (await hasher.digest()) !== expected) throw new AppError('ARTIFACT_INTEGRITY', { message: `Artifact ${meta.artifactId} does not match its recorded SHA-256` });
        } finally {
          key.fill(0);
          await hasher?.close();
        }
      };
      return { meta, plaintext: verified() };
    } catch (error) {
      await recordOutcome({ db: this.#db, ledger: this.#ledger }, actor, 'artifact:Get', resource, 'failed', {
        error: error instanceof AppError ? error.code : 'INTERNAL',
      });
      throw error;
    }
  }

  /** Streams the decrypted, verified bytes of an artifact. */
  async get(actor: Actor, ref: string, projectId?: string): Promise<{ meta: ArtifactMetadata; body: AsyncIterable<Buffer> }> {
    const { meta, plaintext } = await this.#open(actor, ref, projectId);
    return { meta, body: plaintext };
  }

  /** Reads a whole artifact into memory (for small documents: models, reports). */
  async getBytes(actor: Actor, ref: string, projectId?: string): Promise<{ meta: ArtifactMetadata; bytes: Buffer }> {
    const { meta, plaintext } = await this.#open(actor, ref, projectId);
    const parts: Buffer[] = [];
    for await (const chunk of plaintext) parts.push(chunk);
    return { meta, bytes: Buffer.concat(parts) };
  }

  /** Writes an artifact to `outPath`; the file appears only after the content verified. */
  async getToFile(actor: Actor, ref: string, outPath: string, projectId?: string): Promise<ArtifactMetadata> {
    const { meta, plaintext } = await this.#open(actor, ref, projectId);
    const tmp = `${outPath}.attest-partial-${process.pid}`;
    try {
      const handle = await open(tmp, 'wx', 0o600);
      try {
        await writeToFile(handle, plaintext);
      } finally {
        await handle.close();
      }
      await rename(tmp, outPath);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
    return meta;
  }

  async describe(ref: string, projectId?: string): Promise<ArtifactMetadata> {
    return this.resolve(ref, projectId);
  }

  async list(filter: { projectId?: string; includeDeleted?: boolean; limit?: number } = {}): Promise<ArtifactMetadata[]> {
    let q = this.#db.kysely.selectFrom('artifacts').selectAll().orderBy('created_at', 'asc').orderBy('id', 'asc');
    if (filter.projectId) q = q.where('project_id', '=', filter.projectId);
    if (!filter.includeDeleted) q = q.where('deleted_at', 'is', null);
    if (filter.limit !== undefined) q = q.limit(filter.limit);
    return (await q.execute()).map((r) => rowToArtifact(r));
  }

  /** Named objects of a project joined with their artifacts. */
  #namedObjects(projectId: string) {
    return this.#db.kysely
      .selectFrom('named_objects')
      .innerJoin('artifacts', 'artifacts.id', 'named_objects.artifact_id')
      .selectAll('artifacts')
      .select(['named_objects.name as object_name', 'named_objects.version as object_version'])
      .where('named_objects.project_id', '=', projectId);
  }

  async versions(projectId: string, name: string): Promise<ArtifactMetadata[]> {
    const rows = await this.#namedObjects(projectId).where('named_objects.name', '=', name).orderBy('named_objects.version', 'asc').execute();
    return rows.map((r) => rowToArtifact(r, { name: r.object_name, version: r.object_version }));
  }

  /** Named objects whose name starts with `prefix`, every version, oldest first. */
  async listNamed(projectId: string, prefix: string): Promise<ArtifactMetadata[]> {
    const rows = await this.#namedObjects(projectId)
      .where(sql<boolean>`named_objects.name like ${`${escapeLike(prefix)}%`} escape '\\'`)
      .where('artifacts.deleted_at', 'is', null)
      .orderBy('named_objects.name', 'asc')
      .orderBy('named_objects.version', 'asc')
      .execute();
    return rows.map((r) => rowToArtifact(r, { name: r.object_name, version: r.object_version }));
  }

  /** Sets or extends the retention date. Like object lock in compliance mode, it can never be shortened. */
  setRetention(actor: Actor, ref: string, until: string, projectId?: string): Promise<ArtifactMetadata> {
    return setRetention(this.#lifecycle(), actor, ref, until, projectId);
  }

  /** Places or releases a legal hold. */
  setLegalHold(actor: Actor, ref: string, hold: boolean, projectId?: string): Promise<ArtifactMetadata> {
    return setLegalHold(this.#lifecycle(), actor, ref, hold, projectId);
  }

  /** Deletes an artifact's bytes and marks it deleted; refused under retention or legal hold. */
  delete(actor: Actor, ref: string, projectId?: string): Promise<ArtifactMetadata> {
    return deleteArtifact(this.#lifecycle(), actor, ref, projectId);
  }

  /**
   * Re-wraps every live artifact's data key under its key's newest version (after a rotation)
   * without rewriting any object bytes. Returns how many were re-wrapped.
   */
  rewrap(actor: Actor, keyIdOrAlias?: string): Promise<{ rewrapped: number; keys: string[] }> {
    return rewrapArtifacts(this.#lifecycle(), actor, keyIdOrAlias);
  }

  #lifecycle(): LifecycleDeps {
    return { db: this.#db, ledger: this.#ledger, keys: this.#keys, blobs: this.#blobs, now: this.#now, resolve: (ref, projectId) => this.resolve(ref, projectId) };
  }
}

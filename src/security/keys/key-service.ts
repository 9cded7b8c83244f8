/**
 * @module security/keys/key-service
 * Customer-managed keys (the KMS part): named keys with id and alias; create, list, describe,
 * enable, disable, rotate (a new version; old versions stay for decryption), schedule deletion
 * with a waiting period and cancel it. Every change is audited with its before/after state in
 * config history. Key material never leaves the {@link KeyProvider}; this service keeps metadata
 * and enforces state: a disabled or pending-deletion key can neither encrypt nor decrypt.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError, newId } from '../../kernel/index.js';
import type { Db, KeysTable, Tx } from '../../platform/db/index.js';
import type { Actor, AuditLedger, CheckpointSigner } from '../audit/index.js';
import { governed, installationResourceName } from '../audit/index.js';
import type { KeyProvider, KeyVersionMaterial } from './key-provider.js';

export const KEY_STATES = ['Enabled', 'Disabled', 'PendingDeletion', 'Deleted'] as const;
export type KeyState = (typeof KEY_STATES)[number];
export type KeyUsage = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY';

export const AliasSchema = z
  .string()
  .regex(/^alias\/[A-Za-z0-9/_-]{1,200}$/, 'An alias looks like alias/name (letters, digits, / _ -)');

/** Waiting period bounds for scheduled deletion, as AWS KMS has them. */
export const MIN_DELETION_DAYS = 7;
export const MAX_DELETION_DAYS = 30;

export interface KeyMetadata {
  keyId: string;
  alias: string | null;
  description: string;
  usage: KeyUsage;
  state: KeyState;
  currentVersion: number;
  versions: number[];
  deletionDate: string | null;
  provider: string;
  createdAt: string;
  createdBy: string;
}

/** A fresh data key and its wrapped form. */
export interface DataKey {
  plaintext: Buffer;
  wrapped: Buffer;
  keyId: string;
  keyVersion: number;
}

/** The well-known aliases `attest init` creates. */
export const DEFAULT_KEY_ALIAS = 'alias/attest-default';
export const AUDIT_SIGNING_KEY_ALIAS = 'alias/attest-audit-signing';

export interface KeyServiceDeps {
  db: Db;
  ledger: AuditLedger;
  provider: KeyProvider;
  now?: () => Date;
}

function toMetadata(row: KeysTable, versions: number[]): KeyMetadata {
  return {
    keyId: row.id,
    alias: row.alias,
    description: row.description,
    usage: row.usage as KeyUsage,
    state: row.state as KeyState,
    currentVersion: row.current_version,
    versions,
    deletionDate: row.deletion_date,
    provider: row.provider,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

export class KeyService implements CheckpointSigner {
  readonly #db: Db;
  readonly #ledger: AuditLedger;
  readonly #provider: KeyProvider;
  readonly #now: () => Date;

  constructor(deps: KeyServiceDeps) {
    this.#db = deps.db;
    this.#ledger = deps.ledger;
    this.#provider = deps.provider;
    this.#now = deps.now ?? (() => new Date());
  }

  get provider(): KeyProvider {
    return this.#provider;
  }

  async #row(q: Db['kysely'] | Tx, keyIdOrAlias: string): Promise<KeysTable> {
    const row = await q
      .selectFrom('keys')
      .selectAll()
      .where(keyIdOrAlias.startsWith('alias/') ? 'alias' : 'id', '=', keyIdOrAlias)
      .executeTakeFirst();
    if (!row) throw new AppError('KEY_NOT_FOUND', { message: `No key ${keyIdOrAlias}`, details: { key: keyIdOrAlias } });
    return row;
  }

  async #versions(q: Db['kysely'] | Tx, keyId: string): Promise<number[]> {
    const rows = await q.selectFrom('key_versions').select('version').where('key_id', '=', keyId).orderBy('version', 'asc').execute();
    return rows.map((r) => r.version);
  }

  async #material(keyId: string, version: number): Promise<KeyVersionMaterial> {
    const row = await this.#db.kysely.selectFrom('key_versions').select('material').where('key_id', '=', keyId).where('version', '=', version).executeTakeFirst();
    if (!row) throw new AppError('KEY_NOT_FOUND', { message: `Key ${keyId} has no version ${version}` });
    return { keyId, version, material: row.material };
  }

  async create(actor: Actor, input: { alias?: string; description?: string; usage?: KeyUsage }): Promise<KeyMetadata> {
    const parsedAlias = input.alias === undefined ? undefined : AliasSchema.safeParse(input.alias);
    if (parsedAlias && !parsedAlias.success) throw new AppError('INVALID_INPUT', { message: `Invalid key alias ${JSON.stringify(input.alias)}: ${parsedAlias.error.issues[0]?.message ?? 'malformed'}` });
    const alias = parsedAlias ? parsedAlias.data : null;
    const usage = input.usage ?? 'ENCRYPT_DECRYPT';
    const keyId = newId('key');
    const version =
      usage === 'SIGN_VERIFY' ? await this.#provider.createSigningVersion(keyId, 1) : { ...(await this.#provider.createSymmetricVersion(keyId, 1)), publicKey: null };
    return governed({ db: this.#db, ledger: this.#ledger }, actor, 'key:Create', installationResourceName('key', keyId), async (tx) => {
      if (alias && (await tx.selectFrom('keys').select('id').where('alias', '=', alias).executeTakeFirst())) {
        throw new AppError('KEY_ALIAS_EXISTS', { message: `The alias ${alias} is already in use` });
      }
      const now = this.#now().toISOString();
      const row: KeysTable = {
        id: keyId,
        alias,
        description: input.description ?? '',
        usage,
        state: 'Enabled',
        current_version: 1,
        deletion_date: null,
        provider: this.#provider.name,
        created_at: now,
        created_by: actor.principal,
      };
      await tx.insertInto('keys').values(row).execute();
      await tx
        .insertInto('key_versions')
        .values({ key_id: keyId, version: 1, material: version.material, public_key: version.publicKey, created_at: now })
        .execute();
      const meta = toMetadata(row, [1]);
      return { result: meta, details: { alias, usage }, configChanges: [{ resourceType: 'key', resourceId: keyId, change: 'create', before: null, after: meta }] };
    });
  }

  async list(): Promise<KeyMetadata[]> {
    const rows = await this.#db.kysely.selectFrom('keys').selectAll().orderBy('created_at', 'asc').execute();
    const versions = await this.#db.kysely.selectFrom('key_versions').select(['key_id', 'version']).orderBy('version', 'asc').execute();
    return rows.map((r) => toMetadata(r, versions.filter((v) => v.key_id === r.id).map((v) => v.version)));
  }

  async describe(keyIdOrAlias: string): Promise<KeyMetadata> {
    const row = await this.#row(this.#db.kysely, keyIdOrAlias);
    return toMetadata(row, await this.#versions(this.#db.kysely, row.id));
  }

  async #transition(
    actor: Actor,
    keyIdOrAlias: string,
    action: string,
    mutate: (row: KeysTable, tx: Tx) => Promise<Partial<KeysTable>>,
  ): Promise<KeyMetadata> {
    const target = await this.#row(this.#db.kysely, keyIdOrAlias);
    return governed({ db: this.#db, ledger: this.#ledger }, actor, action, installationResourceName('key', target.id), async (tx) => {
      const row = await this.#row(tx, target.id);
      const before = toMetadata(row, await this.#versions(tx, row.id));
      const patch = await mutate(row, tx);
      await tx.updateTable('keys').set(patch).where('id', '=', row.id).execute();
      const after = toMetadata({ ...row, ...patch }, await this.#versions(tx, row.id));
      return {
        result: after,
        details: { state: after.state, version: after.currentVersion },
        configChanges: [{ resourceType: 'key', resourceId: row.id, change: action, before, after }],
      };
    });
  }

  enable(actor: Actor, keyIdOrAlias: string): Promise<KeyMetadata> {
    return this.#transition(actor, keyIdOrAlias, 'key:Enable', async (row) => {
      if (row.state !== 'Enabled' && row.state !== 'Disabled') throw this.#stateError(row, 'enable');
      return { state: 'Enabled' };
    });
  }

  disable(actor: Actor, keyIdOrAlias: string): Promise<KeyMetadata> {
    return this.#transition(actor, keyIdOrAlias, 'key:Disable', async (row) => {
      if (row.state !== 'Enabled' && row.state !== 'Disabled') throw this.#stateError(row, 'disable');
      return { state: 'Disabled' };
    });
  }

  /** Adds a new version and makes it current; earlier versions remain for decryption. */
  async rotate(actor: Actor, keyIdOrAlias: string): Promise<KeyMetadata> {
    const target = await this.#row(this.#db.kysely, keyIdOrAlias);
    if (target.state !== 'Enabled') throw this.#stateError(target, 'rotate');
    const next = target.current_version + 1;
    const material =
      target.usage === 'SIGN_VERIFY'
        ? await this.#provider.createSigningVersion(target.id, next)
        : { ...(await this.#provider.createSymmetricVersion(target.id, next)), publicKey: null };
    return this.#transition(actor, target.id, 'key:Rotate', async (row, tx) => {
      if (row.current_version !== target.current_version) throw new AppError('CONFLICT', { message: `Key ${row.id} was rotated concurrently; try again` });
      await tx
        .insertInto('key_versions')
        .values({ key_id: row.id, version: next, material: material.material, public_key: material.publicKey, created_at: this.#now().toISOString() })
        .execute();
      return { current_version: next };
    });
  }

  /**
   * Schedules deletion after `waitingDays` (7–30). Refused while any live artifact encrypted under
   * the key is under retention or legal hold: deleting the key would destroy it before its time.
   */
  async scheduleDeletion(actor: Actor, keyIdOrAlias: string, waitingDays = MAX_DELETION_DAYS): Promise<KeyMetadata> {
    if (!Number.isInteger(waitingDays) || waitingDays < MIN_DELETION_DAYS || waitingDays > MAX_DELETION_DAYS) {
      throw new AppError('INVALID_INPUT', { message: `The waiting period must be a whole number of days from ${MIN_DELETION_DAYS} to ${MAX_DELETION_DAYS}` });
    }
    return this.#transition(actor, keyIdOrAlias, 'key:ScheduleDeletion', async (row, tx) => {
      if (row.state !== 'Enabled' && row.state !== 'Disabled') throw this.#stateError(row, 'schedule deletion of');
      if (row.alias === AUDIT_SIGNING_KEY_ALIAS) throw new AppError('KEY_INVALID_STATE', { message: 'The audit signing key cannot be deleted' });
      const nowIso = this.#now().toISOString();
      const retained = await tx
        .selectFrom('artifacts')
        .select('id')
        .where('key_id', '=', row.id)
        .where('deleted_at', 'is', null)
        .where((eb) => eb.or([eb('legal_hold', '=', 1), eb('retention_until', '>', nowIso)]))
        .limit(1)
        .executeTakeFirst();
      if (retained) {
        throw new AppError('ARTIFACT_RETAINED', { message: `Key ${row.id} protects artifact ${retained.id}, which is under retention or legal hold` });
      }
      const deletionDate = new Date(this.#now().getTime() + waitingDays * 86_400_000).toISOString();
      return { state: 'PendingDeletion', deletion_date: deletionDate };
    });
  }

  /** Cancels a scheduled deletion; the key returns Disabled, as in AWS KMS. */
  cancelDeletion(actor: Actor, keyIdOrAlias: string): Promise<KeyMetadata> {
    return this.#transition(actor, keyIdOrAlias, 'key:CancelDeletion', async (row) => {
      if (row.state !== 'PendingDeletion') throw this.#stateError(row, 'cancel deletion of');
      return { state: 'Disabled', deletion_date: null };
    });
  }

  /** Destroys the material of keys whose deletion date has passed (crypto-shredding). */
  async purgeDueKeys(actor: Actor): Promise<string[]> {
    const nowIso = this.#now().toISOString();
    const due = await this.#db.kysely.selectFrom('keys').select('id').where('state', '=', 'PendingDeletion').where('deletion_date', '<=', nowIso).execute();
    const purged: string[] = [];
    for (const { id } of due) {
      await this.#transition(actor, id, 'key:Delete', async (row, tx) => {
        for (const v of await this.#versions(tx, row.id)) await this.#provider.destroyVersion({ keyId: row.id, version: v, material: '' });
        await tx.updateTable('key_versions').set({ material: '' }).where('key_id', '=', row.id).execute();
        return { state: 'Deleted' };
      });
      purged.push(id);
    }
    return purged;
  }

  #stateError(row: KeysTable, verb: string): AppError {
    if (row.state === 'PendingDeletion') return new AppError('KEY_PENDING_DELETION', { message: `Key ${row.id} is pending deletion (on ${row.deletion_date}); cannot ${verb} it` });
    if (row.state === 'Disabled') return new AppError('KEY_DISABLED', { message: `Key ${row.id} is disabled; cannot ${verb} it. Enable it with: attest keys enable ${row.id}` });
    return new AppError('KEY_INVALID_STATE', { message: `Key ${row.id} is ${row.state}; cannot ${verb} it` });
  }

  async #usable(keyIdOrAlias: string, usage: KeyUsage, verb: string): Promise<KeysTable> {
    const row = await this.#row(this.#db.kysely, keyIdOrAlias);
    if (row.usage !== usage) throw new AppError('KEY_INVALID_STATE', { message: `Key ${row.id} is a ${row.usage} key; cannot ${verb} with it` });
    if (row.state !== 'Enabled') throw this.#stateError(row, verb);
    return row;
  }

  /** A fresh 256-bit data key wrapped under the key's current version, bound to `context`. */
  async generateDataKey(keyIdOrAlias: string, context: Buffer): Promise<DataKey> {
    const row = await this.#usable(keyIdOrAlias, 'ENCRYPT_DECRYPT', 'encrypt');
    const plaintext = randomBytes(32);
    const wrapped = await this.#provider.wrapDataKey(await this.#material(row.id, row.current_version), plaintext, context);
    return { plaintext, wrapped, keyId: row.id, keyVersion: row.current_version };
  }

  /** Unwraps a data key; fails with KEY_DISABLED / KEY_PENDING_DELETION while the key is not enabled. */
  async decryptDataKey(keyId: string, keyVersion: number, wrapped: Buffer, context: Buffer): Promise<Buffer> {
    await this.#usable(keyId, 'ENCRYPT_DECRYPT', 'decrypt');
    return this.#provider.unwrapDataKey(await this.#material(keyId, keyVersion), wrapped, context);
  }

  /** Re-wraps a data key under the key's current version; returns undefined if already current. */
  async rewrapDataKey(keyId: string, keyVersion: number, wrapped: Buffer, context: Buffer): Promise<{ wrapped: Buffer; keyVersion: number } | undefined> {
    const row = await this.#usable(keyId, 'ENCRYPT_DECRYPT', 're-encrypt');
    if (keyVersion === row.current_version) return undefined;
    const plaintext = await this.#provider.unwrapDataKey(await this.#material(keyId, keyVersion), wrapped, context);
    const rewrapped = await this.#provider.wrapDataKey(await this.#material(row.id, row.current_version), plaintext, context);
    plaintext.fill(0);
    return { wrapped: rewrapped, keyVersion: row.current_version };
  }

  /** Signs an audit checkpoint with the audit signing key's current version. */
  async sign(payload: Buffer): Promise<{ keyId: string; keyVersion: number; signature: Buffer }> {
    const row = await this.#usable(AUDIT_SIGNING_KEY_ALIAS, 'SIGN_VERIFY', 'sign');
    const signature = await this.#provider.sign(await this.#material(row.id, row.current_version), payload);
    return { keyId: row.id, keyVersion: row.current_version, signature };
  }
}

import { mkdtempSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../../../test/support/databases.js';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../../test/support/test-app.js';
import { KeyService, LocalKeyring } from './index.js';

describe.each(testDialects())('key service on %s', (dialect) => {
  let t: TestInstallation;
  beforeAll(async () => {
    t = await createTestInstallation(dialect, 'fs');
  });
  afterAll(async () => t?.dispose());

  it('creates keys with unique aliases and lists and describes them', async () => {
    const k = await t.app.keys.create(TEST_ACTOR, { alias: 'alias/credit-risk', description: 'credit risk models' });
    expect(k).toMatchObject({ alias: 'alias/credit-risk', state: 'Enabled', currentVersion: 1, usage: 'ENCRYPT_DECRYPT', provider: 'local' });
    await expect(t.app.keys.create(TEST_ACTOR, { alias: 'alias/credit-risk' })).rejects.toMatchObject({ code: 'KEY_ALIAS_EXISTS' });
    await expect(t.app.keys.create(TEST_ACTOR, { alias: 'not-an-alias' })).rejects.toThrow();
    expect((await t.app.keys.describe('alias/credit-risk')).keyId).toBe(k.keyId);
    expect((await t.app.keys.list()).map((x) => x.keyId)).toContain(k.keyId);
    await expect(t.app.keys.describe('key_nope')).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it('never stores key material in plaintext: versions are wrapped by the keyring root', async () => {
    const rows = await t.app.db.kysely.selectFrom('key_versions').selectAll().execute();
    for (const r of rows) expect(Buffer.from(r.material, 'base64').length).toBeGreaterThan(32 + 12);
  });

  it('rotates, keeping old versions for decryption', async () => {
    const k = await t.app.keys.create(TEST_ACTOR, { alias: 'alias/rotating' });
    const dk = await t.app.keys.generateDataKey(k.keyId, Buffer.from('ctx'));
    const r = await t.app.keys.rotate(TEST_ACTOR, k.keyId);
    expect(r.currentVersion).toBe(2);
    expect(r.versions).toEqual([1, 2]);
    expect((await t.app.keys.decryptDataKey(k.keyId, 1, dk.wrapped, Buffer.from('ctx'))).equals(dk.plaintext)).toBe(true);
    await expect(t.app.keys.decryptDataKey(k.keyId, 1, dk.wrapped, Buffer.from('other'))).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    const rewrapped = await t.app.keys.rewrapDataKey(k.keyId, 1, dk.wrapped, Buffer.from('ctx'));
    expect(rewrapped?.keyVersion).toBe(2);
    expect((await t.app.keys.decryptDataKey(k.keyId, 2, rewrapped!.wrapped, Buffer.from('ctx'))).equals(dk.plaintext)).toBe(true);
  });

  it('schedules deletion within 7–30 days, refuses use while pending, cancels to disabled, then purges when due', async () => {
    const k = await t.app.keys.create(TEST_ACTOR, { alias: 'alias/doomed' });
    const dk = await t.app.keys.generateDataKey(k.keyId, Buffer.from('c'));
    await expect(t.app.keys.scheduleDeletion(TEST_ACTOR, k.keyId, 3)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const pending = await t.app.keys.scheduleDeletion(TEST_ACTOR, k.keyId, 7);
    expect(pending.state).toBe('PendingDeletion');
    expect(Date.parse(pending.deletionDate!) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    await expect(t.app.keys.decryptDataKey(k.keyId, 1, dk.wrapped, Buffer.from('c'))).rejects.toMatchObject({ code: 'KEY_PENDING_DELETION' });
    await expect(t.app.keys.enable(TEST_ACTOR, k.keyId)).rejects.toMatchObject({ code: 'KEY_PENDING_DELETION' });
    const cancelled = await t.app.keys.cancelDeletion(TEST_ACTOR, k.keyId);
    expect(cancelled.state).toBe('Disabled');
    await t.app.keys.scheduleDeletion(TEST_ACTOR, k.keyId, 7);
    const later = new KeyService({ db: t.app.db, ledger: t.app.ledger, provider: t.app.provider, now: () => new Date(Date.now() + 8 * 86_400_000) });
    expect(await later.purgeDueKeys(TEST_ACTOR)).toEqual([k.keyId]);
    expect((await t.app.keys.describe(k.keyId)).state).toBe('Deleted');
    const history = await t.app.db.kysely.selectFrom('config_changes').select('change').where('resource_id', '=', k.keyId).execute();
    expect(history.map((h) => h.change)).toEqual(['create', 'key:ScheduleDeletion', 'key:CancelDeletion', 'key:ScheduleDeletion', 'key:Delete']);
  });

  it('refuses to delete the audit signing key', async () => {
    await expect(t.app.keys.scheduleDeletion(TEST_ACTOR, 'alias/attest-audit-signing', 7)).rejects.toMatchObject({ code: 'KEY_INVALID_STATE' });
  });
});

describe('local keyring', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attest-keyring-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is created readable by its owner only and refuses to open when others can read it', () => {
    const path = join(dir, 'k1.json');
    LocalKeyring.create({ path });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    chmodSync(path, 0o644);
    expect(() => LocalKeyring.open({ path })).toThrowError(expect.objectContaining({ code: 'KEYRING_LOCKED' }));
  });

  it('seals the root secret with a passphrase when given one', async () => {
    const path = join(dir, 'k2.json');
    const ring = LocalKeyring.create({ path, passphrase: 'correct horse battery staple' });
    const v = await ring.createSymmetricVersion('key_x', 1);
    expect(() => LocalKeyring.open({ path })).toThrowError(expect.objectContaining({ code: 'KEYRING_LOCKED' }));
    expect(() => LocalKeyring.open({ path, passphrase: 'wrong passphrase!!' })).toThrowError(/passphrase is wrong/);
    const reopened = LocalKeyring.open({ path, passphrase: 'correct horse battery staple' });
    const wrapped = await reopened.wrapDataKey({ keyId: 'key_x', version: 1, material: v.material }, Buffer.alloc(32, 7), Buffer.from('c'));
    expect((await ring.unwrapDataKey({ keyId: 'key_x', version: 1, material: v.material }, wrapped, Buffer.from('c'))).equals(Buffer.alloc(32, 7))).toBe(true);
    expect(() => LocalKeyring.create({ path: join(dir, 'k3.json'), passphrase: 'short' })).toThrowError(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('refuses a damaged keyring file with a clear error', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{"format":"nope"}', { mode: 0o600 });
    expect(() => LocalKeyring.open({ path })).toThrowError(expect.objectContaining({ code: 'KEYRING_LOCKED' }));
  });
});

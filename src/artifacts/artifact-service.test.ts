import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectIdByName } from '../app/index.js';
import { projectResourceName } from '../security/audit/index.js';
import { encryptStream } from '../security/crypto/index.js';
import { DEFAULT_KEY_ALIAS } from '../security/keys/index.js';
import { artifactContext } from './artifact-model.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { backendMatrix, createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';

async function* bytesOf(buf: Buffer, piece = 65_536): AsyncGenerator<Buffer> {
  for (let o = 0; o < buf.length; o += piece) yield buf.subarray(o, o + piece);
}

async function readAll(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of it) parts.push(p);
  return Buffer.concat(parts);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

describe.each(backendMatrix())('artifact store on $dialect + $store', ({ dialect, store }) => {
  let t: TestInstallation;
  let projectId: string;
  beforeAll(async () => {
    t = await createTestInstallation(dialect, store);
    projectId = await projectIdByName(t.app, 'default');
  });
  afterAll(async () => t?.dispose());

  it('round-trips bytes exactly and records the SHA-256 content address', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const put = await t.app.artifacts.put(TEST_ACTOR, bytesOf(data), { projectId, mediaType: 'application/x-test' });
    expect(put.sizeBytes).toBe(data.length);
    expect(put.sha256).toMatch(/^[0-9a-f]{64}$/);
    const got = await t.app.artifacts.getBytes(TEST_ACTOR, put.artifactId);
    expect(got.bytes.equals(data)).toBe(true);
    expect((await t.app.artifacts.resolve(`sha256:${put.sha256}`, projectId)).artifactId).toBe(put.artifactId);
  });

  it('stores no plaintext anywhere: neither in the home, nor the database, nor the blob store', async () => {
    const marker = `MARKER-${randomBytes(12).toString('hex')}`;
    const put = await t.app.artifacts.put(TEST_ACTOR, bytesOf(Buffer.from(`${marker}\n`.repeat(2000))), { projectId, name: 'secret-notes.txt' });
    const needle = Buffer.from(marker);
    for (const file of filesUnder(t.home)) expect(readFileSync(file).includes(needle), file).toBe(false);
    const blob = await readAll((await t.app.blobs.get(put.artifactId)) as AsyncIterable<Buffer>);
    expect(blob.includes(needle)).toBe(false);
    const rows = await t.app.db.kysely.selectFrom('artifacts').selectAll().execute();
    expect(JSON.stringify(rows).includes(marker)).toBe(false);
  });

  it('deduplicates identical bytes in a project, but each put keeps its own id and named version', async () => {
    const data = Buffer.from('same bytes, twice');
    const a = await t.app.artifacts.put(TEST_ACTOR, bytesOf(data), { projectId, name: 'model.json' });
    const b = await t.app.artifacts.put(TEST_ACTOR, bytesOf(data), { projectId, name: 'model.json' });
    expect(b.artifactId).not.toBe(a.artifactId);
    // A local directory shares the bytes under a hard link; S3 has no second name, so keeps a copy.
    expect(b.deduplicated).toBe(store === 'fs');
    expect(b.version).toBe(a.version! + 1);
    const versions = await t.app.artifacts.versions(projectId, 'model.json');
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect((await t.app.artifacts.resolve('model.json@1', projectId)).artifactId).toBe(a.artifactId);
    const rows = await t.app.db.kysely.selectFrom('artifacts').select(['id', 'blob_key']).where('id', 'in', [a.artifactId, b.artifactId]).execute();
    expect(new Set(rows.map((r) => r.blob_key)).size).toBe(2);
    if (store === 'fs') {
      const inodes = rows.map((r) => statSync(join(t.home, 'artifacts', 'objects', r.blob_key.slice(-2), r.blob_key)).ino);
      expect(inodes[0]).toBe(inodes[1]);
      expect(await t.app.blobs.exists(b.artifactId)).toBe(false);
    }
    expect((await t.app.artifacts.getBytes(TEST_ACTOR, 'model.json@2', projectId)).bytes.equals(data)).toBe(true);
  });

  it('keeps the retention, key and bytes of each deduplicated version (issue 12, point 10)', async () => {
    const data = Buffer.from(`shared ${randomBytes(8).toString('hex')}`);
    const first = await t.app.artifacts.put(TEST_ACTOR, bytesOf(data), { projectId, name: 'doc' });
    expect(first.deduplicated).toBe(false);
    const until = new Date(Date.now() + 86_400_000).toISOString();
    const second = await t.app.artifacts.put(TEST_ACTOR, bytesOf(data), { projectId, name: 'doc2', retentionUntil: until });
    expect(second.deduplicated).toBe(store === 'fs');
    expect(second.retentionUntil).toBe(until);
    expect((await t.app.artifacts.resolve('doc@1', projectId)).retentionUntil).toBeNull();
    // Deleting one name leaves the other readable; the retained one cannot be deleted.
    await expect(t.app.artifacts.delete(TEST_ACTOR, 'doc2@1', projectId)).rejects.toMatchObject({ code: 'ARTIFACT_RETAINED' });
    await t.app.artifacts.delete(TEST_ACTOR, 'doc@1', projectId);
    expect((await t.app.artifacts.getBytes(TEST_ACTOR, 'doc2@1', projectId)).bytes.equals(data)).toBe(true);
    const third = await t.app.artifacts.put(TEST_ACTOR, bytesOf(data), { projectId, name: 'doc3' });
    await t.app.artifacts.delete(TEST_ACTOR, 'doc3@1', projectId);
    expect((await t.app.artifacts.getBytes(TEST_ACTOR, 'doc2@1', projectId)).bytes.equals(data)).toBe(true);
    expect(third.deduplicated).toBe(store === 'fs');

    // Another key: a separate copy encrypted under it, and the audit entry names that key.
    const other = await t.app.keys.create(TEST_ACTOR, { alias: `alias/dedup-${randomBytes(3).toString('hex')}` });
    const underOther = await t.app.artifacts.put(TEST_ACTOR, bytesOf(data), { projectId, name: 'doc4', key: other.keyId });
    expect(underOther.deduplicated).toBe(false);
    expect(underOther.keyId).toBe(other.keyId);
    expect(await t.app.blobs.exists(underOther.artifactId)).toBe(true);
    const [entry] = await t.app.ledger.list({ action: 'artifact:Put', resource: await projectResourceName(t.app.db, projectId, 'artifact', underOther.artifactId) });
    expect(entry?.details.keyId).toBe(other.keyId);
    await t.app.keys.disable(TEST_ACTOR, other.keyId);
    await expect(t.app.artifacts.getBytes(TEST_ACTOR, 'doc4@1', projectId)).rejects.toMatchObject({ code: 'KEY_DISABLED' });
    expect((await t.app.artifacts.getBytes(TEST_ACTOR, 'doc2@1', projectId)).bytes.equals(data)).toBe(true);
    await t.app.keys.enable(TEST_ACTOR, other.keyId);
  });

  it('refuses to delete a row that older deduplication shared between named versions', async () => {
    const put = await t.app.artifacts.putBytes(TEST_ACTOR, Buffer.from(`legacy ${randomBytes(6).toString('hex')}`), { projectId, name: 'legacy-a' });
    // What a put of the same content under another name recorded before per-version deduplication.
    await t.app.db.kysely.insertInto('named_objects').values({ project_id: projectId, name: 'legacy-b', version: 1, artifact_id: put.artifactId, created_at: new Date().toISOString(), created_by: 'user:tester' }).execute();
    await expect(t.app.artifacts.delete(TEST_ACTOR, 'legacy-b@1', projectId)).rejects.toMatchObject({ code: 'ARTIFACT_RETAINED' });
    expect((await t.app.artifacts.getBytes(TEST_ACTOR, 'legacy-a@1', projectId)).bytes.toString()).toMatch(/^legacy /);
  });

  it('makes objects unreadable while their key is disabled, and readable again when enabled', async () => {
    const put = await t.app.artifacts.put(TEST_ACTOR, bytesOf(Buffer.from('guarded')), { projectId });
    await t.app.keys.disable(TEST_ACTOR, 'alias/attest-default');
    await expect(t.app.artifacts.getBytes(TEST_ACTOR, put.artifactId)).rejects.toMatchObject({ code: 'KEY_DISABLED' });
    await expect(t.app.artifacts.put(TEST_ACTOR, bytesOf(Buffer.from('x')), { projectId })).rejects.toMatchObject({ code: 'KEY_DISABLED' });
    await t.app.keys.enable(TEST_ACTOR, 'alias/attest-default');
    expect((await t.app.artifacts.getBytes(TEST_ACTOR, put.artifactId)).bytes.toString()).toBe('guarded');
  });

  it('reads old and new artifacts after rotate + rewrap, without rewriting object bytes', async () => {
    const before = await t.app.artifacts.put(TEST_ACTOR, bytesOf(Buffer.from('before rotation')), { projectId });
    const blobBefore = await readAll((await t.app.blobs.get(before.artifactId)) as AsyncIterable<Buffer>);
    const rotated = await t.app.keys.rotate(TEST_ACTOR, 'alias/attest-default');
    const after = await t.app.artifacts.put(TEST_ACTOR, bytesOf(Buffer.from('after rotation')), { projectId });
    expect(after.keyVersion).toBe(rotated.currentVersion);
    expect((await t.app.artifacts.getBytes(TEST_ACTOR, before.artifactId)).bytes.toString()).toBe('before rotation');
    const result = await t.app.artifacts.rewrap(TEST_ACTOR, 'alias/attest-default');
    expect(result.rewrapped).toBeGreaterThan(0);
    const described = await t.app.artifacts.describe(before.artifactId);
    expect(described.keyVersion).toBe(rotated.currentVersion);
    const blobAfter = await readAll((await t.app.blobs.get(before.artifactId)) as AsyncIterable<Buffer>);
    expect(blobAfter.equals(blobBefore)).toBe(true);
    expect((await t.app.artifacts.getBytes(TEST_ACTOR, before.artifactId)).bytes.toString()).toBe('before rotation');
    expect((await t.app.artifacts.getBytes(TEST_ACTOR, after.artifactId)).bytes.toString()).toBe('after rotation');
  });

  it('blocks deletion under retention and legal hold; retention cannot be shortened', async () => {
    const put = await t.app.artifacts.put(TEST_ACTOR, bytesOf(randomBytes(100)), { projectId });
    await t.app.artifacts.setRetention(TEST_ACTOR, put.artifactId, '2099-01-01');
    await expect(t.app.artifacts.delete(TEST_ACTOR, put.artifactId)).rejects.toMatchObject({ code: 'ARTIFACT_RETAINED' });
    await expect(t.app.artifacts.setRetention(TEST_ACTOR, put.artifactId, '2098-01-01')).rejects.toMatchObject({ code: 'ARTIFACT_RETAINED' });
    await expect(t.app.keys.scheduleDeletion(TEST_ACTOR, 'alias/attest-default', 7)).rejects.toMatchObject({ code: 'ARTIFACT_RETAINED' });
    const held = await t.app.artifacts.put(TEST_ACTOR, bytesOf(randomBytes(100)), { projectId });
    await t.app.artifacts.setLegalHold(TEST_ACTOR, held.artifactId, true);
    await expect(t.app.artifacts.delete(TEST_ACTOR, held.artifactId)).rejects.toMatchObject({ code: 'ARTIFACT_RETAINED' });
    await t.app.artifacts.setLegalHold(TEST_ACTOR, held.artifactId, false);
    await t.app.artifacts.delete(TEST_ACTOR, held.artifactId);
    await expect(t.app.artifacts.getBytes(TEST_ACTOR, held.artifactId)).rejects.toMatchObject({ code: 'ARTIFACT_NOT_FOUND' });
    expect(await t.app.blobs.exists(held.artifactId)).toBe(false);
  });

  it('writes each change and its audit entry together, and audits failures', async () => {
    const before = (await t.app.ledger.head()).seq;
    const put = await t.app.artifacts.put(TEST_ACTOR, bytesOf(Buffer.from('audited')), { projectId });
    const entries = await t.app.ledger.list({ afterSeq: before });
    expect(entries.map((e) => [e.action, e.outcome])).toContainEqual(['artifact:Put', 'allowed']);
    expect(entries.find((e) => e.action === 'artifact:Put')?.resource).toBe(`attest:default:artifact/${put.artifactId}`);
    await expect(t.app.artifacts.getBytes(TEST_ACTOR, 'art_doesnotexist')).rejects.toMatchObject({ code: 'ARTIFACT_NOT_FOUND' });
    await t.app.artifacts.setLegalHold(TEST_ACTOR, put.artifactId, true);
    await expect(t.app.artifacts.delete(TEST_ACTOR, put.artifactId)).rejects.toMatchObject({ code: 'ARTIFACT_RETAINED' });
    const failed = await t.app.ledger.list({ action: 'artifact:Delete', outcome: 'failed' });
    expect(failed.length).toBeGreaterThan(0);
    const report = await t.app.verifyAudit();
    expect(report.ok).toBe(true);
  });

  it('detects a tampered stored object', async () => {
    if (store !== 'fs') return;
    const put = await t.app.artifacts.put(TEST_ACTOR, bytesOf(randomBytes(5000)), { projectId });
    const file = filesUnder(t.home).find((f) => f.endsWith(put.artifactId))!;
    const blob = readFileSync(file);
    blob[blob.length - 20] = blob[blob.length - 20]! ^ 0xff;
    writeFileSync(file, blob);
    await expect(t.app.artifacts.getBytes(TEST_ACTOR, put.artifactId)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    expect(statSync(file).size).toBe(blob.length);
  });

  it('stores a large file hashed on a worker thread and writes it back out intact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attest-art-'));
    try {
      const data = randomBytes(9 * 1024 * 1024 + 3);
      writeFileSync(join(dir, 'in.bin'), data);
      const put = await t.app.artifacts.putFile(TEST_ACTOR, join(dir, 'in.bin'), { projectId });
      expect(put.sha256).toBe(createHash('sha256').update(data).digest('hex'));
      await t.app.artifacts.getToFile(TEST_ACTOR, put.artifactId, join(dir, 'out.bin'));
      expect(readFileSync(join(dir, 'out.bin')).equals(data)).toBe(true);
      expect(statSync(join(dir, 'out.bin')).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hashes concurrent large puts on separate workers, and a put that fails midway leaves the pool usable', async () => {
    const datas = [0, 1, 2].map(() => randomBytes(5 * 1024 * 1024 + 11));
    const puts = await Promise.all(datas.map((d) => t.app.artifacts.put(TEST_ACTOR, bytesOf(d, 1 << 20), { projectId, sizeHint: d.length })));
    for (const [i, p] of puts.entries()) expect(p.sha256).toBe(createHash('sha256').update(datas[i]!).digest('hex'));
    async function* breaksMidway(): AsyncGenerator<Buffer> {
      yield randomBytes(6 * 1024 * 1024);
      throw new Error('upload interrupted');
    }
    const before = (await t.app.artifacts.list({ projectId })).length;
    await expect(t.app.artifacts.put(TEST_ACTOR, breaksMidway(), { projectId, sizeHint: 8 * 1024 * 1024 })).rejects.toThrow('upload interrupted');
    expect((await t.app.artifacts.list({ projectId })).length).toBe(before);
    const again = randomBytes(5 * 1024 * 1024);
    const put = await t.app.artifacts.put(TEST_ACTOR, bytesOf(again, 1 << 20), { projectId, sizeHint: again.length });
    expect(put.sha256).toBe(createHash('sha256').update(again).digest('hex'));
    expect((await t.app.artifacts.getBytes(TEST_ACTOR, put.artifactId)).bytes.equals(again)).toBe(true);
  });

  it('refuses to read an object whose recorded content address was edited in the database', async () => {
    const put = await t.app.artifacts.put(TEST_ACTOR, bytesOf(randomBytes(70_000)), { projectId });
    const forged = createHash('sha256').update('something else').digest('hex');
    await t.app.db.kysely.updateTable('artifacts').set({ sha256: forged }).where('id', '=', put.artifactId).execute();
    await expect(t.app.artifacts.getBytes(TEST_ACTOR, put.artifactId)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    await t.app.db.kysely.updateTable('artifacts').set({ sha256: put.sha256 }).where('id', '=', put.artifactId).execute();
    expect((await t.app.artifacts.getBytes(TEST_ACTOR, put.artifactId)).bytes.length).toBe(70_000);
  });

  it('still reads format-1 objects (no bound digest) and checks their SHA-256 by hashing', async () => {
    const data = randomBytes(10_000);
    const put = await t.app.artifacts.put(TEST_ACTOR, bytesOf(data), { projectId });
    // Re-store the same plaintext the way format 1 did, under a new data key, as a legacy object.
    const legacyId = `${put.artifactId}x1`;
    const context = artifactContext(legacyId);
    const dataKey = await t.app.keys.generateDataKey(DEFAULT_KEY_ALIAS, context);
    await t.app.blobs.put(legacyId, encryptStream(bytesOf(data), dataKey.plaintext, context));
    const row = await t.app.db.kysely.selectFrom('artifacts').selectAll().where('id', '=', put.artifactId).executeTakeFirstOrThrow();
    await t.app.db.kysely
      .insertInto('artifacts')
      .values({ ...row, id: legacyId, blob_key: legacyId, wrapped_key: dataKey.wrapped.toString('base64'), key_id: dataKey.keyId, key_version: dataKey.keyVersion, encryption: JSON.stringify({ format: 'attest-stream/1', algorithm: 'AES-256-GCM' }) })
      .execute();
    expect((await t.app.artifacts.getBytes(TEST_ACTOR, legacyId)).bytes.equals(data)).toBe(true);
    await t.app.db.kysely.updateTable('artifacts').set({ sha256: createHash('sha256').update('other').digest('hex') }).where('id', '=', legacyId).execute();
    await expect(t.app.artifacts.getBytes(TEST_ACTOR, legacyId)).rejects.toMatchObject({ code: 'ARTIFACT_INTEGRITY' });
  });
});

/**
 * The artifact-store witness (issue 12 point 2): with `audit.witness.store` every signed tree head
 * is also an object of its own in the write-once artifact store, numbered in issue order, and
 * verification reads them back as a witness: a rewrite of the database and the home together is
 * still convicted. On SQLite and PostgreSQL.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDialects } from '../../../test/support/databases.js';
import type { TestInstallation } from '../../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../../test/support/test-app.js';
import { AUDIT_ANCHOR_HISTORY_FILE } from '../../app/index.js';
import { governed, StoreWitness, storeWitnessKey } from './index.js';

async function objectText(t: TestInstallation, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await t.app.blobs.get(key)) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

describe.each(testDialects())('the artifact-store witness on %s', (dialect) => {
  let t: TestInstallation;
  beforeEach(async () => {
    t = await createTestInstallation(dialect, 'fs');
  });
  afterEach(async () => t?.dispose());

  it('mirrors every signed head as a write-once object and convicts a rewrite of the database and the home together', async () => {
    writeFileSync(join(t.home, 'attest.json'), `${JSON.stringify({ version: 1, audit: { witness: { store: true } } })}\n`);
    const app = await t.reopen();
    const write = async (from: number, to: number) => {
      for (let i = from; i < to; i++) await governed({ db: app.db, ledger: app.ledger }, TEST_ACTOR, 'test:Write', `thing/${i}`, async () => ({ result: i }));
    };
    await write(0, 4);
    const first = await app.checkpoint();
    await write(4, 9);
    const second = await app.checkpoint();
    expect(first.signed).toBeDefined();
    expect(second.signed).toBeDefined();
    expect(second.witnessErrors).toEqual([]);
    // Objects 1..n in issue order, each the head as signed; the next number is free.
    const mirrored = await new StoreWitness(app.blobs).read();
    expect(mirrored.length).toBeGreaterThanOrEqual(2);
    expect(mirrored.at(-1)?.head).toEqual(second.signed);
    expect(JSON.parse(await objectText(t, storeWitnessKey(mirrored.length)))).toEqual(second.signed);
    expect(await app.blobs.exists(storeWitnessKey(mirrored.length + 1))).toBe(false);
    // Write-once: a mirrored head cannot be overwritten.
    await expect(app.blobs.put(storeWitnessKey(1), (async function* () { yield Buffer.from('{}'); })())).rejects.toMatchObject({ code: 'ARTIFACT_IMMUTABLE' });
    expect((await app.verifyAudit()).ok).toBe(true);

    // An attacker with the database and the home (not the store) truncates and rewrites the history.
    await app.db.kysely.deleteFrom('audit_events').where('seq', '>', first.signed!.treeSize - 2).execute();
    await app.db.kysely.deleteFrom('audit_checkpoints').execute();
    writeFileSync(join(t.home, AUDIT_ANCHOR_HISTORY_FILE), '');
    const report = await (await t.reopen()).verifyAudit();
    expect(report.ok).toBe(false);
    expect(report.problems.some((p) => /artifact store witness/.test(p.reason))).toBe(true);
  });

  it('numbers heads of racing writers without gaps or overwrites', async () => {
    const a = new StoreWitness(t.app.blobs);
    const b = new StoreWitness(t.app.blobs);
    await a.append('{"n":1}');
    await b.append('{"n":2}');
    await a.append('{"n":3}');
    const lines = await new StoreWitness(t.app.blobs).read();
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3]);
    expect(await Promise.all([1, 2, 3].map(async (n) => (await objectText(t, storeWitnessKey(n))).trim()))).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
  });
});

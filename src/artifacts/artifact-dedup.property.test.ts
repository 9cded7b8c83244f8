/**
 * Deduplication never loses a version: random sequences of put (same or different content, name,
 * key, retention), delete, retain, legal hold and release run against the real artifact service
 * and against a plain in-memory model of named versions. After every delete and at the end of each
 * sequence, every version the model says is live reads back its exact bytes (by name@version and
 * by id), every deleted one answers ARTIFACT_NOT_FOUND, and a deleted version's blob name is gone.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureProject } from '../app/index.js';
import { AppError } from '../kernel/index.js';
import { DEFAULT_KEY_ALIAS } from '../security/keys/index.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { backendMatrix, createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';

type Command =
  | { kind: 'put'; content: number; name: number; key: number; retain: boolean }
  | { kind: 'delete' | 'retain' | 'hold' | 'release'; target: number };

interface ModelVersion {
  ref: string;
  artifactId: string;
  content: Buffer;
  retained: boolean;
  held: boolean;
  deleted: boolean;
}

const CONTENTS = [Buffer.from('alpha bytes'), Buffer.from('beta bytes'), Buffer.from('')];

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('put' as const), content: fc.nat(CONTENTS.length - 1), name: fc.nat(2), key: fc.nat(1), retain: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), target: fc.nat(30) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('retain' as const, 'hold' as const, 'release' as const), target: fc.nat(30) }) },
);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

describe.each(backendMatrix())('deduplicated artifacts on $dialect + $store', ({ dialect, store }) => {
  let t: TestInstallation;
  let keys: string[];
  beforeAll(async () => {
    t = await createTestInstallation(dialect, store);
    keys = [DEFAULT_KEY_ALIAS, (await t.app.keys.create(TEST_ACTOR, { alias: 'alias/second' })).keyId];
  }, 60_000);
  afterAll(async () => t?.dispose());

  it('never loses a live, retained or held version', { timeout: 120_000 }, async () => {
    let run = 0;
    const future = new Date(Date.now() + 7 * 86_400_000).toISOString();
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 24 }), async (commands) => {
        run++;
        const projectId = await ensureProject(t.app, TEST_ACTOR, `dedup-${run}`, 'property test');
        const model: ModelVersion[] = [];
        const check = async () => {
          for (const v of model) {
            if (v.deleted) {
              expect(await codeOf(t.app.artifacts.getBytes(TEST_ACTOR, v.ref, projectId))).toBe('ARTIFACT_NOT_FOUND');
              const row = await t.app.db.kysely.selectFrom('artifacts').select('blob_key').where('id', '=', v.artifactId).executeTakeFirstOrThrow();
              expect(await t.app.blobs.exists(row.blob_key)).toBe(false);
            } else {
              expect((await t.app.artifacts.getBytes(TEST_ACTOR, v.ref, projectId)).bytes.equals(v.content), v.ref).toBe(true);
              expect((await t.app.artifacts.getBytes(TEST_ACTOR, v.artifactId)).bytes.equals(v.content), v.artifactId).toBe(true);
              const meta = await t.app.artifacts.describe(v.ref, projectId);
              expect(meta.legalHold).toBe(v.held);
              expect(meta.retentionUntil !== null).toBe(v.retained);
            }
          }
        };
        for (const c of commands) {
          if (c.kind === 'put') {
            const content = CONTENTS[c.content]!;
            const put = await t.app.artifacts.putBytes(TEST_ACTOR, content, { projectId, name: `doc${c.name}`, key: keys[c.key]!, ...(c.retain ? { retentionUntil: future } : {}) });
            model.push({ ref: `doc${c.name}@${put.version}`, artifactId: put.artifactId, content, retained: c.retain, held: false, deleted: false });
            continue;
          }
          const v = model.length > 0 ? model[c.target % model.length] : undefined;
          if (!v) continue;
          if (c.kind === 'delete') {
            const expected = v.deleted ? 'ARTIFACT_NOT_FOUND' : v.held || v.retained ? 'ARTIFACT_RETAINED' : 'OK';
            expect(await codeOf(t.app.artifacts.delete(TEST_ACTOR, v.ref, projectId))).toBe(expected);
            if (expected === 'OK') v.deleted = true;
            await check();
          } else if (c.kind === 'retain') {
            expect(await codeOf(t.app.artifacts.setRetention(TEST_ACTOR, v.ref, future, projectId))).toBe(v.deleted ? 'ARTIFACT_NOT_FOUND' : 'OK');
            if (!v.deleted) v.retained = true;
          } else {
            const hold = c.kind === 'hold';
            expect(await codeOf(t.app.artifacts.setLegalHold(TEST_ACTOR, v.ref, hold, projectId))).toBe(v.deleted ? 'ARTIFACT_NOT_FOUND' : 'OK');
            if (!v.deleted) v.held = hold;
          }
        }
        await check();
      }),
      { numRuns: store === 's3' ? 8 : 20 },
    );
  });
});

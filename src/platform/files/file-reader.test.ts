import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readFileChunks } from './file-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'attest-file-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const b of it) out.push(b);
  return out;
}

describe('readFileChunks', () => {
  it('yields every byte in order in chunks of the asked size', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 20_000 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 6 }), async (bytes, chunkBytes, readAhead) => {
        const path = join(dir, `f${n++}`);
        writeFileSync(path, bytes);
        const chunks = await collect(readFileChunks(path, { chunkBytes, readAhead }));
        expect(Buffer.concat(chunks).equals(Buffer.from(bytes))).toBe(true);
        expect(chunks.slice(0, -1).every((c) => c.length === chunkBytes)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('reads an empty file as no chunks, and a large one intact', async () => {
    writeFileSync(join(dir, 'empty'), '');
    expect(await collect(readFileChunks(join(dir, 'empty')))).toEqual([]);
    const data = randomBytes(5 * 1024 * 1024 + 7);
    writeFileSync(join(dir, 'large'), data);
    expect(Buffer.concat(await collect(readFileChunks(join(dir, 'large')))).equals(data)).toBe(true);
  });

  it('stops cleanly when the consumer stops early, and fails on a missing file', async () => {
    writeFileSync(join(dir, 'partial'), randomBytes(10_000));
    for await (const _chunk of readFileChunks(join(dir, 'partial'), { chunkBytes: 1000 })) break;
    await expect(collect(readFileChunks(join(dir, 'missing')))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { pieces } from '../../../test/support/byte-pieces.js';
import { writeToFile } from './file-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'attest-file-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeToFile', () => {
  it('writes every byte in order, however the stream is cut and however small the batches', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 20_000 }),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 4096 }),
        fc.integer({ min: 1, max: 6 }),
        async (bytes, sizes, batchBytes, maxInFlight) => {
          const data = Buffer.from(bytes);
          const path = join(dir, `f${n++}`);
          const handle = await open(path, 'wx');
          const written = await writeToFile(handle, pieces(data, sizes), { batchBytes, maxInFlight, syncEveryBytes: 3000 });
          await handle.close();
          expect(written).toBe(data.length);
          expect(readFileSync(path).equals(data)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('writes a multi-MiB stream with background write-back', async () => {
    const data = randomBytes(9 * 1024 * 1024 + 5);
    const path = join(dir, 'big');
    const handle = await open(path, 'wx');
    expect(await writeToFile(handle, pieces(data, [65_536, 1_000_003]), { syncEveryBytes: 2 << 20 })).toBe(data.length);
    await handle.sync();
    await handle.close();
    expect(readFileSync(path).equals(data)).toBe(true);
  });

  it('passes on a failure of the source after letting started writes finish', async () => {
    const path = join(dir, 'failing');
    const handle = await open(path, 'wx');
    async function* failing(): AsyncGenerator<Buffer> {
      yield randomBytes(3 << 20);
      throw new Error('source broke');
    }
    await expect(writeToFile(handle, failing())).rejects.toThrow('source broke');
    await handle.close();
  });
});

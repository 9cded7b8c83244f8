import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pieces } from '../../../test/support/byte-pieces.js';
import { decryptStream, encryptStream } from './envelope-stream.js';

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of it) parts.push(p);
  return Buffer.concat(parts);
}

describe('envelope stream (chunked AES-256-GCM)', () => {
  const key = randomBytes(32);
  const aad = Buffer.from('art_test');

  it('round-trips any data split any way, across chunk boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 5000 }), fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 5 }), async (bytes, sizes) => {
        const data = Buffer.from(bytes);
        const sealed = await collect(encryptStream(pieces(data, sizes), key, aad, { chunkLog2: 10 }));
        const opened = await collect(decryptStream(pieces(sealed, [...sizes].reverse()), key, aad));
        expect(opened.equals(data)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('never contains the plaintext', async () => {
    const marker = Buffer.from('UNIQUE-MARKER-7f3a9c'.repeat(100));
    const sealed = await collect(encryptStream(pieces(marker, [100]), key, aad, { chunkLog2: 10 }));
    expect(sealed.includes(Buffer.from('UNIQUE-MARKER'))).toBe(false);
  });

  it('fails on wrong key, wrong identity, tampering, truncation and reordering', async () => {
    const data = randomBytes(5000);
    const sealed = await collect(encryptStream(pieces(data, [5000]), key, aad, { chunkLog2: 10 }));
    const attempt = (blob: Buffer, k = key, a = aad) => collect(decryptStream(pieces(blob, [777]), k, a));
    await expect(attempt(sealed, randomBytes(32))).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    await expect(attempt(sealed, key, Buffer.from('art_other'))).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    const flipped = Buffer.from(sealed);
    flipped[100] = flipped[100]! ^ 1;
    await expect(attempt(flipped)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    // Truncation exactly at a chunk boundary: header 13 + 2 full chunks of 1024+16.
    await expect(attempt(sealed.subarray(0, 13 + 2 * 1040))).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    const swapped = Buffer.concat([sealed.subarray(0, 13), sealed.subarray(13 + 1040, 13 + 2080), sealed.subarray(13, 13 + 1040), sealed.subarray(13 + 2080)]);
    await expect(attempt(swapped)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
  });

  it('encrypts the empty object as one authenticated final chunk', async () => {
    const sealed = await collect(encryptStream(pieces(Buffer.alloc(0), [1]), key, aad));
    expect(sealed.length).toBe(13 + 16);
    expect((await collect(decryptStream(pieces(sealed, [5]), key, aad))).length).toBe(0);
  });

  it('seals chunks larger than a cipher slice (format 2 with a final binding) and reads them back', async () => {
    const data = randomBytes(5 * 131_072 + 999);
    const binding = randomBytes(32);
    let version = 0;
    const sealed = await collect(encryptStream(pieces(data, [70_000, 3]), key, aad, { chunkLog2: 17, finalBinding: async () => binding }));
    const opened = await collect(decryptStream(pieces(sealed, [100_000]), key, aad, { finalBinding: binding, onVersion: (v) => (version = v) }));
    expect(opened.equals(data)).toBe(true);
    expect(version).toBe(2);
  });

  it('binds the final value: a different, missing or stripped binding fails; format 1 still reads', async () => {
    const data = randomBytes(3000);
    const binding = randomBytes(32);
    const sealed = await collect(encryptStream(pieces(data, [3000]), key, aad, { chunkLog2: 10, finalBinding: () => binding }));
    const attempt = (blob: Buffer, finalBinding?: Uint8Array) => collect(decryptStream(pieces(blob, [512]), key, aad, finalBinding ? { finalBinding } : {}));
    await expect(attempt(sealed, randomBytes(32))).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    await expect(attempt(sealed)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    // Rewriting the header to format 1 (to skip the binding) breaks the final chunk's tag.
    const downgraded = Buffer.from(sealed);
    downgraded[4] = 1;
    await expect(attempt(downgraded)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    const legacy = await collect(encryptStream(pieces(data, [3000]), key, aad, { chunkLog2: 10 }));
    expect(legacy[4]).toBe(1);
    expect((await attempt(legacy)).equals(data)).toBe(true);
  });
});

/**
 * @module security/crypto/envelope-stream
 * Streaming authenticated encryption for artifacts: the plaintext is cut into fixed-size chunks,
 * each sealed with AES-256-GCM under the object's own 256-bit data key. The nonce of chunk i is
 * a 7-byte random prefix ‖ i (32-bit big-endian) ‖ a final-chunk flag byte, and every chunk's
 * additional authenticated data is the object's identity — so chunks cannot be reordered,
 * dropped, truncated at a chunk boundary, or moved to another object without failing
 * authentication (the STREAM construction of Hoang, Reyhanitabar, Rogaway & Vizár, "Online
 * authenticated-encryption and its nonce-reuse misuse-resistance", CRYPTO 2015). A reader can
 * therefore release each chunk as soon as it is authenticated, with bounded memory.
 *
 * Blob layout: header `ATSE` ‖ version 1 ‖ log2(chunk size) ‖ nonce prefix (7 bytes), then for
 * each chunk its ciphertext followed by a 16-byte tag. An empty plaintext is one empty final chunk.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../../kernel/index.js';

const MAGIC = Buffer.from('ATSE', 'ascii');
const FORMAT_VERSION = 1;
const HEADER_BYTES = 4 + 1 + 1 + 7;
const TAG_BYTES = 16;
/** 1 MiB chunks: large enough that per-chunk cost vanishes, small enough to bound memory. */
export const DEFAULT_CHUNK_LOG2 = 20;

function nonceFor(prefix: Buffer, index: number, final: boolean): Buffer {
  const nonce = Buffer.allocUnsafe(12);
  prefix.copy(nonce, 0, 0, 7);
  nonce.writeUInt32BE(index >>> 0, 7);
  nonce[11] = final ? 1 : 0;
  return nonce;
}

function sealChunk(key: Buffer, prefix: Buffer, index: number, final: boolean, aad: Buffer, plain: Buffer): Buffer[] {
  const cipher = createCipheriv('aes-256-gcm', key, nonceFor(prefix, index, final));
  cipher.setAAD(aad);
  const body = cipher.update(plain);
  cipher.final();
  return [body, cipher.getAuthTag()];
}

/**
 * Encrypts a stream of plaintext chunks (any sizes) into the blob layout.
 * @param key 32-byte data key; @param aad the object's identity (bound into every chunk).
 */
export async function* encryptStream(
  source: AsyncIterable<Uint8Array>,
  key: Buffer,
  aad: Buffer,
  chunkLog2 = DEFAULT_CHUNK_LOG2,
): AsyncGenerator<Buffer> {
  if (key.length !== 32) throw new AppError('INTERNAL', { message: 'Data keys are 256-bit' });
  const chunkSize = 2 ** chunkLog2;
  const prefix = randomBytes(7);
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header[4] = FORMAT_VERSION;
  header[5] = chunkLog2;
  prefix.copy(header, 6);
  yield header;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let index = 0;
  for await (const piece of source) {
    let buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    // Hold back at least one byte so the final chunk is known to be final when sealed.
    while (pendingBytes + buf.length > chunkSize) {
      const take = chunkSize - pendingBytes;
      if (take > 0) pending.push(buf.subarray(0, take));
      buf = buf.subarray(take);
      const plain = pending.length === 1 ? pending[0]! : Buffer.concat(pending, chunkSize);
      yield* sealChunk(key, prefix, index++, false, aad, plain);
      pending = [];
      pendingBytes = 0;
    }
    // Sources never reuse a buffer they have yielded (Node streams allocate per chunk), so the
    // tail can be held without copying.
    if (buf.length > 0) {
      pending.push(buf);
      pendingBytes += buf.length;
    }
  }
  yield* sealChunk(key, prefix, index, true, aad, Buffer.concat(pending, pendingBytes));
}

function decryptionFailed(reason: string): AppError {
  return new AppError('DECRYPTION_FAILED', { message: `Decryption failed: ${reason}` });
}

/**
 * Decrypts the blob layout, yielding each chunk's plaintext only after its tag verifies.
 * Throws DECRYPTION_FAILED on a wrong key, wrong identity, tampering or truncation.
 */
export async function* decryptStream(source: AsyncIterable<Uint8Array>, key: Buffer, aad: Buffer): AsyncGenerator<Buffer> {
  let buffered: Buffer[] = [];
  let bufferedBytes = 0;
  let header: { chunkSize: number; prefix: Buffer } | undefined;
  let index = 0;
  let sawFinal = false;

  const take = (n: number): Buffer => {
    const all = buffered.length === 1 ? buffered[0]! : Buffer.concat(buffered, bufferedBytes);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    buffered = rest.length > 0 ? [rest] : [];
    bufferedBytes = rest.length;
    return out;
  };

  const open = (sealed: Buffer, final: boolean): Buffer => {
    if (!header) throw decryptionFailed('missing header');
    const decipher = createDecipheriv('aes-256-gcm', key, nonceFor(header.prefix, index, final));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      const plain = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
      decipher.final();
      index++;
      return plain;
    } catch {
      throw decryptionFailed(`chunk ${index} does not authenticate (wrong key, wrong object, or modified data)`);
    }
  };

  for await (const piece of source) {
    if (sawFinal) throw decryptionFailed('data after the final chunk');
    const buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    buffered.push(buf);
    bufferedBytes += buf.length;
    if (!header) {
      if (bufferedBytes < HEADER_BYTES) continue;
      const h = take(HEADER_BYTES);
      if (!h.subarray(0, 4).equals(MAGIC) || h[4] !== FORMAT_VERSION || h[5]! < 10 || h[5]! > 26) throw decryptionFailed('not an Attest encrypted object');
      header = { chunkSize: 2 ** h[5]!, prefix: Buffer.from(h.subarray(6, 13)) };
    }
    const sealedSize = header.chunkSize + TAG_BYTES;
    // A full-size sealed chunk is non-final only if more bytes follow it.
    while (bufferedBytes > sealedSize) yield open(take(sealedSize), false);
  }
  if (!header) throw decryptionFailed('truncated header');
  if (bufferedBytes < TAG_BYTES) throw decryptionFailed('truncated object');
  yield open(take(bufferedBytes), true);
  sawFinal = true;
}

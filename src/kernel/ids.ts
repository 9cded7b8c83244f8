/**
 * @module kernel/ids
 * Identifiers. Resource ids are a short type prefix plus 20 random bytes in base32 (lower case,
 * no padding), e.g. `key_...`, so an id says what it names and cannot be guessed.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lower-case RFC 4648 base32 without padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

const ID_BYTES = 20;
/** Random bytes are drawn from the CSPRNG for 256 ids at a time: a request makes several ids, and a call per id costs more than the bytes. */
const POOL_BYTES = ID_BYTES * 256;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** A new random id with the given type prefix, e.g. `newId('art')` → `art_k3...`. */
export function newId(prefix: string): string {
  if (poolOffset + ID_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + ID_BYTES);
  poolOffset += ID_BYTES;
  return `${prefix}_${base32(bytes)}`;
}

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

/** A new random id with the given type prefix, e.g. `newId('art')` → `art_k3...`. */
export function newId(prefix: string): string {
  return `${prefix}_${base32(randomBytes(20))}`;
}

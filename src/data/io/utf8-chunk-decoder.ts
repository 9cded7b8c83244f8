/**
 * @module data/io/utf8-chunk-decoder
 * Strict UTF-8 decoding of a byte stream in chunks. Unlike a streaming TextDecoder, it reports
 * where the first invalid byte is, so an import in the wrong encoding (for example Latin-1 bytes)
 * fails with the row and column of the offending cell. A leading byte-order mark is dropped.
 */

/** Result of decoding one chunk: the valid text, and the stream offset of the first invalid byte if any. */
export interface DecodedChunk {
  readonly text: string;
  readonly invalidAt?: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Length of the sequence a UTF-8 lead byte starts, or 0 if `b` cannot start one. */
function sequenceLength(b: number): number {
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/** Index of the first byte that is not part of a well-formed UTF-8 sequence (RFC 3629 §4), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const len = sequenceLength(b);
    if (len === 0 || i + len > n) return i;
    const b1 = bytes[i + 1]!;
    // The second byte's range depends on the lead byte: this excludes overlong forms, surrogates and code points above U+10FFFF.
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (b1 < lo || b1 > hi) return i;
    for (let k = 2; k < len; k++) {
      const bk = bytes[i + k]!;
      if (bk < 0x80 || bk > 0xbf) return i;
    }
    i += len;
  }
  return -1;
}

/** Start of an incomplete sequence at the end of `bytes` (kept for the next chunk), or `bytes.length`. */
function completePrefixLength(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = bytes[n - back]!;
    if (b < 0x80) return n;
    if (b >= 0xc0) {
      const len = sequenceLength(b);
      return len > back ? n - back : n;
    }
  }
  return n;
}

/**
 * Decodes a byte stream chunk by chunk; sequences split across chunks are joined.
 * @example
 * const d = new Utf8ChunkDecoder(); const a = d.decode(chunk1); const b = d.decode(chunk2); const end = d.end();
 */
export class Utf8ChunkDecoder {
  #carry: Uint8Array = new Uint8Array(0);
  #offset = 0;
  #started = false;

  /** Decodes the next chunk. After a result with `invalidAt`, stop feeding. */
  decode(chunk: Uint8Array): DecodedChunk {
    let bytes = chunk;
    if (this.#carry.length > 0) {
      bytes = new Uint8Array(this.#carry.length + chunk.length);
      bytes.set(this.#carry, 0);
      bytes.set(chunk, this.#carry.length);
    }
    const cut = completePrefixLength(bytes);
    const head = bytes.subarray(0, cut);
    this.#carry = bytes.slice(cut);
    const base = this.#offset;
    this.#offset += cut;
    try {
      return { text: this.#stripBom(decoder.decode(head)) };
    } catch {
      const bad = firstInvalidUtf8(head);
      const at = Math.max(0, bad);
      return { text: this.#stripBom(decoder.decode(head.subarray(0, at))), invalidAt: base + at };
    }
  }

  /** Ends the stream; an incomplete sequence left over is invalid. */
  end(): DecodedChunk {
    if (this.#carry.length === 0) return { text: '' };
    return { text: '', invalidAt: this.#offset };
  }

  #stripBom(text: string): string {
    if (this.#started || text.length === 0) return text;
    this.#started = true;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
}

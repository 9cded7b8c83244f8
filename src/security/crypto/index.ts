/**
 * @module security/crypto
 * Envelope encryption primitives: streaming chunked AES-256-GCM under per-object data keys.
 */
export type { DecryptOptions, EncryptOptions, EnvelopeVersion } from './envelope-stream.js';
export { DEFAULT_CHUNK_LOG2, decryptStream, encryptStream } from './envelope-stream.js';

/**
 * @module kernel
 * The few things every capability shares: the error catalogue, canonical JSON, ids, seeded randomness.
 */
export { AppError, ERROR_CATALOGUE, ensure, exitCodeOf, httpStatusOf, isAppError, toAppError } from './errors.js';
export type { AppErrorOptions, ErrorCode, ErrorKind } from './errors.js';
export { canonicalJson } from './canonical-json.js';
export { base32, newId } from './ids.js';
export { createRandom, shuffleInPlace } from './random.js';
export type { Random } from './random.js';

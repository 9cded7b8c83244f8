/**
 * @module platform/blob
 * Where encrypted artifact bytes live: a local directory or an S3-compatible store.
 */
import { fileURLToPath } from 'node:url';
import { AppError } from '../../kernel/index.js';
import type { BlobStore } from './blob-store.js';
import { FsBlobStore } from './fs-blob-store.js';
import { S3BlobStore, parseS3Url } from './s3-blob-store.js';

export type { BlobStore, IncompleteWrites } from './blob-store.js';
export { FsBlobStore } from './fs-blob-store.js';
export type { S3Location } from './s3-blob-store.js';
export { S3BlobStore, parseS3Url } from './s3-blob-store.js';

/** Opens the blob store named by a URL: `file:///abs/path`, a plain path, or `s3://bucket/prefix?…`. */
export function openBlobStore(url: string): BlobStore {
  if (url.startsWith('s3://')) return new S3BlobStore(parseS3Url(url));
  if (url.startsWith('file:')) return new FsBlobStore(fileURLToPath(url));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new AppError('INVALID_CONFIG', { message: `Unsupported store URL scheme in ${url}; use file:///path or s3://bucket/prefix` });
  return new FsBlobStore(url);
}

/**
 * @module platform/blob
 * Where encrypted artifact bytes live: a local directory or an S3-compatible store.
 * The S3 adapter (and the AWS SDK behind it) is loaded only when the configured URL names one,
 * so an embedded installation never pays for it at start-up.
 */
import { fileURLToPath } from 'node:url';
import { AppError } from '../../kernel/index.js';
import type { BlobStore } from './blob-store.js';
import { FsBlobStore } from './fs-blob-store.js';

export type { BlobStore, IncompleteWrites } from './blob-store.js';
export { FsBlobStore } from './fs-blob-store.js';
export type { S3Location } from './s3-blob-store.js';

/** Opens the blob store named by a URL: `file:///abs/path`, a plain path, or `s3://bucket/prefix?…`. */
export async function openBlobStore(url: string): Promise<BlobStore> {
  if (url.startsWith('s3://')) {
    const { S3BlobStore, parseS3Url } = await import('./s3-blob-store.js');
    return new S3BlobStore(parseS3Url(url));
  }
  if (url.startsWith('file:')) return new FsBlobStore(fileURLToPath(url));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new AppError('INVALID_CONFIG', { message: `Unsupported store URL scheme in ${url}; use file:///path or s3://bucket/prefix` });
  return new FsBlobStore(url);
}

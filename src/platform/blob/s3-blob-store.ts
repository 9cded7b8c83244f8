/**
 * @module platform/blob/s3-blob-store
 * Blob store on any S3-compatible object store (AWS S3, MinIO, Ceph RGW; tested against s3rver on
 * loopback). Large objects go up as multipart uploads, which S3 makes visible only on completion,
 * so a crash mid-put leaves nothing readable; stale incomplete uploads are aborted by the sweep.
 * Configured by `s3://bucket/prefix?region=…&endpoint=…&forcePathStyle=true`; credentials come from
 * the standard AWS environment/profile chain, never from Attest's configuration file.
 */
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { AppError } from '../../kernel/index.js';
import type { BlobStore, IncompleteWrites } from './blob-store.js';

export interface S3Location {
  bucket: string;
  prefix: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
}

/** Parses `s3://bucket/prefix?region=…&endpoint=…&forcePathStyle=true`. */
export function parseS3Url(url: string): S3Location {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('INVALID_CONFIG', { message: `Not a valid store URL: ${url}` });
  }
  if (parsed.protocol !== 's3:' || !parsed.hostname) throw new AppError('INVALID_CONFIG', { message: `An S3 store URL looks like s3://bucket/prefix, not ${url}` });
  const prefix = decodeURIComponent(parsed.pathname.replace(/^\/+/, '').replace(/\/+$/, ''));
  const endpoint = parsed.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined && !/^https?:\/\//.test(endpoint)) throw new AppError('INVALID_CONFIG', { message: `The S3 endpoint must be an http(s) URL, not ${endpoint}` });
  return {
    bucket: parsed.hostname,
    prefix,
    region: parsed.searchParams.get('region') ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: parsed.searchParams.get('forcePathStyle') === 'true' || endpoint !== undefined,
  };
}

export class S3BlobStore implements BlobStore {
  readonly location: string;
  readonly #client: S3Client;
  readonly #where: S3Location;

  constructor(where: S3Location, client?: S3Client) {
    // The pinned SDK warns on every process start that its future releases will need Node 22;
    // Attest targets Node 20 with this pinned version, so the notice is for us, not for operators
    // reading CLI output. An operator's own setting of the variable is kept.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.#where = where;
    this.location = `s3://${where.bucket}/${where.prefix}`;
    this.#client =
      client ??
      new S3Client({
        region: where.region,
        ...(where.endpoint ? { endpoint: where.endpoint } : {}),
        forcePathStyle: where.forcePathStyle,
      });
  }

  #key(key: string): string {
    if (!/^[A-Za-z0-9_.-]{1,200}$/.test(key)) throw new AppError('INVALID_INPUT', { message: `Invalid blob key ${key}` });
    return this.#where.prefix ? `${this.#where.prefix}/${key}` : key;
  }

  #unavailable(error: unknown): AppError {
    return new AppError('UNAVAILABLE', { message: `S3 store ${this.location}: ${(error as Error).message}`, cause: error });
  }

  async put(key: string, body: AsyncIterable<Uint8Array>): Promise<{ bytes: number }> {
    const objectKey = this.#key(key);
    if (await this.exists(key)) throw new AppError('ARTIFACT_IMMUTABLE', { message: `Blob ${key} already exists` });
    let bytes = 0;
    const counted = async function* () {
      for await (const chunk of body) {
        bytes += chunk.byteLength;
        yield chunk;
      }
    };
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#where.bucket, Key: objectKey, Body: Readable.from(counted()), ContentType: 'application/octet-stream' },
      partSize: 8 * 1024 * 1024,
      queueSize: 4,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw this.#unavailable(error);
    }
    return { bytes };
  }

  async get(key: string): Promise<AsyncIterable<Uint8Array>> {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#where.bucket, Key: this.#key(key) }));
      return out.Body as Readable;
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') throw new AppError('ARTIFACT_NOT_FOUND', { message: `The stored object ${key} is missing from ${this.location}` });
      throw this.#unavailable(error);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.#where.bucket, Key: this.#key(key) }));
      return true;
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return false;
      throw this.#unavailable(error);
    }
  }

  /** S3 has no second name for an object's bytes (a server-side copy would save nothing). */
  async link(_existingKey: string, _newKey: string): Promise<boolean> {
    return false;
  }

  async delete(key: string): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#where.bucket, Key: this.#key(key) }));
    } catch (error) {
      throw this.#unavailable(error);
    }
  }

  /** Multipart uploads carry no owner S3 could check: they are judged by age. */
  async incomplete(olderThanMs: number): Promise<IncompleteWrites> {
    try {
      const out = await this.#client.send(new ListMultipartUploadsCommand({ Bucket: this.#where.bucket, Prefix: this.#where.prefix || undefined }));
      const uploads = out.Uploads ?? [];
      const cutoff = Date.now() - olderThanMs;
      const orphaned = uploads.filter((u) => u.Initiated && u.Initiated.getTime() <= cutoff).length;
      return { count: uploads.length, bytes: 0, orphaned, orphanedBytes: 0 };
    } catch {
      return { count: 0, bytes: 0, orphaned: 0, orphanedBytes: 0 };
    }
  }

  async sweepIncomplete(olderThanMs: number): Promise<number> {
    let removed = 0;
    try {
      const out = await this.#client.send(new ListMultipartUploadsCommand({ Bucket: this.#where.bucket, Prefix: this.#where.prefix || undefined }));
      const cutoff = Date.now() - olderThanMs;
      for (const u of out.Uploads ?? []) {
        if (u.Key && u.UploadId && u.Initiated && u.Initiated.getTime() <= cutoff) {
          await this.#client.send(new AbortMultipartUploadCommand({ Bucket: this.#where.bucket, Key: u.Key, UploadId: u.UploadId }));
          removed++;
        }
      }
    } catch {
      // Some S3-compatible servers do not implement ListMultipartUploads; their lifecycle rules clean up instead.
      return removed;
    }
    return removed;
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}

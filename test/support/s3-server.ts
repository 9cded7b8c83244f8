/**
 * A real S3-protocol server (s3rver) on loopback for the S3 blob-store tests: requests are signed
 * with SigV4 by the AWS SDK and served over HTTP on 127.0.0.1, data kept in a temp directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** Store URL for ATTEST_STORE_URL. */
  url(prefix: string): string;
  stop(): Promise<void>;
}

/** s3rver accepts requests signed with this fixed key pair. */
export const S3RVER_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' } as const;

export async function startTestS3(bucket = 'attest-test'): Promise<TestS3> {
  Object.assign(process.env, S3RVER_CREDENTIALS);
  const directory = mkdtempSync(join(tmpdir(), 'attest-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const address = (await server.run()) as { address: string; port: number };
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    bucket,
    url: (prefix) => `s3://${bucket}/${prefix}?endpoint=${encodeURIComponent(endpoint)}&region=us-east-1&forcePathStyle=true`,
    stop: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

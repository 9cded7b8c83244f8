/**
 * @module config/config-schema
 * Attest's configuration: one zod schema, the single source of truth for the file
 * (`<home>/attest.json`), the environment variables and their documentation in the README.
 * Secrets never live in the file: database passwords come in `ATTEST_DB_URL`, S3 credentials
 * from the AWS credential chain, the keyring passphrase from `ATTEST_KEYRING_PASSPHRASE`.
 */
import { z } from 'zod';

export const ConfigFileSchema = z
  .object({
    version: z.literal(1),
    database: z.object({ url: z.string().min(1) }).strict().optional(),
    store: z.object({ url: z.string().min(1) }).strict().optional(),
    keys: z
      .object({
        provider: z.enum(['local']).default('local'),
        keyringPath: z.string().min(1).optional(),
        defaultKey: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    audit: z
      .object({
        /** Sign a checkpoint once this many entries are not yet covered. */
        checkpointEveryEntries: z.number().int().min(1).max(100_000).optional(),
      })
      .strict()
      .optional(),
    server: z
      .object({
        host: z.string().optional(),
        port: z.number().int().min(0).max(65535).optional(),
      })
      .passthrough()
      .optional(),
  })
  .strict();
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/** The environment variables Attest reads, with their meaning (rendered into the README table). */
export const ENVIRONMENT = {
  ATTEST_HOME: 'Installation home (default ./.attest); every command also takes --home',
  ATTEST_DB_URL: 'Metadata store: sqlite:PATH (default <home>/attest.db) or postgres://user:pass@host:5432/db',
  ATTEST_STORE_URL: 'Artifact store: file:///path (default <home>/artifacts) or s3://bucket/prefix?region=…&endpoint=…&forcePathStyle=true',
  ATTEST_KEY_PROVIDER: 'Key provider: local (the keyring file)',
  ATTEST_KEYRING_FILE: 'Path of the local keyring (default <home>/keyring.json, mode 0600)',
  ATTEST_KEYRING_PASSPHRASE: 'Passphrase sealing the keyring root secret (optional; set at init to require it)',
} as const;

/** The resolved configuration a process runs with. */
export interface ResolvedConfig {
  readonly home: string;
  readonly databaseUrl: string;
  readonly storeUrl: string;
  readonly keyProvider: 'local';
  readonly keyringPath: string;
  readonly keyringPassphrase: string | undefined;
  readonly defaultKey: string;
  readonly checkpointEveryEntries: number;
  readonly server: { host: string; port: number };
}

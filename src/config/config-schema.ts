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
        /** How often the API server signs a tree head while entries are written (only when the head moved). Default 1000. */
        signIntervalMs: z.number().int().min(100).max(3_600_000).optional(),
        /** Witnesses that receive a copy of every signed tree head, outside the home and the database. */
        witness: z
          .object({
            /** A file appended with every head (e.g. on another volume or a mounted share). */
            file: z.string().min(1).optional(),
            /** An endpoint that receives every head as a JSON POST; HTTPS, or HTTP on loopback only. */
            url: z
              .url()
              .refine((u) => {
                const parsed = new URL(u);
                return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname));
              }, 'audit.witness.url must be https:// (http:// only on loopback)')
              .optional(),
            /** Mirror every head into the write-once artifact store as well (an object per head). */
            store: z.boolean().optional(),
          })
          .strict()
          .optional(),
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
    /** OIDC single sign-on: bearer JWTs from this issuer, claims mapped to Attest groups and roles. */
    oidc: z
      .object({
        issuer: z.url(),
        audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
        /** Explicit JWKS URL; default: the `jwks_uri` of the issuer's discovery document. */
        jwksUrl: z.url().optional(),
        algorithms: z.array(z.string()).optional(),
        clockToleranceSec: z.number().int().min(0).max(300).optional(),
        maxTokenAgeSec: z.number().int().positive().optional(),
        claims: z.object({ username: z.string().optional(), email: z.string().optional(), groups: z.string().optional() }).strict().optional(),
        mappings: z
          .array(
            z
              .object({
                claimValue: z.string().min(1),
                groups: z.array(z.string()).optional(),
                roles: z.array(z.object({ role: z.string(), project: z.string().optional() }).strict()).optional(),
              })
              .strict(),
          )
          .optional(),
      })
      .strict()
      .optional(),
    /** Sessions from a password login. */
    sessions: z.object({ ttlMinutes: z.number().int().min(1).max(24 * 60).optional() }).strict().optional(),
    /** Access management. */
    access: z
      .object({
        /**
         * Grant boundaries: role name → managed policy name. Holders of the role may grant what the
         * policy allows beyond their own permissions (replacing a built-in role's boundary).
         */
        grantBoundaries: z.record(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/), z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/)).optional(),
      })
      .strict()
      .optional(),
    /** The execution engine: which queue delivers jobs, leases, per-job limits, and who runs jobs. */
    jobs: z
      .object({
        /** `sql`: the queue in the metadata database (default); `pg-boss`: pg-boss on PostgreSQL, for `attest worker`s on many machines. */
        queue: z.enum(['sql', 'pg-boss']).optional(),
        /** The schema pg-boss keeps its tables in (default pgboss). */
        pgBossSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).optional(),
        /** Lease of a running attempt: a runner that stops heartbeating loses its job this long after its last heartbeat. Default 30. */
        leaseSeconds: z.number().int().min(1).max(3600).optional(),
        /** Whether `attest server` runs jobs in child processes itself (default true); false leaves them to `attest worker`s. */
        serverRunsJobs: z.boolean().optional(),
        /** Default wall-time limit of one attempt (default 21600 = 6 h). */
        timeoutSeconds: z.number().int().min(1).max(7 * 24 * 3600).optional(),
        /** Default memory limit of a job process in MiB (default 4096). */
        memoryMb: z.number().int().min(256).max(1024 * 1024).optional(),
      })
      .strict()
      .optional(),
    /** Detective controls: alert sinks and the scheduled audit verification. */
    alerts: z
      .object({
        /** Webhooks receiving alerts, signed with HMAC-SHA256 under the secret in the named environment variable. */
        webhooks: z.array(z.object({ url: z.url(), secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).default('ATTEST_WEBHOOK_SECRET') }).strict()).optional(),
        /** How often the server verifies the audit ledger; 0 turns it off. Default 3600. */
        auditVerifyIntervalSeconds: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type OidcFileConfig = NonNullable<z.infer<typeof ConfigFileSchema>['oidc']>;
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/** The environment variables Attest reads, with their meaning (rendered into the README table). */
export const ENVIRONMENT = {
  ATTEST_HOME: 'Installation home (default ./.attest); every command also takes --home',
  ATTEST_DB_URL: 'Metadata store: sqlite:PATH (default <home>/attest.db) or postgres://user:pass@host:5432/db',
  ATTEST_STORE_URL: 'Artifact store: file:///path (default <home>/artifacts) or s3://bucket/prefix?region=…&endpoint=…&forcePathStyle=true',
  ATTEST_KEY_PROVIDER: 'Key provider: local (the keyring file)',
  ATTEST_KEYRING_FILE: 'Path of the local keyring (default <home>/keyring.json, mode 0600)',
  ATTEST_KEYRING_PASSPHRASE: 'Passphrase sealing the keyring root secret (optional; set at init to require it)',
  ATTEST_URL: 'Server URL for remote CLI mode (same as --server); the token from `attest login` is used',
  ATTEST_TOKEN: 'An API token for remote CLI mode (pipelines); overrides the stored session',
  ATTEST_PASSWORD: 'Password for `attest login` when not given with --password-stdin',
  ATTEST_NEW_PASSWORD: 'The password for `attest users create` / `reset-password` (never on the command line)',
  ATTEST_CREDENTIALS_FILE: 'Where `attest login` stores session tokens (default ~/.config/attest/credentials.json, mode 0600)',
  ATTEST_JOB_QUEUE: 'Job queue: sql (the metadata database, default) or pg-boss (PostgreSQL only; for attest worker on many machines)',
  ATTEST_JOB_LEASE_SECONDS: 'Lease of a running job attempt in seconds (default 30): a killed runner’s job is retried this long after its last heartbeat',
  ATTEST_SERVER_RUNS_JOBS: 'true (default) or false: whether attest server runs jobs itself or leaves them to workers',
  ATTEST_WEBHOOK_SECRET: 'Default secret signing alert webhooks (HMAC-SHA256); a webhook may name another variable',
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
  /** Signed tree heads: the server's signing interval and the witnesses that receive a copy. */
  readonly audit: { readonly signIntervalMs: number; readonly witness: { readonly file?: string; readonly url?: string; readonly store?: boolean } };
  readonly server: { host: string; port: number };
  readonly oidc: OidcFileConfig | undefined;
  readonly sessionTtlMs: number;
  /** Role name → managed policy name: the configured grant boundaries (`access.grantBoundaries`). */
  readonly grantBoundaries: Readonly<Record<string, string>>;
  readonly alerts: { readonly webhooks: readonly WebhookConfig[]; readonly auditVerifyIntervalMs: number };
  readonly jobs: JobsConfig;
}

/** The execution engine's settings (`jobs` in attest.json). */
export interface JobsConfig {
  readonly queue: 'sql' | 'pg-boss';
  readonly pgBossSchema: string;
  readonly leaseMs: number;
  readonly serverRunsJobs: boolean;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

/** One alert webhook. A missing secret fails only that webhook's deliveries, never the installation. */
export interface WebhookConfig {
  readonly url: string;
  /** The environment variable holding the signing secret. */
  readonly secretEnv: string;
  /** Undefined when the variable is unset or empty. */
  readonly secret: string | undefined;
}

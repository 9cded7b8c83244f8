/**
 * @module kernel/errors
 * One catalogue of error codes for all of Attest. Every failure that reaches a user carries a
 * stable `code` from {@link ERROR_CATALOGUE}; the HTTP adapter and the CLI map the code's
 * `kind` to a status and an exit code in exactly one place ({@link httpStatusOf}, {@link exitCodeOf}).
 * Documented for users in docs/errors.md.
 */

/** Broad classes of failure; each maps to one HTTP status and one CLI exit code. */
export type ErrorKind =
  | 'invalid_input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition'
  | 'integrity'
  | 'unavailable'
  | 'internal';

const KIND_HTTP: Readonly<Record<ErrorKind, number>> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition: 412,
  integrity: 422,
  unavailable: 503,
  internal: 500,
};

/** CLI exit codes, documented in the README: 0 ok, 1 internal, 2 usage/input, 3 auth, 4 not found, 5 conflict/precondition, 6 integrity, 7 unavailable. */
const KIND_EXIT: Readonly<Record<ErrorKind, number>> = {
  invalid_input: 2,
  unauthenticated: 3,
  forbidden: 3,
  not_found: 4,
  conflict: 5,
  precondition: 5,
  integrity: 6,
  unavailable: 7,
  internal: 1,
};

/**
 * The closed set of error codes. Add a code here (and to docs/errors.md) before throwing it.
 * Codes are grouped by capability prefix.
 */
export const ERROR_CATALOGUE = {
  // generic
  INVALID_INPUT: { kind: 'invalid_input', message: 'The input is not valid' },
  INVALID_CONFIG: { kind: 'invalid_input', message: 'The configuration is not valid' },
  NOT_FOUND: { kind: 'not_found', message: 'Not found' },
  CONFLICT: { kind: 'conflict', message: 'Conflict with the current state' },
  INTERNAL: { kind: 'internal', message: 'Internal error' },
  UNAVAILABLE: { kind: 'unavailable', message: 'A backing service is unavailable' },
  // installation home
  HOME_EXISTS: { kind: 'conflict', message: 'An installation already exists in this home' },
  HOME_NOT_INITIALISED: { kind: 'precondition', message: 'No installation in this home; run `attest init`' },
  HOME_PATH_INVALID: { kind: 'invalid_input', message: 'The home path cannot hold an installation (a part of it is a file, or it cannot be created)' },
  // metadata store
  DB_MIGRATION_FAILED: { kind: 'internal', message: 'Database migration failed' },
  // keys (KMS)
  KEY_NOT_FOUND: { kind: 'not_found', message: 'No such key' },
  KEY_DISABLED: { kind: 'precondition', message: 'The key is disabled' },
  KEY_PENDING_DELETION: { kind: 'precondition', message: 'The key is pending deletion' },
  KEY_ALIAS_EXISTS: { kind: 'conflict', message: 'The alias is already in use' },
  KEY_INVALID_STATE: { kind: 'precondition', message: 'The key is not in a state that allows this' },
  KEYRING_LOCKED: { kind: 'unauthenticated', message: 'The local keyring cannot be opened' },
  DECRYPTION_FAILED: { kind: 'integrity', message: 'Decryption failed: the data or its key does not match' },
  // artifacts
  ARTIFACT_NOT_FOUND: { kind: 'not_found', message: 'No such artifact' },
  ARTIFACT_INTEGRITY: { kind: 'integrity', message: 'Artifact content does not match its recorded hash' },
  ARTIFACT_RETAINED: { kind: 'precondition', message: 'The artifact is under retention or legal hold' },
  ARTIFACT_IMMUTABLE: { kind: 'conflict', message: 'Artifacts are write-once' },
  // audit
  AUDIT_CHAIN_BROKEN: { kind: 'integrity', message: 'The audit ledger failed verification' },
  AUDIT_BUNDLE_INVALID: { kind: 'integrity', message: 'The audit evidence bundle failed verification' },
  // installation health (attest doctor)
  DOCTOR_CHECKS_FAILED: { kind: 'precondition', message: 'One or more installation checks failed' },
  // identity and access (issue 3)
  UNAUTHENTICATED: { kind: 'unauthenticated', message: 'Authentication required' },
  INVALID_CREDENTIALS: { kind: 'unauthenticated', message: 'Invalid credentials' },
  ACCOUNT_LOCKED: { kind: 'forbidden', message: 'The account is locked' },
  TOKEN_REVOKED: { kind: 'unauthenticated', message: 'The token has been revoked' },
  TOKEN_EXPIRED: { kind: 'unauthenticated', message: 'The token has expired' },
  ACCESS_DENIED: { kind: 'forbidden', message: 'Access denied' },
  SEPARATION_OF_DUTIES: { kind: 'forbidden', message: 'Separation of duties: the maker cannot be the checker' },
  PERMISSION_BOUNDARY: { kind: 'forbidden', message: "The change is outside the caller's permission boundary: its own permissions, more than it may grant, or the administrator role" },
  POLICY_INVALID: { kind: 'invalid_input', message: 'The policy document is not valid' },
  PASSWORD_REJECTED: { kind: 'invalid_input', message: 'The password does not meet the password policy' },
  RATE_LIMITED: { kind: 'unavailable', message: 'Too many requests' },
  // data
  CSV_MALFORMED: { kind: 'invalid_input', message: 'The CSV file is malformed' },
  PARQUET_MALFORMED: { kind: 'invalid_input', message: 'The Parquet file is malformed or uses an unsupported feature' },
  DATA_SCHEMA_MISMATCH: { kind: 'invalid_input', message: 'The data does not match the expected schema' },
  DATASET_NOT_FOUND: { kind: 'not_found', message: 'No such dataset' },
  // ml
  MODEL_INVALID: { kind: 'invalid_input', message: 'The model is not valid' },
  MODEL_UNSUPPORTED: { kind: 'invalid_input', message: 'The model uses a feature that is not supported' },
  TRAINING_FAILED: { kind: 'integrity', message: 'Training failed' },
  TRAINING_NOT_RECORDED: { kind: 'precondition', message: 'The model has no recorded training that can be re-run' },
  NOT_REPRODUCIBLE: { kind: 'integrity', message: 'Re-running the recorded training did not give a byte-identical model' },
  // tracking and lineage
  COMPONENT_COMPLETED: { kind: 'conflict', message: 'A completed component cannot be changed' },
  // monitoring and fairness
  METRIC_UNDEFINED: { kind: 'integrity', message: 'The metric is undefined for this data' },
  MONITORING_VIOLATIONS: { kind: 'integrity', message: 'The data violates the monitoring baseline' },
  // jobs
  JOB_NOT_FOUND: { kind: 'not_found', message: 'No such job' },
  JOB_FINISHED: { kind: 'conflict', message: 'The job has already finished' },
  JOB_FAILED: { kind: 'integrity', message: 'The job failed' },
  JOB_CANCELLED: { kind: 'conflict', message: 'The job was cancelled' },
  JOB_LEASE_LOST: { kind: 'conflict', message: 'The job lease expired and another runner took the job over' },
  JOB_TIMEOUT: { kind: 'integrity', message: 'The job attempt exceeded its wall-time limit and was killed' },
  PIPELINE_NOT_FOUND: { kind: 'not_found', message: 'No such pipeline' },
  PIPELINE_EXISTS: { kind: 'conflict', message: 'A pipeline with this name already exists' },
  PIPELINE_EXECUTION_NOT_FOUND: { kind: 'not_found', message: 'No such pipeline execution' },
  PIPELINE_EXECUTION_FINISHED: { kind: 'conflict', message: 'The pipeline execution has already finished' },
  PIPELINE_EXECUTION_ACTIVE: { kind: 'conflict', message: 'The pipeline execution is still running' },
  PIPELINE_FAILED: { kind: 'integrity', message: 'The pipeline execution failed' },
  REFERENCE_NOT_FOUND: { kind: 'not_found', message: 'The reference names no dataset version or artifact' },
  // model registry and validation (issue 14)
  MODEL_GROUP_NOT_FOUND: { kind: 'not_found', message: 'No such model group' },
  MODEL_VERSION_NOT_FOUND: { kind: 'not_found', message: 'No such model version' },
  MODEL_ALIAS_NOT_FOUND: { kind: 'not_found', message: 'No such model alias' },
  MODEL_STATUS_CONFLICT: { kind: 'conflict', message: 'The model version is not in a status that allows this' },
  MODEL_ALIAS_INVALID: { kind: 'invalid_input', message: 'The alias is not valid (name, target or cycle)' },
  MODEL_PROVENANCE_UNKNOWN: { kind: 'precondition', message: 'The model artifact has no recorded training; register it as external' },
  EVIDENCE_MISSING: { kind: 'precondition', message: 'Evidence required by the risk tier is missing' },
  FINDING_NOT_FOUND: { kind: 'not_found', message: 'No such validation finding' },
  // serving (issue 15)
  ENDPOINT_NOT_FOUND: { kind: 'not_found', message: 'No such endpoint' },
  ENDPOINT_EXISTS: { kind: 'conflict', message: 'An endpoint with this name already exists' },
  PAYLOAD_INVALID: { kind: 'invalid_input', message: 'The request payload does not match the model input' },
  PAYLOAD_TOO_LARGE: { kind: 'invalid_input', message: 'The request has more rows than the endpoint accepts' },
  SCHEDULE_NOT_FOUND: { kind: 'not_found', message: 'No such monitoring schedule' },
  REVIEW_TASK_NOT_FOUND: { kind: 'not_found', message: 'No such review task' },
  REVIEW_DECIDED: { kind: 'conflict', message: 'The review task already has a decision' },
  JOB_MEMORY: { kind: 'integrity', message: 'The job attempt exceeded its memory limit and was stopped' },
} as const satisfies Record<string, { kind: ErrorKind; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Options for {@link AppError}. */
export interface AppErrorOptions {
  /** Specific, user-facing message; defaults to the catalogue's message. */
  message?: string;
  /** Machine-readable context (row, column, id…); never secrets. */
  details?: Readonly<Record<string, unknown>>;
  cause?: unknown;
}

/**
 * The one error type that crosses capability boundaries.
 * @example throw new AppError('KEY_DISABLED', { message: `Key ${id} is disabled`, details: { keyId: id } })
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    const entry = ERROR_CATALOGUE[code];
    super(options.message ?? entry.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.kind = entry.kind;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  /** The JSON body the HTTP API returns for this error. */
  toJSON(): { error: { code: ErrorCode; message: string; details: Readonly<Record<string, unknown>> } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Normalises anything thrown into an AppError (unknown failures become INTERNAL, keeping the cause). */
export function toAppError(value: unknown): AppError {
  if (value instanceof AppError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new AppError('INTERNAL', { message: `Internal error: ${message}`, cause: value });
}

export function httpStatusOf(error: AppError): number {
  return KIND_HTTP[error.kind];
}

export function exitCodeOf(error: AppError): number {
  return KIND_EXIT[error.kind];
}

/** Throws INVALID_INPUT (or the given code) unless `condition` holds. */
export function ensure(condition: unknown, message: string, code: ErrorCode = 'INVALID_INPUT', details?: Record<string, unknown>): asserts condition {
  if (!condition) throw new AppError(code, { message, ...(details ? { details } : {}) });
}

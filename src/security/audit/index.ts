/**
 * @module security/audit
 * The tamper-evident audit ledger, its verification, and config history.
 */
export type { Actor, AuditEntry, AuditOutcome, AuditRecord } from './audit-entry.js';
export { AUDIT_OUTCOMES, AuditEntrySchema, GENESIS_HASH, hashEntry } from './audit-entry.js';
export type { AuditFilter, CheckpointSigner } from './audit-ledger.js';
export { AuditLedger } from './audit-ledger.js';
export type { ConfigChange, ConfigChangeRecord } from './config-history.js';
export { listConfigChanges, recordConfigChange } from './config-history.js';
export type { AuditDeps, GovernedOutcome } from './governed.js';
export { governed, recordOutcome } from './governed.js';
export type { VerifyOptions, VerifyProblem, VerifyReport } from './verify-ledger.js';
export { verifyLedger } from './verify-ledger.js';
export { installationResourceName, projectResourceName } from './resource-names.js';
export type { LoneEntryWriter } from './group-commit.js';
export { GroupCommitWriter, loneEntryWriterOf, routeLoneEntries } from './group-commit.js';

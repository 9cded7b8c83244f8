/**
 * @module security/audit
 * The tamper-evident audit ledger (hash chain, entry MACs, RFC 9162 Merkle tree), its signed tree
 * heads and their anchor history outside the database, verification, evidence bundles, and config
 * history.
 */
export type { Actor, AuditEntry, AuditOutcome, AuditRecord } from './audit-entry.js';
export { AUDIT_OUTCOMES, AuditEntrySchema, GENESIS_HASH, entryMac, hashEntry, storedEntryMatchesHash } from './audit-entry.js';
export type { AuditFilter, AuditLedgerOptions, CheckpointSigner, StoredEntry } from './audit-ledger.js';
export { AuditLedger } from './audit-ledger.js';
export type { AuditTrustDeps, CheckpointOutcome, WitnessTargets } from './audit-trust.js';
export { AuditTrust } from './audit-trust.js';
export { StoreWitness, storeWitnessKey } from './store-witness.js';
export type { BundlePublicKey, BundleReport, EntryProof, EvidenceBundle, InclusionEvidence } from './evidence-bundle.js';
export { EVIDENCE_BUNDLE_FORMAT, EvidenceBundleSchema, keyFingerprint, verifyEvidenceBundle } from './evidence-bundle.js';
export { loadMacRequirement } from './mac-requirement.js';
export type { SignedTreeHead, TrustedKeyLookup } from './tree-head.js';
export { SignedTreeHeadSchema, TREE_HEAD_FORMAT, treeHeadPayload } from './tree-head.js';
export type { ConfigChange, ConfigChangeRecord } from './config-history.js';
export { listConfigChanges, recordConfigChange } from './config-history.js';
export type { AuditDeps, GovernedOutcome } from './governed.js';
export { governed, recordOutcome } from './governed.js';
export type { MacPolicy, VerifyOptions, VerifyProblem, VerifyReport } from './verify-ledger.js';
export { verifyLedger } from './verify-ledger.js';
export { installationResourceName, projectResourceName } from './resource-names.js';
export type { LoneEntryWriter } from './group-commit.js';
export { GroupCommitWriter, loneEntryWriterOf, routeLoneEntries } from './group-commit.js';

/**
 * @module registry/registry-model
 * What the registry records (SageMaker's ModelPackageGroup ⊃ ModelPackage): model groups, numbered
 * versions with their provenance, metrics and signature, approval statuses, aliases and their
 * history, decisions with the independence check and evidence snapshot. The zod schemas are the
 * API's single source of truth.
 */
import { z } from 'zod';

/** `PendingManualApproval → Approved | Rejected → Archived` (SageMaker's ModelApprovalStatus plus archiving). */
export const MODEL_STATUSES = ['PendingManualApproval', 'Approved', 'Rejected', 'Archived'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

export const PROVENANCES = ['job', 'component', 'external'] as const;
export type Provenance = (typeof PROVENANCES)[number];

export const EVIDENCE_KINDS = ['validation-report', 'bias-report', 'explanation-report', 'monitoring-baseline', 'evaluation', 'challenger-comparison', 'backtest', 'stress-test', 'other'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export const GroupName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a model group name is 1-128 letters, digits and . _ - (starting with a letter or digit)');
/** Aliases are names, never numbers, so `GROUP@3` (a version) and `GROUP@production` never collide. */
export const AliasName = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'an alias is 1-64 lower-case letters, digits, _ and -, starting with a letter');
export const RiskTier = z.number().int().min(1).max(5);

export const ModelGroupSchema = z.object({
  groupId: z.string(),
  projectId: z.string(),
  name: z.string(),
  description: z.string(),
  riskTier: z.number().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  versions: z.number(),
  aliases: z.record(z.string(), z.number().nullable()),
});
export type ModelGroup = z.infer<typeof ModelGroupSchema>;

export const SignatureSchema = z.object({
  features: z.array(z.object({ name: z.string(), type: z.string() })),
  label: z.string().nullable(),
  trainingData: z.array(z.object({ role: z.string(), ref: z.string(), artifactId: z.string(), sha256: z.string(), datasetVersionId: z.string().optional() })),
});
export type Signature = z.infer<typeof SignatureSchema>;

export const ModelVersionSchema = z.object({
  versionId: z.string(),
  projectId: z.string(),
  group: z.string(),
  version: z.number(),
  artifactId: z.string(),
  sha256: z.string(),
  mediaType: z.string(),
  provenance: z.enum(PROVENANCES),
  sourceJobId: z.string().nullable(),
  sourceComponentId: z.string().nullable(),
  metrics: z.record(z.string(), z.number()),
  signature: SignatureSchema,
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  description: z.string(),
  status: z.enum(MODEL_STATUSES),
  aliases: z.array(z.string()),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
});
export type ModelVersion = z.infer<typeof ModelVersionSchema>;

export const AliasHistoryEntrySchema = z.object({
  group: z.string(),
  alias: z.string(),
  seq: z.number(),
  /** The version the alias was moved to (null: removed, or pointed at another alias). */
  version: z.number().nullable(),
  versionId: z.string().nullable(),
  targetAlias: z.string().nullable(),
  previousVersion: z.number().nullable(),
  previousAlias: z.string().nullable(),
  at: z.string(),
  by: z.string(),
  reason: z.string(),
  evidence: z.unknown(),
  overrideJustification: z.string().nullable(),
});
export type AliasHistoryEntry = z.infer<typeof AliasHistoryEntrySchema>;

export const IndependenceSchema = z.object({
  approver: z.string(),
  approverGroups: z.array(z.string()),
  makers: z.array(z.object({ principal: z.string(), resourceId: z.string(), relation: z.string() })),
  makerGroups: z.array(z.string()),
  sameGroupRule: z.boolean(),
  independent: z.boolean(),
  reason: z.string(),
});
export type Independence = z.infer<typeof IndependenceSchema>;

export const DecisionSchema = z.object({
  decisionId: z.string(),
  versionId: z.string(),
  group: z.string(),
  version: z.number(),
  decision: z.enum(['Approved', 'Rejected']),
  principal: z.string(),
  comment: z.string(),
  at: z.string(),
  independence: IndependenceSchema,
  evidence: z.unknown(),
});
export type Decision = z.infer<typeof DecisionSchema>;

export const EvidenceSchema = z.object({
  evidenceId: z.string(),
  versionId: z.string(),
  kind: z.enum(EVIDENCE_KINDS),
  artifactId: z.string(),
  sha256: z.string(),
  jobId: z.string().nullable(),
  note: z.string(),
  attachedAt: z.string(),
  attachedBy: z.string(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

export const RegisterRequestSchema = z.object({
  group: GroupName,
  /** A reference to the model artifact: name@version, art_…, sha256:…, or a job id (its `model` output). */
  model: z.string().min(1).max(300),
  /** `external`: an imported model with no recorded training (required for such artifacts). */
  provenance: z.enum(['external']).optional(),
  description: z.string().max(2000).default(''),
  /** Creates the group with this risk tier when it does not exist yet. */
  riskTier: RiskTier.optional(),
  /** For external models: the label and the training data, as the importer declares them. */
  label: z.string().max(200).optional(),
});
export type RegisterRequest = z.input<typeof RegisterRequestSchema>;

export const DecisionRequestSchema = z.object({ comment: z.string().min(1, 'a decision needs a comment').max(5000) });

export const AliasRequestSchema = z
  .object({
    /** The version number, or another alias of the same group (a symbolic alias). */
    version: z.number().int().min(1).optional(),
    alias: AliasName.optional(),
    reason: z.string().max(2000).default(''),
    /** Promotes despite missing evidence; needs a role named in the project's gate settings. */
    overrideJustification: z.string().min(10, 'an override needs a justification of at least 10 characters').max(5000).optional(),
  })
  .refine((v) => (v.version === undefined) !== (v.alias === undefined), 'give exactly one of version or alias');
export type AliasRequest = z.input<typeof AliasRequestSchema>;

export const EvidenceRequestSchema = z.object({
  kind: z.enum(EVIDENCE_KINDS),
  /** An artifact reference, or a job id (every output of the job is attached). */
  ref: z.string().min(1).max(300),
  note: z.string().max(2000).default(''),
});

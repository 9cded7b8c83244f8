/**
 * @module validation/validation-model
 * The validation workspace's records and their API schemas.
 */
import { z } from 'zod';
import { SEVERITIES } from '../registry/index.js';

export const FINDING_STATUSES = ['open', 'remediated', 'accepted', 'closed'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export const FindingRequestSchema = z.object({ title: z.string().min(1).max(300), severity: z.enum(SEVERITIES), description: z.string().max(20_000).default('') });
export const FindingUpdateSchema = z
  .object({ status: z.enum(FINDING_STATUSES).optional(), severity: z.enum(SEVERITIES).optional(), comment: z.string().max(10_000).optional() })
  .refine((v) => v.status !== undefined || v.severity !== undefined, 'give a status or a severity');
export const CommentRequestSchema = z.object({ text: z.string().min(1).max(10_000), findingId: z.string().optional() });
export const SignOffRequestSchema = z.object({ comment: z.string().min(1).max(10_000), report: z.string().max(300).optional() });

export const FindingSchema = z.object({
  findingId: z.string(),
  versionId: z.string(),
  title: z.string(),
  severity: z.enum(SEVERITIES),
  status: z.enum(FINDING_STATUSES),
  description: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export type Finding = z.infer<typeof FindingSchema>;

export const CommentSchema = z.object({ commentId: z.string(), findingId: z.string().nullable(), text: z.string(), at: z.string(), by: z.string() });
export type Comment = z.infer<typeof CommentSchema>;

export const SignOffSchema = z.object({ signOffId: z.string(), principal: z.string(), comment: z.string(), reportArtifactId: z.string().nullable(), at: z.string(), independence: z.unknown() });
export type SignOff = z.infer<typeof SignOffSchema>;

export const ValidationWorkspaceSchema = z.object({
  group: z.string(),
  version: z.number(),
  versionId: z.string(),
  status: z.string(),
  findings: z.array(FindingSchema),
  comments: z.array(CommentSchema),
  signOffs: z.array(SignOffSchema),
  evidence: z.array(z.unknown()),
});
export type ValidationWorkspace = z.infer<typeof ValidationWorkspaceSchema>;

/**
 * @module security/policy/policy-document
 * The policy document: the JSON users write, in IAM's shape. These zod schemas are the single
 * source of truth (the API validates bodies with them and the OpenAPI document is generated from
 * them).
 *
 * ```json
 * { "Version": "2025-01-01",
 *   "Statement": [{ "Sid": "DenyOutsideOffice", "Effect": "Deny", "Action": "*", "Resource": "*",
 *                   "Condition": { "NotIpAddress": { "attest:SourceIp": ["10.0.0.0/8", "fd00::/8"] } } }] }
 * ```
 * Each statement has exactly one of `Action` / `NotAction` and exactly one of `Resource` /
 * `NotResource`. Identity-based only: there is no `Principal` element — a document applies to
 * whoever it is attached to (user, group, role, token scope).
 */
import { z } from 'zod';
import { parseOperator } from './conditions.js';

/** The only policy language version. */
export const POLICY_VERSION = '2025-01-01';

const Pattern = z.string().min(1).max(2048);
const PatternList = z.union([Pattern, z.array(Pattern).min(1).max(256)]);
const Scalar = z.union([z.string().max(2048), z.number(), z.boolean()]);

/** `{ Operator: { key: value | values } }`. */
export const PolicyCondition = z
  .record(z.string(), z.record(z.string().min(1).max(128), z.union([Scalar, z.array(Scalar).min(1).max(256)])))
  .superRefine((block, ctx) => {
    for (const operator of Object.keys(block)) {
      if (!parseOperator(operator)) ctx.addIssue({ code: 'custom', message: `Unknown condition operator "${operator}"`, path: [operator] });
    }
  });

/** One statement. */
export const PolicyStatement = z
  .strictObject({
    Sid: z
      .string()
      .regex(/^[A-Za-z0-9_-]*$/, 'Sid may contain letters, digits, "_" and "-"')
      .max(128)
      .optional(),
    Effect: z.enum(['Allow', 'Deny']),
    Action: PatternList.optional(),
    NotAction: PatternList.optional(),
    Resource: PatternList.optional(),
    NotResource: PatternList.optional(),
    Condition: PolicyCondition.optional(),
  })
  .superRefine((s, ctx) => {
    if ((s.Action === undefined) === (s.NotAction === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'A statement needs exactly one of Action and NotAction' });
    }
    if ((s.Resource === undefined) === (s.NotResource === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'A statement needs exactly one of Resource and NotResource' });
    }
  });

/** A policy document. `Statement` may be one statement or a list, as in IAM. */
export const PolicyDocument = z.strictObject({
  Version: z.literal(POLICY_VERSION),
  Id: z.string().max(128).optional(),
  Statement: z.union([PolicyStatement, z.array(PolicyStatement).min(1).max(512)]),
});

export type PolicyStatement = z.infer<typeof PolicyStatement>;
export type PolicyDocument = z.infer<typeof PolicyDocument>;
export type PolicyCondition = z.infer<typeof PolicyCondition>;

/** A document with the name it is known by (a managed policy, `role/data-scientist@credit`, `token-scope/…`). */
export interface NamedPolicy {
  readonly name: string;
  readonly document: PolicyDocument;
}

/** The statements of a document as a list. */
export function statementsOf(document: PolicyDocument): readonly PolicyStatement[] {
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement];
}

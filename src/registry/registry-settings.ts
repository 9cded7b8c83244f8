/**
 * @module registry/registry-settings
 * A project's registry settings: how independent an approver must be, which aliases are gated,
 * who may override a gate, and the evidence each risk tier needs before a version is promoted to
 * a gated alias (`production` by default). Stored per project as a governed, versioned document
 * (its changes are in config history); a project without one uses {@link DEFAULT_SETTINGS}.
 */
import { z } from 'zod';
import { SUMMARY_METRICS } from '../ml/challenge/index.js';
import { AliasName, EVIDENCE_KINDS } from './registry-model.js';

export const SEVERITIES = ['high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const BiasLimitSchema = z.object({
  /** The facet (column) the bias report was computed on. */
  facet: z.string().min(1),
  /** A Clarify metric name (DI, DPPL, AD, …). */
  metric: z.string().min(1),
  min: z.number(),
  max: z.number(),
  stage: z.enum(['pre', 'post']).default('post'),
  /**
   * With true (the default) the bootstrap confidence interval must lie inside [min, max]; a report
   * without an interval fails. With false the point value must.
   */
  interval: z.boolean().default(true),
});
export type BiasLimit = z.infer<typeof BiasLimitSchema>;

export const TierGatesSchema = z
  .object({
    /** A validation sign-off by an independent validator. */
    validationSignOff: z.boolean().default(false),
    /** No finding of these severities may be open. */
    noOpenFindings: z.array(z.enum(SEVERITIES)).default([]),
    /** Evidence kinds that must be attached. */
    evidence: z.array(z.enum(EVIDENCE_KINDS)).default([]),
    /** Bias metrics within limits on named facets (read from the attached bias reports). */
    bias: z.array(BiasLimitSchema).default([]),
    /** The version's metric must reach `min` and be at least the champion's minus `championTolerance`. */
    performance: z
      .object({ metric: z.string().min(1), min: z.number().optional(), championTolerance: z.number().min(0).optional() })
      .strict()
      .optional(),
    /**
     * The newest attached challenger comparison (a `challenger-comparison` job on one holdout)
     * must show the candidate's metric at least the champion's minus `tolerance` (at most plus it,
     * for the losses logLoss and brier); with `interval`, for auc, the lower end of the paired
     * bootstrap interval of the difference must be ≥ −tolerance.
     */
    challenger: z
      .object({ metric: z.enum(SUMMARY_METRICS).default('auc'), tolerance: z.number().min(0).default(0), interval: z.boolean().default(false) })
      .strict()
      .optional(),
    /** Model-card fields that must be filled in. */
    cardFields: z.array(z.enum(['intendedUse', 'limitations', 'owner'])).default([]),
  })
  .strict();
export type TierGates = z.infer<typeof TierGatesSchema>;

export const RegistrySettingsSchema = z
  .object({
    independence: z
      .object({
        /** Also refuse an approver who shares a group with a maker (besides the makers themselves). */
        sameGroup: z.boolean().default(false),
        /** Groups that do not count for the same-group rule (e.g. everyone's `staff`). */
        ignoreGroups: z.array(z.string()).default([]),
      })
      .strict()
      .default({ sameGroup: false, ignoreGroups: [] }),
    /** The tier of a group that declares none. */
    defaultRiskTier: z.number().int().min(1).max(5).default(3),
    /** Aliases whose moves are checked against the tier's gates. */
    gatedAliases: z.array(AliasName).default(['production']),
    /** Aliases that may only point at Approved versions. */
    approvedOnlyAliases: z.array(AliasName).default(['production', 'champion']),
    /** Roles (in the project) whose holders may promote despite missing evidence, with a justification. */
    override: z.object({ roles: z.array(z.string()).default([]) }).strict().default({ roles: [] }),
    tiers: z.record(z.string().regex(/^[1-5]$/, 'a risk tier is 1 to 5'), TierGatesSchema).default({}),
  })
  .strict();
export type RegistrySettings = z.infer<typeof RegistrySettingsSchema>;
export type RegistrySettingsInput = z.input<typeof RegistrySettingsSchema>;

/** Tier 1 (highest risk) needs the whole evidence pack; lower tiers less. */
export const DEFAULT_SETTINGS: RegistrySettings = RegistrySettingsSchema.parse({
  tiers: {
    '1': {
      validationSignOff: true,
      noOpenFindings: ['high', 'medium'],
      evidence: ['validation-report', 'explanation-report', 'bias-report', 'monitoring-baseline'],
      performance: { metric: 'test:auc', championTolerance: 0.02 },
      cardFields: ['intendedUse', 'limitations'],
    },
    '2': { validationSignOff: true, noOpenFindings: ['high'], evidence: ['explanation-report'] },
    '3': { noOpenFindings: ['high'] },
  },
});

/**
 * @module serving/endpoint-model
 * What an endpoint configuration version says: the model variants it serves (each pinned to an
 * artifact and its content hash, so a configuration version always means the same bytes), how
 * traffic is split between them (single, weighted canary, shadow), what share of requests is
 * captured, the batch limit, and when a decision goes to human review.
 */
import { z } from 'zod';

export const ENDPOINT_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;
export const EndpointName = z.string().regex(ENDPOINT_NAME, 'letters, digits and -, at most 63');
const VariantName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/);

export const VariantSchema = z.object({
  name: VariantName,
  /** The model reference as given (`name@version`, `art_…`, `sha256:…`, a registry `GROUP@stage` once it exists). */
  model: z.string().min(1),
  artifactId: z.string(),
  sha256: z.string(),
  /** Share of live traffic relative to the other live variants; 0 for a shadow. */
  weight: z.number().min(0).max(1000),
  /** `live` variants answer requests; a `shadow` variant is scored on every request and never answers. */
  role: z.enum(['live', 'shadow']),
});
export type Variant = z.infer<typeof VariantSchema>;

export const ReviewConditionsSchema = z.object({
  /** Scores in [min, max] are sent to review (the uncertain band). */
  scoreBand: z.object({ min: z.number().min(0).max(1), max: z.number().min(0).max(1) }).optional(),
  /** Decisions at or above this score are adverse (e.g. a decline) and always reviewed. */
  adverseAbove: z.number().min(0).max(1).optional(),
  /** A random share of all other decisions, for quality control (percent). */
  samplePercent: z.number().min(0).max(100).default(0),
});
export type ReviewConditions = z.infer<typeof ReviewConditionsSchema>;

export const EndpointConfigSpecSchema = z.object({
  variants: z.array(VariantSchema).min(1),
  capture: z.object({ samplingPercent: z.number().min(0).max(100) }),
  /** Rows per request at most. */
  maxBatchRows: z.number().int().min(1).max(100_000),
  /** Which way a score is adverse, for reason codes. */
  adverse: z.enum(['higher', 'lower']),
  review: ReviewConditionsSchema.optional(),
});
export type EndpointConfigSpec = z.infer<typeof EndpointConfigSpecSchema>;

export interface EndpointConfigVersion {
  version: number;
  spec: EndpointConfigSpec;
  reason: string | null;
  createdBy: string;
  createdAt: string;
}

export interface Endpoint {
  endpointId: string;
  projectId: string;
  name: string;
  status: 'InService' | 'Deleted';
  configVersion: number;
  config: EndpointConfigSpec;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** A requested change; what is not given keeps its current value. */
export interface EndpointChange {
  /** Replaces the single live model (keeps any shadow). */
  model?: string;
  /** Shadow challenger model reference; null removes the shadow. */
  shadow?: string | null;
  /** Canary: this model gets `canaryPercent` % of live traffic, the current live model the rest. null ends the canary. */
  canary?: { model: string; percent: number } | null;
  /** Promotes a variant (the challenger or canary) to the only live model. */
  promote?: string;
  capturePercent?: number;
  maxBatchRows?: number;
  adverse?: 'higher' | 'lower';
  review?: ReviewConditions | null;
  reason?: string;
}

export const DEFAULT_MAX_BATCH_ROWS = 1000;

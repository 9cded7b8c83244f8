/**
 * @module data/transforms/transform-spec
 * JSON documents for fitted transforms. A *spec* is what a data scientist asks for (parameters);
 * a *fitted transform* is the spec plus everything learned from the training data (means,
 * categories, bounds…). Fitted transforms are plain JSON, validated by these zod schemas, so they
 * can be stored as an artifact, shown to a validator and re-applied unchanged at inference.
 */
import { z } from 'zod';

const columnList = z.array(z.string().min(1)).min(1);

export const ImputeSpecSchema = z.object({
  kind: z.literal('impute'),
  columns: columnList,
  strategy: z.enum(['mean', 'median', 'constant', 'most_frequent']),
  /** The fill value for `constant`: a number for numeric columns, a string for string columns. */
  value: z.union([z.number(), z.string()]).optional(),
});

export const OneHotSpecSchema = z.object({
  kind: z.literal('one_hot'),
  columns: columnList,
  /** Categories seen fewer times than this in training go to the unknown bucket; default 1. */
  minFrequency: z.number().int().positive().optional(),
  /** Keep at most this many most frequent categories per column; the rest go to the unknown bucket. */
  maxCategories: z.number().int().positive().optional(),
});

export const StandardScaleSpecSchema = z.object({ kind: z.literal('standard_scale'), columns: columnList });

export const MinMaxScaleSpecSchema = z.object({
  kind: z.literal('min_max_scale'),
  columns: columnList,
  /** Target range; default [0, 1]. */
  range: z.tuple([z.number(), z.number()]).optional(),
});

export const DropSpecSchema = z.object({ kind: z.literal('drop'), columns: columnList });

export const RenameSpecSchema = z.object({
  kind: z.literal('rename'),
  mapping: z.record(z.string().min(1), z.string().min(1)),
});

export const DeriveSpecSchema = z.object({
  kind: z.literal('derive'),
  name: z.string().min(1),
  /** See {@link parseExpression} for the language. */
  expression: z.string().min(1),
});

export const TransformSpecSchema = z.discriminatedUnion('kind', [
  ImputeSpecSchema,
  OneHotSpecSchema,
  StandardScaleSpecSchema,
  MinMaxScaleSpecSchema,
  DropSpecSchema,
  RenameSpecSchema,
  DeriveSpecSchema,
]);
/** Parameters of one transform, before fitting. */
export type TransformSpec = z.infer<typeof TransformSpecSchema>;

export const FittedImputeSchema = z.object({
  kind: z.literal('impute'),
  strategy: ImputeSpecSchema.shape.strategy,
  fills: z.array(z.object({ column: z.string(), value: z.union([z.number(), z.string()]) })),
});

export const FittedOneHotSchema = z.object({
  kind: z.literal('one_hot'),
  encodings: z.array(
    z.object({
      column: z.string(),
      /** Known categories in output order (sorted). */
      categories: z.array(z.string()),
      /** Output column names: one per category, then the unknown bucket. */
      outputs: z.array(z.string()),
    }),
  ),
});

export const FittedStandardScaleSchema = z.object({
  kind: z.literal('standard_scale'),
  stats: z.array(z.object({ column: z.string(), mean: z.number(), std: z.number() })),
});

export const FittedMinMaxScaleSchema = z.object({
  kind: z.literal('min_max_scale'),
  range: z.tuple([z.number(), z.number()]),
  stats: z.array(z.object({ column: z.string(), min: z.number(), max: z.number() })),
});

export const FittedDropSchema = z.object({ kind: z.literal('drop'), columns: z.array(z.string()) });

export const FittedRenameSchema = z.object({
  kind: z.literal('rename'),
  mapping: z.array(z.object({ from: z.string(), to: z.string() })),
});

export const FittedDeriveSchema = z.object({
  kind: z.literal('derive'),
  name: z.string(),
  expression: z.string(),
  /** Columns the expression reads, for validators and lineage. */
  inputs: z.array(z.string()),
});

export const FittedTransformSchema = z.discriminatedUnion('kind', [
  FittedImputeSchema,
  FittedOneHotSchema,
  FittedStandardScaleSchema,
  FittedMinMaxScaleSchema,
  FittedDropSchema,
  FittedRenameSchema,
  FittedDeriveSchema,
]);
/** A transform with its learned values: JSON-serialisable and re-applicable. */
export type FittedTransform = z.infer<typeof FittedTransformSchema>;

export const FittedPipelineSchema = z.object({
  version: z.literal(1),
  steps: z.array(FittedTransformSchema),
});
/** Fitted transforms applied in order. */
export type FittedPipeline = z.infer<typeof FittedPipelineSchema>;

export type ImputeSpec = z.infer<typeof ImputeSpecSchema>;
export type OneHotSpec = z.infer<typeof OneHotSpecSchema>;
export type StandardScaleSpec = z.infer<typeof StandardScaleSpecSchema>;
export type MinMaxScaleSpec = z.infer<typeof MinMaxScaleSpecSchema>;
export type DropSpec = z.infer<typeof DropSpecSchema>;
export type RenameSpec = z.infer<typeof RenameSpecSchema>;
export type DeriveSpec = z.infer<typeof DeriveSpecSchema>;
export type FittedImpute = z.infer<typeof FittedImputeSchema>;
export type FittedOneHot = z.infer<typeof FittedOneHotSchema>;
export type FittedStandardScale = z.infer<typeof FittedStandardScaleSchema>;
export type FittedMinMaxScale = z.infer<typeof FittedMinMaxScaleSchema>;
export type FittedDrop = z.infer<typeof FittedDropSchema>;
export type FittedRename = z.infer<typeof FittedRenameSchema>;
export type FittedDerive = z.infer<typeof FittedDeriveSchema>;

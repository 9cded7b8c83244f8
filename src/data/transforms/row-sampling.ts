/**
 * @module data/transforms/row-sampling
 * Row selections that are recorded but never re-applied at inference: a stratified
 * train/validation/test split and random over/under-sampling of an imbalanced label. Both are
 * seeded with `createRandom`, visit classes in sorted order and return row indices in ascending
 * order, so the same frame, spec and seed always select the same rows.
 */
import { z } from 'zod';
import { AppError, createRandom, shuffleInPlace } from '../../kernel/index.js';
import type { ColumnFrame } from '../frame/column-frame.js';
import { requireColumn, takeRows } from '../frame/frame-ops.js';

export const SplitSpecSchema = z
  .object({
    /** Stratify on this column; omit for a plain random split. */
    label: z.string().min(1).optional(),
    fractions: z.object({ train: z.number().min(0), validation: z.number().min(0), test: z.number().min(0) }),
    seed: z.number().int(),
  })
  .refine((s) => Math.abs(s.fractions.train + s.fractions.validation + s.fractions.test - 1) < 1e-9, {
    message: 'split fractions must sum to 1',
    path: ['fractions'],
  });
export type SplitSpec = z.infer<typeof SplitSpecSchema>;

const CountsSchema = z.object({ total: z.number().int(), byClass: z.record(z.string(), z.number().int()) });

/** What a split did, for the processing component's record and for validators. */
export const SplitRecordSchema = z.object({
  kind: z.literal('split'),
  spec: SplitSpecSchema,
  train: CountsSchema,
  validation: CountsSchema,
  test: CountsSchema,
});
export type SplitRecord = z.infer<typeof SplitRecordSchema>;

export const ResampleSpecSchema = z.object({
  label: z.string().min(1),
  strategy: z.enum(['oversample', 'undersample']),
  seed: z.number().int(),
  /** Target size of every class relative to the largest (oversample) or smallest (undersample) class; default 1. */
  ratio: z.number().positive().max(1).optional(),
});
export type ResampleSpec = z.infer<typeof ResampleSpecSchema>;

export const ResampleRecordSchema = z.object({
  kind: z.literal('resample'),
  spec: ResampleSpecSchema,
  before: CountsSchema,
  after: CountsSchema,
});
export type ResampleRecord = z.infer<typeof ResampleRecordSchema>;

/** Missing labels form their own stratum under this key. */
const MISSING_KEY = '(missing)';

/** Row indices of each label value, keys in sorted order. */
function groupByLabel(frame: ColumnFrame, label: string): Map<string, number[]> {
  const column = requireColumn(frame, label, 'the split or resampling');
  const groups = new Map<string, number[]>();
  for (let i = 0; i < frame.rowCount; i++) {
    let key: string;
    if (column.kind === 'numeric') {
      const v = column.values[i]!;
      key = Number.isNaN(v) ? MISSING_KEY : String(v);
    } else {
      const code = column.codes[i]!;
      key = code < 0 ? MISSING_KEY : column.dictionary[code]!;
    }
    let rows = groups.get(key);
    if (rows === undefined) {
      rows = [];
      groups.set(key, rows);
    }
    rows.push(i);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function counts(groups: ReadonlyMap<string, readonly number[]>): z.infer<typeof CountsSchema> {
  const byClass: Record<string, number> = {};
  let total = 0;
  for (const [key, rows] of groups) {
    byClass[key] = rows.length;
    total += rows.length;
  }
  return { total, byClass };
}

function ascending(rows: number[]): Int32Array {
  return Int32Array.from(rows).sort();
}

/** Split result: the three frames, their row indices in the input, and the record. */
export interface SplitResult {
  readonly train: ColumnFrame;
  readonly validation: ColumnFrame;
  readonly test: ColumnFrame;
  readonly indices: { readonly train: Int32Array; readonly validation: Int32Array; readonly test: Int32Array };
  readonly record: SplitRecord;
}

/**
 * Seeded, stratified train/validation/test split: each class is shuffled and cut by the
 * fractions (rounded per class), so every part keeps the label's proportions.
 * @example splitFrame(frame, { label: 'default', fractions: { train: 0.7, validation: 0.15, test: 0.15 }, seed: 42 })
 */
export function splitFrame(frame: ColumnFrame, spec: SplitSpec): SplitResult {
  const s = SplitSpecSchema.parse(spec);
  const groups = s.label === undefined ? new Map([['(all)', Array.from({ length: frame.rowCount }, (_, i) => i)]]) : groupByLabel(frame, s.label);
  const random = createRandom(s.seed);
  const parts = { train: new Map<string, number[]>(), validation: new Map<string, number[]>(), test: new Map<string, number[]>() };
  for (const [key, rows] of groups) {
    const shuffled = rows.slice();
    shuffleInPlace(shuffled, random);
    const n = shuffled.length;
    const nTrain = Math.min(n, Math.round(n * s.fractions.train));
    const nValidation = Math.min(n - nTrain, Math.round(n * s.fractions.validation));
    parts.train.set(key, shuffled.slice(0, nTrain));
    parts.validation.set(key, shuffled.slice(nTrain, nTrain + nValidation));
    parts.test.set(key, shuffled.slice(nTrain + nValidation));
  }
  const indices = {
    train: ascending([...parts.train.values()].flat()),
    validation: ascending([...parts.validation.values()].flat()),
    test: ascending([...parts.test.values()].flat()),
  };
  return {
    train: takeRows(frame, indices.train),
    validation: takeRows(frame, indices.validation),
    test: takeRows(frame, indices.test),
    indices,
    record: { kind: 'split', spec: s, train: counts(parts.train), validation: counts(parts.validation), test: counts(parts.test) },
  };
}

/**
 * Seeded random over-sampling (minority classes drawn with replacement up to `ratio` × the
 * largest class) or under-sampling (larger classes drawn without replacement down to the
 * smallest class ÷ `ratio`). Rows with a missing label are an error: they cannot be balanced.
 */
export function resampleFrame(frame: ColumnFrame, spec: ResampleSpec): { frame: ColumnFrame; indices: Int32Array; record: ResampleRecord } {
  const s = ResampleSpecSchema.parse(spec);
  const groups = groupByLabel(frame, s.label);
  if (groups.has(MISSING_KEY)) {
    throw new AppError('INVALID_INPUT', { message: `Cannot resample on "${s.label}": ${groups.get(MISSING_KEY)!.length} rows have no label`, details: { column: s.label } });
  }
  const ratio = s.ratio ?? 1;
  const sizes = [...groups.values()].map((r) => r.length);
  const random = createRandom(s.seed);
  const after = new Map<string, number[]>();
  for (const [key, rows] of groups) {
    if (s.strategy === 'oversample') {
      const target = Math.round(Math.max(...sizes) * ratio);
      const picked = rows.slice();
      for (let k = rows.length; k < target; k++) picked.push(rows[random.nextInt(rows.length)]!);
      after.set(key, picked);
    } else {
      const target = Math.round(Math.min(...sizes) / ratio);
      const shuffled = rows.slice();
      shuffleInPlace(shuffled, random);
      after.set(key, shuffled.slice(0, Math.min(rows.length, target)));
    }
  }
  const indices = ascending([...after.values()].flat());
  return { frame: takeRows(frame, indices), indices, record: { kind: 'resample', spec: s, before: counts(groups), after: counts(after) } };
}

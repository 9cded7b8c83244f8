/**
 * @module data/transforms/pipeline
 * One entry point per direction over all transform kinds, and pipelines of them: fitting a
 * pipeline fits each step on the output of the steps before it, exactly as applying will see it.
 */
import type { ColumnFrame } from '../frame/column-frame.js';
import { applyDerive, applyDrop, applyRename, fitDerive, fitDrop, fitRename } from './column-transforms.js';
import { applyImpute, fitImpute } from './impute.js';
import { applyOneHot, fitOneHot } from './one-hot-encode.js';
import { applyMinMaxScale, applyStandardScale, fitMinMaxScale, fitStandardScale } from './scale.js';
import type { FittedPipeline, FittedTransform, TransformSpec } from './transform-spec.js';
import { FittedPipelineSchema, FittedTransformSchema, TransformSpecSchema } from './transform-spec.js';

/**
 * Fits one transform. The spec is validated first, so JSON from a user can be passed directly.
 * @example
 * const fitted = fitTransform(train, { kind: 'impute', columns: ['age'], strategy: 'median' });
 * const ready = applyTransform(test, fitted);
 */
export function fitTransform(frame: ColumnFrame, spec: TransformSpec): FittedTransform {
  const s = TransformSpecSchema.parse(spec);
  switch (s.kind) {
    case 'impute':
      return fitImpute(frame, s);
    case 'one_hot':
      return fitOneHot(frame, s);
    case 'standard_scale':
      return fitStandardScale(frame, s);
    case 'min_max_scale':
      return fitMinMaxScale(frame, s);
    case 'drop':
      return fitDrop(frame, s);
    case 'rename':
      return fitRename(frame, s);
    case 'derive':
      return fitDerive(frame, s);
  }
}

/** Applies a fitted transform (validated first) to new data. */
export function applyTransform(frame: ColumnFrame, fitted: FittedTransform): ColumnFrame {
  const f = FittedTransformSchema.parse(fitted);
  switch (f.kind) {
    case 'impute':
      return applyImpute(frame, f);
    case 'one_hot':
      return applyOneHot(frame, f);
    case 'standard_scale':
      return applyStandardScale(frame, f);
    case 'min_max_scale':
      return applyMinMaxScale(frame, f);
    case 'drop':
      return applyDrop(frame, f);
    case 'rename':
      return applyRename(frame, f);
    case 'derive':
      return applyDerive(frame, f);
  }
}

/** Fits the steps in order; returns the fitted pipeline and the transformed training frame. */
export function fitPipeline(frame: ColumnFrame, specs: readonly TransformSpec[]): { pipeline: FittedPipeline; frame: ColumnFrame } {
  const steps: FittedTransform[] = [];
  let current = frame;
  for (const spec of specs) {
    const fitted = fitTransform(current, spec);
    current = applyTransform(current, fitted);
    steps.push(fitted);
  }
  return { pipeline: { version: 1, steps }, frame: current };
}

/** Applies a fitted pipeline (validated first) to new data. */
export function applyPipeline(frame: ColumnFrame, pipeline: FittedPipeline): ColumnFrame {
  const p = FittedPipelineSchema.parse(pipeline);
  let current = frame;
  for (const step of p.steps) current = applyTransform(current, step);
  return current;
}

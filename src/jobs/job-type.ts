/**
 * @module jobs/job-type
 * The contract of a job type: the action it is authorized as (besides `job:Run`), the kind of
 * trial component it is recorded as, its input roles, a zod schema for its parameters, and the
 * body that runs in the job's child process.
 */
import type { z } from 'zod';
import { AppError } from '../kernel/index.js';
import type { ComponentType } from '../tracking/index.js';
import type { JobContext } from './job-context.js';
import type { JobParamValue, JobType } from './job-model.js';

export interface JobTypeDefinition<S extends z.ZodType = z.ZodType> {
  readonly type: JobType;
  readonly description: string;
  readonly componentType: ComponentType;
  /** The catalogue action the caller needs for this work, on `attest:<project>:<resourceType>/*`. */
  readonly action: string;
  readonly resourceType: string;
  readonly requiredInputs: readonly string[];
  /** Further roles accepted; `'any'` for custom jobs. */
  readonly optionalInputs: readonly string[] | 'any';
  readonly params: S;
  run(ctx: JobContext, params: z.output<S>): Promise<void>;
}

/** A definition with its parameter type checked at the definition site. */
export function defineJobType<S extends z.ZodType>(definition: JobTypeDefinition<S>): JobTypeDefinition {
  return definition as unknown as JobTypeDefinition;
}

/** Validates inputs and parameters for a job type; the error names the role or parameter. */
export function checkJobRequest(definition: JobTypeDefinition, inputs: Record<string, string>, params: Record<string, JobParamValue>): unknown {
  for (const role of definition.requiredInputs) {
    if (!(role in inputs)) throw new AppError('INVALID_INPUT', { message: `A ${definition.type} job needs the input "${role}" (--input ${role}=REF)`, details: { role } });
  }
  if (definition.optionalInputs !== 'any') {
    const known = new Set([...definition.requiredInputs, ...definition.optionalInputs]);
    for (const role of Object.keys(inputs)) {
      if (!known.has(role)) throw new AppError('INVALID_INPUT', { message: `A ${definition.type} job has no input "${role}" (inputs: ${[...known].join(', ')})`, details: { role } });
    }
  }
  const parsed = definition.params.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('INVALID_INPUT', { message: `Invalid parameter ${issue?.path.join('.') || '(params)'} of a ${definition.type} job: ${issue?.message}`, details: { parameter: issue?.path.join('.') } });
  }
  return parsed.data;
}

/** A JSON-valued parameter (lists and objects passed through `--param name=JSON`). */
export function jsonParam(value: string | undefined, name: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    throw new AppError('INVALID_INPUT', { message: `--param ${name} must be JSON, not ${value}`, details: { parameter: name } });
  }
}

/** `a,b , c` → ['a','b','c']. */
export function listParam(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

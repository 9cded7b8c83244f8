/**
 * @module pipelines/pipeline-definition
 * The pipeline definition language (JSON or YAML): typed parameters with defaults, job steps of
 * every job type, `condition` steps (a step's metric against a threshold or the current
 * champion's value, with `ifTrue`/`ifFalse` branches) and `fail` steps. Dependencies are explicit
 * (`dependsOn`) and implicit (a `{{steps.X.outputs.ROLE}}` or `{{steps.X.metrics.NAME}}`
 * reference). Validation names the step and the field; cycles and dangling references are refused.
 */
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { JOB_TYPES } from '../jobs/job-names.js';
import { jobTypeDefinition } from '../jobs/index.js';
import { AppError, canonicalJson } from '../kernel/index.js';

const StepName = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'a step name is lower-case letters, digits and -, starting with a letter');
const ParamName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a parameter name is letters, digits and _, starting with a letter');
const Value = z.union([z.string().max(10_000), z.number(), z.boolean()]);
export type PipelineValue = z.infer<typeof Value>;

export const PipelineNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,99}$/, 'a pipeline name is lower-case letters, digits and -, starting with a letter');

export const ParameterSchema = z.strictObject({
  type: z.enum(['string', 'number', 'boolean', 'reference']).default('string'),
  default: Value.optional(),
  description: z.string().max(1000).optional(),
});
export type PipelineParameter = z.infer<typeof ParameterSchema>;

export const RetrySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(10).default(1),
  /** Wait before the second attempt; doubled for each further attempt. */
  backoffMs: z.number().int().min(0).max(3_600_000).default(1000),
});
export type RetryPolicy = z.infer<typeof RetrySchema>;

const Common = {
  name: StepName,
  description: z.string().max(1000).optional(),
  dependsOn: z.array(StepName).default([]),
};

export const JobStepSchema = z.strictObject({
  ...Common,
  type: z.enum(JOB_TYPES),
  inputs: z.record(z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'a role is lower-case letters, digits, _ and -'), z.string().min(1).max(300)).default({}),
  params: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/), Value).default({}),
  retry: RetrySchema.default({ maxAttempts: 1, backoffMs: 1000 }),
  /** Reuse the outputs of a completed step with the same definition and input contents. */
  cache: z.boolean().default(false),
});
export type JobStep = z.infer<typeof JobStepSchema>;

export const COMPARISON_OPS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/** A model group name (as the registry spells it) or a `{{parameters.NAME}}` reference. */
const ModelGroup = z.string().regex(/^(?:[a-z0-9][a-z0-9._-]{0,127}|\{\{\s*parameters\.[A-Za-z][A-Za-z0-9_]*\s*\}\})$/, 'a model group name (lower-case letters, digits and . _ -) or {{parameters.NAME}}');

export const ConditionStepSchema = z
  .strictObject({
    ...Common,
    type: z.literal('condition'),
    /** The metric compared: a step's recorded metric (e.g. `{ step: evaluate, name: "test:auc" }`). */
    metric: z.strictObject({ step: StepName, name: z.string().min(1).max(200) }),
    op: z.enum(COMPARISON_OPS),
    /** A number, or a `{{parameters.X}}` reference to a number parameter. */
    threshold: z.union([z.number(), z.string().regex(/^\{\{\s*parameters\.[A-Za-z][A-Za-z0-9_]*\s*\}\}$/, 'a number or {{parameters.NAME}}')]).optional(),
    /** Compare with the current champion's value of the same metric (plus `margin`). */
    champion: z
      .strictObject({
        margin: z.number().default(0),
        /** What the condition decides when there is no champion (the fact is recorded in the step result). */
        ifNone: z.enum(['pass', 'fail']).default('pass'),
        /**
         * A model group (a name, or `{{parameters.X}}`): the champion is then the registry's
         * `champion` alias of that group (else its `production` alias) and its value the metric
         * recorded on that registered version. Without a group: the latest succeeded execution.
         */
        group: ModelGroup.optional(),
      })
      .optional(),
    /** Steps that run only when the comparison holds (named so: a `then` key would make the object a thenable). */
    ifTrue: z.array(StepName).default([]),
    /** Steps that run only when it does not. */
    ifFalse: z.array(StepName).default([]),
  })
  .refine((s) => (s.threshold === undefined) !== (s.champion === undefined), { message: 'give exactly one of threshold and champion', path: ['threshold'] });
export type ConditionStep = z.infer<typeof ConditionStepSchema>;

export const FailStepSchema = z.strictObject({
  ...Common,
  type: z.literal('fail'),
  /** The execution's failure message; may use `{{parameters.X}}` and `{{steps.X.metrics.Y}}`. */
  message: z.string().min(1).max(2000),
});
export type FailStep = z.infer<typeof FailStepSchema>;

/**
 * Registers a step's model output as a new version of a model group, PendingManualApproval. There
 * is deliberately no field for the status and no approve step: approval stays a human decision by
 * an independent validator.
 */
export const RegisterStepSchema = z.strictObject({
  ...Common,
  type: z.literal('register'),
  /** The model: usually `{{steps.train.outputs.model}}`; any model reference works. */
  model: z.string().min(1).max(300),
  group: ModelGroup,
  /** Registers the version with this text; may use placeholders. */
  versionDescription: z.string().max(2000).default(''),
  /** The risk tier of the group when this registration creates it. */
  riskTier: z.number().int().min(1).max(4).optional(),
});
export type RegisterStep = z.infer<typeof RegisterStepSchema>;

export type PipelineStep = JobStep | ConditionStep | FailStep | RegisterStep;

/** Step types the engine runs itself (not as jobs). */
export const CONTROL_STEP_TYPES = ['condition', 'fail', 'register'] as const;
export const isJobStep = (step: PipelineStep): step is JobStep => !(CONTROL_STEP_TYPES as readonly string[]).includes(step.type);

export const PipelineDefinitionSchema = z.strictObject({
  name: PipelineNameSchema,
  description: z.string().max(2000).default(''),
  parameters: z.record(ParamName, ParameterSchema).default({}),
  steps: z.array(z.unknown()).min(1, 'a pipeline has at least one step').max(200),
});

export interface PipelineDefinition {
  name: string;
  description: string;
  parameters: Record<string, PipelineParameter>;
  steps: PipelineStep[];
}

/** `{{parameters.x}}`, `{{steps.a.outputs.train}}`, `{{steps.a.metrics.test:auc}}`, `{{execution.id}}`. */
export const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

export type StepPlaceholder = { kind: 'output' | 'metric'; step: string; name: string };
export type Placeholder = { kind: 'parameter'; name: string } | StepPlaceholder | { kind: 'execution' } | { kind: 'pipeline' };

export function parsePlaceholder(expr: string): Placeholder | undefined {
  if (expr === 'execution.id') return { kind: 'execution' };
  if (expr === 'pipeline.name') return { kind: 'pipeline' };
  const p = /^parameters\.([A-Za-z][A-Za-z0-9_]*)$/.exec(expr);
  if (p) return { kind: 'parameter', name: p[1]! };
  const s = /^steps\.([a-z][a-z0-9-]*)\.(outputs|metrics)\.(.+)$/.exec(expr);
  if (s) return { kind: s[2] === 'outputs' ? 'output' : 'metric', step: s[1]!, name: s[3]! };
  return undefined;
}

function placeholders(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return [...value.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

function stepStrings(step: PipelineStep): { field: string; value: unknown }[] {
  if (step.type === 'fail') return [{ field: 'message', value: step.message }];
  if (step.type === 'condition') return [{ field: 'threshold', value: step.threshold }, { field: 'champion.group', value: step.champion?.group }];
  if (step.type === 'register') return [{ field: 'model', value: step.model }, { field: 'group', value: step.group }, { field: 'versionDescription', value: step.versionDescription }];
  return [...Object.entries(step.inputs).map(([k, v]) => ({ field: `inputs.${k}`, value: v })), ...Object.entries(step.params).map(([k, v]) => ({ field: `params.${k}`, value: v }))];
}

function invalid(where: string, message: string): AppError {
  return new AppError('INVALID_INPUT', { message: `Invalid pipeline definition: ${where}: ${message}`, details: { where } });
}

function zodWhere(path: readonly PropertyKey[], prefix: string): string {
  return path.length ? `${prefix}${path.map(String).join('.')}` : prefix.replace(/ $/, '') || '(root)';
}

/** The steps each step waits for: `dependsOn`, step references, and the condition that gates it. */
export function dependencies(definition: PipelineDefinition): Map<string, Set<string>> {
  const deps = new Map<string, Set<string>>(definition.steps.map((s) => [s.name, new Set(s.dependsOn)]));
  for (const step of definition.steps) {
    for (const { value } of stepStrings(step)) {
      for (const expr of placeholders(value)) {
        const p = parsePlaceholder(expr);
        if (p && (p.kind === 'output' || p.kind === 'metric')) deps.get(step.name)!.add(p.step);
      }
    }
    if (step.type === 'condition') {
      deps.get(step.name)!.add(step.metric.step);
      for (const gated of [...step.ifTrue, ...step.ifFalse]) deps.get(gated)?.add(step.name);
    }
  }
  return deps;
}

/** Step names in an order where every step follows its dependencies; refuses a cycle, naming it. */
export function topologicalOrder(definition: PipelineDefinition): string[] {
  const deps = dependencies(definition);
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name];
      throw invalid(`step "${name}"`, `the dependencies form a cycle: ${cycle.join(' -> ')}`);
    }
    state.set(name, 'visiting');
    for (const d of deps.get(name) ?? []) visit(d, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const step of definition.steps) visit(step.name, []);
  return order;
}

function checkParameter(name: string, p: PipelineParameter): void {
  if (p.default === undefined) return;
  const expected = p.type === 'reference' ? 'string' : p.type;
  if (typeof p.default !== expected) throw invalid(`parameter "${name}" field default`, `expected a ${expected}, got ${JSON.stringify(p.default)}`);
}

/** Validates a definition object; every error names the step (or parameter) and the field. */
export function validateDefinition(input: unknown): PipelineDefinition {
  const top = PipelineDefinitionSchema.safeParse(input);
  if (!top.success) {
    const issue = top.error.issues[0]!;
    const [head, key, ...rest] = issue.path;
    const where = head === 'parameters' && key !== undefined ? `parameter "${String(key)}" field ${rest.map(String).join('.') || '(itself)'}` : zodWhere(issue.path, '');
    throw invalid(where, issue.message);
  }
  const raw = top.data;
  const steps: PipelineStep[] = raw.steps.map((s, i) => {
    const name = typeof (s as { name?: unknown })?.name === 'string' ? (s as { name: string }).name : `#${i + 1}`;
    const type = (s as { type?: unknown })?.type;
    const schema = type === 'condition' ? ConditionStepSchema : type === 'fail' ? FailStepSchema : type === 'register' ? RegisterStepSchema : JobStepSchema;
    const parsed = schema.safeParse(s);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const unknown = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const field = [...issue.path.map(String), ...unknown].join('.') || '(step)';
      const hint = issue.path[0] === 'type' ? ` (types: ${[...JOB_TYPES, ...CONTROL_STEP_TYPES].join(', ')})` : '';
      throw invalid(`step "${name}" field ${field}`, `${issue.message}${hint}`);
    }
    return parsed.data as PipelineStep;
  });
  for (const [name, p] of Object.entries(raw.parameters)) checkParameter(name, p);
  const definition: PipelineDefinition = { name: raw.name, description: raw.description, parameters: raw.parameters, steps };
  const names = new Set<string>();
  for (const step of steps) {
    if (names.has(step.name)) throw invalid(`step "${step.name}" field name`, 'two steps have this name');
    names.add(step.name);
  }
  for (const step of steps) {
    for (const d of step.dependsOn) if (!names.has(d)) throw invalid(`step "${step.name}" field dependsOn`, `no step named "${d}"`);
    for (const { field, value } of stepStrings(step)) {
      for (const expr of placeholders(value)) {
        const p = parsePlaceholder(expr);
        if (!p) throw invalid(`step "${step.name}" field ${field}`, `{{${expr}}} is not a reference (use parameters.NAME, steps.STEP.outputs.ROLE, steps.STEP.metrics.NAME, execution.id or pipeline.name)`);
        if (p.kind === 'parameter' && !(p.name in definition.parameters)) throw invalid(`step "${step.name}" field ${field}`, `no parameter named "${p.name}"`);
        if ((p.kind === 'output' || p.kind === 'metric') && !names.has(p.step)) throw invalid(`step "${step.name}" field ${field}`, `no step named "${p.step}"`);
        const target = p.kind === 'output' || p.kind === 'metric' ? steps.find((s) => s.name === p.step)! : undefined;
        if (target && !isJobStep(target)) throw invalid(`step "${step.name}" field ${field}`, `step "${target.name}" is a ${target.type} step and has no outputs or metrics`);
      }
    }
    if (step.type === 'condition') {
      const target = steps.find((s) => s.name === step.metric.step);
      if (!target) throw invalid(`step "${step.name}" field metric.step`, `no step named "${step.metric.step}"`);
      if (!isJobStep(target)) throw invalid(`step "${step.name}" field metric.step`, `step "${target.name}" is a ${target.type} step and records no metrics`);
      for (const [field, list] of [['ifTrue', step.ifTrue], ['ifFalse', step.ifFalse]] as const) {
        for (const gated of list) {
          if (!names.has(gated)) throw invalid(`step "${step.name}" field ${field}`, `no step named "${gated}"`);
          if (gated === step.name) throw invalid(`step "${step.name}" field ${field}`, 'a condition cannot gate itself');
        }
      }
      const both = step.ifTrue.find((s) => step.ifFalse.includes(s));
      if (both) throw invalid(`step "${step.name}" field ifFalse`, `step "${both}" is in both ifTrue and ifFalse`);
    }
    if (isJobStep(step)) checkJobStep(definition, step);
  }
  topologicalOrder(definition);
  return definition;
}

/** Checks a job step's input roles and its literal parameters against the job type. */
function checkJobStep(definition: PipelineDefinition, step: JobStep): void {
  const type = jobTypeDefinition(step.type);
  for (const role of type.requiredInputs) if (!(role in step.inputs)) throw invalid(`step "${step.name}" field inputs.${role}`, `a ${step.type} step needs the input "${role}"`);
  if (type.optionalInputs !== 'any') {
    const known = new Set([...type.requiredInputs, ...type.optionalInputs]);
    for (const role of Object.keys(step.inputs)) if (!known.has(role)) throw invalid(`step "${step.name}" field inputs.${role}`, `a ${step.type} step has no input "${role}" (inputs: ${[...known].join(', ')})`);
  }
  // Parameters are checked with the pipeline's defaults in place; values that come from another
  // step are only known at run time and are checked by the job when it is submitted.
  const params: Record<string, PipelineValue> = {};
  for (const [k, v] of Object.entries(step.params)) {
    const resolved = substitute(v, { parameters: defaults(definition), steps: undefined });
    if (resolved !== undefined) params[k] = resolved;
  }
  const parsed = type.params.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(`step "${step.name}" field params${issue.path.length ? `.${issue.path.map(String).join('.')}` : ''}`, issue.message);
  }
}

function defaults(definition: PipelineDefinition): Record<string, PipelineValue | undefined> {
  return Object.fromEntries(Object.entries(definition.parameters).map(([k, p]) => [k, p.default]));
}

export interface SubstitutionScope {
  parameters: Record<string, PipelineValue | undefined>;
  /** Step outputs and metrics; undefined while validating (their values are unknown then). */
  steps: ((p: StepPlaceholder) => PipelineValue | undefined) | undefined;
  executionId?: string;
  pipelineName?: string;
}

/**
 * Replaces placeholders in `value`. A value that is exactly one placeholder keeps the type of what
 * it names (a number parameter stays a number); otherwise the text is interpolated. Undefined
 * when something it names is not known yet.
 */
export function substitute(value: PipelineValue, scope: SubstitutionScope): PipelineValue | undefined {
  if (typeof value !== 'string') return value;
  const lookup = (expr: string): PipelineValue | undefined => {
    const p = parsePlaceholder(expr);
    if (!p) return undefined;
    if (p.kind === 'parameter') return scope.parameters[p.name];
    if (p.kind === 'execution') return scope.executionId;
    if (p.kind === 'pipeline') return scope.pipelineName;
    return scope.steps?.(p);
  };
  const whole = /^\{\{\s*([^{}\s]+)\s*\}\}$/.exec(value);
  if (whole) return lookup(whole[1]!);
  let missing = false;
  const text = value.replace(PLACEHOLDER, (_, expr: string) => {
    const v = lookup(expr);
    if (v === undefined) missing = true;
    return String(v);
  });
  return missing ? undefined : text;
}

/** Reads a definition from JSON or YAML text (YAML is a superset; JSON is tried first for its error messages). */
export function parseDefinitionText(text: string, source = 'the definition'): PipelineDefinition {
  let data: unknown;
  const trimmed = text.trimStart();
  try {
    data = trimmed.startsWith('{') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new AppError('INVALID_INPUT', { message: `Cannot read ${source} as ${trimmed.startsWith('{') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}` });
  }
  return validateDefinition(data);
}

/** The definition's identity: SHA-256 of its canonical JSON (defaults filled in). */
export function definitionHash(definition: PipelineDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

/** Parameter values for an execution: defaults, then overrides (text from the CLI is converted by type). */
export function resolveParameters(definition: PipelineDefinition, overrides: Record<string, PipelineValue>): Record<string, PipelineValue> {
  const out: Record<string, PipelineValue> = {};
  for (const name of Object.keys(overrides)) {
    if (!(name in definition.parameters)) throw new AppError('INVALID_INPUT', { message: `Pipeline ${definition.name} has no parameter "${name}" (parameters: ${Object.keys(definition.parameters).join(', ') || 'none'})`, details: { parameter: name } });
  }
  for (const [name, p] of Object.entries(definition.parameters)) {
    let v = overrides[name] ?? p.default;
    if (v === undefined) throw new AppError('INVALID_INPUT', { message: `Pipeline ${definition.name} needs the parameter "${name}" (--param ${name}=…)`, details: { parameter: name } });
    if (p.type === 'number' && typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) v = Number(v);
    if (p.type === 'boolean' && (v === 'true' || v === 'false')) v = v === 'true';
    if ((p.type === 'string' || p.type === 'reference') && typeof v !== 'string') v = String(v);
    const expected = p.type === 'reference' ? 'string' : p.type;
    if (typeof v !== expected) throw new AppError('INVALID_INPUT', { message: `Parameter "${name}" of pipeline ${definition.name} is a ${p.type}, not ${JSON.stringify(v)}`, details: { parameter: name } });
    out[name] = v;
  }
  return out;
}

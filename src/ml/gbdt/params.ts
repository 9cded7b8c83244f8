/**
 * @module ml/gbdt/params
 * Booster parameters with XGBoost's names, aliases and 1.7 defaults (algorithms-and-formats.md
 * §1.5 "Defaults", §1.2 for `base_score`), validated with zod so a bad `--param name=value`
 * fails with INVALID_INPUT naming the parameter.
 */
import { z } from 'zod';
import { AppError } from '../../kernel/index.js';
import { SUPPORTED_OBJECTIVES } from './model.js';
import type { Objective } from './model.js';

/** Evaluation metrics the trainer can log per round (XGBoost names). */
export const EVAL_METRICS = ['logloss', 'auc', 'error', 'rmse', 'mlogloss', 'merror'] as const;
export type EvalMetricName = (typeof EVAL_METRICS)[number];

const unit = z.number().gt(0).lte(1);

/** The zod schema of booster parameters (already typed values; see {@link parseBoosterParams} for strings). */
export const BoosterParams = z
  .object({
    objective: z.enum(SUPPORTED_OBJECTIVES as [Objective, ...Objective[]]).default('reg:squarederror'),
    num_class: z.number().int().min(0).default(0),
    eta: z.number().gte(0).default(0.3),
    max_depth: z.number().int().min(0).default(6),
    min_child_weight: z.number().gte(0).default(1),
    gamma: z.number().gte(0).default(0),
    lambda: z.number().gte(0).default(1),
    alpha: z.number().gte(0).default(0),
    max_delta_step: z.number().gte(0).default(0),
    subsample: unit.default(1),
    colsample_bytree: unit.default(1),
    colsample_bylevel: unit.default(1),
    colsample_bynode: unit.default(1),
    scale_pos_weight: z.number().gt(0).default(1),
    /** XGBoost 1.7 semantics: 0.5 unless given, in output (probability) space. */
    base_score: z.number().default(0.5),
    max_bin: z.number().int().min(2).max(65536).default(256),
    seed: z.number().int().min(0).max(4294967295).default(0),
    num_round: z.number().int().min(1).default(10),
    early_stopping_rounds: z.number().int().min(1).optional(),
    eval_metric: z.array(z.enum(EVAL_METRICS)).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const multi = p.objective.startsWith('multi:');
    if (multi && p.num_class < 2) ctx.addIssue({ code: 'custom', path: ['num_class'], message: `${p.objective} needs num_class >= 2` });
    if (!multi && p.num_class > 1) ctx.addIssue({ code: 'custom', path: ['num_class'], message: `num_class is only for multi:* objectives` });
    if ((p.objective === 'binary:logistic' || p.objective === 'reg:logistic') && !(p.base_score > 0 && p.base_score < 1)) {
      ctx.addIssue({ code: 'custom', path: ['base_score'], message: `base_score must lie in (0, 1) for ${p.objective}` });
    }
  });

export type BoosterParams = z.output<typeof BoosterParams>;
export type BoosterParamsInput = z.input<typeof BoosterParams>;

/** XGBoost's alternative spellings, mapped to the names used here. */
const ALIASES: Readonly<Record<string, string>> = {
  learning_rate: 'eta',
  reg_lambda: 'lambda',
  reg_alpha: 'alpha',
  min_split_loss: 'gamma',
  random_state: 'seed',
  num_boost_round: 'num_round',
  n_estimators: 'num_round',
};

/** Parameters XGBoost accepts that do not change what this trainer computes; accepted and ignored. */
const NO_OP: Readonly<Record<string, readonly string[] | null>> = {
  tree_method: ['hist', 'auto', 'approx', 'exact'],
  booster: ['gbtree'],
  grow_policy: ['depthwise'],
  nthread: null,
  n_jobs: null,
  verbosity: null,
  silent: null,
  validate_parameters: null,
  disable_default_eval_metric: null,
};

const STRING_KEYS = new Set(['objective']);

function invalid(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('INVALID_INPUT', { message, details });
}

/**
 * Booster parameters from `name=value` pairs in the order given, as XGBoost takes a list of pairs:
 * every `eval_metric` is kept (in order, a repeat of the same metric once), any other repeated
 * name keeps its last value.
 * @example boosterParamsFromPairs([['eval_metric', 'auc'], ['eval_metric', 'logloss']]).eval_metric // 'auc,logloss'
 */
export function boosterParamsFromPairs(pairs: readonly (readonly [string, string])[]): Record<string, string> {
  const out: Record<string, string> = {};
  const metrics: string[] = [];
  for (const [name, value] of pairs) {
    if (name === 'eval_metric') {
      for (const m of value.split(',').map((s) => s.trim()).filter((s) => s !== '')) if (!metrics.includes(m)) metrics.push(m);
    } else out[name] = value;
  }
  if (metrics.length > 0) out.eval_metric = metrics.join(',');
  return out;
}

/**
 * Validates booster parameters given as strings (`--param name=value`) or values, applying
 * aliases and defaults. `eval_metric` may be a comma-separated list. Throws AppError
 * INVALID_INPUT naming the offending parameter.
 */
export function parseBoosterParams(raw: Readonly<Record<string, unknown>>): BoosterParams {
  const input: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const key = ALIASES[rawKey] ?? rawKey;
    const noOp = NO_OP[key];
    if (noOp !== undefined) {
      if (noOp !== null && !noOp.includes(String(value))) {
        throw invalid(`Parameter ${rawKey}=${String(value)} is not supported (accepted: ${noOp.join(', ')})`, { parameter: rawKey });
      }
      continue;
    }
    if (key in input) throw invalid(`Parameter ${key} is given twice (directly and through an alias)`, { parameter: rawKey });
    if (key === 'eval_metric') {
      const list = Array.isArray(value) ? value.map(String) : String(value).split(',').map((s) => s.trim()).filter((s) => s !== '');
      input[key] = list;
    } else if (STRING_KEYS.has(key) || typeof value !== 'string') {
      input[key] = value;
    } else {
      const n = value.trim() === '' ? Number.NaN : Number(value);
      if (!Number.isFinite(n)) throw invalid(`Parameter ${rawKey} must be a number, got "${value}"`, { parameter: rawKey });
      input[key] = n;
    }
  }
  const result = BoosterParams.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = issue.path.length > 0 ? String(issue.path[0]) : 'parameters';
    const message = issue.code === 'unrecognized_keys' ? `Unknown booster parameter(s): ${issue.keys.join(', ')}` : `Parameter ${name}: ${issue.message}`;
    throw invalid(message, { parameter: name, issues: result.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) });
  }
  return result.data;
}

/** The metric XGBoost evaluates when `eval_metric` is not set (1.7 defaults per objective). */
export function defaultEvalMetric(objective: Objective): EvalMetricName {
  switch (objective) {
    case 'binary:logistic':
    case 'binary:logitraw':
      return 'logloss';
    case 'multi:softprob':
      return 'mlogloss';
    case 'multi:softmax':
      return 'merror';
    default:
      return 'rmse';
  }
}

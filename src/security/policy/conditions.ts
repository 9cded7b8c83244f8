/**
 * @module security/policy/conditions
 * Condition operators, compiled once per policy. Semantics follow IAM's condition-element rules
 * (docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html):
 * - operators in a block, and keys under one operator, are ANDed; the values of one key are ORed;
 * - a negated operator (`StringNotEquals`, `NotIpAddress`, …) holds when the context value matches
 *   none of the values, and holds when the key is absent;
 * - a positive operator fails when the key is absent, unless the operator ends in `IfExists`;
 * - `Null: { key: true }` holds when the key is absent;
 * - on multi-valued keys, `ForAnyValue:` needs one context value to satisfy the operator and
 *   `ForAllValues:` needs all of them to (vacuously true on an empty set, while `ForAnyValue:` is
 *   false on one, whatever the operator); without a qualifier a positive operator needs any value
 *   to match and a negated one needs none to.
 * Policy dates are ISO 8601 strings or epoch seconds (IAM's convention); context dates are `Date`
 * objects, ISO strings or epoch milliseconds.
 */
import { AppError } from '../../kernel/index.js';
import { compilePattern, substituteVariables } from './compile-pattern.js';
import { canonicalContextKey, type ContextValue, type RequestContext } from './context-keys.js';
import { cidrContains, parseCidr, parseIp } from './ip-address.js';

/** A condition value as written in a policy. */
export type ConditionValue = string | number | boolean | readonly (string | number | boolean)[];

/** One compiled `Operator: { key: values }` pair. */
export interface CompiledCondition {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
  test(context: RequestContext): boolean;
}

type Family = 'string' | 'numeric' | 'date' | 'bool' | 'ip';

interface BaseOperator {
  readonly family: Family;
  readonly negated: boolean;
  /** Builds a positive matcher for one policy value; throws POLICY_INVALID on an unusable value. */
  readonly compile: (value: string, operator: string) => (single: ContextValue, context: RequestContext) => boolean;
}

function stringOf(v: ContextValue): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  return undefined;
}

function numberOf(v: ContextValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return Number.NaN;
}

function contextTimeMs(v: ContextValue): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Date.parse(v);
  return Number.NaN;
}

function policyTimeMs(value: string, operator: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (Number.isNaN(ms)) throw bad(operator, `"${value}" is not a date`);
  return ms;
}

function boolOf(v: ContextValue): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const t = v.toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
  }
  return undefined;
}

function bad(operator: string, reason: string): AppError {
  return new AppError('POLICY_INVALID', { message: `Condition ${operator}: ${reason}`, details: { operator } });
}

function noVariables(value: string, operator: string): string {
  if (value.includes('${')) throw bad(operator, 'policy variables are only allowed in String operators');
  return value;
}

function stringEquals(ignoreCase: boolean): BaseOperator['compile'] {
  return (value) => {
    const fixed = value.includes('${') ? undefined : ignoreCase ? value.toLowerCase() : value;
    return (single, context) => {
      const s = stringOf(single);
      if (s === undefined) return false;
      const expected = fixed ?? substituteVariables(value, context);
      if (expected === undefined) return false;
      return ignoreCase ? s.toLowerCase() === expected.toLowerCase() : s === expected;
    };
  };
}

function stringLike(ignoreCase: boolean): BaseOperator['compile'] {
  return (value) => {
    const pattern = compilePattern(value, { segmented: false, ignoreCase, variables: true });
    return (single, context) => {
      const s = stringOf(single);
      return s !== undefined && pattern.test(s, context) === true;
    };
  };
}

function numeric(cmp: (a: number, b: number) => boolean): BaseOperator['compile'] {
  return (value, operator) => {
    const b = Number(noVariables(value, operator));
    if (value.trim() === '' || Number.isNaN(b)) throw bad(operator, `"${value}" is not a number`);
    return (single) => {
      const a = numberOf(single);
      return !Number.isNaN(a) && cmp(a, b);
    };
  };
}

function date(cmp: (a: number, b: number) => boolean): BaseOperator['compile'] {
  return (value, operator) => {
    const b = policyTimeMs(noVariables(value, operator), operator);
    return (single) => {
      const a = contextTimeMs(single);
      return !Number.isNaN(a) && cmp(a, b);
    };
  };
}

const eq = (a: number, b: number): boolean => a === b;
const lt = (a: number, b: number): boolean => a < b;
const le = (a: number, b: number): boolean => a <= b;
const gt = (a: number, b: number): boolean => a > b;
const ge = (a: number, b: number): boolean => a >= b;

const ipMatch: BaseOperator['compile'] = (value, operator) => {
  const range = parseCidr(noVariables(value, operator).trim());
  if (!range) throw bad(operator, `"${value}" is not an IPv4 or IPv6 address or CIDR range`);
  return (single) => {
    const text = stringOf(single);
    const ip = text === undefined ? undefined : parseIp(text);
    return ip !== undefined && cidrContains(range, ip);
  };
};

const boolMatch: BaseOperator['compile'] = (value, operator) => {
  const expected = boolOf(noVariables(value, operator));
  if (expected === undefined) throw bad(operator, `"${value}" is not true or false`);
  return (single) => boolOf(single) === expected;
};

const op = (family: Family, negated: boolean, compile: BaseOperator['compile']): BaseOperator => ({ family, negated, compile });

/** The base operators (without qualifier or `IfExists`). */
const BASE_OPERATORS: Readonly<Record<string, BaseOperator>> = {
  StringEquals: op('string', false, stringEquals(false)),
  StringNotEquals: op('string', true, stringEquals(false)),
  StringEqualsIgnoreCase: op('string', false, stringEquals(true)),
  StringNotEqualsIgnoreCase: op('string', true, stringEquals(true)),
  StringLike: op('string', false, stringLike(false)),
  StringNotLike: op('string', true, stringLike(false)),
  StringLikeIgnoreCase: op('string', false, stringLike(true)),
  StringNotLikeIgnoreCase: op('string', true, stringLike(true)),
  NumericEquals: op('numeric', false, numeric(eq)),
  NumericNotEquals: op('numeric', true, numeric(eq)),
  NumericLessThan: op('numeric', false, numeric(lt)),
  NumericLessThanEquals: op('numeric', false, numeric(le)),
  NumericGreaterThan: op('numeric', false, numeric(gt)),
  NumericGreaterThanEquals: op('numeric', false, numeric(ge)),
  DateEquals: op('date', false, date(eq)),
  DateNotEquals: op('date', true, date(eq)),
  DateLessThan: op('date', false, date(lt)),
  DateLessThanEquals: op('date', false, date(le)),
  DateGreaterThan: op('date', false, date(gt)),
  DateGreaterThanEquals: op('date', false, date(ge)),
  Bool: op('bool', false, boolMatch),
  IpAddress: op('ip', false, ipMatch),
  NotIpAddress: op('ip', true, ipMatch),
};

/** Every base operator name (`Null` and the `IfExists` / `ForAnyValue:` / `ForAllValues:` forms aside). */
export const CONDITION_OPERATORS: readonly string[] = Object.freeze([...Object.keys(BASE_OPERATORS), 'Null']);

interface ParsedOperator {
  readonly qualifier: 'ForAnyValue' | 'ForAllValues' | undefined;
  readonly base: string;
  readonly ifExists: boolean;
}

/** Splits `ForAllValues:StringLikeIfExists` into its parts; `undefined` if it names no operator. */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let qualifier: ParsedOperator['qualifier'];
  for (const q of ['ForAnyValue', 'ForAllValues'] as const) {
    if (rest.startsWith(`${q}:`)) {
      qualifier = q;
      rest = rest.slice(q.length + 1);
    }
  }
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists';
  const base = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  if (base === 'Null') return ifExists || qualifier ? undefined : { qualifier, base, ifExists };
  return BASE_OPERATORS[base] ? { qualifier, base, ifExists } : undefined;
}

function asList(value: ConditionValue): string[] {
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

function contextValues(value: ContextValue | undefined): readonly ContextValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly string[]) : [value as ContextValue];
}

/**
 * Compiles one `Operator: { key: value(s) }` pair.
 * @throws AppError POLICY_INVALID for an unknown operator or a value the operator cannot use.
 */
export function compileCondition(operator: string, rawKey: string, raw: ConditionValue): CompiledCondition {
  const parsed = parseOperator(operator);
  if (!parsed) throw bad(operator, 'unknown condition operator');
  const key = canonicalContextKey(rawKey);
  const values = asList(raw);
  if (values.length === 0) throw bad(operator, `no values for ${rawKey}`);

  if (parsed.base === 'Null') {
    if (values.length !== 1) throw bad(operator, 'Null takes one value, true or false');
    const wantAbsent = boolOf(values[0]!);
    if (wantAbsent === undefined) throw bad(operator, `"${values[0]}" is not true or false`);
    return { operator, key, values, test: (context) => (contextValues(context[key]).length === 0) === wantAbsent };
  }

  const base = BASE_OPERATORS[parsed.base]!;
  const matchers = values.map((v) => base.compile(v, operator));
  const matchesAny = (single: ContextValue, context: RequestContext): boolean => matchers.some((m) => m(single, context));
  const { negated } = base;
  const satisfies = (single: ContextValue, context: RequestContext): boolean => matchesAny(single, context) !== negated;

  return {
    operator,
    key,
    values,
    test(context) {
      const present = contextValues(context[key]);
      if (present.length === 0) {
        if (parsed.ifExists || parsed.qualifier === 'ForAllValues') return true;
        // ForAnyValue needs some value to satisfy the operator; there is none.
        if (parsed.qualifier === 'ForAnyValue') return false;
        return negated;
      }
      if (parsed.qualifier === 'ForAllValues') return present.every((c) => satisfies(c, context));
      if (parsed.qualifier === 'ForAnyValue') return present.some((c) => satisfies(c, context));
      return negated ? present.every((c) => satisfies(c, context)) : present.some((c) => satisfies(c, context));
    },
  };
}

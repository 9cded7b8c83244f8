/**
 * @module security/policy/compile-pattern
 * Wildcard patterns (`*`, `?`) with policy variables (`${attest:PrincipalId}`), compiled to a
 * RegExp once per policy. A variable's value is inserted literally (regex- and wildcard-escaped), so
 * a principal id containing `*` can never widen a pattern. A pattern whose variable has no single
 * value in the request context does not match (IAM behaves the same way). `${*}`, `${?}` and `${$}`
 * stand for the literal characters.
 */
import { AppError } from '../../kernel/index.js';
import { canonicalContextKey, contextString, type RequestContext } from './context-keys.js';

/** A compiled pattern. */
export interface CompiledPattern {
  /** The pattern as written. */
  readonly source: string;
  /** The context keys the pattern substitutes. */
  readonly variables: readonly string[];
  /** `true`/`false`, or `undefined` when a variable has no single value in `context`. */
  test(value: string, context: RequestContext): boolean | undefined;
}

/** How to compile a pattern. */
export interface PatternOptions {
  /** Resource names: wildcards before the second `:` do not cross `:`. */
  readonly segmented: boolean;
  readonly ignoreCase: boolean;
  /** Whether `${key}` variables are allowed (not in actions). */
  readonly variables: boolean;
}

type Piece = { kind: 'regex'; source: string } | { kind: 'var'; key: string };

const VARIABLE_KEY = /^[A-Za-z][A-Za-z0-9:_.-]*$/;
const MAX_CACHED_REGEXPS = 512;

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

function tokenise(pattern: string, options: PatternOptions): Piece[] {
  const pieces: Piece[] = [];
  let colons = 0;
  let literal = '';
  const flush = (): void => {
    if (literal) pieces.push({ kind: 'regex', source: escapeRegExp(literal) });
    literal = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '$' && pattern[i + 1] === '{') {
      const end = pattern.indexOf('}', i + 2);
      if (end < 0) throw invalid(pattern, 'unterminated variable');
      const name = pattern.slice(i + 2, end);
      i = end;
      if (name === '*' || name === '?' || name === '$') {
        literal += name;
        continue;
      }
      if (!options.variables) throw invalid(pattern, 'policy variables are not allowed here');
      if (!VARIABLE_KEY.test(name)) throw invalid(pattern, `bad variable name "${name}"`);
      flush();
      pieces.push({ kind: 'var', key: canonicalContextKey(name) });
      continue;
    }
    if (ch === '*' || ch === '?') {
      flush();
      const inSegment = options.segmented && colons < 2;
      const any = inSegment ? '[^:]' : '[\\s\\S]';
      pieces.push({ kind: 'regex', source: ch === '*' ? `${any}*` : any });
      continue;
    }
    if (ch === ':') colons++;
    literal += ch;
  }
  flush();
  return pieces;
}

function invalid(pattern: string, reason: string): AppError {
  return new AppError('POLICY_INVALID', { message: `Invalid pattern "${pattern}": ${reason}`, details: { pattern } });
}

/**
 * Compiles a wildcard pattern.
 * @example compilePattern('attest:credit:model/*', { segmented: true, ignoreCase: false, variables: true })
 */
export function compilePattern(pattern: string, options: PatternOptions): CompiledPattern {
  const flags = options.ignoreCase ? 'i' : '';
  if (pattern === '*') return { source: pattern, variables: [], test: () => true };
  const pieces = tokenise(pattern, options);
  const variables = pieces.flatMap((p) => (p.kind === 'var' ? [p.key] : []));
  if (variables.length === 0) {
    const re = new RegExp(`^${pieces.map((p) => (p.kind === 'regex' ? p.source : '')).join('')}$`, flags);
    return { source: pattern, variables, test: (value) => re.test(value) };
  }
  // One RegExp per distinct set of variable values, cached: a principal's requests reuse theirs.
  const cache = new Map<string, RegExp>();
  return {
    source: pattern,
    variables,
    test(value, context) {
      const values: string[] = [];
      for (const key of variables) {
        const v = contextString(context, key);
        if (v === undefined) return undefined;
        values.push(v);
      }
      const cacheKey = values.join('\u0000');
      let re = cache.get(cacheKey);
      if (!re) {
        let k = 0;
        const source = pieces.map((p) => (p.kind === 'regex' ? p.source : escapeRegExp(values[k++]!))).join('');
        re = new RegExp(`^${source}$`, flags);
        if (cache.size >= MAX_CACHED_REGEXPS) cache.clear();
        cache.set(cacheKey, re);
      }
      return re.test(value);
    },
  };
}

/**
 * The policy-variable reference for a context key, e.g. `policyVariable('attest:PrincipalId')` is the
 * text `${attest:PrincipalId}` (built here so code never writes a template placeholder in a plain string).
 */
export function policyVariable(key: string): string {
  return `$\{${key}}`;
}

/** Substitutes `${key}` variables in a plain string (condition values); `undefined` if one is missing. */
export function substituteVariables(template: string, context: RequestContext): string | undefined {
  if (!template.includes('${')) return template;
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch === '$' && template[i + 1] === '{') {
      const end = template.indexOf('}', i + 2);
      if (end < 0) return undefined;
      const name = template.slice(i + 2, end);
      i = end;
      if (name === '*' || name === '?' || name === '$') {
        out += name;
        continue;
      }
      const value = contextString(context, canonicalContextKey(name));
      if (value === undefined) return undefined;
      out += value;
      continue;
    }
    out += ch;
  }
  return out;
}

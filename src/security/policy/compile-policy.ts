/**
 * @module security/policy/compile-policy
 * Turns a policy document into matchers once: action and resource patterns become RegExps,
 * condition values are parsed (CIDRs, dates, numbers), and the statements that apply to an action
 * are memoised per action name, so a decision costs a Map lookup plus the resource and condition
 * tests of the few statements that name the action. Compiled forms are cached per document object.
 */
import { AppError } from '../../kernel/index.js';
import { ACTION_NAMES } from './action-catalogue.js';
import { type CompiledPattern, compilePattern } from './compile-pattern.js';
import { type CompiledCondition, compileCondition } from './conditions.js';
import { type NamedPolicy, PolicyDocument, type PolicyStatement, statementsOf } from './policy-document.js';

/** A statement ready for evaluation. */
export interface CompiledStatement {
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  readonly statement: PolicyStatement;
  /** True if `Action` was written as `NotAction`. */
  readonly notAction: boolean;
  readonly actions: readonly CompiledPattern[];
  /** True if `Resource` was written as `NotResource`. */
  readonly notResource: boolean;
  readonly resources: readonly CompiledPattern[];
  readonly conditions: readonly CompiledCondition[];
}

/** A compiled, named policy. */
export interface CompiledPolicy {
  readonly name: string;
  readonly statements: readonly CompiledStatement[];
  /** The statements whose Action/NotAction element covers `action` (memoised). */
  statementsFor(action: string): readonly CompiledStatement[];
}

interface CompiledDocument {
  readonly statements: readonly CompiledStatement[];
  readonly byAction: Map<string, readonly CompiledStatement[]>;
}

const ACTION_SYNTAX = /^(\*|[a-z*?][a-z0-9*?-]*:[A-Za-z*?][A-Za-z0-9*?]*)$/i;
const MAX_MEMOISED_ACTIONS = 4096;
const cache = new WeakMap<object, CompiledDocument>();

function list(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

function compileStatement(statement: PolicyStatement, index: number): CompiledStatement {
  const actionPatterns = list(statement.Action ?? statement.NotAction);
  for (const a of actionPatterns) {
    if (!ACTION_SYNTAX.test(a)) {
      throw new AppError('POLICY_INVALID', {
        message: `Statement ${index}: "${a}" is not an action pattern (<service>:<Verb>, wildcards allowed)`,
        details: { statement: index, action: a },
      });
    }
  }
  const conditions: CompiledCondition[] = [];
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, value] of Object.entries(keys)) conditions.push(compileCondition(operator, key, value));
  }
  return {
    index,
    sid: statement.Sid,
    effect: statement.Effect,
    statement,
    notAction: statement.NotAction !== undefined,
    // IAM action names are case-insensitive; wildcards never need to respect ':' in an action.
    actions: actionPatterns.map((a) => compilePattern(a, { segmented: false, ignoreCase: true, variables: false })),
    notResource: statement.NotResource !== undefined,
    resources: list(statement.Resource ?? statement.NotResource).map((r) =>
      compilePattern(r, { segmented: true, ignoreCase: false, variables: true }),
    ),
    conditions,
  };
}

function parseDocument(document: unknown): PolicyDocument {
  const parsed = PolicyDocument.safeParse(document);
  if (parsed.success) return parsed.data;
  throw new AppError('POLICY_INVALID', {
    message: `Invalid policy document: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`).join('; ')}`,
    details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}

function compileDocument(document: PolicyDocument): CompiledDocument {
  const hit = cache.get(document);
  if (hit) return hit;
  const parsed = parseDocument(document);
  const compiled: CompiledDocument = {
    statements: statementsOf(parsed).map(compileStatement),
    byAction: new Map(),
  };
  cache.set(document, compiled);
  return compiled;
}

function matchesAction(s: CompiledStatement, action: string): boolean {
  const any = s.actions.some((p) => p.test(action, {}) === true);
  return any !== s.notAction;
}

/**
 * Validates and compiles a named policy (cached per document object).
 * @throws AppError POLICY_INVALID naming the first problem.
 */
export function compilePolicy(policy: NamedPolicy): CompiledPolicy {
  const doc = compileDocument(policy.document);
  return {
    name: policy.name,
    statements: doc.statements,
    statementsFor(action) {
      let found = doc.byAction.get(action);
      if (!found) {
        found = doc.statements.filter((s) => matchesAction(s, action));
        if (doc.byAction.size >= MAX_MEMOISED_ACTIONS) doc.byAction.clear();
        doc.byAction.set(action, found);
      }
      return found;
    },
  };
}

/**
 * Validates a document without attaching it anywhere: the schema plus every pattern, operator and
 * value, so a policy that is stored can always be evaluated; and every action pattern must name at
 * least one action of the catalogue (a misspelt `model:Aprove` would otherwise be stored and never
 * match, silently). The catalogue check is for documents being stored: evaluation compiles with
 * {@link compilePolicy}, which does not refuse a document stored before an action was renamed.
 * @throws AppError POLICY_INVALID naming the problems (for an unknown action: the statement and the action).
 */
export function validatePolicyDocument(document: unknown): PolicyDocument {
  const doc = parseDocument(document);
  for (const statement of compileDocument(doc).statements) {
    for (const pattern of statement.actions) {
      if (pattern.source === '*' || ACTION_NAMES.some((name) => pattern.test(name, {}) === true)) continue;
      const what = /[*?]/.test(pattern.source) ? 'matches no action Attest exposes' : 'is not an action Attest exposes';
      throw new AppError('POLICY_INVALID', {
        message: `Statement ${statement.index}${statement.sid ? ` "${statement.sid}"` : ''}: "${pattern.source}" ${what} (see the action catalogue in docs/policy-language.md)`,
        details: { statement: statement.index, action: pattern.source },
      });
    }
  }
  return doc;
}

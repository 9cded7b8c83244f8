/**
 * @module security/policy/simulate
 * What `attest policy simulate --principal P --action A --resource R [--context k=v …]` prints:
 * the decision, the statement that decided it, every statement that matched, and the statements
 * that would have applied but for a condition, and for a checker action (approval, sign-off) the
 * separation-of-duties verdict — the same {@link evaluateRequest} the authorizer runs. Pure: the CLI
 * resolves P's policies and passes them in.
 */
import { AppError } from '../../kernel/index.js';
import { isCatalogueAction } from './action-catalogue.js';
import { canonicalContextKey, CONTEXT_KEYS, type ContextValue, type RequestContext } from './context-keys.js';
import type { Decision, PolicySet, StatementRef } from './evaluate.js';
import { tryParseResourceName } from './resource-name.js';
import { evaluateRequest } from './separation-of-duties.js';

/** Options for {@link simulate}. */
export interface SimulateOptions {
  /** The policies of the API token's narrower scope, if simulating a scoped token. */
  readonly scope?: PolicySet;
}

/** A simulation: the decision and its human-readable explanation. */
export interface Simulation {
  readonly decision: Decision;
  /** Problems with the question itself (unknown action, malformed resource name). */
  readonly warnings: readonly string[];
  /** Multi-line explanation, no trailing newline. */
  readonly text: string;
}

function describe(ref: StatementRef): string {
  const sid = ref.sid ? ` "${ref.sid}"` : '';
  return `statement ${ref.index}${sid} (${ref.effect}) of policy "${ref.policyName}"`;
}

const HEADLINE: Record<Decision['decision'], string> = {
  Allow: 'ALLOWED',
  ExplicitDeny: 'DENIED (explicit deny)',
  ImplicitDeny: 'DENIED (implicit deny: no statement allows it)',
};

/**
 * Simulates one request and explains the decision.
 * @example simulate([rolePolicy(builtInRole('data-scientist')!, 'credit')], 'model:Approve', 'attest:credit:model/m1').text
 */
export function simulate(
  principalPolicies: PolicySet,
  action: string,
  resource: string,
  context: RequestContext = {},
  options: SimulateOptions = {},
): Simulation {
  const decision = evaluateRequest({ action, resource, context }, principalPolicies, options.scope, { explain: true });
  const warnings: string[] = [];
  if (!isCatalogueAction(action)) warnings.push(`"${action}" is not an action Attest exposes`);
  if (resource !== '*' && !tryParseResourceName(resource)) warnings.push(`"${resource}" is not a resource name (attest:<project>:<type>/<id>)`);

  const sod = decision.separationOfDuties;
  const bySod = decision.layer === 'separation-of-duties';
  const lines = [bySod ? 'DENIED (separation of duties: the maker cannot be the checker)' : HEADLINE[decision.decision], `  action:      ${action}`, `  resource:    ${resource}`];
  const scopeNote = options.scope && decision.layer === 'scope' ? " in the token's scope" : '';
  if (bySod) lines.push(`  decided by:  ${sod?.reason ?? 'separation of duties'}`);
  else if (decision.decidingStatement) lines.push(`  decided by:  ${describe(decision.decidingStatement)}${scopeNote}`);
  else lines.push(`  decided by:  no statement${scopeNote} allows ${action} on ${resource}`);
  if (sod && !bySod) lines.push(`  ${sod.reason}`);
  if (sod && !sod.allowed && sod.conflicts.length === 0) lines.push('  (give --context ResourceCreator=<maker> [--context ResourceMakers=a,b] to simulate a known resource)');
  const contextKeys = Object.keys(context).sort();
  if (contextKeys.length > 0) {
    lines.push('context:');
    for (const k of contextKeys) lines.push(`  ${k} = ${formatValue(context[k])}`);
  }
  if (decision.matchedStatements.length > 0) {
    lines.push('matched statements:');
    for (const ref of decision.matchedStatements) lines.push(`  ${describe(ref)}`);
  }
  if (decision.nearMisses && decision.nearMisses.length > 0) {
    lines.push('not applied (a condition did not hold):');
    for (const miss of decision.nearMisses) {
      const failed = miss.failedConditions.map((c) => `${c.operator} ${c.key}`).join(', ');
      lines.push(`  ${describe(miss.statement)}: ${failed}`);
    }
  }
  for (const w of warnings) lines.push(`warning: ${w}`);
  return { decision, warnings, text: lines.join('\n') };
}

function formatValue(value: ContextValue | undefined): string {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/**
 * Parses the CLI's `--context k=v` pairs into a request context, typing each value by the key's
 * catalogue type (dates, booleans, numbers; `attest:PrincipalGroups=a,b` is a list). A key
 * without a prefix gets `attest:`.
 * @throws AppError INVALID_INPUT on a pair without `=` or a value of the wrong type.
 */
export function parseContextArgs(pairs: readonly string[]): RequestContext {
  const out: Record<string, ContextValue> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AppError('INVALID_INPUT', { message: `--context expects key=value, got "${pair}"` });
    const rawKey = pair.slice(0, eq);
    const key = canonicalContextKey(rawKey.includes(':') ? rawKey : `attest:${rawKey}`);
    const text = pair.slice(eq + 1);
    const type = CONTEXT_KEYS[key]?.type ?? 'string';
    switch (type) {
      case 'date': {
        const ms = Date.parse(text);
        if (Number.isNaN(ms)) throw new AppError('INVALID_INPUT', { message: `${key} needs an ISO 8601 date, got "${text}"` });
        out[key] = new Date(ms);
        break;
      }
      case 'bool':
        if (text !== 'true' && text !== 'false') throw new AppError('INVALID_INPUT', { message: `${key} needs true or false, got "${text}"` });
        out[key] = text === 'true';
        break;
      case 'number':
        if (text.trim() === '' || Number.isNaN(Number(text))) throw new AppError('INVALID_INPUT', { message: `${key} needs a number, got "${text}"` });
        out[key] = Number(text);
        break;
      case 'strings':
        out[key] = text === '' ? [] : text.split(',');
        break;
      default:
        out[key] = text;
    }
  }
  return out;
}

/**
 * @module security/policy/context-keys
 * The request context: the facts about a request that conditions and policy variables can test.
 * The server fills it in for every request ({@link RequestContext}); policies name keys with the
 * `attest:` prefix. Key names are case-insensitive in policies (as in IAM) and are normalised to the
 * spelling below when a policy is compiled.
 */

/** A context value. Arrays are multi-valued keys (e.g. the principal's groups). */
export type ContextValue = string | number | boolean | Date | readonly string[];

/** The request context, keyed by context-key name (`attest:SourceIp`, …). */
export type RequestContext = Readonly<Record<string, ContextValue | undefined>>;

/** The value type a key carries, which decides the condition operators that make sense for it. */
export type ContextKeyType = 'string' | 'strings' | 'ip' | 'date' | 'bool' | 'number';

/** The context keys Attest sets. */
export const CONTEXT_KEYS: Readonly<Record<string, { type: ContextKeyType; description: string }>> = Object.freeze({
  'attest:PrincipalId': { type: 'string', description: 'Id of the authenticated user or service principal (a token acts as its owner)' },
  'attest:PrincipalType': { type: 'string', description: 'user | service' },
  'attest:PrincipalGroups': { type: 'strings', description: "Names of the principal's groups" },
  'attest:AuthMethod': { type: 'string', description: 'password | token | oidc | presigned' },
  'attest:MfaPresent': { type: 'bool', description: 'True if the session was established with a second factor' },
  'attest:TokenScope': { type: 'string', description: "Name of the API token's narrower scope; absent for sessions and unscoped tokens" },
  'attest:SourceIp': { type: 'ip', description: "The client's IPv4 or IPv6 address" },
  'attest:SecureTransport': { type: 'bool', description: 'True if the request arrived over TLS' },
  'attest:UserAgent': { type: 'string', description: "The client's User-Agent header" },
  'attest:CurrentTime': { type: 'date', description: 'Time of the request (ISO 8601)' },
  'attest:Project': { type: 'string', description: 'The project the request acts in (from the route); in role templates it is bound at grant time' },
  'attest:ResourceProject': { type: 'string', description: "The resource's project ('' for installation-wide); derived from the resource name when absent" },
  'attest:ResourceType': { type: 'string', description: "The resource's type segment; derived from the resource name when absent" },
  'attest:ResourceCreator': { type: 'string', description: 'Principal id that created the resource' },
  'attest:ResourceMakers': {
    type: 'strings',
    description: 'Other principals that made the resource: the user a service principal created it for, and the creators of what it was derived from (separation of duties denies checker actions to all of them)',
  },
  'attest:ResourceMakerGroups': {
    type: 'strings',
    description: "Groups of the resource's makers, when the owning capability applies the same-group rule: separation of duties then also denies checker actions to members of these groups",
  },
  'attest:ApprovalStatus': { type: 'string', description: "A model version's approval status: Pending | Approved | Rejected" },
});

const CANONICAL = new Map(Object.keys(CONTEXT_KEYS).map((k) => [k.toLowerCase(), k]));

/** The catalogue spelling of a key (case-insensitive lookup); unknown keys are returned unchanged. */
export function canonicalContextKey(key: string): string {
  return CANONICAL.get(key.toLowerCase()) ?? key;
}

/**
 * The single string value of a context key, or `undefined` when it is absent or multi-valued.
 * Used to substitute policy variables: only a single value can stand in for `${key}`.
 */
export function contextString(context: RequestContext, key: string): string | undefined {
  const value = context[key];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return value.length === 1 ? value[0] : undefined;
}

/** The facts the server knows about a request, named in code rather than as context-key strings. */
export interface RequestFacts {
  readonly principalId: string;
  readonly principalType: 'user' | 'service';
  readonly groups?: readonly string[];
  readonly authMethod?: 'password' | 'token' | 'oidc' | 'presigned';
  readonly mfaPresent?: boolean;
  readonly tokenScope?: string;
  readonly sourceIp?: string;
  readonly secureTransport?: boolean;
  readonly userAgent?: string;
  readonly now: Date;
  readonly project?: string;
  readonly resourceCreator?: string;
  readonly resourceMakers?: readonly string[];
  readonly resourceMakerGroups?: readonly string[];
  readonly approvalStatus?: 'Pending' | 'Approved' | 'Rejected';
}

const FACT_KEYS: Readonly<Record<keyof RequestFacts, string>> = {
  principalId: 'attest:PrincipalId',
  principalType: 'attest:PrincipalType',
  groups: 'attest:PrincipalGroups',
  authMethod: 'attest:AuthMethod',
  mfaPresent: 'attest:MfaPresent',
  tokenScope: 'attest:TokenScope',
  sourceIp: 'attest:SourceIp',
  secureTransport: 'attest:SecureTransport',
  userAgent: 'attest:UserAgent',
  now: 'attest:CurrentTime',
  project: 'attest:Project',
  resourceCreator: 'attest:ResourceCreator',
  resourceMakers: 'attest:ResourceMakers',
  resourceMakerGroups: 'attest:ResourceMakerGroups',
  approvalStatus: 'attest:ApprovalStatus',
};

/**
 * Builds the request context from typed facts (absent facts stay absent, so `…IfExists` and negated
 * operators behave as documented).
 * @example requestContext({ principalId: 'usr_a', principalType: 'user', sourceIp: '10.0.0.7', now: new Date() })
 */
export function requestContext(facts: RequestFacts): RequestContext {
  const out: Record<string, ContextValue> = {};
  for (const [fact, key] of Object.entries(FACT_KEYS) as [keyof RequestFacts, string][]) {
    const value = facts[fact];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

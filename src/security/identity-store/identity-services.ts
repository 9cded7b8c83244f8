/**
 * @module security/identity-store/identity-services
 * Wires the identity capability: stores, authenticator (with OIDC when configured) and authorizer,
 * sharing one change hook so that every identity change drops the authorizer's cache.
 */
import type { OidcFileConfig } from '../../config/index.js';
import type { Db } from '../../platform/db/index.js';
import type { AuditLedger } from '../audit/index.js';
import type { OidcVerifier } from '../identity/index.js';
import { z } from 'zod';
import type { Simulation } from '../policy/index.js';
import { parseContextArgs, simulate } from '../policy/index.js';
import { createOidcVerifier } from '../identity/index.js';
import { AccessStore } from './access-store.js';
import { Authenticator } from './authenticator.js';
import { Authorizer } from './authorizer.js';
import { PermissionBoundary } from './permission-boundary.js';
import { TokenStore } from './token-store.js';
import { UserStore } from './user-store.js';

export interface IdentityServices {
  readonly users: UserStore;
  readonly tokens: TokenStore;
  readonly access: AccessStore;
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  /** Checks changes to who may do what against the caller's permission boundary. */
  readonly boundary: PermissionBoundary;
}

export interface IdentityOptions {
  readonly oidc?: OidcFileConfig | undefined;
  /** A ready verifier (tests); otherwise one is built from `oidc`. */
  readonly oidcVerifier?: OidcVerifier;
  readonly sessionTtlMs?: number;
  /** Role name → managed policy name: configured grant boundaries (permission-boundary.ts). */
  readonly grantBoundaries?: Readonly<Record<string, string>>;
  readonly now?: () => Date;
}

function verifierFrom(config: OidcFileConfig): OidcVerifier {
  return createOidcVerifier({
    issuer: config.issuer,
    audience: config.audience,
    jwks: config.jwksUrl ? { kind: 'remote', url: config.jwksUrl } : { kind: 'discovery' },
    ...(config.algorithms ? { algorithms: config.algorithms } : {}),
    ...(config.clockToleranceSec !== undefined ? { clockToleranceSec: config.clockToleranceSec } : {}),
    ...(config.maxTokenAgeSec !== undefined ? { maxTokenAgeSec: config.maxTokenAgeSec } : {}),
    ...(config.claims ? { claims: config.claims } : {}),
    ...(config.mappings ? { mappings: config.mappings } : {}),
  });
}

export function createIdentityServices(db: Db, ledger: AuditLedger, options: IdentityOptions = {}): IdentityServices {
  let authorizer: Authorizer | undefined;
  let authenticator: Authenticator | undefined;
  const onChange = () => {
    authorizer?.invalidate();
    authenticator?.invalidate();
  };
  const base = { db, ledger, ...(options.now ? { now: options.now } : {}), onChange };
  const users = new UserStore(base);
  const tokens = new TokenStore(base);
  const access = new AccessStore(base);
  authorizer = new Authorizer({ db, ledger, users, access });
  const oidc = options.oidcVerifier ?? (options.oidc ? verifierFrom(options.oidc) : undefined);
  authenticator = new Authenticator({ ...base, users, tokens, ...(oidc ? { oidc } : {}), ...(options.sessionTtlMs ? { sessionTtlMs: options.sessionTtlMs } : {}) });
  const boundary = new PermissionBoundary({ db, ledger, users, access, authorizer, ...(options.grantBoundaries ? { grantBoundaries: options.grantBoundaries } : {}) });
  return { users, tokens, access, authenticator, authorizer, boundary };
}

/**
 * `attest policy simulate`: the decision for a stored principal (`alice`, `user:alice`), with its
 * identity keys in the context plus the `k=v` pairs given, and the statement that decided.
 */
export async function simulateFor(identity: IdentityServices, principalName: string, action: string, resource: string, contextPairs: readonly string[] = []): Promise<Simulation> {
  const principal = await identity.users.principal(principalName.replace(/^(user|service):/, ''));
  const policies = await identity.authorizer.policiesFor(principal);
  const context = { 'attest:PrincipalId': principal.name, 'attest:PrincipalType': principal.kind, 'attest:PrincipalGroups': principal.groups, ...parseContextArgs(contextPairs) };
  return simulate(policies, action, resource, context);
}

/** What `policy simulate` returns over the API and with `--json`. */
export const SimulationView = z.object({
  decision: z.enum(['Allow', 'ExplicitDeny', 'ImplicitDeny']),
  layer: z.enum(['identity', 'scope', 'separation-of-duties']),
  decidingStatement: z.object({ policyName: z.string(), sid: z.string().optional(), index: z.number(), effect: z.string() }).nullable(),
  separationOfDuties: z.object({ allowed: z.boolean(), reason: z.string() }).nullable().describe('Only for checker actions (approvals, sign-offs): maker ≠ checker'),
  text: z.string(),
});
export type SimulationView = z.infer<typeof SimulationView>;

export function simulationView(sim: Simulation): SimulationView {
  const d = sim.decision.decidingStatement;
  const sod = sim.decision.separationOfDuties;
  return {
    decision: sim.decision.decision,
    layer: sim.decision.layer,
    decidingStatement: d ? { policyName: d.policyName, ...(d.sid ? { sid: d.sid } : {}), index: d.index, effect: d.effect } : null,
    separationOfDuties: sod ? { allowed: sod.allowed, reason: sod.reason } : null,
    text: sim.text,
  };
}

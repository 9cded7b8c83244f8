/**
 * @module security/identity-store/authorizer
 * Decides a request: gathers the principal's policies — the self-service policy, its role grants
 * (installation-wide and per project, directly and through groups, plus OIDC-mapped grants), and
 * the managed policies attached to it, its groups and its roles — and evaluates them with the
 * request context, intersected with a token's narrower scope; a checker action (approval, sign-off)
 * is then refused to the resource's makers, whatever the policies say (separation of duties, from
 * the `resourceCreator` / `resourceMakers` facts the owning capability supplies). Denials are written to the audit
 * ledger with the deciding statement. Compiled policy sets are cached per principal and dropped on
 * any identity change in this process (and after a few seconds, for changes made elsewhere).
 */
import type { Actor, AuditLedger } from '../audit/index.js';
import { recordOutcome } from '../audit/index.js';
import type { CompiledPolicy, Decision, NamedPolicy, RequestContext, RequestFacts, RoleDefinition, RoleGrant } from '../policy/index.js';
import { assertAllowed, builtInRole, compilePolicy, evaluateRequest, policiesForGrants, requestContext } from '../policy/index.js';
import type { Db } from '../../platform/db/index.js';
import type { AccessStore } from './access-store.js';
import type { Principal } from './identity-model.js';
import type { UserStore } from './user-store.js';

export interface AuthorizerDeps {
  readonly db: Db;
  readonly ledger: AuditLedger;
  readonly users: UserStore;
  readonly access: AccessStore;
  /** How long a cached policy set may be used without a local change; default 5 s. */
  readonly cacheTtlMs?: number;
}

/** Request facts other than who is asking (the authorizer fills those in). */
export type RequestFactsWithoutPrincipal = Omit<RequestFacts, 'principalId' | 'principalType' | 'groups' | 'authMethod' | 'tokenScope'>;

interface CacheEntry {
  readonly generation: number;
  readonly at: number;
  readonly policies: CompiledPolicy[];
}

export class Authorizer {
  readonly #deps: AuthorizerDeps;
  readonly #cache = new Map<string, CacheEntry>();
  readonly #scopes = new WeakMap<NamedPolicy, CompiledPolicy[]>();
  #generation = 0;

  constructor(deps: AuthorizerDeps) {
    this.#deps = deps;
  }

  /** Drops every cached policy set (called after each identity change). */
  invalidate(): void {
    this.#generation++;
    this.#cache.clear();
  }

  /** The principal's own policies, compiled (without a token's scope). */
  async policiesFor(principal: Principal): Promise<CompiledPolicy[]> {
    const key = `${principal.id}|${principal.groups.join(',')}|${JSON.stringify(principal.extraGrants ?? [])}`;
    const hit = this.#cache.get(key);
    const ttl = this.#deps.cacheTtlMs ?? 5000;
    if (hit && hit.generation === this.#generation && Date.now() - hit.at < ttl) return hit.policies;
    const generation = this.#generation;
    const named = await this.#gather(principal);
    const policies = named.map((p) => compilePolicy(p));
    if (generation === this.#generation) this.#cache.set(key, { generation, at: Date.now(), policies });
    return policies;
  }

  /**
   * The role grants a principal holds, directly, through its groups and from OIDC claims, with the
   * roles' definitions (grants of roles that no longer exist are left out).
   */
  async grantsOf(principal: Principal): Promise<{ grants: RoleGrant[]; roles: Map<string, RoleDefinition>; groupIds: string[] }> {
    const { users, access } = this.#deps;
    const groupIds = await users.groupIds(principal.groups);
    const stored = await access.grantsOf(principal.id, groupIds);
    const all: RoleGrant[] = [...stored.map((g) => (g.project ? { role: g.role, project: g.project } : { role: g.role })), ...(principal.extraGrants ?? [])];
    const custom: Map<string, RoleDefinition> = await access.customRoles();
    const roles = new Map<string, RoleDefinition>();
    const grants = all.filter((g) => {
      const role = builtInRole(g.role) ?? custom.get(g.role);
      if (role) roles.set(role.name, role);
      return role !== undefined;
    });
    return { grants, roles, groupIds };
  }

  async #gather(principal: Principal): Promise<NamedPolicy[]> {
    const { grants, roles, groupIds } = await this.grantsOf(principal);
    const fromRoles = policiesForGrants(grants, (name) => roles.get(name));
    const attached = await this.#deps.access.attachedDocuments([
      { type: 'user', id: principal.id },
      ...groupIds.map((id) => ({ type: 'group' as const, id })),
      ...[...roles.keys()].map((id) => ({ type: 'role' as const, id })),
    ]);
    return [...fromRoles, ...attached.map((p) => ({ name: `policy/${p.name}@v${p.version}`, document: p.document }))];
  }

  #scope(principal: Principal): CompiledPolicy[] | undefined {
    const scope = principal.token?.scope;
    if (!scope) return undefined;
    let compiled = this.#scopes.get(scope);
    if (!compiled) {
      compiled = [compilePolicy(scope)];
      this.#scopes.set(scope, compiled);
    }
    return compiled;
  }

  /** The request context policies see for `principal` making a request with `facts`. */
  contextFor(principal: Principal, facts: RequestFactsWithoutPrincipal): RequestContext {
    return requestContext({
      ...facts,
      principalId: principal.name,
      principalType: principal.kind,
      groups: principal.groups,
      authMethod: principal.authMethod,
      ...(principal.token?.scope ? { tokenScope: principal.token.scope.name } : {}),
    });
  }

  /** Evaluates without side effects. */
  async decide(principal: Principal, action: string, resource: string, facts: RequestFactsWithoutPrincipal): Promise<Decision> {
    const context = this.contextFor(principal, facts);
    return evaluateRequest({ action, resource, context }, await this.policiesFor(principal), this.#scope(principal));
  }

  /**
   * Decides and enforces: returns the allowing decision, or records a `denied` audit entry naming
   * the deciding statement and throws ACCESS_DENIED.
   */
  async authorize(principal: Principal, actor: Actor, action: string, resource: string, facts: RequestFactsWithoutPrincipal): Promise<Decision> {
    const decision = await this.decide(principal, action, resource, facts);
    if (decision.decision !== 'Allow') {
      await recordOutcome({ db: this.#deps.db, ledger: this.#deps.ledger }, actor, action, resource, 'denied', {
        decision: decision.decision,
        layer: decision.layer,
        ...(principal.token ? { tokenPrefix: principal.token.prefix } : {}),
        ...(decision.decidingStatement ? { decidingStatement: decision.decidingStatement } : {}),
        ...(decision.separationOfDuties && !decision.separationOfDuties.allowed ? { reason: decision.separationOfDuties.reason, conflicts: decision.separationOfDuties.conflicts } : {}),
      });
      assertAllowed(decision, { action, resource });
    }
    return decision;
  }
}

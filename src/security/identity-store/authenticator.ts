/**
 * @module security/identity-store/authenticator
 * Who is calling: password login (with lockout after repeated failures, every attempt audited as
 * `auth:Login`) that yields a short-lived session token, API tokens of users and service
 * principals (revoked or expired ones are refused on the next request), and OIDC bearer JWTs
 * verified against the issuer's JWKS with claims mapped to groups and roles.
 */
import { AppError, isAppError } from '../../kernel/index.js';
import { createHash } from 'node:crypto';
import type { ApiTokensTable, PrincipalsTable } from '../../platform/db/index.js';
import { newId } from '../../kernel/index.js';
import type { Actor } from '../audit/index.js';
import { recordOutcome } from '../audit/index.js';
import type { ApiTokenRecord, LockoutPolicy, OidcVerifier } from '../identity/index.js';
import { DEFAULT_LOCKOUT_POLICY, lockoutState, parseApiToken, verifyPassword } from '../identity/index.js';
import type { NamedPolicy, PolicyDocument } from '../policy/index.js';
import type { Principal, PrincipalKind } from './identity-model.js';
import { auditNameOf } from './identity-model.js';
import type { TokenStore } from './token-store.js';
import type { StoreDeps, UserStore } from './user-store.js';

/** Default lifetime of a session token from a password login. */
export const DEFAULT_SESSION_TTL_MS = 60 * 60 * 1000;

/** The principal that corrective actions act as. */
export const SYSTEM_ACTOR: Actor = { principal: 'system:attest' };

/** Facts about the request, for the audit entries authentication writes. */
export type RequestMeta = Pick<Actor, 'sourceIp' | 'userAgent' | 'requestId'>;

export interface AuthenticatorDeps extends StoreDeps {
  readonly users: UserStore;
  readonly tokens: TokenStore;
  readonly oidc?: OidcVerifier;
  readonly lockout?: LockoutPolicy;
  readonly sessionTtlMs?: number;
}

export interface LoginResult {
  token: string;
  expiresAt: string | null;
  principal: Principal;
}

const JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function lockActive(row: PrincipalsTable, now: Date): boolean {
  if (row.status !== 'locked') return false;
  return row.locked_until === null || Date.parse(row.locked_until) > now.getTime();
}

/** The user a login names, as a resource (characters outside the grammar replaced). */
function loginResource(username: string): string {
  return `attest::user/${username.slice(0, 128).replace(/[^A-Za-z0-9._@+=,-]/g, '_') || '_'}`;
}

/**
 * How long an authenticated token is reused without reading it again. A revocation, lock or
 * deletion in this process drops the cache at once ({@link Authenticator.invalidate}); one made by
 * another process (the CLI, another server) is refused from this long after it at the latest.
 */
export const TOKEN_CACHE_MS = 500;
const TOKEN_CACHE_MAX_ENTRIES = 10_000;

/** How long a principal's group names are reused without a local change (changes elsewhere show within this). */
const GROUP_CACHE_MS = 5000;

export class Authenticator {
  readonly #deps: AuthenticatorDeps;
  readonly #groups = new Map<string, { at: number; generation: number; names: string[] }>();
  /** Authenticated API and session tokens by the SHA-256 of the bearer text (never the text itself). */
  readonly #tokens = new Map<string, { at: number; generation: number; principal: Principal; expiresAt: number | null }>();
  /** Token reads in flight, by the same key, so concurrent misses share one. */
  readonly #lookups = new Map<string, { generation: number; principal: Promise<Principal> }>();
  #generation = 0;
  constructor(deps: AuthenticatorDeps) {
    this.#deps = deps;
  }

  /** Drops cached group memberships and tokens (called after each identity change in this process, revocations included). */
  invalidate(): void {
    this.#generation++;
    this.#groups.clear();
    this.#tokens.clear();
    this.#lookups.clear();
  }

  async #groupNames(principalId: string): Promise<string[]> {
    const hit = this.#groups.get(principalId);
    if (hit && hit.generation === this.#generation && Date.now() - hit.at < GROUP_CACHE_MS) return hit.names;
    const generation = this.#generation;
    const names = await this.#deps.users.groupNamesOf(principalId);
    if (generation === this.#generation) this.#groups.set(principalId, { at: Date.now(), generation, names });
    return names;
  }

  #now(): Date {
    return this.#deps.now?.() ?? new Date();
  }

  #audit(actor: Actor, outcome: 'allowed' | 'denied' | 'failed', resource: string, details: Record<string, unknown>) {
    return recordOutcome({ db: this.#deps.db, ledger: this.#deps.ledger }, actor, 'auth:Login', resource, outcome, details);
  }

  /**
   * Records a login attempt refused before any password was checked (too many attempts from one
   * address): a `denied` `auth:Login` naming the reason and the user name asked for, never the password.
   */
  async recordRefusedLogin(username: string | undefined, meta: RequestMeta, reason: string, details: Record<string, unknown> = {}): Promise<void> {
    const name = username?.slice(0, 128);
    await this.#audit({ principal: 'anonymous', ...meta }, 'denied', loginResource(name ?? ''), { reason, ...(name !== undefined ? { username: name } : {}), ...details });
  }

  /**
   * Password login. Five failures within five minutes lock the account (the lock is a governed
   * `user:Lock` entry); a locked account is refused with ACCOUNT_LOCKED even with the right password.
   * @throws AppError INVALID_CREDENTIALS, ACCOUNT_LOCKED
   */
  async login(username: string, password: string, meta: RequestMeta): Promise<LoginResult> {
    const now = this.#now();
    const row = await this.#deps.users.findRow(username);
    const resource = loginResource(username);
    if (row?.kind !== 'user' || row.password_hash === null) {
      await verifyPassword(password, undefined);
      await this.#audit({ principal: 'anonymous', ...meta }, 'failed', resource, { reason: 'unknown user', username: username.slice(0, 128) });
      throw new AppError('INVALID_CREDENTIALS', { message: 'Invalid user name or password' });
    }
    const actor: Actor = { principal: auditNameOf('user', row.name), ...meta };
    if (row.status === 'disabled' || lockActive(row, now)) {
      await this.#audit(actor, 'denied', resource, { reason: row.status === 'disabled' ? 'disabled' : 'locked', lockedUntil: row.locked_until });
      throw new AppError('ACCOUNT_LOCKED', { message: `The account ${row.name} is ${row.status === 'disabled' ? 'disabled' : 'locked'}`, details: { lockedUntil: row.locked_until } });
    }
    if (!(await verifyPassword(password, row.password_hash))) {
      await this.#recordFailure(row, actor, resource, meta, now);
      throw new AppError('INVALID_CREDENTIALS', { message: 'Invalid user name or password' });
    }
    const db = this.#deps.db.kysely;
    await db.deleteFrom('login_failures').where('principal_id', '=', row.id).execute();
    if (row.status === 'locked') await this.#deps.users.unlock(SYSTEM_ACTOR, row.name);
    const ttl = this.#deps.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
    const { token, view } = await this.#deps.tokens.create(actor, { owner: row.name, name: 'session', kind: 'session', lifetimeMs: ttl });
    await this.#audit(actor, 'allowed', resource, { session: view.prefix, expiresAt: view.expiresAt });
    return { token, expiresAt: view.expiresAt, principal: { id: row.id, name: row.name, kind: 'user', auditName: actor.principal, authMethod: 'password', groups: await this.#deps.users.groupNamesOf(row.id), token: { prefix: view.prefix, kind: 'session' } } };
  }

  async #recordFailure(row: PrincipalsTable, actor: Actor, resource: string, meta: RequestMeta, now: Date): Promise<void> {
    const policy = this.#deps.lockout ?? DEFAULT_LOCKOUT_POLICY;
    const db = this.#deps.db.kysely;
    await db.insertInto('login_failures').values({ id: newId('lgf'), principal_id: row.id, time: now.toISOString(), source_ip: meta.sourceIp ?? null }).execute();
    const since = new Date(now.getTime() - Math.max(policy.windowMs, policy.lockoutMs ?? 0) - policy.windowMs).toISOString();
    const failures = (await db.selectFrom('login_failures').select('time').where('principal_id', '=', row.id).where('time', '>=', since).execute()).map((r) => Date.parse(r.time));
    const state = lockoutState(failures, now, policy);
    await this.#audit(actor, 'failed', resource, { reason: 'wrong password', recentFailures: state.recentFailures, remainingAttempts: state.remainingAttempts });
    if (state.locked) await this.#deps.users.lock(SYSTEM_ACTOR, row.name, state.lockedUntil ?? null, `${policy.maxFailures} failed logins within ${policy.windowMs / 60_000} minutes`);
  }

  /**
   * Authenticates a bearer credential: an Attest API/session token, or an OIDC JWT when single
   * sign-on is configured.
   * @throws AppError UNAUTHENTICATED, INVALID_CREDENTIALS, TOKEN_REVOKED, TOKEN_EXPIRED, ACCOUNT_LOCKED
   */
  async authenticate(bearer: string): Promise<Principal> {
    if (parseApiToken(bearer)) return this.#fromToken(bearer);
    if (this.#deps.oidc && JWT_RE.test(bearer)) return this.#fromOidc(bearer);
    throw new AppError('INVALID_CREDENTIALS', { message: 'The bearer credential is not an Attest token or an accepted identity-provider token' });
  }

  async #fromToken(bearer: string): Promise<Principal> {
    const key = createHash('sha256').update(bearer).digest('base64url');
    const hit = this.#tokens.get(key);
    const now = this.#now().getTime();
    if (hit && hit.generation === this.#generation && Date.now() - hit.at < TOKEN_CACHE_MS && (hit.expiresAt === null || now < hit.expiresAt)) return hit.principal;
    // Concurrent requests with the same token that miss together share one lookup, instead of
    // each reading the token when the cached entry lapses on a busy server.
    const pending = this.#lookups.get(key);
    if (pending && pending.generation === this.#generation) return pending.principal;
    const generation = this.#generation;
    // Age counts from before the read, so a cached entry is never older than TOKEN_CACHE_MS against the store.
    const at = Date.now();
    const lookup = (async () => {
      const { row, owner, record } = await this.#deps.tokens.verify(bearer);
      const principal = await this.#principalFrom(row, owner, record);
      if (generation === this.#generation) {
        if (this.#tokens.size >= TOKEN_CACHE_MAX_ENTRIES) this.#tokens.clear();
        this.#tokens.set(key, { at, generation, principal, expiresAt: record.expiresAt === null ? null : Date.parse(record.expiresAt) });
      }
      return principal;
    })();
    const shared = { generation, principal: lookup };
    this.#lookups.set(key, shared);
    try {
      return await lookup;
    } finally {
      if (this.#lookups.get(key) === shared) this.#lookups.delete(key);
    }
  }

  /**
   * The principal behind token `prefix` of `ownerName`, checked as on every request (the token is
   * neither revoked nor expired, its owner neither disabled nor locked) but without the token's
   * secret: for credentials a token signed, such as presigned URLs. Never cached.
   * @throws AppError INVALID_CREDENTIALS, TOKEN_REVOKED, TOKEN_EXPIRED, ACCOUNT_LOCKED
   */
  async principalForToken(ownerName: string, prefix: string): Promise<Principal> {
    const { row, owner, record } = await this.#deps.tokens.active(ownerName, prefix);
    return this.#principalFrom(row, owner, record);
  }

  async #principalFrom(token: ApiTokensTable, owner: PrincipalsTable, record: ApiTokenRecord): Promise<Principal> {
    if (owner.status === 'disabled' || lockActive(owner, this.#now())) throw new AppError('ACCOUNT_LOCKED', { message: `The account ${owner.name} is ${owner.status}` });
    const scope: NamedPolicy | undefined = record.scope ? { name: `token-scope/${record.scope.name}`, document: record.scope.document as PolicyDocument } : undefined;
    return {
      id: owner.id,
      name: owner.name,
      kind: owner.kind as PrincipalKind,
      auditName: auditNameOf(owner.kind as PrincipalKind, owner.name),
      authMethod: token.kind === 'session' ? 'password' : 'token',
      groups: await this.#groupNames(owner.id),
      token: { prefix: token.prefix, kind: token.kind as 'api' | 'session', ...(scope ? { scope } : {}) },
    };
  }

  async #fromOidc(bearer: string): Promise<Principal> {
    let identity: Awaited<ReturnType<OidcVerifier['verify']>>;
    try {
      identity = await this.#deps.oidc!.verify(bearer);
    } catch (error) {
      if (isAppError(error) && error.kind === 'unauthenticated') throw error;
      throw new AppError('INVALID_CREDENTIALS', { message: `Identity-provider token refused: ${(error as Error).message}` });
    }
    const linked = await this.#deps.db.kysely.selectFrom('principals').selectAll().where('external_id', '=', identity.externalId).executeTakeFirst();
    if (linked && (linked.status === 'disabled' || lockActive(linked, this.#now()))) throw new AppError('ACCOUNT_LOCKED', { message: `The account ${linked.name} is ${linked.status}` });
    const name = linked?.name ?? (identity.username ?? identity.subject).toLowerCase().replace(/[^a-z0-9._-]/g, '-').slice(0, 63);
    const groups = new Set<string>(identity.groups);
    if (linked) for (const g of await this.#groupNames(linked.id)) groups.add(g);
    return {
      id: linked?.id ?? `oidc:${identity.externalId}`,
      name,
      kind: 'user',
      auditName: auditNameOf('user', name),
      authMethod: 'oidc',
      groups: [...groups].sort(),
      extraGrants: identity.roles,
    };
  }
}

/**
 * @module security/identity-store/token-store
 * API tokens and login sessions in the metadata store: only the SHA-256 of a token is stored,
 * found by its clear prefix; expiry and revocation are checked on every request, so a revoked
 * token is refused on its very next use.
 */
import { AppError } from '../../kernel/index.js';
import type { ApiTokensTable, PrincipalsTable } from '../../platform/db/index.js';
import type { Actor } from '../audit/index.js';
import { governed } from '../audit/index.js';
import type { ApiTokenRecord } from '../identity/index.js';
import { issueApiToken, parseApiToken, verifyApiToken } from '../identity/index.js';
import type { PolicyDocument } from '../policy/index.js';
import { TOKEN_SCOPE_PRESETS, validatePolicyDocument } from '../policy/index.js';
import type { TokenView } from './identity-model.js';
import { rowToToken } from './identity-model.js';
import type { StoreDeps } from './user-store.js';

export interface CreateTokenInput {
  owner: string;
  name: string;
  kind?: 'api' | 'session';
  /** Lifetime in ms; null = never expires. */
  lifetimeMs?: number | null;
  /** A preset name (`read-only`) or a document that narrows the owner's permissions. */
  scope?: { name: string; document?: PolicyDocument } | null;
}

const tokenResource = (owner: string, prefix: string) => `attest::token/${owner}/${prefix}`;

function toRecord(row: ApiTokensTable, owner: string): ApiTokenRecord {
  return {
    prefix: row.prefix,
    ownerId: owner,
    name: row.name,
    hash: row.hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
    lastUsedAt: row.last_used_at,
    scope: row.scope === null ? null : (JSON.parse(row.scope) as ApiTokenRecord['scope']),
  };
}

/** How often a token's `last_used_at` is refreshed (a write per request would cost more than it tells). */
const LAST_USED_GRANULARITY_MS = 60_000;

export class TokenStore {
  readonly #deps: StoreDeps;
  constructor(deps: StoreDeps) {
    this.#deps = deps;
  }

  #now(): Date {
    return this.#deps.now?.() ?? new Date();
  }

  async #owner(name: string) {
    const row = await this.#deps.db.kysely.selectFrom('principals').select(['id', 'name']).where('name', '=', name).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', { message: `No user or service principal ${name}` });
    return row;
  }

  /** Issues a token; the returned `token` text is shown once and never stored. */
  async create(actor: Actor, input: CreateTokenInput): Promise<{ token: string; view: TokenView }> {
    const owner = await this.#owner(input.owner);
    let scope: { name: string; document: PolicyDocument } | null = null;
    if (input.scope) {
      const document = input.scope.document ?? (TOKEN_SCOPE_PRESETS as Record<string, PolicyDocument>)[input.scope.name];
      if (!document) throw new AppError('INVALID_INPUT', { message: `Unknown token scope ${input.scope.name}; use ${Object.keys(TOKEN_SCOPE_PRESETS).join(', ')} or give a policy document` });
      validatePolicyDocument(document);
      scope = { name: input.scope.name, document };
    }
    const { token, record } = issueApiToken({
      ownerId: owner.name,
      name: input.name,
      now: this.#now(),
      ...(input.lifetimeMs !== undefined ? { lifetimeMs: input.lifetimeMs } : {}),
      scope,
    });
    const kind = input.kind ?? 'api';
    const view = await governed({ db: this.#deps.db, ledger: this.#deps.ledger }, actor, 'token:Create', tokenResource(owner.name, record.prefix), async (tx) => {
      const row: ApiTokensTable = {
        prefix: record.prefix,
        owner_id: owner.id,
        name: record.name,
        kind,
        hash: record.hash,
        created_at: record.createdAt,
        expires_at: record.expiresAt,
        revoked_at: null,
        revoked_by: null,
        last_used_at: null,
        scope: scope === null ? null : JSON.stringify(scope),
      };
      await tx.insertInto('api_tokens').values(row).execute();
      const v = rowToToken(row, owner.name);
      // Sessions come and go with every login: audited, but not configuration.
      return { result: v, details: { kind, expiresAt: v.expiresAt, scope: v.scope }, ...(kind === 'api' ? { configChanges: [{ resourceType: 'token', resourceId: `${owner.name}/${v.prefix}`, change: 'create', before: null, after: v }] } : {}) };
    });
    return { token, view };
  }

  async list(owner: string, includeSessions = false): Promise<TokenView[]> {
    const o = await this.#owner(owner);
    let q = this.#deps.db.kysely.selectFrom('api_tokens').selectAll().where('owner_id', '=', o.id).orderBy('created_at');
    if (!includeSessions) q = q.where('kind', '=', 'api');
    return (await q.execute()).map((r) => rowToToken(r, o.name));
  }

  async describe(owner: string, prefix: string): Promise<TokenView> {
    const o = await this.#owner(owner);
    const row = await this.#deps.db.kysely.selectFrom('api_tokens').selectAll().where('prefix', '=', prefix).where('owner_id', '=', o.id).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', { message: `No token ${prefix} of ${owner}` });
    return rowToToken(row, o.name);
  }

  async revoke(actor: Actor, owner: string, prefix: string, reason = 'revoked'): Promise<TokenView> {
    const o = await this.#owner(owner);
    const view = await governed({ db: this.#deps.db, ledger: this.#deps.ledger }, actor, 'token:Revoke', tokenResource(o.name, prefix), async (tx) => {
      const row = await tx.selectFrom('api_tokens').selectAll().where('prefix', '=', prefix).where('owner_id', '=', o.id).executeTakeFirst();
      if (!row) throw new AppError('NOT_FOUND', { message: `No token ${prefix} of ${owner}` });
      const before = rowToToken(row, o.name);
      if (row.revoked_at !== null) return { result: before, details: { reason, alreadyRevoked: true } };
      const now = this.#now().toISOString();
      await tx.updateTable('api_tokens').set({ revoked_at: now, revoked_by: actor.principal }).where('prefix', '=', prefix).execute();
      const after = rowToToken({ ...row, revoked_at: now, revoked_by: actor.principal }, o.name);
      return { result: after, details: { reason }, ...(row.kind === 'api' ? { configChanges: [{ resourceType: 'token', resourceId: `${o.name}/${prefix}`, change: 'revoke', before, after }] } : {}) };
    });
    this.#deps.onChange?.();
    return view;
  }

  /** The token with this prefix and its owner, read together in one query. */
  async #lookup(prefix: string): Promise<{ row: ApiTokensTable; owner: PrincipalsTable; record: ApiTokenRecord } | undefined> {
    const j = await this.#deps.db.kysely
      .selectFrom('api_tokens')
      .innerJoin('principals', 'principals.id', 'api_tokens.owner_id')
      .selectAll('api_tokens')
      .select([
        'principals.kind as p_kind',
        'principals.name as p_name',
        'principals.display_name as p_display_name',
        'principals.email as p_email',
        'principals.status as p_status',
        'principals.locked_at as p_locked_at',
        'principals.locked_until as p_locked_until',
        'principals.external_id as p_external_id',
        'principals.created_at as p_created_at',
        'principals.created_by as p_created_by',
        'principals.updated_at as p_updated_at',
      ])
      .where('api_tokens.prefix', '=', prefix)
      .executeTakeFirst();
    if (!j) return undefined;
    const row: ApiTokensTable = { prefix: j.prefix, owner_id: j.owner_id, name: j.name, kind: j.kind, hash: j.hash, created_at: j.created_at, expires_at: j.expires_at, revoked_at: j.revoked_at, revoked_by: j.revoked_by, last_used_at: j.last_used_at, scope: j.scope };
    const owner: PrincipalsTable = {
      id: j.owner_id,
      kind: j.p_kind,
      name: j.p_name,
      display_name: j.p_display_name,
      email: j.p_email,
      password_hash: null,
      status: j.p_status,
      locked_at: j.p_locked_at,
      locked_until: j.p_locked_until,
      external_id: j.p_external_id,
      created_at: j.p_created_at,
      created_by: j.p_created_by,
      updated_at: j.p_updated_at,
    };
    return { row, owner, record: toRecord(row, j.p_name) };
  }

  /**
   * Checks a presented token and returns its stored row, its owner and the record (one query: the
   * token and its owner are read together).
   * @throws AppError INVALID_CREDENTIALS, TOKEN_REVOKED, TOKEN_EXPIRED
   */
  async verify(presented: string): Promise<{ row: ApiTokensTable; owner: PrincipalsTable; record: ApiTokenRecord }> {
    const parsed = parseApiToken(presented);
    const now = this.#now();
    const found = parsed ? await this.#lookup(parsed.prefix) : undefined;
    verifyApiToken(presented, found?.record, now);
    const { row } = found!;
    if (row.last_used_at === null || now.getTime() - Date.parse(row.last_used_at) > LAST_USED_GRANULARITY_MS) {
      await this.#deps.db.kysely.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('prefix', '=', row.prefix).execute();
    }
    return found!;
  }

  /**
   * The token `prefix` of `ownerName` if it is still good (exists, not revoked, not expired), for
   * credentials derived from a token without its secret (presigned URLs name the token that signed them).
   * @throws AppError INVALID_CREDENTIALS (no such token of that owner), TOKEN_REVOKED, TOKEN_EXPIRED
   */
  async active(ownerName: string, prefix: string): Promise<{ row: ApiTokensTable; owner: PrincipalsTable; record: ApiTokenRecord }> {
    const found = await this.#lookup(prefix);
    if (!found || found.owner.name !== ownerName) throw new AppError('INVALID_CREDENTIALS', { message: `No token ${prefix} of ${ownerName}` });
    const { record } = found;
    if (record.revokedAt !== null) throw new AppError('TOKEN_REVOKED', { details: { prefix } });
    if (record.expiresAt !== null && this.#now().getTime() >= Date.parse(record.expiresAt)) throw new AppError('TOKEN_EXPIRED', { details: { prefix } });
    return found;
  }
}

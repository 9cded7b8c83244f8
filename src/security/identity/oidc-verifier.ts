/**
 * @module security/identity/oidc-verifier
 * OIDC single sign-on for the API: a bearer JWT (an ID or access token from the institution's
 * identity provider) is verified with jose against the issuer's JWKS — signature, `iss`, `aud`,
 * `exp`/`nbf` with a clock tolerance, and an allow-list of algorithms (never `none` or HMAC, which
 * would let anyone holding a client secret mint tokens) — and its claims are mapped to Attest groups
 * and role grants by configuration, e.g. IdP group `risk-validators` → role `model-validator` in
 * project `credit-risk`.
 */
// jose is loaded when a token is first verified, not by every command that opens the installation.
import type { JSONWebKeySet, JWTPayload, JWTVerifyGetKey } from 'jose';
import { AppError } from '../../kernel/index.js';
import type { RoleGrant } from '../policy/index.js';

/** Maps one value of the groups claim to Attest groups and roles. */
export interface ClaimMapping {
  readonly claimValue: string;
  readonly groups?: readonly string[];
  readonly roles?: readonly RoleGrant[];
}

/**
 * Where the keys come from: the `jwks_uri` of the issuer's discovery document
 * (`<issuer>/.well-known/openid-configuration`), an explicit JWKS URL, or a key set given inline.
 */
export type JwksSource =
  | { readonly kind: 'discovery'; readonly timeoutMs?: number }
  | { readonly kind: 'remote'; readonly url: string; readonly timeoutMs?: number }
  | { readonly kind: 'local'; readonly keys: JSONWebKeySet };

/** Configuration of one identity provider. */
export interface OidcConfig {
  readonly issuer: string;
  readonly audience: string | readonly string[];
  readonly jwks: JwksSource;
  /** Accepted signature algorithms; default RS256, PS256, ES256, EdDSA. */
  readonly algorithms?: readonly string[];
  /** Allowed clock skew in seconds for exp/nbf/iat; default 30. */
  readonly clockToleranceSec?: number;
  /** If set, tokens issued (`iat`) longer ago than this are refused even if not yet expired. */
  readonly maxTokenAgeSec?: number;
  /** Claim names; defaults `preferred_username`, `email`, `groups`. */
  readonly claims?: { readonly username?: string; readonly email?: string; readonly groups?: string };
  readonly mappings?: readonly ClaimMapping[];
}

/** Who the token says the caller is, after mapping. */
export interface OidcIdentity {
  readonly issuer: string;
  readonly subject: string;
  /** Stable external id to link to a local principal: `<issuer>#<sub>`. */
  readonly externalId: string;
  readonly username: string | undefined;
  readonly email: string | undefined;
  /** The raw values of the groups claim. */
  readonly claimGroups: readonly string[];
  /** Attest groups from the mappings. */
  readonly groups: readonly string[];
  /** Role grants from the mappings. */
  readonly roles: readonly RoleGrant[];
  readonly expiresAt: Date;
  readonly claims: JWTPayload;
}

/** A configured verifier. */
export interface OidcVerifier {
  verify(token: string): Promise<OidcIdentity>;
}

const DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

function checkedUrl(text: string, what: string): URL {
  const url = new URL(text);
  // Keys fetched in clear could be swapped by anyone on the path; plain HTTP only on loopback (tests, sidecars).
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new AppError('INVALID_CONFIG', { message: `The ${what} must use https: ${text}` });
  }
  return url;
}

/** OpenID Connect Discovery 1.0 §4: fetch the issuer's metadata; its `issuer` must equal ours exactly (§4.3). */
async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<URL> {
  const url = new URL(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  let meta: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    meta = (await res.json()) as typeof meta;
  } catch (err) {
    throw new AppError('UNAVAILABLE', { message: `Cannot read the identity provider's discovery document ${url.href}: ${(err as Error).message}`, cause: err });
  }
  if (meta.issuer !== issuer || typeof meta.jwks_uri !== 'string') {
    throw new AppError('UNAVAILABLE', { message: `The discovery document at ${url.href} does not describe issuer ${issuer}` });
  }
  return checkedUrl(meta.jwks_uri, 'jwks_uri');
}

type Jose = typeof import('jose');

function keyResolver(config: OidcConfig, jose: () => Promise<Jose>): JWTVerifyGetKey {
  const source = config.jwks;
  const lazily = (make: (j: Jose) => JWTVerifyGetKey): JWTVerifyGetKey => {
    let made: Promise<JWTVerifyGetKey> | undefined;
    return async (header, token) => {
      made ??= jose().then(make);
      return (await made)(header, token);
    };
  };
  if (source.kind === 'local') return lazily((j) => j.createLocalJWKSet(source.keys));
  const timeoutDuration = source.timeoutMs ?? 5000;
  if (source.kind === 'remote') {
    const url = checkedUrl(source.url, 'JWKS URL');
    return lazily((j) => j.createRemoteJWKSet(url, { timeoutDuration }));
  }
  checkedUrl(config.issuer, 'issuer');
  let remote: Promise<JWTVerifyGetKey> | undefined;
  return async (header, token) => {
    remote ??= Promise.all([discoverJwksUri(config.issuer, timeoutDuration), jose()]).then(([url, j]) => j.createRemoteJWKSet(url, { timeoutDuration }));
    try {
      return await (await remote)(header, token);
    } catch (err) {
      // A failed discovery is retried on the next request rather than cached forever.
      if (err instanceof AppError) remote = undefined;
      throw err;
    }
  };
}

function stringClaim(payload: JWTPayload, name: string): string | undefined {
  const v = payload[name];
  return typeof v === 'string' ? v : undefined;
}

function listClaim(payload: JWTPayload, name: string): string[] {
  const v = payload[name];
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** jose error codes that mean "this token is not acceptable" (as opposed to "cannot check now"). */
const REJECTIONS = new Set([
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JWS_INVALID',
  'ERR_JWT_INVALID',
  'ERR_JOSE_NOT_SUPPORTED',
]);

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'ERR_JWT_EXPIRED') return new AppError('TOKEN_EXPIRED', { message: 'The identity token has expired' });
  if (typeof code === 'string' && REJECTIONS.has(code)) {
    const claim = (err as { claim?: unknown }).claim;
    return new AppError('INVALID_CREDENTIALS', { message: `Invalid identity token: ${message}`, details: { reason: code, ...(typeof claim === 'string' ? { claim } : {}) } });
  }
  return new AppError('UNAVAILABLE', { message: `Cannot verify the identity token now: ${message}`, cause: err });
}

/**
 * Creates a verifier for one identity provider. Remote key sets are fetched lazily and cached by jose
 * (refetched when a token names an unknown `kid`, so key rotation at the IdP just works).
 * @example
 * const oidc = createOidcVerifier({ issuer, audience: 'attest', jwks: { kind: 'remote', url: `${issuer}/jwks` },
 *   mappings: [{ claimValue: 'risk', roles: [{ role: 'model-validator', project: 'credit' }] }] });
 * const who = await oidc.verify(bearer);
 */
export function createOidcVerifier(config: OidcConfig): OidcVerifier {
  let jose: Promise<Jose> | undefined;
  const loadJose = () => {
    jose ??= import('jose');
    return jose;
  };
  const keys = keyResolver(config, loadJose);
  const claimNames = { username: 'preferred_username', email: 'email', groups: 'groups', ...config.claims };
  const audience = typeof config.audience === 'string' ? config.audience : [...config.audience];
  return {
    async verify(token) {
      let payload: JWTPayload;
      try {
        ({ payload } = await (await loadJose()).jwtVerify(token, keys, {
          issuer: config.issuer,
          audience,
          algorithms: [...(config.algorithms ?? DEFAULT_ALGORITHMS)],
          clockTolerance: config.clockToleranceSec ?? 30,
          requiredClaims: ['sub', 'exp'],
          ...(config.maxTokenAgeSec !== undefined ? { maxTokenAge: config.maxTokenAgeSec } : {}),
        }));
      } catch (err) {
        throw toAppError(err);
      }
      const subject = payload.sub!;
      const claimGroups = listClaim(payload, claimNames.groups);
      const groups = new Set<string>();
      const roles = new Map<string, RoleGrant>();
      for (const m of config.mappings ?? []) {
        if (!claimGroups.includes(m.claimValue)) continue;
        for (const g of m.groups ?? []) groups.add(g);
        for (const r of m.roles ?? []) roles.set(`${r.role}@${r.project ?? ''}`, r);
      }
      return {
        issuer: config.issuer,
        subject,
        externalId: `${config.issuer}#${subject}`,
        username: stringClaim(payload, claimNames.username),
        email: stringClaim(payload, claimNames.email),
        claimGroups,
        groups: [...groups],
        roles: [...roles.values()],
        expiresAt: new Date(payload.exp! * 1000),
        claims: payload,
      };
    },
  };
}

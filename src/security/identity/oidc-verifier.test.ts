import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/index.js';
import { createOidcVerifier, type OidcConfig } from './index.js';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

let server: Server;
let jwksUrl: string;
let localIssuer: string;
let jwksRequests = 0;
let signingKey: PrivateKey;
let strangerKey: PrivateKey;
let publicJwk: JWK;

const ISSUER = 'https://idp.bank.example';
const AUDIENCE = 'attest';

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signingKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  // Same kid, different key: what a forger would present.
  strangerKey = (await generateKeyPair('ES256')).privateKey;
  server = createServer((req, res) => {
    jwksRequests++;
    const json = (body: unknown): void => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/jwks') json({ keys: [publicJwk] });
    else if (req.url === '/.well-known/openid-configuration') json({ issuer: localIssuer, jwks_uri: jwksUrl });
    else if (req.url === '/impostor/.well-known/openid-configuration') json({ issuer: 'https://elsewhere.example', jwks_uri: jwksUrl });
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  localIssuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  jwksUrl = `${localIssuer}/jwks`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const config = (): OidcConfig => ({
  issuer: ISSUER,
  audience: AUDIENCE,
  jwks: { kind: 'remote', url: jwksUrl, timeoutMs: 2000 },
  clockToleranceSec: 5,
  mappings: [
    { claimValue: 'risk-validators', groups: ['validators'], roles: [{ role: 'model-validator', project: 'credit-risk' }] },
    { claimValue: 'ds-credit', roles: [{ role: 'data-scientist', project: 'credit-risk' }] },
    { claimValue: 'internal-audit', roles: [{ role: 'auditor' }] },
  ],
});

interface TokenOptions {
  key?: PrivateKey;
  iss?: string;
  aud?: string;
  exp?: number;
  kid?: string;
  claims?: Record<string, unknown>;
}

async function token(o: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ preferred_username: 'vic', email: 'vic@bank.example', groups: ['risk-validators', 'staff'], ...o.claims })
    .setProtectedHeader({ alg: 'ES256', kid: o.kid ?? 'k1' })
    .setIssuer(o.iss ?? ISSUER)
    .setAudience(o.aud ?? AUDIENCE)
    .setSubject('00u1abc')
    .setIssuedAt(now - 10)
    .setExpirationTime(o.exp ?? now + 300)
    .sign(o.key ?? signingKey);
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    return e instanceof AppError ? e.code : `unexpected: ${String(e)}`;
  }
}

describe('OIDC bearer tokens against a JWKS served on 127.0.0.1', () => {
  it('accepts a valid token and maps its groups claim to groups and roles', async () => {
    const who = await createOidcVerifier(config()).verify(await token());
    expect(who).toMatchObject({
      issuer: ISSUER,
      subject: '00u1abc',
      externalId: `${ISSUER}#00u1abc`,
      username: 'vic',
      email: 'vic@bank.example',
      claimGroups: ['risk-validators', 'staff'],
      groups: ['validators'],
      roles: [{ role: 'model-validator', project: 'credit-risk' }],
    });
    expect(jwksRequests).toBeGreaterThan(0);
  });

  it('maps several claim values and de-duplicates', async () => {
    const who = await createOidcVerifier(config()).verify(await token({ claims: { groups: ['ds-credit', 'internal-audit', 'ds-credit'] } }));
    expect(who.roles).toEqual([{ role: 'data-scientist', project: 'credit-risk' }, { role: 'auditor' }]);
    expect(who.groups).toEqual([]);
  });

  it.each([
    ['expired', { exp: Math.floor(Date.now() / 1000) - 60 }, 'TOKEN_EXPIRED'],
    ['wrong audience', { aud: 'someone-else' }, 'INVALID_CREDENTIALS'],
    ['wrong issuer', { iss: 'https://evil.example' }, 'INVALID_CREDENTIALS'],
    ['bad signature (another key, same kid)', { key: 'stranger' }, 'INVALID_CREDENTIALS'],
    ['unknown kid', { kid: 'k9' }, 'INVALID_CREDENTIALS'],
  ] as const)('rejects a token with %s', async (_name, opts, code) => {
    const o: TokenOptions = { ...opts, key: 'key' in opts && opts.key === 'stranger' ? strangerKey : signingKey };
    expect(await rejection(createOidcVerifier(config()).verify(await token(o)))).toBe(code);
  });

  it('allows clock skew within the tolerance', async () => {
    const justExpired = await token({ exp: Math.floor(Date.now() / 1000) - 2 });
    expect(await rejection(createOidcVerifier(config()).verify(justExpired))).toBe('accepted');
  });

  it('rejects a tampered payload and unsigned tokens', async () => {
    const [h, , s] = (await token()).split('.');
    const forged = Buffer.from(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'admin', exp: 9_999_999_999 })).toString('base64url');
    expect(await rejection(createOidcVerifier(config()).verify(`${h}.${forged}.${s}`))).toBe('INVALID_CREDENTIALS');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${forged}.`;
    expect(await rejection(createOidcVerifier(config()).verify(none))).toBe('INVALID_CREDENTIALS');
    expect(await rejection(createOidcVerifier(config()).verify('not a jwt'))).toBe('INVALID_CREDENTIALS');
  });

  it('verifies against a local key set too', async () => {
    const local = createOidcVerifier({ ...config(), jwks: { kind: 'local', keys: { keys: [publicJwk] } } });
    expect((await local.verify(await token())).subject).toBe('00u1abc');
  });

  it('finds the keys through OIDC discovery and checks the discovered issuer', async () => {
    const viaDiscovery = createOidcVerifier({ ...config(), issuer: localIssuer, jwks: { kind: 'discovery', timeoutMs: 2000 } });
    expect((await viaDiscovery.verify(await token({ iss: localIssuer }))).issuer).toBe(localIssuer);
    expect(await rejection(viaDiscovery.verify(await token({ iss: localIssuer, key: strangerKey })))).toBe('INVALID_CREDENTIALS');
    const impostor = `${localIssuer}/impostor`;
    const misdescribed = createOidcVerifier({ ...config(), issuer: impostor, jwks: { kind: 'discovery', timeoutMs: 2000 } });
    expect(await rejection(misdescribed.verify(await token({ iss: impostor })))).toBe('UNAVAILABLE');
  });

  it('refuses tokens older than maxTokenAgeSec', async () => {
    const strict = createOidcVerifier({ ...config(), maxTokenAgeSec: 5, clockToleranceSec: 0 });
    expect(await rejection(strict.verify(await token()))).toBe('TOKEN_EXPIRED');
  });

  it('reports an unreachable JWKS as UNAVAILABLE, and refuses plain-HTTP JWKS off loopback', async () => {
    const dead = createOidcVerifier({ ...config(), jwks: { kind: 'remote', url: 'http://127.0.0.1:1/jwks', timeoutMs: 500 } });
    expect(await rejection(dead.verify(await token()))).toBe('UNAVAILABLE');
    expect(() => createOidcVerifier({ ...config(), jwks: { kind: 'remote', url: 'http://idp.bank.example/jwks' } })).toThrow(/https/);
  });
});

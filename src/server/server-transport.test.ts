/**
 * Transport and alternative credentials: TLS 1.2+ only (TLS 1.1 is refused), optional client
 * certificates, OIDC bearer JWTs from attest.json's `oidc` section checked against a JWKS served on
 * 127.0.0.1 with claims mapped to roles, and presigned artifact downloads.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFixture } from '../../test/support/server-fixture.js';
import { startServerFixture } from '../../test/support/server-fixture.js';
import { buildServer } from './index.js';

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

function makeCertificates(dir: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca'], dir);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'san.ext'], dir);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=pipeline'], dir);
  openssl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '1'], dir);
}

function handshake(port: number, options: Record<string, unknown>): Promise<{ ok: boolean; protocol?: string | null; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options });
    socket.once('secureConnect', () => {
      // With TLS 1.3 a refused client certificate surfaces after the handshake: probe with a request.
      socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      let data = '';
      socket.on('data', (d: Buffer) => (data += d.toString()));
      socket.once('end', () => resolve(data.startsWith('HTTP/1.1 200') ? { ok: true, protocol: socket.getProtocol() } : { ok: false, error: 'no response' }));
      socket.once('error', (e) => resolve({ ok: false, error: e.message }));
    });
    socket.once('error', (e) => resolve({ ok: false, error: e.message }));
  });
}

describe('TLS', () => {
  let dir: string;
  let f: ServerFixture;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'attest-tls-'));
    makeCertificates(dir);
    f = await startServerFixture();
  }, 60_000);
  afterAll(async () => {
    await f?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts TLS 1.2 and 1.3, refuses TLS 1.1', async () => {
    const server = await buildServer(f.t.app, { tls: { cert: readFileSync(join(dir, 'server.pem')), key: readFileSync(join(dir, 'server.key')) }, controls: { enabled: false } });
    await server.listen({ port: 0, host: '127.0.0.1' });
    const port = (server.server.address() as AddressInfo).port;
    try {
      expect(await handshake(port, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })).toMatchObject({ ok: true, protocol: 'TLSv1.2' });
      expect(await handshake(port, { minVersion: 'TLSv1.3' })).toMatchObject({ ok: true, protocol: 'TLSv1.3' });
      const old = await handshake(port, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
      expect(old.ok).toBe(false);
      const response = await fetch(`https://127.0.0.1:${port}/health`, { dispatcher: undefined }).catch((e: Error) => e);
      // Node's fetch trusts only public CAs: the self-signed chain is refused by the client, proving TLS is on.
      expect(response).toBeInstanceOf(Error);
    } finally {
      await server.close();
    }
  });

  it('with a client CA, a client without a certificate is refused and one with a certificate is served', async () => {
    const server = await buildServer(f.t.app, {
      tls: { cert: readFileSync(join(dir, 'server.pem')), key: readFileSync(join(dir, 'server.key')), clientCa: readFileSync(join(dir, 'ca.pem')) },
      controls: { enabled: false },
    });
    await server.listen({ port: 0, host: '127.0.0.1' });
    const port = (server.server.address() as AddressInfo).port;
    try {
      expect((await handshake(port, {})).ok).toBe(false);
      expect((await handshake(port, { cert: readFileSync(join(dir, 'client.pem')), key: readFileSync(join(dir, 'client.key')) })).ok).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('OIDC bearer tokens and presigned URLs', () => {
  let f: ServerFixture;
  let jwks: Server;
  let key: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  let oidcServer: Awaited<ReturnType<typeof buildServer>>;
  const ISSUER = 'https://idp.bank.example';

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    key = pair.privateKey;
    const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    f = await startServerFixture();
    const configPath = join(f.t.home, 'attest.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    config.oidc = {
      issuer: ISSUER,
      audience: 'attest',
      jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`,
      mappings: [
        { claimValue: 'internal-audit', roles: [{ role: 'auditor' }] },
        { claimValue: 'ds-default', roles: [{ role: 'data-scientist', project: 'default' }] },
      ],
    };
    writeFileSync(configPath, JSON.stringify(config));
    oidcServer = await buildServer(await f.t.reopen(), { controls: { enabled: false } });
    await oidcServer.ready();
  }, 60_000);
  afterAll(async () => {
    await oidcServer?.close();
    await f?.dispose();
    await new Promise((r) => jwks.close(r));
  });

  const jwt = (claims: Record<string, unknown>, options: { aud?: string; exp?: string } = {}) =>
    new SignJWT({ preferred_username: 'dana', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setSubject('sub-123')
      .setAudience(options.aud ?? 'attest')
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m')
      .sign(key);

  it('maps IdP groups to roles: an auditor JWT reads the ledger and cannot change anything', async () => {
    const headers = { authorization: `Bearer ${await jwt({ groups: ['internal-audit'] })}` };
    const who = await oidcServer.inject({ method: 'GET', url: '/v1/whoami', headers });
    expect(who.json()).toMatchObject({ principal: 'user:dana', authMethod: 'oidc', roles: [{ role: 'auditor', via: 'oidc' }] });
    expect((await oidcServer.inject({ method: 'GET', url: '/v1/audit?limit=1', headers })).statusCode).toBe(200);
    expect((await oidcServer.inject({ method: 'POST', url: '/v1/keys', payload: {}, headers })).statusCode).toBe(403);
  });

  it('a JWT linked to a local user carries that user\'s stored groups and grants, and its lock', async () => {
    const { users, access } = f.t.app.identity;
    await users.create({ principal: 'user:tester' }, { name: 'dana-local', externalId: `${ISSUER}#sub-123` });
    await users.createGroup({ principal: 'user:tester' }, { name: 'key-admins' });
    await users.addMember({ principal: 'user:tester' }, 'key-admins', 'dana-local');
    await access.assignRole({ principal: 'user:tester' }, { subjectType: 'group', subject: 'key-admins', role: 'security-administrator' });
    const headers = { authorization: `Bearer ${await jwt({ groups: [] })}` };
    const who = await oidcServer.inject({ method: 'GET', url: '/v1/whoami', headers });
    expect(who.json()).toMatchObject({ principal: 'user:dana-local', groups: ['key-admins'] });
    expect((await oidcServer.inject({ method: 'GET', url: '/v1/keys', headers })).statusCode).toBe(200);
    await users.lock({ principal: 'user:tester' }, 'dana-local', null, 'test');
    expect((await oidcServer.inject({ method: 'GET', url: '/v1/keys', headers })).statusCode).toBe(401);
    await users.delete({ principal: 'user:tester' }, 'dana-local');
  });

  it('a data-scientist JWT works in its project only; wrong audience and expired tokens get 401', async () => {
    const headers = { authorization: `Bearer ${await jwt({ groups: ['ds-default'] })}` };
    expect((await oidcServer.inject({ method: 'GET', url: '/v1/projects/default/artifacts', headers })).statusCode).toBe(200);
    expect((await oidcServer.inject({ method: 'GET', url: '/v1/audit', headers })).statusCode).toBe(403);
    const wrongAudience = await oidcServer.inject({ method: 'GET', url: '/v1/whoami', headers: { authorization: `Bearer ${await jwt({ groups: ['ds-default'] }, { aud: 'other' })}` } });
    expect(wrongAudience.statusCode).toBe(401);
    const expired = await oidcServer.inject({ method: 'GET', url: '/v1/whoami', headers: { authorization: `Bearer ${await jwt({}, { exp: '-10m' })}` } });
    expect(expired.statusCode).toBe(401);
  });

  it('a presigned URL downloads one artifact without a bearer token until it expires; tampering or another address is refused', async () => {
    const admin = await f.principal('presigner', [{ role: 'administrator' }]);
    const headers = { authorization: `Bearer ${admin}` };
    const put = await f.server.inject({ method: 'POST', url: '/v1/projects/default/artifacts?name=notebook.ipynb', payload: Buffer.from('{"cells":[]}'), headers: { ...headers, 'content-type': 'application/octet-stream' } });
    expect(put.statusCode).toBe(200);
    const presign = await f.server.inject({ method: 'POST', url: '/v1/projects/default/artifacts/notebook.ipynb/presign', payload: { expiresInSeconds: 60 }, headers });
    expect(presign.statusCode).toBe(200);
    const { url } = presign.json() as { url: string };
    const download = await f.server.inject({ method: 'GET', url });
    expect(download.statusCode).toBe(200);
    expect(download.body).toBe('{"cells":[]}');
    const entries = await f.t.app.ledger.list({ action: 'artifact:Get', principal: 'user:presigner' });
    expect(entries.length).toBeGreaterThan(0);

    const token = url.split('/').pop()!;
    const [payload, mac] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), expiresAt: Date.now() + 1e9 })).toString('base64url');
    expect((await f.server.inject({ method: 'GET', url: `/v1/presigned/${forged}.${mac}` })).statusCode).toBe(401);

    const bound = await f.server.inject({ method: 'POST', url: '/v1/projects/default/artifacts/notebook.ipynb/presign', payload: { bindSourceIp: '10.9.9.9' }, headers });
    expect((await f.server.inject({ method: 'GET', url: bound.json().url })).statusCode).toBe(401);

    const short = await f.server.inject({ method: 'POST', url: '/v1/projects/default/artifacts/notebook.ipynb/presign', payload: { expiresInSeconds: 1 }, headers });
    await new Promise((r) => setTimeout(r, 1100));
    const late = await f.server.inject({ method: 'GET', url: short.json().url });
    expect(late.statusCode).toBe(401);
    expect(late.json().error.code).toBe('TOKEN_EXPIRED');
  });
});

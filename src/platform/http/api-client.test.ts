import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/index.js';
import { ApiClient } from './index.js';

// A real HTTP server on loopback answering the shapes the platform's API sends, so the client is
// tested against bytes on a socket rather than a stubbed fetch.
let base = '';
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const send = (status: number, payload: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(payload);
    };
    if (req.url === '/echo') return send(200, JSON.stringify({ method: req.method, auth: req.headers.authorization ?? null, type: req.headers['content-type'] ?? null, body }));
    if (req.url === '/denied') return send(403, JSON.stringify({ error: { code: 'EVIDENCE_MISSING', message: 'missing evidence', details: { missing: ['bias'] } } }));
    if (req.url === '/unknown-code') return send(409, JSON.stringify({ error: { code: 'SOMETHING_ELSE', message: 'odd' } }));
    if (req.url === '/html-403') return send(403, '<html>proxy says no</html>', 'text/html');
    return send(404, 'not here', 'text/plain');
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('ApiClient', () => {
  it('sends the bearer token and a JSON body, and ignores trailing slashes on the base URL', async () => {
    const client = new ApiClient({ baseUrl: base, token: 'tok_1' });
    const echoed = await client.call<{ method: string; auth: string; type: string; body: string }>('POST', '/echo', { a: 1 });
    expect(echoed).toEqual({ method: 'POST', auth: 'Bearer tok_1', type: 'application/json', body: '{"a":1}' });
    const bare = await new ApiClient({ baseUrl: base }).call<{ auth: string | null; body: string }>('GET', '/echo');
    expect(bare.auth).toBeNull();
    expect(bare.body).toBe('');
  });

  it("returns the server's error code, message and details", async () => {
    const error = await caught(new ApiClient({ baseUrl: base, token: 't' }).call('GET', '/denied'));
    expect(error.code).toBe('EVIDENCE_MISSING');
    expect(error.message).toBe('missing evidence');
    expect(error.details).toEqual({ missing: ['bias'] });
  });

  it('falls back to the status when the body carries no catalogue code', async () => {
    const client = new ApiClient({ baseUrl: base, token: 't' });
    expect((await caught(client.call('GET', '/html-403'))).code).toBe('ACCESS_DENIED');
    expect((await caught(client.call('GET', '/nowhere'))).code).toBe('NOT_FOUND');
    const odd = await caught(client.call('GET', '/unknown-code'));
    expect(odd.code).toBe('INTERNAL');
    expect(odd.message).toBe('odd');
  });

  it('reports an unreachable server as UNAVAILABLE', async () => {
    const error = await caught(new ApiClient({ baseUrl: 'http://127.0.0.1:1' }).call('GET', '/x'));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toMatch(/Cannot reach http:\/\/127\.0\.0\.1:1/);
  });
});

import Fastify from 'fastify';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import type { App } from '../app/index.js';
import { RouteKit } from './route-kit.js';

describe('route kit', () => {
  it('refuses to register a route whose action is not in the catalogue', () => {
    const kit = new RouteKit(Fastify(), {} as App);
    const route = { method: 'GET' as const, url: '/v1/x', summary: 'x', tags: [], audit: 'server' as const, resource: () => 'attest::user/*', response: z.object({}), handler: async () => ({}) };
    expect(() => kit.route({ ...route, action: 'user:Lsit' })).toThrowError(/not in the action catalogue/);
    expect(() => kit.route({ ...route, action: 'user:List' })).not.toThrow();
    expect(kit.routes).toEqual([{ method: 'GET', url: '/v1/x', action: 'user:List', public: false }]);
  });
});

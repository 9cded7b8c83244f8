/**
 * A running API server over a real test installation, with helpers to create principals holding
 * given role grants and to call the API with their tokens.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerOptions } from '../../src/server/index.js';
import { buildServer } from '../../src/server/index.js';
import type { TestInstallation } from './test-app.js';
import { createTestInstallation, TEST_ACTOR } from './test-app.js';
import type { DialectName } from './databases.js';

export interface ServerFixture {
  t: TestInstallation;
  server: FastifyInstance;
  /** Creates a user (no password) with the given grants and returns an API token. */
  principal(name: string, grants: { role: string; project?: string }[]): Promise<string>;
  dispose(): Promise<void>;
}

export async function startServerFixture(dialect: DialectName = 'sqlite', options: ServerOptions = {}): Promise<ServerFixture> {
  const t = await createTestInstallation(dialect, 'fs');
  const server = await buildServer(t.app, { controls: { pollMs: 60_000, verifyEveryMs: 0 }, ...options });
  await server.ready();
  return {
    t,
    server,
    async principal(name, grants) {
      const { users, access, tokens } = t.app.identity;
      await users.create(TEST_ACTOR, { name });
      for (const g of grants) await access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: name, role: g.role, ...(g.project ? { project: g.project } : {}) });
      return (await tokens.create(TEST_ACTOR, { owner: name, name: 'test' })).token;
    },
    async dispose() {
      await server.close();
      await t.dispose();
    },
  };
}

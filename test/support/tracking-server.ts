/**
 * A real fastify server on 127.0.0.1 for the tracking route plugins, with a minimal bearer-token
 * check and authorizer written here (the real server supplies authentication, stored policies,
 * projects and the audit of denials). Read-only callers are refused every write action.
 */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { App } from '../../src/app/index.js';
import { AppError } from '../../src/kernel/index.js';
import type { TrackingRouteDeps } from '../../src/tracking/http/index.js';
import { MlflowRegistry } from '../../src/registry/index.js';
import { MlflowStore } from '../../src/tracking/index.js';

export interface TestCaller {
  principal: string;
  /** The projects the caller may read; the first is where it creates things. */
  projects: string[];
  readOnly?: boolean;
}

export interface TestServer {
  url: string;
  decisions: { principal: string; action: string; resource: string }[];
  close(): Promise<void>;
}

export async function startTrackingServer(app: App, plugin: FastifyPluginAsync<TrackingRouteDeps>, tokens: ReadonlyMap<string, TestCaller>): Promise<TestServer> {
  const server: FastifyInstance = Fastify();
  const decisions: TestServer['decisions'] = [];
  const caller = (request: FastifyRequest): TestCaller => (request as FastifyRequest & { caller: TestCaller }).caller;
  server.addHook('onRequest', async (request, reply) => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const found = token ? tokens.get(token) : undefined;
    if (!found) return reply.status(401).send({ error_code: 'UNAUTHENTICATED', message: 'A bearer token is required', error: { code: 'UNAUTHENTICATED', message: 'A bearer token is required', details: {} } });
    (request as FastifyRequest & { caller: TestCaller }).caller = found;
  });
  await server.register(plugin, {
    tracking: app.tracking,
    mlflow: new MlflowStore({ db: app.db, ledger: app.ledger, artifacts: app.artifacts }),
    artifacts: app.artifacts,
    lineage: app.lineage,
    registry: new MlflowRegistry(app),
    // The registry's own policy checks need a stored principal; here the caller acts as the operator
    // of the installation (separation of duties still applies), which server tests do not rely on.
    async registryCaller(request) {
      const c = caller(request);
      const asked = (request.params as { project?: string } | undefined)?.project ?? request.headers['x-attest-project'];
      const projectId = typeof asked === 'string' ? ((await app.db.kysely.selectFrom('projects').select('id').where('name', '=', asked).executeTakeFirst())?.id ?? '') : c.projects[0]!;
      if (!c.projects.includes(projectId)) throw new AppError('ACCESS_DENIED', { message: `No access to project ${String(asked)}` });
      const row = await app.db.kysely.selectFrom('projects').select('name').where('id', '=', projectId).executeTakeFirstOrThrow();
      return { project: row.name, projectId, caller: { actor: { principal: caller(request).principal, sourceIp: request.ip, userAgent: request.headers['user-agent'] ?? null } } };
    },
    actor: (request) => ({ principal: caller(request).principal, sourceIp: request.ip, userAgent: request.headers['user-agent'] ?? null }),
    project: async (request) => {
      const c = caller(request);
      const fromPath = (request.params as { project?: string } | undefined)?.project;
      const asked = fromPath ?? request.headers['x-attest-project'];
      if (typeof asked === 'string') {
        const row = await app.db.kysely.selectFrom('projects').select('id').where('name', '=', asked).executeTakeFirst();
        if (!row || !c.projects.includes(row.id)) throw new AppError('ACCESS_DENIED', { message: `No access to project ${asked}` });
        return row.id;
      }
      return c.projects[0]!;
    },
    visibleProjects: async (request) => caller(request).projects,
    authorize: async (request, action, resource) => {
      const c = caller(request);
      decisions.push({ principal: c.principal, action, resource: `${resource.projectId}:${resource.type}/${resource.id}` });
      const write = /:(Create|Update|Complete|Delete|Put)$/.test(action);
      if (!c.projects.includes(resource.projectId) || (write && c.readOnly)) throw new AppError('ACCESS_DENIED', { message: `${c.principal} may not ${action}` });
    },
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  return { url: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`, decisions, close: () => server.close() };
}

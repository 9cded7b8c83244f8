/**
 * @module server/tracking-mount
 * Mounts the tracking capability's own route plugins (Attest's `/api/v1/tracking/…` and the
 * MLflow-compatible `/api/2.0/mlflow/…`) behind the server's authentication, and supplies what
 * they ask of the server: the real policy decision (with the record's project and creator, denials
 * audited), the caller as an audit actor, the project a request works in (`X-Attest-Project`,
 * default `default`) and the projects the caller may see.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../app/index.js';
import { DEFAULT_PROJECT, projectIdByName } from '../app/index.js';
import { AppError } from '../kernel/index.js';
import type { TrackingRouteDeps } from '../tracking/http/index.js';
import { mlflowRoutes, trackingRoutes } from '../tracking/http/index.js';
import type { RouteKit } from './route-kit.js';
import { actorOf, requestFacts } from './route-kit.js';

function principalOf(req: FastifyRequest) {
  if (!req.principal) throw new AppError('UNAUTHENTICATED', { message: 'This route requires Authorization: Bearer <token>' });
  return req.principal;
}

export function trackingDeps(app: App): TrackingRouteDeps {
  const projectName = async (projectId: string): Promise<string> => {
    const row = await app.db.kysely.selectFrom('projects').select('name').where('id', '=', projectId).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', { message: `No project ${projectId}` });
    return row.name;
  };
  return {
    tracking: app.tracking,
    artifacts: app.artifacts,
    lineage: app.lineage,
    actor: (req) => actorOf(req, principalOf(req)),
    async authorize(req, action, resource) {
      const principal = principalOf(req);
      const project = await projectName(resource.projectId);
      await app.identity.authorizer.authorize(principal, actorOf(req, principal), action, `attest:${project}:${resource.type}/${resource.id}`, {
        ...requestFacts(req, project),
        ...(resource.createdBy ? { resourceCreator: resource.createdBy.replace(/^(user|service):/, '') } : {}),
      });
    },
    async project(req) {
      const asked = req.headers['x-attest-project'];
      return projectIdByName(app, typeof asked === 'string' && asked.length > 0 ? asked : DEFAULT_PROJECT);
    },
    async visibleProjects(req) {
      const principal = principalOf(req);
      const rows = await app.db.kysely.selectFrom('projects').select(['id', 'name']).execute();
      const visible: string[] = [];
      for (const row of rows) {
        const decision = await app.identity.authorizer.decide(principal, 'project:Describe', `attest:${row.name}:project/${row.name}`, requestFacts(req, row.name));
        if (decision.decision === 'Allow') visible.push(row.id);
      }
      return visible;
    },
  };
}

/** Registers the tracking plugins in their own scope, every route behind bearer authentication and in the route table. */
export async function mountTracking(server: FastifyInstance, app: App, kit: RouteKit): Promise<void> {
  await server.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) if (method !== 'HEAD') kit.routes.push({ method, url: route.url, action: null, public: false });
    });
    scope.addHook('onRequest', async (req, reply) => {
      try {
        req.principal = await kit.authenticate(req);
      } catch (error) {
        reply.header('www-authenticate', 'Bearer');
        throw error;
      }
    });
    // The tracking plugin installs its own streaming parser for uploads.
    scope.removeContentTypeParser('application/octet-stream');
    const deps = trackingDeps(app);
    await scope.register(trackingRoutes, deps);
    await scope.register(mlflowRoutes, deps);
  });
}

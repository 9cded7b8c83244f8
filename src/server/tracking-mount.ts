/**
 * @module server/tracking-mount
 * Mounts the tracking capability's own route plugins (Attest's `/api/v1/tracking/…` and the
 * MLflow-compatible `/api/2.0/mlflow/…`) behind the server's authentication, and supplies what
 * they ask of the server: the real policy decision (with the record's project and creator, denials
 * audited), the caller as an audit actor, the project a request works in (`X-Attest-Project`,
 * default `default`) and the projects the caller may see. Reads are audited here as the routes
 * leave them to the server: every List and Read action a request was authorised for gets an entry
 * (allowed, or failed with the error code) before its response is sent. Downloads (`artifact:Get`)
 * are audited by the artifact service itself.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../app/index.js';
import { DEFAULT_PROJECT, projectIdByName } from '../app/index.js';
import { AppError } from '../kernel/index.js';
import { installationResourceName, recordOutcome } from '../security/audit/index.js';
import { ACTION_CATALOGUE } from '../security/policy/index.js';
import type { TrackingRouteDeps } from '../tracking/http/index.js';
import { mlflowRoutes, trackingRoutes } from '../tracking/http/index.js';
import { MlflowRegistry } from '../registry/index.js';
import { MlflowStore } from '../tracking/index.js';
import type { RouteKit } from './route-kit.js';
import { actorOf, requestFacts } from './route-kit.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Reads this request was authorised for, audited when its response is sent. */
    authorizedReads?: { action: string; resource: string }[];
  }
}

/** List and Read actions the server audits for the tracking routes (downloads audit themselves). */
function auditedAsRead(action: string): boolean {
  const access = ACTION_CATALOGUE.get(action)?.access;
  return (access === 'List' || access === 'Read') && action !== 'artifact:Get';
}

type Query = Record<string, unknown> | undefined;
const param = (name: string) => (req: FastifyRequest) => (req.params as Query)?.[name];
const query = (...names: string[]) => (req: FastifyRequest) => names.map((n) => (req.query as Query)?.[n]).find((v) => typeof v === 'string' && v.length > 0);

/**
 * Read routes that look their object up before authorising on it (the object's project and creator
 * are only known once it is found): a lookup that finds nothing answers 404 without reaching the
 * policy decision, so the server records those reads itself, as denied, under the name asked for.
 */
const LOOKUP_READS: Readonly<Record<string, { action: string; type: string; id: (req: FastifyRequest) => unknown }>> = {
  'GET /api/v1/tracking/components/:id': { action: 'component:Describe', type: 'component', id: param('id') },
  'GET /api/v1/tracking/experiments/:id/table': { action: 'experiment:Describe', type: 'experiment', id: param('id') },
  'GET /api/v1/lineage/:id/upstream': { action: 'lineage:Read', type: 'lineage', id: param('id') },
  'GET /api/v1/lineage/:id/downstream': { action: 'lineage:Read', type: 'lineage', id: param('id') },
  'GET /api/2.0/mlflow/experiments/get': { action: 'experiment:Describe', type: 'experiment', id: query('experiment_id') },
  'GET /api/2.0/mlflow/experiments/get-by-name': { action: 'experiment:Describe', type: 'experiment', id: query('experiment_name') },
  'GET /api/2.0/mlflow/runs/get': { action: 'component:Describe', type: 'component', id: query('run_id', 'run_uuid') },
  'GET /api/2.0/mlflow/metrics/get-history': { action: 'component:Describe', type: 'component', id: query('run_id', 'run_uuid') },
};

/** The read a 404 answered before any authorisation, if the route is one that looks up first. */
function notFoundRead(req: FastifyRequest): { action: string; resource: string } | undefined {
  const route = LOOKUP_READS[`${req.method} ${req.routeOptions.url}`];
  if (!route) return undefined;
  const id = route.id(req);
  // The object does not exist, so it has no project: the installation-wide name of what was asked for.
  return { action: route.action, resource: installationResourceName(route.type, typeof id === 'string' && id.length > 0 ? id.slice(0, 200) : '*') };
}

function errorCodeOf(payload: unknown): string | undefined {
  if (typeof payload !== 'string') return undefined;
  try {
    // Attest's `{ error: { code } }`, or MLflow's `{ error_code }`.
    const body = JSON.parse(payload) as { error?: { code?: unknown }; error_code?: unknown };
    const code = body.error?.code ?? body.error_code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

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
  /**
   * The token's default project, for clients that cannot name one (MLFLOW_TRACKING_URI alone): the
   * one project where the principal may create experiments; `default` when that is one of several;
   * otherwise the request must choose (path prefix or header).
   */
  const defaultProjectOf = async (req: FastifyRequest): Promise<string> => {
    const principal = principalOf(req);
    const rows = await app.db.kysely.selectFrom('projects').select(['id', 'name']).orderBy('name').execute();
    const writable: { id: string; name: string }[] = [];
    for (const row of rows) {
      const decision = await app.identity.authorizer.decide(principal, 'experiment:Create', `attest:${row.name}:experiment/*`, requestFacts(req, row.name));
      if (decision.decision === 'Allow') writable.push(row);
    }
    if (writable.length === 1) return writable[0]!.id;
    const fallback = writable.find((p) => p.name === DEFAULT_PROJECT) ?? (writable.length === 0 ? rows.find((p) => p.name === DEFAULT_PROJECT) : undefined);
    if (fallback) return fallback.id;
    throw new AppError('INVALID_INPUT', {
      message: `${principal.auditName} works in several projects (${writable.map((p) => p.name).join(', ')}); choose one with the tracking URI path /projects/<project> or the X-Attest-Project header`,
    });
  };
  return {
    tracking: app.tracking,
    mlflow: new MlflowStore({ db: app.db, ledger: app.ledger, artifacts: app.artifacts }),
    artifacts: app.artifacts,
    lineage: app.lineage,
    registry: new MlflowRegistry(app),
    async registryCaller(req) {
      const principal = principalOf(req);
      const projectId = await this.project(req);
      const project = await projectName(projectId);
      return { project, projectId, caller: { actor: actorOf(req, principal), principal, facts: requestFacts(req, project) } };
    },
    actor: (req) => actorOf(req, principalOf(req)),
    async authorize(req, action, resource) {
      const principal = principalOf(req);
      const project = await projectName(resource.projectId);
      const name = `attest:${project}:${resource.type}/${resource.id}`;
      await app.identity.authorizer.authorize(principal, actorOf(req, principal), action, name, {
        ...requestFacts(req, project),
        ...(resource.createdBy ? { resourceCreator: resource.createdBy.replace(/^(user|service):/, '') } : {}),
      });
      if (auditedAsRead(action)) req.authorizedReads = [...(req.authorizedReads ?? []), { action, resource: name }];
    },
    async project(req) {
      const fromPath = (req.params as { project?: string } | undefined)?.project;
      const asked = fromPath ?? req.headers['x-attest-project'];
      if (typeof asked === 'string' && asked.length > 0) return projectIdByName(app, asked);
      return defaultProjectOf(req);
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
    // The response waits for its read entries: a read the client saw is a read in the ledger.
    scope.addHook('onSend', async (req, reply, payload) => {
      const reads = req.authorizedReads;
      if (!reads?.length) {
        const missing = reply.statusCode === 404 && req.principal ? notFoundRead(req) : undefined;
        if (missing) {
          const details = { error: errorCodeOf(payload) ?? 'HTTP 404', reason: 'not found before authorization' };
          await recordOutcome({ db: app.db, ledger: app.ledger }, actorOf(req, req.principal), missing.action, missing.resource, 'denied', details);
        }
        return payload;
      }
      req.authorizedReads = undefined;
      const actor = actorOf(req, req.principal);
      const failed = reply.statusCode >= 400;
      const details = failed ? { error: errorCodeOf(payload) ?? `HTTP ${reply.statusCode}` } : {};
      for (const read of reads) await recordOutcome({ db: app.db, ledger: app.ledger }, actor, read.action, read.resource, failed ? 'failed' : 'allowed', details);
      return payload;
    });
    // The tracking plugin installs its own streaming parser for uploads.
    scope.removeContentTypeParser('application/octet-stream');
    const deps = trackingDeps(app);
    await scope.register(trackingRoutes, deps);
    await scope.register(mlflowRoutes, deps);
  });
}

/**
 * @module server/route-kit
 * How every route is declared. A route names one action from the catalogue (checked at
 * registration: a misspelt action fails start-up, it cannot silently match no policy), the
 * resource it acts on, and zod schemas for its request and response. The kit authenticates the
 * bearer credential before anything else (401), authorizes by policy after validation (403, audited
 * as denied with the deciding statement), and audits the outcome: routes whose service writes its
 * own governed entry say `audit: 'service'`, the others get an entry from the kit.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../app/index.js';
import { AppError, isAppError } from '../kernel/index.js';
import type { Actor } from '../security/audit/index.js';
import { recordOutcome } from '../security/audit/index.js';
import type { Principal, RequestFactsWithoutPrincipal } from '../security/identity-store/index.js';
import { isCatalogueAction } from '../security/policy/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** The resource name the request was authorised on. */
    resourceName?: string;
  }
}

/** Every registered route, for tests and the route table. */
export interface RouteInfo {
  readonly method: string;
  readonly url: string;
  /** The catalogue action; null for public routes and for mounted plugin routes that authorise per request. */
  readonly action: string | null;
  readonly public: boolean;
}

export interface HandlerInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly principal: Principal;
  readonly actor: Actor;
  readonly req: FastifyRequest;
  readonly reply: FastifyReply;
}

export interface SecureRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly summary: string;
  readonly tags: readonly string[];
  /** The catalogue action this route is authorised as. */
  readonly action: string;
  /** The resource name the action is authorised on (may look the resource up). */
  readonly resource: (input: { params: z.output<P>; query: z.output<Q>; body: z.output<B>; principal: Principal; req: FastifyRequest }) => string | Promise<string>;
  /** Extra request facts for conditions (resource creator, …). */
  readonly facts?: (input: { params: z.output<P>; query: z.output<Q>; req: FastifyRequest }) => Promise<Partial<RequestFactsWithoutPrincipal>>;
  /** `service`: the called service writes the audit entry (governed changes, reads that audit themselves). */
  readonly audit: 'service' | 'server';
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** The request body is a byte stream (application/octet-stream), not JSON. */
  readonly rawBody?: boolean;
  /**
   * A POST that changes nothing (endpoint invocations): the detective controls do not scan after
   * each one (they still do after its refusals and on their poll), so the hot path pays no scan.
   */
  readonly changesNothing?: boolean;
  /**
   * The handler builds its response from typed values: it is written with JSON.stringify instead of
   * being re-validated against the zod schema (the schema still documents it in the OpenAPI document).
   */
  readonly trustedResponse?: boolean;
  readonly response: R;
  /** Response content type when not JSON (streams). */
  readonly produces?: string;
  readonly handler: (input: HandlerInput<z.output<P>, z.output<Q>, z.output<B>>) => Promise<z.input<R> | undefined>;
}

/** The shape of every error response. */
export const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }) });

export function bearerOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

export function actorOf(req: FastifyRequest, principal?: Principal): Actor {
  return { principal: principal?.auditName ?? 'anonymous', sourceIp: req.ip, userAgent: req.headers['user-agent'] ?? null, requestId: req.id };
}

/** Facts about the request itself. */
export function requestFacts(req: FastifyRequest, project?: string): RequestFactsWithoutPrincipal {
  return {
    sourceIp: req.ip,
    secureTransport: req.protocol === 'https',
    ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
    now: new Date(),
    ...(project ? { project } : {}),
  };
}

export class RouteKit {
  readonly routes: RouteInfo[] = [];
  readonly #server: FastifyInstance;
  readonly #app: App;

  constructor(server: FastifyInstance, app: App) {
    this.#server = server;
    this.#app = app;
  }

  /** Registers a route that needs no bearer token (health, login, the OpenAPI document, presigned downloads). */
  publicRoute(method: RouteInfo['method'], url: string): void {
    this.routes.push({ method, url, action: null, public: true });
  }

  /** Authenticates the bearer credential (401 on any failure). */
  async authenticate(req: FastifyRequest): Promise<Principal> {
    const bearer = bearerOf(req);
    if (!bearer) throw new AppError('UNAUTHENTICATED', { message: 'This route requires Authorization: Bearer <token>' });
    try {
      return await this.#app.identity.authenticator.authenticate(bearer);
    } catch (error) {
      if (isAppError(error) && error.code === 'ACCOUNT_LOCKED') throw new AppError('UNAUTHENTICATED', { message: error.message });
      throw error;
    }
  }

  route<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(spec: SecureRoute<P, Q, B, R>): void {
    if (!isCatalogueAction(spec.action)) throw new AppError('INTERNAL', { message: `Route ${spec.method} ${spec.url} names ${spec.action}, which is not in the action catalogue` });
    this.routes.push({ method: spec.method, url: spec.url, action: spec.action, public: false });
    const app = this.#app;
    this.#server.route({
      method: spec.method,
      url: spec.url,
      schema: {
        summary: spec.summary,
        description: `Authorised as \`${spec.action}\`.`,
        tags: [...spec.tags],
        security: [{ bearer: [] }],
        ...(spec.params ? { params: spec.params } : {}),
        ...(spec.query ? { querystring: spec.query } : {}),
        ...(spec.body ? { body: spec.body } : {}),
        response: { 200: spec.response, '4XX': ErrorBody, '5XX': ErrorBody },
        ...(spec.produces ? { produces: [spec.produces] } : {}),
        ...(spec.rawBody ? { consumes: ['application/octet-stream'] } : {}),
      },
      config: { changesNothing: spec.changesNothing === true },
      ...(spec.trustedResponse ? { serializerCompiler: () => (data: unknown) => JSON.stringify(data) } : {}),
      onRequest: async (req) => {
        req.principal = await this.authenticate(req);
      },
      preHandler: async (req) => {
        const principal = req.principal!;
        const params = req.params as z.output<P>;
        const query = req.query as z.output<Q>;
        const resource = await spec.resource({ params, query, body: req.body as z.output<B>, principal, req });
        req.resourceName = resource;
        const project = (params as { project?: string } | undefined)?.project;
        const extra = spec.facts ? await spec.facts({ params, query, req }) : {};
        await app.identity.authorizer.authorize(principal, actorOf(req, principal), spec.action, resource, { ...requestFacts(req, project), ...extra });
      },
      handler: async (req, reply) => {
        const principal = req.principal!;
        const actor = actorOf(req, principal);
        const params = req.params as z.output<P>;
        const query = req.query as z.output<Q>;
        const resource = req.resourceName ?? spec.url;
        try {
          const result = await spec.handler({ params, query, body: req.body as z.output<B>, principal, actor, req, reply });
          if (spec.audit === 'server') await recordOutcome({ db: app.db, ledger: app.ledger }, actor, spec.action, resource, 'allowed');
          return result;
        } catch (error) {
          if (spec.audit === 'server') {
            await recordOutcome({ db: app.db, ledger: app.ledger }, actor, spec.action, resource, isAppError(error) && error.kind === 'forbidden' ? 'denied' : 'failed', {
              error: isAppError(error) ? error.code : 'INTERNAL',
            });
          }
          throw error;
        }
      },
    });
  }
}

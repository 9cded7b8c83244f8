/**
 * @module server/build-server
 * The REST JSON API (`attest server`): fastify with zod schemas on every route (request and
 * response) and the OpenAPI 3 document generated from them at `/openapi.json`. Deny by default:
 * every route but health, login, the document and presigned downloads (whose signature is the
 * credential) needs `Authorization: Bearer …`, is authorised by policy with a catalogue action and
 * is audited, denials included. TLS 1.2+ with optional client certificates, 127.0.0.1 by default,
 * body limits, rate-limited login, request ids, security headers, redacted structured logs.
 */
import { Readable } from 'node:stream';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, serializerCompiler, validatorCompiler } from '@fastify/type-provider-zod';
import { openApiContract } from './openapi-contract.js';
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import Fastify from 'fastify';
import helmet from 'helmet';
import { z } from 'zod';
import type { App } from '../app/index.js';
import { projectIdByName } from '../app/index.js';
import { AppError, httpStatusOf, isAppError, newId } from '../kernel/index.js';
import { recordOutcome } from '../security/audit/index.js';
import type { AlertSink } from '../security/controls/index.js';
import type { Principal } from '../security/identity-store/index.js';
import { BUILT_IN_RULES, DetectiveControls, logSink, webhookSink } from '../security/controls/index.js';
import type { RouteInfo } from './route-kit.js';
import { actorOf, ErrorBody, RouteKit, requestFacts } from './route-kit.js';
import { CheckpointTimer } from './checkpoint-timer.js';
import { logSafeUrl } from './log-redaction.js';
import { loadServerSecret, verifyPresigned } from './presigned-url.js';
import { mountTracking } from './tracking-mount.js';
import { registerAccessRoutes } from './routes/access-routes.js';
import { registerIdentityRoutes } from './routes/identity-routes.js';
import { registerReproduceRoutes } from './routes/reproduce-routes.js';
import { registerJobRoutes } from './routes/job-routes.js';
import { registerPipelineRoutes } from './routes/pipeline-routes.js';
import { registerRegistryRoutes } from './routes/registry-routes.js';
import { registerResourceRoutes } from './routes/resource-routes.js';
import type { ServingHandle, ServingOptions } from './routes/serving-routes.js';
import { registerServingRoutes } from './routes/serving-routes.js';
import { registerConsole } from '../console/index.js';
import { registerDatasetRoutes } from './routes/dataset-routes.js';

export interface TlsOptions {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** CA bundle for client certificates; when given, clients must present a certificate it signed. */
  readonly clientCa?: string | Buffer;
}

export interface ServerOptions {
  readonly tls?: TlsOptions;
  /** pino logging (secrets redacted); default off. */
  readonly logger?: boolean | { level?: string; stream?: NodeJS.WritableStream };
  /** JSON body limit in bytes; default 1 MiB. Artifact uploads stream and have their own limit. */
  readonly bodyLimit?: number;
  readonly maxArtifactBytes?: number;
  /** Login attempts per client address per minute; default 20. */
  readonly loginRateLimit?: number;
  readonly maxPresignSeconds?: number;
  /** Alert sinks in addition to the log; default: the configured webhooks. */
  readonly alertSinks?: readonly AlertSink[];
  /** Detective controls: poll interval and scheduled audit verification (ms; 0 = off). */
  readonly controls?: { readonly pollMs?: number; readonly verifyEveryMs?: number; readonly enabled?: boolean };
  /** How often a tree head is signed while entries are written (ms; 0 = off); default `audit.signIntervalMs` (1000). */
  readonly checkpointIntervalMs?: number;
  /** Endpoints, capture and metrics (issue 15). */
  readonly serving?: ServingOptions;
  /** `serving`: only health, login, endpoints and metrics (`attest serve`); default the whole API. */
  readonly surface?: 'api' | 'serving';
  /** The built web console to serve under /console/ (default the package's build; false: none). */
  readonly consoleDir?: string | false;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with its action, for the route-table test. */
    attestRoutes: readonly RouteInfo[];
    detectiveControls: DetectiveControls;
    /** The serving runtime, its metrics and capture log. */
    serving: ServingHandle;
  }
}

/** Secrets that never reach the log. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-attest-signature"]',
  'headers.authorization',
  '*.password',
  '*.currentPassword',
  '*.token',
  'body.password',
  'body.token',
];

const Health = z.object({ status: z.literal('ok'), version: z.string() });
const LoginBody = z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(256) });
const LoginResponse = z.object({ token: z.string(), expiresAt: z.string().nullable(), principal: z.string() });

/** Builds the API server for an opened installation (tests call `inject()` on it or `listen({ port: 0 })`). */
export async function buildServer(app: App, options: ServerOptions = {}): Promise<FastifyInstance> {
  const logger: FastifyServerOptions['logger'] =
    options.logger === undefined || options.logger === false
      ? false
      : {
          level: (options.logger === true ? undefined : options.logger.level) ?? 'info',
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          serializers: {
            // Fastify's request summary, with presigned paths and secret query values redacted.
            req: (req: FastifyRequest) => ({ method: req.method, url: logSafeUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
          },
          ...(options.logger !== true && options.logger.stream ? { stream: options.logger.stream } : {}),
        };
  const server = Fastify({
    logger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    genReqId: () => newId('req'),
    requestIdHeader: false,
    // Presigned tokens travel in the path.
    routerOptions: { maxParamLength: 2048 },
    trustProxy: false,
    connectionTimeout: 60_000,
    requestTimeout: 0,
    ...(options.tls
      ? {
          https: {
            cert: options.tls.cert,
            key: options.tls.key,
            minVersion: 'TLSv1.2' as const,
            ...(options.tls.clientCa ? { ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
          },
        }
      : {}),
  }) as unknown as FastifyInstance;
  server.setValidatorCompiler(validatorCompiler);
  server.setSerializerCompiler(serializerCompiler);
  server.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
  server.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  // Security headers from one helmet middleware built at start-up (the fastify plugin builds a new
  // one, parsing the policy again, on every request).
  const securityHeaders = helmet({ contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } });
  server.addHook('onRequest', (req, reply, done) => securityHeaders(req.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)));
  await server.register(rateLimit, { global: false });
  await server.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Attest API',
        version: '0.1.0',
        description: 'Governed ML lifecycle. Every route except health, login and this document needs a bearer token and is authorised by policy.',
        license: { name: 'Proprietary', url: 'https://attest.invalid/license' },
      },
      servers: [{ url: '/', description: 'This Attest server (the document is served by the API it describes)' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An Attest API or session token, or an OIDC JWT' } } },
    },
    transform: openApiContract(jsonSchemaTransform),
  });

  const loginRateLimit = options.loginRateLimit ?? 20;
  server.setErrorHandler(async (error, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const message = error.validation.map((v) => `${v.instancePath || (v.params as { issue?: { path?: unknown[] } })?.issue?.path?.join('.') || error.validationContext}: ${v.message}`).join('; ');
      return reply.code(400).send({ error: { code: 'INVALID_INPUT', message: `Invalid request ${error.validationContext ?? ''}: ${message}`.trim(), details: {} } });
    }
    if (isAppError(error)) {
      if (error.kind === 'unauthenticated') reply.header('www-authenticate', 'Bearer');
      if (error.kind === 'internal') req.log.error({ err: error }, 'internal error');
      return reply.code(httpStatusOf(error)).send(error.toJSON());
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 429) {
      if (req.routeOptions.url === '/v1/login') {
        // A refused login is a login attempt too: audited with its reason (the body is parsed by now, the password is never recorded).
        const username = (req.body as { username?: unknown } | undefined)?.username;
        const meta = actorOf(req);
        await app.identity.authenticator
          .recordRefusedLogin(typeof username === 'string' ? username : undefined, { sourceIp: meta.sourceIp ?? null, userAgent: meta.userAgent ?? null, requestId: meta.requestId ?? null }, 'rate limited', { limitPerMinute: loginRateLimit })
          .finally(() => void controls.trigger());
      }
      return reply.code(429).send({ error: { code: 'RATE_LIMITED', message: 'Too many requests; try again later', details: {} } });
    }
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send({ error: { code: 'INVALID_INPUT', message: (error as Error).message, details: {} } });
    }
    req.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: 'Internal error', details: {} } });
  });
  server.setNotFoundHandler((req, reply) => reply.code(404).send({ error: { code: 'NOT_FOUND', message: `No route ${req.method} ${req.url.split('?')[0]}`, details: {} } }));

  const kit = new RouteKit(server, app);
  const publicTags = ['public'];

  kit.publicRoute('GET', '/health');
  server.get('/health', { schema: { summary: 'Liveness (no authentication)', tags: publicTags, response: { 200: Health } } }, async () => ({ status: 'ok' as const, version: '0.1.0' }));

  kit.publicRoute('GET', '/openapi.json');
  server.get('/openapi.json', { schema: { hide: true } }, async () => server.swagger());

  kit.publicRoute('POST', '/v1/login');
  server.post(
    '/v1/login',
    {
      // Counted after the body is parsed, so a refusal can name the user asked for.
      config: { rateLimit: { max: loginRateLimit, timeWindow: 60_000, hook: 'preHandler' } },
      schema: { summary: 'Password login: returns a short-lived session token', tags: publicTags, body: LoginBody, response: { 200: LoginResponse, '4XX': ErrorBody } },
    },
    async (req) => {
      const body = req.body as z.output<typeof LoginBody>;
      const meta = actorOf(req);
      const result = await app.identity.authenticator.login(body.username, body.password, { sourceIp: meta.sourceIp ?? null, userAgent: meta.userAgent ?? null, requestId: meta.requestId ?? null }).finally(() => void controls.trigger());
      return { token: result.token, expiresAt: result.expiresAt, principal: result.principal.auditName };
    },
  );

  const presignSecret = loadServerSecret(app.config.home);
  kit.publicRoute('GET', '/v1/presigned/:token');
  server.get(
    '/v1/presigned/:token',
    {
      schema: {
        summary: 'Download one artifact with a presigned URL (the signature is the credential)',
        tags: publicTags,
        params: z.object({ token: z.string().max(4096) }),
        response: { 200: z.string().describe('the artifact bytes'), '4XX': ErrorBody },
      },
    },
    async (req, reply) => {
      let claims: ReturnType<typeof verifyPresigned>;
      try {
        claims = verifyPresigned(presignSecret, (req.params as { token: string }).token, req.ip, new Date());
      } catch (error) {
        // Without a valid signature the caller is unauthenticated, whatever the reason.
        throw isAppError(error) && error.kind !== 'unauthenticated' ? new AppError('UNAUTHENTICATED', { message: error.message }) : error;
      }
      const actor = { principal: claims.issuer, sourceIp: req.ip, userAgent: req.headers['user-agent'] ?? null, requestId: req.id };
      // The URL is only as good as the token that signed it and that token's owner: a revoked or
      // expired token, a deleted, disabled or locked signer, or one who lost artifact:Get ends it.
      const resource = `attest:${claims.project}:artifact/${claims.artifactId}`;
      const signer = /^(?:user|service):(.+)$/.exec(claims.issuer)?.[1];
      let principal: Principal;
      try {
        if (!signer) throw new AppError('INVALID_CREDENTIALS', { message: `Unknown signer ${claims.issuer}` });
        principal = { ...(await app.identity.authenticator.principalForToken(signer, claims.token)), authMethod: 'presigned' };
      } catch (error) {
        const code = isAppError(error) ? error.code : 'INTERNAL';
        await recordOutcome({ db: app.db, ledger: app.ledger }, actor, 'artifact:Get', resource, 'denied', { reason: 'presigned URL signer or token no longer valid', error: code, tokenPrefix: claims.token });
        throw new AppError('UNAUTHENTICATED', { message: `The presigned URL is no longer valid: ${isAppError(error) ? error.message : 'its signer cannot be checked'}` });
      }
      await app.identity.authorizer.authorize(principal, actor, 'artifact:Get', resource, { ...requestFacts(req, claims.project) });
      const { meta, body } = await app.artifacts.get(actor, claims.artifactId, await projectIdByName(app, claims.project));
      reply.header('content-type', meta.mediaType).header('content-length', meta.sizeBytes).header('x-attest-sha256', meta.sha256);
      return reply.send(Readable.from(body));
    },
  );

  server.decorate('serving', await registerServingRoutes(server, kit, app, options.serving));
  if (options.surface !== 'serving') {
    registerIdentityRoutes(kit, app);
    registerAccessRoutes(kit, app);
    registerResourceRoutes(kit, app, { maxArtifactBytes: options.maxArtifactBytes ?? 16 * 1024 ** 3, presignSecret, maxPresignSeconds: options.maxPresignSeconds ?? 86_400 });
    registerReproduceRoutes(kit, app);
    registerJobRoutes(kit, app);
    registerPipelineRoutes(kit, app);
    registerRegistryRoutes(kit, app);
    await mountTracking(server, app, kit);
    registerDatasetRoutes(kit, app);
    if (options.consoleDir !== false) {
      // Static files only: every datum the console shows comes from the authenticated routes above.
      kit.publicRoute('GET', '/console/*');
      registerConsole(server, options.consoleDir);
    }
  }
  kit.route({
    method: 'GET', url: '/v1/alert-rules', summary: 'The detection rules the server runs', tags: ['controls'], action: 'alert:List', audit: 'server',
    resource: () => 'attest::alert/*',
    response: z.array(z.object({ name: z.string(), description: z.string(), severity: z.string(), actions: z.array(z.string()) })),
    handler: async () => BUILT_IN_RULES.map((r) => ({ name: r.name, description: r.description, severity: r.severity, actions: [...r.actions] })),
  });

  const sinks: AlertSink[] = [logSink(server.log), ...(options.alertSinks ?? app.config.alerts.webhooks.map((w) => webhookSink({ url: w.url, secret: w.secret, secretEnv: w.secretEnv })))];
  const controls = new DetectiveControls({
    db: app.db,
    ledger: app.ledger,
    identity: app.identity,
    sinks,
    verifyAudit: async () => {
      // A refused checkpoint is recorded by app.checkpoint; the full report below names the damage.
      await app.checkpoint({ alert: false }).catch((error: unknown) => {
        if (!(isAppError(error) && error.code === 'AUDIT_CHAIN_BROKEN')) throw error;
      });
      return app.verifyAudit();
    },
    onError: (error) => server.log.error({ err: error }, 'detective controls'),
  });
  server.decorate('attestRoutes', kit.routes);
  server.decorate('detectiveControls', controls);
  if (options.controls?.enabled !== false) {
    server.addHook('onReady', async () => {
      await controls.start({ ...(options.controls?.pollMs ? { pollMs: options.controls.pollMs } : {}), verifyEveryMs: options.controls?.verifyEveryMs ?? app.config.alerts.auditVerifyIntervalMs });
    });
    // Changes and refusals are what rules look for: scan right after them (reads and invocations
    // wait for the poll). Requests that finish while a scan runs share one more scan after it, so a
    // busy server scans back to back instead of queueing a scan per response.
    let scanning = false;
    let again = false;
    const scanSoon = async () => {
      if (scanning) {
        again = true;
        return;
      }
      scanning = true;
      try {
        do {
          again = false;
          await controls.trigger();
        } while (again);
      } finally {
        scanning = false;
      }
    };
    server.addHook('onResponse', async (req, reply) => {
      const changesNothing = (req.routeOptions.config as { changesNothing?: boolean } | undefined)?.changesNothing === true;
      if (reply.statusCode >= 400 || (req.method !== 'GET' && !changesNothing)) void scanSoon();
    });
    server.addHook('onClose', async () => {
      await controls.stop();
    });
  }
  const checkpointTimer = new CheckpointTimer(app, {
    intervalMs: options.checkpointIntervalMs ?? app.config.audit.signIntervalMs,
    onError: (error) => server.log.error({ err: error }, 'audit checkpoint'),
  });
  server.addHook('onReady', async () => checkpointTimer.start());
  server.addHook('onClose', async () => checkpointTimer.stop());
  return server;
}

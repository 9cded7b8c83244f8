/**
 * @module server/routes/serving-routes
 * `/v1/projects/{project}/endpoints`: create, list, describe, update (traffic policies, capture,
 * review conditions), roll back and delete endpoints, and invoke them
 * (`…/endpoints/{name}/invocations`, authorised as `endpoint:Invoke` and audited like every other
 * route); `/metrics` in Prometheus's exposition format for a scraper holding a token with
 * `endpoint:List`, or without one on loopback when `metrics.public` is set.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app/index.js';
import { projectIdByName } from '../../app/index.js';
import { AppError } from '../../kernel/index.js';
import { JobService } from '../../jobs/index.js';
import type { ReviewSink } from '../../serving/index.js';
import { CaptureLog, EndpointConfigSpecSchema, EndpointName, lookupDecision, MonitoringSchedules, ReviewConditionsSchema, ReviewQueue, SCHEDULE_KINDS, SCHEDULE_NAME, ScheduleSpecSchema, ServingMetrics, ServingRuntime } from '../../serving/index.js';
import type { AlertSink } from '../../security/controls/index.js';
import { webhookSink } from '../../security/controls/index.js';
import type { RouteKit } from '../route-kit.js';
import { ProjectName, ProjectParams } from './schemas.js';

export interface ServingOptions {
  /** `write` (default) or `fsync` (see serving/capture-log). */
  readonly captureDurability?: 'write' | 'fsync';
  readonly captureFlushMs?: number;
  /** How stale an endpoint's configuration may be in this process (ms); default 1000. */
  readonly configRefreshMs?: number;
  /** Serve `/metrics` without a token to loopback clients only (a local Prometheus agent). */
  readonly publicMetricsOnLoopback?: boolean;
  /** Where review candidates go (the review queue); default none. */
  readonly review?: ReviewSink;
  /** Monitoring scheduler tick interval (ms); 0 turns the scheduler off in this process; default 15 s. */
  readonly schedulerIntervalMs?: number;
  /** Where monitoring violations are alerted (default: none besides the metrics). */
  readonly alertSinks?: readonly AlertSink[];
}

export interface ServingHandle {
  readonly runtime: ServingRuntime;
  readonly metrics: ServingMetrics;
  readonly capture: CaptureLog;
  readonly schedules: MonitoringSchedules;
}

const EndpointParams = z.object({ project: ProjectName, name: EndpointName });
const EndpointSchema = z.object({
  endpointId: z.string(),
  projectId: z.string(),
  name: z.string(),
  status: z.enum(['InService', 'Deleted']),
  configVersion: z.number(),
  config: EndpointConfigSpecSchema,
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const CreateBody = z.object({
  name: EndpointName,
  model: z.string().min(1).max(300),
  capturePercent: z.number().min(0).max(100).optional(),
  maxBatchRows: z.number().int().min(1).max(100_000).optional(),
  adverse: z.enum(['higher', 'lower']).optional(),
  shadow: z.string().min(1).max(300).optional(),
  review: ReviewConditionsSchema.optional(),
});
const UpdateBody = z.object({
  model: z.string().min(1).max(300).optional(),
  shadow: z.string().min(1).max(300).nullable().optional(),
  canary: z.object({ model: z.string().min(1).max(300), percent: z.number().gt(0).lt(100) }).nullable().optional(),
  promote: z.string().min(1).max(63).optional(),
  capturePercent: z.number().min(0).max(100).optional(),
  maxBatchRows: z.number().int().min(1).max(100_000).optional(),
  adverse: z.enum(['higher', 'lower']).optional(),
  review: ReviewConditionsSchema.nullable().optional(),
  reason: z.string().max(500).optional(),
});
const HistorySchema = z.object({
  current: z.number(),
  versions: z.array(z.object({ version: z.number(), spec: EndpointConfigSpecSchema, reason: z.string().nullable(), createdBy: z.string(), createdAt: z.string() })),
});
const ReasonSchema = z.object({ rank: z.number(), feature: z.number(), name: z.string(), label: z.string(), value: z.number().nullable(), contribution: z.number(), sentence: z.string() });
const InvokeResponse = z.object({
  requestId: z.string(),
  endpoint: z.string(),
  configVersion: z.number(),
  variant: z.string(),
  model: z.object({ artifactId: z.string(), sha256: z.string(), reference: z.string() }),
  captured: z.boolean(),
  predictions: z.array(z.object({ eventId: z.string(), inferenceId: z.string().optional(), score: z.number(), reasons: z.array(ReasonSchema).optional(), review: z.string().optional() })),
});

/** Opens the serving runtime (capture WAL under the home) and registers the routes; closes with the server. */
export async function registerServingRoutes(server: FastifyInstance, kit: RouteKit, app: App, options: ServingOptions = {}): Promise<ServingHandle> {
  const metrics = new ServingMetrics();
  const actor = { principal: 'system:serving' };
  const capture = await CaptureLog.open({
    root: join(app.config.home, 'serving', 'capture-wal'),
    keys: app.keys,
    artifacts: app.artifacts,
    actor,
    ...(options.captureDurability ? { durability: options.captureDurability } : {}),
    ...(options.captureFlushMs ? { flushIntervalMs: options.captureFlushMs } : {}),
  });
  const reviews = new ReviewQueue(app);
  const runtime = new ServingRuntime({
    endpoints: app.endpoints,
    artifacts: app.artifacts,
    capture,
    metrics,
    actor,
    ...(options.configRefreshMs !== undefined ? { refreshMs: options.configRefreshMs } : {}),
    review: options.review ?? ((candidates) => reviews.enqueue(candidates)),
  });
  const schedules = new MonitoringSchedules({ app, jobs: new JobService(app), metrics, sinks: options.alertSinks ?? app.config.alerts.webhooks.map((w) => webhookSink({ url: w.url, secret: w.secret, secretEnv: w.secretEnv, attempts: 3 })) });
  if (options.schedulerIntervalMs !== 0) {
    server.addHook('onReady', async () => schedules.startTimer(options.schedulerIntervalMs ?? 15_000, (error) => server.log.error({ err: error }, 'monitoring scheduler')));
  }
  server.addHook('onClose', async () => {
    schedules.stopTimer();
    await capture.close();
  });
  // CSV invocations: the body stays text; the payload parser names the bad row and column.
  server.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const projectIds = new Map<string, string>();
  const projectId = async (name: string) => {
    let id = projectIds.get(name);
    if (!id) {
      id = await projectIdByName(app, name);
      projectIds.set(name, id);
    }
    return id;
  };
  const tags = ['endpoints'];
  const resource = ({ params }: { params: { project: string; name: string } }) => `attest:${params.project}:endpoint/${params.name}`;

  kit.route({
    method: 'POST', url: '/v1/projects/:project/endpoints', summary: 'Create an endpoint serving a model (configuration version 1)', tags,
    action: 'endpoint:Create', audit: 'service', params: ProjectParams, body: CreateBody, response: EndpointSchema,
    resource: ({ params, body }) => `attest:${params.project}:endpoint/${body.name}`,
    handler: async ({ params, body, actor: a }) => {
      const { name, model, ...rest } = body;
      return app.endpoints.create(a, await projectId(params.project), { name, model, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) });
    },
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/endpoints', summary: "List a project's endpoints", tags, action: 'endpoint:List', audit: 'server', params: ProjectParams,
    resource: ({ params }) => `attest:${params.project}:endpoint/*`, response: z.array(EndpointSchema),
    handler: async ({ params }) => app.endpoints.list(await projectId(params.project)),
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/endpoints/:name', summary: "An endpoint's current configuration", tags, action: 'endpoint:Describe', audit: 'server', params: EndpointParams,
    resource, response: EndpointSchema,
    handler: async ({ params }) => app.endpoints.describe(await projectId(params.project), params.name),
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/endpoints/:name/configs', summary: "Every configuration version of an endpoint and which one serves", tags, action: 'endpoint:Describe', audit: 'server', params: EndpointParams,
    resource, response: HistorySchema,
    handler: async ({ params }) => app.endpoints.history(await projectId(params.project), params.name),
  });
  kit.route({
    method: 'PUT', url: '/v1/projects/:project/endpoints/:name', summary: 'Change the model, traffic policy (shadow, canary, promote), capture or review conditions: a new configuration version', tags,
    action: 'endpoint:Update', audit: 'service', params: EndpointParams, body: UpdateBody, response: EndpointSchema, resource,
    handler: async ({ params, body, actor: a }) => {
      const change = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
      const pid = await projectId(params.project);
      const result = await app.endpoints.update(a, pid, params.name, change);
      runtime.invalidate(pid, params.name);
      return result;
    },
  });
  kit.route({
    method: 'POST', url: '/v1/projects/:project/endpoints/:name/rollback', summary: 'Instant rollback to an earlier configuration version (default: the previous one)', tags,
    action: 'endpoint:Update', audit: 'service', params: EndpointParams, body: z.object({ version: z.number().int().min(1).optional(), reason: z.string().max(500).optional() }), response: EndpointSchema, resource,
    handler: async ({ params, body, actor: a }) => {
      const pid = await projectId(params.project);
      const result = await app.endpoints.rollback(a, pid, params.name, body.version, body.reason);
      runtime.invalidate(pid, params.name);
      return result;
    },
  });
  kit.route({
    method: 'DELETE', url: '/v1/projects/:project/endpoints/:name', summary: 'Delete an endpoint (its configuration history and captures stay)', tags,
    action: 'endpoint:Delete', audit: 'service', params: EndpointParams, response: EndpointSchema, resource,
    handler: async ({ params, actor: a }) => {
      const pid = await projectId(params.project);
      const result = await app.endpoints.delete(a, pid, params.name);
      runtime.invalidate(pid, params.name);
      return result;
    },
  });
  kit.route({
    method: 'POST', url: '/v1/projects/:project/endpoints/:name/invocations',
    summary: 'Score rows: JSON {"instances": [{feature: value}…] | [[values…]], "explain"?, "inferenceIds"?} or text/csv rows; ?explain=true adds reason codes', tags,
    action: 'endpoint:Invoke', audit: 'server', params: EndpointParams, query: z.object({ explain: z.enum(['true', 'false']).optional() }), response: InvokeResponse, resource,
    changesNothing: true, trustedResponse: true,
    handler: async ({ params, query, req }) => {
      try {
        return await runtime.invoke({
          projectId: await projectId(params.project),
          endpoint: params.name,
          contentType: req.headers['content-type'] ?? 'application/json',
          body: req.body,
          explain: query.explain === 'true',
          requestId: req.id,
        });
      } catch (error) {
        metrics.requests.inc({ endpoint: params.name, variant: '', code: error instanceof AppError ? String(error.kind === 'invalid_input' ? 400 : error.kind === 'not_found' ? 404 : 500) : '500' });
        throw error;
      }
    },
  });
  const render = () => {
    metrics.captureStored.set({}, capture.stats.stored);
    return metrics.render();
  };
  if (options.publicMetricsOnLoopback) {
    kit.publicRoute('GET', '/metrics');
    server.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
      if (!['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(req.ip)) throw new AppError('UNAUTHENTICATED', { message: '/metrics without a token is served to loopback clients only' });
      return reply.type('text/plain; version=0.0.4').send(render());
    });
  } else {
    kit.route({
      method: 'GET', url: '/metrics', summary: 'Serving and monitoring metrics in the Prometheus exposition format', tags: ['metrics'], action: 'endpoint:List', audit: 'server',
      resource: () => 'attest::endpoint/*', response: z.string(), produces: 'text/plain',
      handler: async ({ reply }) => {
        reply.type('text/plain; version=0.0.4');
        return render();
      },
    });
  }
  registerScheduleRoutes(kit, schedules, projectId);
  registerReviewRoutes(kit, reviews, projectId);
  registerServingGovernanceRoutes(kit, app, projectId);
  return { runtime, metrics, capture, schedules };
}

const ScheduleParams = z.object({ project: ProjectName, name: z.string().regex(SCHEDULE_NAME) });
const ScheduleSchema = z.object({
  scheduleId: z.string(),
  name: z.string(),
  endpoint: z.string(),
  kind: z.enum(SCHEDULE_KINDS),
  cron: z.string(),
  timezone: z.string(),
  spec: ScheduleSpecSchema,
  status: z.enum(['Scheduled', 'Stopped']),
  nextRunAt: z.string().nullable(),
  lastRunAt: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
});
const ExecutionSchema = z.object({
  executionId: z.string(),
  scheduleId: z.string(),
  jobId: z.string().nullable(),
  scheduledFor: z.string(),
  status: z.enum(['Pending', 'Completed', 'CompletedWithViolations', 'Failed']),
  window: z.object({ from: z.string(), to: z.string() }),
  violations: z.number().nullable(),
  report: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

/** `/v1/projects/{project}/monitoring-schedules`: Model Monitor's schedules over endpoints. */
function registerScheduleRoutes(kit: RouteKit, schedules: MonitoringSchedules, projectId: (name: string) => Promise<string>): void {
  const tags = ['monitoring'];
  const resource = ({ params }: { params: { project: string; name: string } }) => `attest:${params.project}:monitor/${params.name}`;
  kit.route({
    method: 'POST', url: '/v1/projects/:project/monitoring-schedules', summary: 'Schedule data-quality or model-quality monitoring of an endpoint (cron)', tags,
    action: 'monitor:Create', audit: 'service', params: ProjectParams, response: ScheduleSchema,
    body: z.object({ name: z.string().regex(SCHEDULE_NAME), endpoint: EndpointName, kind: z.enum(SCHEDULE_KINDS), cron: z.string().min(1).max(200), timezone: z.string().max(100).optional(), spec: ScheduleSpecSchema.partial() }),
    resource: ({ params, body }) => `attest:${params.project}:monitor/${body.name}`,
    // A retraining trigger (spec.retrain) runs as the caller: authorized for pipeline:Start now and when it fires.
    handler: async ({ params, body, actor, principal }) => schedules.create(actor, await projectId(params.project), { ...body, spec: Object.fromEntries(Object.entries(body.spec).filter(([, v]) => v !== undefined)) }, principal),
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/monitoring-schedules', summary: "A project's monitoring schedules", tags, action: 'monitor:List', audit: 'server', params: ProjectParams,
    resource: ({ params }) => `attest:${params.project}:monitor/*`, response: z.array(ScheduleSchema),
    handler: async ({ params }) => schedules.list(await projectId(params.project)),
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/monitoring-schedules/:name', summary: 'A monitoring schedule and its latest executions', tags, action: 'monitor:Describe', audit: 'server', params: ScheduleParams,
    resource, response: ScheduleSchema.extend({ executions: z.array(ExecutionSchema) }),
    handler: async ({ params }) => schedules.describe(await projectId(params.project), params.name),
  });
  kit.route({
    method: 'POST', url: '/v1/projects/:project/monitoring-schedules/:name/run', summary: 'Run a monitoring execution now', tags, action: 'monitor:Run', audit: 'service', params: ScheduleParams,
    resource, response: ExecutionSchema,
    handler: async ({ params, actor }) => schedules.run(actor, await projectId(params.project), params.name),
  });
  for (const [verb, action] of [
    ['stop', 'monitor:Stop'],
    ['start', 'monitor:Start'],
  ] as const) {
    kit.route({
      method: 'POST', url: `/v1/projects/:project/monitoring-schedules/:name/${verb}`, summary: `${verb === 'stop' ? 'Stop' : 'Start'} a monitoring schedule`, tags, action, audit: 'service', params: ScheduleParams,
      resource, response: ScheduleSchema,
      handler: async ({ params, actor }) => schedules[verb](actor, await projectId(params.project), params.name),
    });
  }
  kit.route({
    method: 'DELETE', url: '/v1/projects/:project/monitoring-schedules/:name', summary: 'Delete a monitoring schedule (its executions stay)', tags, action: 'monitor:Delete', audit: 'service', params: ScheduleParams,
    resource, response: ScheduleSchema,
    handler: async ({ params, actor }) => schedules.delete(actor, await projectId(params.project), params.name),
  });
}

const ReviewTaskSchema = z.object({
  taskId: z.string(),
  endpoint: z.string(),
  configVersion: z.number(),
  eventId: z.string(),
  requestId: z.string(),
  reason: z.string(),
  input: z.record(z.string(), z.number().nullable()),
  score: z.number(),
  reasons: z.array(ReasonSchema),
  variant: z.string(),
  modelArtifactId: z.string(),
  status: z.enum(['Pending', 'Decided']),
  decision: z.string().nullable(),
  label: z.string().nullable(),
  note: z.string().nullable(),
  reviewer: z.string().nullable(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
});

/** `/v1/projects/{project}/review-tasks`: the human review queue. */
function registerReviewRoutes(kit: RouteKit, reviews: ReviewQueue, projectId: (name: string) => Promise<string>): void {
  const tags = ['review'];
  const TaskParams = z.object({ project: ProjectName, task: z.string().regex(/^rvw_[a-z0-9]{1,64}$/) });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/review-tasks', summary: 'The human review queue (oldest first)', tags, action: 'review:List', audit: 'server', params: ProjectParams,
    query: z.object({ status: z.enum(['Pending', 'Decided']).optional(), endpoint: EndpointName.optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    resource: ({ params }) => `attest:${params.project}:review/*`, response: z.array(ReviewTaskSchema),
    handler: async ({ params, query }) => reviews.list(await projectId(params.project), { limit: query.limit, ...(query.status ? { status: query.status } : {}), ...(query.endpoint ? { endpoint: query.endpoint } : {}) }),
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/review-tasks/:task', summary: 'A review task: input, score, reason codes, model version', tags, action: 'review:Describe', audit: 'server', params: TaskParams,
    resource: ({ params }) => `attest:${params.project}:review/${params.task}`, response: ReviewTaskSchema,
    handler: async ({ params }) => reviews.describe(await projectId(params.project), params.task),
  });
  kit.route({
    method: 'POST', url: '/v1/projects/:project/review-tasks/:task/decision', summary: "Record a reviewer's decision; its label becomes ground truth for the decision's event id", tags,
    action: 'review:Decide', audit: 'service', params: TaskParams,
    body: z.object({ decision: z.enum(['approve', 'decline', 'refer']), label: z.string().max(64).optional(), note: z.string().max(2000).optional() }),
    resource: ({ params }) => `attest:${params.project}:review/${params.task}`, response: ReviewTaskSchema,
    handler: async ({ params, body, actor }) => reviews.decide(actor, await projectId(params.project), params.task, { decision: body.decision, ...(body.label !== undefined ? { label: body.label } : {}), ...(body.note !== undefined ? { note: body.note } : {}) }),
  });
}

const DecisionSchema = z.object({
  endpoint: z.string(),
  eventId: z.string(),
  inferenceId: z.string().nullable(),
  requestId: z.string().nullable(),
  inferenceTime: z.string(),
  input: z.record(z.string(), z.number().nullable()),
  score: z.number(),
  reasons: z.array(ReasonSchema),
  reasonsSource: z.enum(['returned-to-caller', 'recomputed']),
  model: z.object({ artifactId: z.string(), sha256: z.string(), reference: z.string(), variant: z.string() }),
  configVersion: z.number(),
  config: z.object({ version: z.number(), spec: EndpointConfigSpecSchema, reason: z.string().nullable(), createdBy: z.string(), createdAt: z.string() }).nullable(),
  review: z.object({ decision: z.string().nullable(), label: z.string().nullable(), reviewer: z.string().nullable(), decidedAt: z.string().nullable(), reason: z.string() }).nullable(),
  groundTruth: z.string().nullable(),
});

/** The auditor's decision lookup (`…/endpoints/{name}/decisions`): a read-level action the auditor holds, audited. */
function registerServingGovernanceRoutes(kit: RouteKit, app: App, projectId: (name: string) => Promise<string>): void {
  const tags = ['endpoints'];
  const resource = ({ params }: { params: { project: string; name: string } }) => `attest:${params.project}:endpoint/${params.name}`;
  kit.route({
    method: 'GET', url: '/v1/projects/:project/endpoints/:name/decisions',
    summary: "The auditor's question: what the endpoint decided for one applicant (event, request or inference id; optionally on a UTC day) and why", tags,
    action: 'endpoint:LookupDecision', audit: 'server', params: EndpointParams, resource, response: z.array(DecisionSchema),
    query: z.object({ eventId: z.string().min(1).max(200).optional(), requestId: z.string().min(1).max(200).optional(), inferenceId: z.string().min(1).max(200).optional(), date: z.string().max(10).optional() }),
    handler: async ({ params, query, actor }) => {
      return lookupDecision(app, actor, await projectId(params.project), params.name, Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)));
    },
  });
}

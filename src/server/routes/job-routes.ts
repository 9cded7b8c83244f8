/**
 * @module server/routes/job-routes
 * `/v1/projects/{project}/jobs`: submit, list, describe, read the logs of and cancel governed jobs.
 * The job service authorizes the work itself (e.g. `model:Train` for a training job) on top of
 * the route's `job:*` action, and writes the governed audit entries.
 */
import { z } from 'zod';
import type { App } from '../../app/index.js';
import { JOB_STATUSES, JOB_TYPES, JobLogLineSchema, JobRequestSchema, JobSchema, JobService } from '../../jobs/index.js';
import type { JobCaller } from '../../jobs/index.js';
import type { HandlerInput, RouteKit } from '../route-kit.js';
import { requestFacts } from '../route-kit.js';
import { ProjectName, ProjectParams } from './schemas.js';

const JobParams = z.object({ project: ProjectName, job: z.string().regex(/^job_[a-z0-9]{1,64}$/) });

export function registerJobRoutes(kit: RouteKit, app: App): void {
  const service = new JobService(app);
  const tags = ['jobs'];
  const caller = (input: Pick<HandlerInput<{ project: string }, unknown, unknown>, 'actor' | 'principal' | 'req' | 'params'>): JobCaller => ({
    actor: input.actor,
    principal: input.principal,
    facts: requestFacts(input.req, input.params.project),
  });
  kit.route({
    method: 'POST', url: '/v1/projects/:project/jobs', summary: 'Submit a job (processing, training, evaluation, explanation, bias, baseline, monitor-check, batch-transform, custom)', tags,
    action: 'job:Run', audit: 'service', params: ProjectParams, body: JobRequestSchema,
    resource: ({ params }) => `attest:${params.project}:job/*`, response: JobSchema,
    handler: (input) => service.submit(caller(input), input.params.project, input.body),
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/jobs', summary: "List a project's jobs, newest first", tags, action: 'job:List', audit: 'server', params: ProjectParams,
    query: z.object({ status: z.enum(JOB_STATUSES).optional(), type: z.enum(JOB_TYPES).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    resource: ({ params }) => `attest:${params.project}:job/*`, response: z.array(JobSchema),
    handler: (input) => service.list(caller(input), input.params.project, { ...(input.query.status ? { status: input.query.status } : {}), ...(input.query.type ? { type: input.query.type } : {}), limit: input.query.limit }),
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/jobs/:job', summary: "A job's status, inputs, outputs, metrics, attempts and isolation", tags, action: 'job:Describe', audit: 'server', params: JobParams,
    resource: ({ params }) => `attest:${params.project}:job/${params.job}`, response: JobSchema,
    handler: (input) => service.describe(caller(input), input.params.project, input.params.job),
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/jobs/:job/logs', summary: "A job's captured output, from after `afterSeq`", tags, action: 'job:GetLogs', audit: 'service', params: JobParams,
    query: z.object({ afterSeq: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(10_000).default(10_000) }),
    resource: ({ params }) => `attest:${params.project}:job/${params.job}`, response: z.array(JobLogLineSchema),
    handler: (input) => service.logs(caller(input), input.params.project, input.params.job, { afterSeq: input.query.afterSeq, limit: input.query.limit }),
  });
  kit.route({
    method: 'POST', url: '/v1/projects/:project/jobs/:job/cancel', summary: 'Cancel a queued job, or ask a running one to stop', tags, action: 'job:Cancel', audit: 'service', params: JobParams,
    resource: ({ params }) => `attest:${params.project}:job/${params.job}`, response: JobSchema,
    handler: (input) => service.cancel(caller(input), input.params.project, input.params.job),
  });
}

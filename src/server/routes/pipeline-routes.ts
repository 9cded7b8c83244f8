/**
 * @module server/routes/pipeline-routes
 * `/v1/projects/{project}/pipelines` and `/v1/projects/{project}/pipeline-executions`: publish,
 * list and describe pipeline versions; start, list, describe, cancel and retry executions. The
 * pipeline service authorizes each call again on the exact resource (and, on start, every job
 * step's own action) and writes the governed audit entries.
 */
import { z } from 'zod';
import type { App } from '../../app/index.js';
import { projectIdByName } from '../../app/index.js';
import type { JobCaller } from '../../jobs/index.js';
import { AppError } from '../../kernel/index.js';
import { ExecutionSchema, PipelineService, PipelineSummarySchema, PipelineVersionSchema } from '../../pipelines/index.js';
import { pipelineRegistry } from '../../registry/index.js';
import type { HandlerInput, RouteKit } from '../route-kit.js';
import { requestFacts } from '../route-kit.js';
import { ProjectName, ProjectParams } from './schemas.js';

const PipelineParams = z.object({ project: ProjectName, pipeline: z.string().regex(/^[a-z][a-z0-9-]{0,99}$/) });
const ExecutionParams = z.object({ project: ProjectName, execution: z.string().regex(/^pex_[a-z0-9]{1,64}$/) });
const Value = z.union([z.string().max(10_000), z.number(), z.boolean()]);

export function registerPipelineRoutes(kit: RouteKit, app: App, service: PipelineService = new PipelineService(app, { registry: pipelineRegistry(app) })): void {
  const tags = ['pipelines'];
  const caller = (input: Pick<HandlerInput<{ project: string }, unknown, unknown>, 'actor' | 'principal' | 'req' | 'params'>): JobCaller => ({
    actor: input.actor,
    principal: input.principal,
    facts: requestFacts(input.req, input.params.project),
  });
  /** The execution's resource name (its pipeline looked up); the pipeline wildcard when there is no such execution (the service answers 404). */
  const executionResource = async (project: string, executionId: string) => {
    const row = await service.store.executionRow(executionId);
    const projectId = await projectIdByName(app, project).catch(() => undefined);
    const pipeline = row && row.project_id === projectId ? await service.store.pipelineById(row.pipeline_id) : undefined;
    return pipeline ? `attest:${project}:pipeline/${pipeline.name}/execution/${executionId}` : `attest:${project}:pipeline/*`;
  };

  kit.route({
    method: 'POST', url: '/v1/projects/:project/pipelines', summary: 'Publish a pipeline definition: a new pipeline, or a new version of an existing one when its definition changed (needs pipeline:Update then)', tags,
    action: 'pipeline:Create', audit: 'service', params: ProjectParams, body: z.object({ definition: z.record(z.string(), z.unknown()) }),
    resource: ({ params, body }) => `attest:${params.project}:pipeline/${typeof body.definition.name === 'string' ? body.definition.name : '*'}`, response: PipelineVersionSchema,
    handler: (input) => service.create(caller(input), input.params.project, input.body.definition),
  });
  kit.route({
    method: 'PUT', url: '/v1/projects/:project/pipelines/:pipeline', summary: 'Publish a new version of an existing pipeline (the definition names the same pipeline)', tags,
    action: 'pipeline:Update', audit: 'service', params: PipelineParams, body: z.object({ definition: z.record(z.string(), z.unknown()) }),
    resource: ({ params }) => `attest:${params.project}:pipeline/${params.pipeline}`, response: PipelineVersionSchema,
    handler: async (input) => {
      await service.describe(caller(input), input.params.project, input.params.pipeline);
      if (input.body.definition.name !== input.params.pipeline) {
        throw new AppError('INVALID_INPUT', { message: `The definition names pipeline "${String(input.body.definition.name)}", not ${input.params.pipeline}` });
      }
      return service.create(caller(input), input.params.project, input.body.definition);
    },
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/pipelines', summary: "A project's pipelines", tags, action: 'pipeline:List', audit: 'server', params: ProjectParams,
    resource: ({ params }) => `attest:${params.project}:pipeline/*`, response: z.array(PipelineSummarySchema),
    handler: (input) => service.list(caller(input), input.params.project),
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/pipelines/:pipeline', summary: "A pipeline's definition: the latest version, or `version`", tags, action: 'pipeline:Describe', audit: 'server', params: PipelineParams,
    query: z.object({ version: z.coerce.number().int().min(1).optional() }),
    resource: ({ params }) => `attest:${params.project}:pipeline/${params.pipeline}`, response: PipelineVersionSchema,
    handler: (input) => service.describe(caller(input), input.params.project, input.params.pipeline, input.query.version),
  });
  kit.route({
    method: 'POST', url: '/v1/projects/:project/pipelines/:pipeline/executions', summary: 'Start an execution of the latest version (parameters over the defaults); the server runs it', tags,
    action: 'pipeline:Start', audit: 'service', params: PipelineParams, body: z.object({ parameters: z.record(z.string(), Value).default({}) }),
    resource: ({ params }) => `attest:${params.project}:pipeline/${params.pipeline}`, response: ExecutionSchema,
    handler: (input) => service.start(caller(input), input.params.project, input.params.pipeline, input.body.parameters),
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/pipelines/:pipeline/executions', summary: "A pipeline's executions, newest first", tags, action: 'pipeline:List', audit: 'server', params: PipelineParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    resource: ({ params }) => `attest:${params.project}:pipeline/${params.pipeline}`, response: z.array(ExecutionSchema),
    handler: (input) => service.executions(caller(input), input.params.project, input.params.pipeline, input.query.limit),
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/pipeline-executions/:execution', summary: "An execution's status, parameters and steps (attempts, jobs, cache hits, condition outcomes)", tags, action: 'pipeline:Describe', audit: 'server', params: ExecutionParams,
    resource: ({ params }) => executionResource(params.project, params.execution), response: ExecutionSchema,
    handler: (input) => service.describeExecution(caller(input), input.params.project, input.params.execution),
  });
  kit.route({
    method: 'POST', url: '/v1/projects/:project/pipeline-executions/:execution/cancel', summary: 'Stop an execution: pending steps are cancelled, running jobs asked to stop', tags, action: 'pipeline:Stop', audit: 'service', params: ExecutionParams,
    resource: ({ params }) => executionResource(params.project, params.execution), response: ExecutionSchema,
    handler: (input) => service.cancel(caller(input), input.params.project, input.params.execution),
  });
  kit.route({
    method: 'POST', url: '/v1/projects/:project/pipeline-executions/:execution/retry', summary: 'Run a failed or cancelled execution again: only its failed, cancelled and unrun steps', tags, action: 'pipeline:Start', audit: 'service', params: ExecutionParams,
    resource: ({ params }) => executionResource(params.project, params.execution), response: ExecutionSchema,
    handler: (input) => service.retry(caller(input), input.params.project, input.params.execution),
  });
}

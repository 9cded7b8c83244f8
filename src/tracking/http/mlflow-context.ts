/**
 * @module tracking/http/mlflow-context
 * What every MLflow route needs: MLflow's error body, the projects a request may see (narrowed to
 * the `/projects/{project}` path prefix when there is one), the `Default` experiment "0" of the
 * request's project, and the run or experiment a request names, authorised in its own project.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from '@fastify/type-provider-zod';
import { AppError, httpStatusOf, isAppError } from '../../kernel/index.js';
import type { Experiment } from '../tracking-model.js';
import type { TrackingContext } from '../tracking-service.js';
import type { TrackingRouteDeps } from './route-deps.js';

/** Attest error kinds as MLflow's `ErrorCode` names. */
const MLFLOW_CODES: Readonly<Record<string, string>> = {
  not_found: 'RESOURCE_DOES_NOT_EXIST',
  invalid_input: 'INVALID_PARAMETER_VALUE',
  conflict: 'RESOURCE_ALREADY_EXISTS',
  forbidden: 'PERMISSION_DENIED',
  unauthenticated: 'UNAUTHENTICATED',
  precondition: 'INVALID_STATE',
  integrity: 'INTERNAL_ERROR',
  unavailable: 'TEMPORARILY_UNAVAILABLE',
  internal: 'INTERNAL_ERROR',
};

/**
 * Attest errors that are MLflow's INVALID_STATE: a finished run changed, a model version whose
 * status does not allow the change (e.g. promoting a version not Approved), a promotion the
 * evidence gates refuse (the message lists what is missing).
 */
const INVALID_STATE_CODES: ReadonlySet<string> = new Set(['COMPONENT_COMPLETED', 'MODEL_STATUS_CONFLICT', 'EVIDENCE_MISSING']);

/** MLflow's id of the experiment runs go to when none is chosen; here, per project. */
export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';

/** Sends `error` as MLflow's `{ error_code, message }` (plus Attest's own code) with its HTTP status. */
export function mlflowError(reply: FastifyReply, error: unknown): FastifyReply {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issue = error.validation[0];
    return reply.status(400).send({ error_code: 'INVALID_PARAMETER_VALUE', message: `Invalid request: ${issue?.instancePath || '/'} ${issue?.message ?? ''}`.trim() });
  }
  if (!isAppError(error)) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return reply.status(status).send({ error_code: status === 404 ? 'ENDPOINT_NOT_FOUND' : 'BAD_REQUEST', message: (error as Error).message });
    reply.log.error(error);
    return reply.status(500).send({ error_code: 'INTERNAL_ERROR', message: 'Internal error' });
  }
  const invalidState = INVALID_STATE_CODES.has(error.code);
  const code = invalidState ? 'INVALID_STATE' : (MLFLOW_CODES[error.kind] ?? 'INTERNAL_ERROR');
  // MLflow answers RESOURCE_ALREADY_EXISTS and INVALID_STATE with 400.
  const status = invalidState || error.kind === 'conflict' ? 400 : httpStatusOf(error);
  return reply.status(status).send({ error_code: code, message: error.message, attest_code: error.code });
}

/** MLflow's answer to a route it does not serve. */
export function endpointNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.status(404).send({ error_code: 'ENDPOINT_NOT_FOUND', message: `No API endpoint ${request.method} ${request.url.split('?')[0]} on this server` });
}

export interface RunIdInput {
  run_id?: string | undefined;
  run_uuid?: string | undefined;
}

export class MlflowContext {
  readonly deps: TrackingRouteDeps;

  constructor(deps: TrackingRouteDeps) {
    this.deps = deps;
  }

  /** The projects the request may read: all visible ones, or only the path's project. */
  async visible(request: FastifyRequest): Promise<readonly string[]> {
    const all = await this.deps.visibleProjects(request);
    if (!(request.params as { project?: string } | undefined)?.project) return all;
    const pinned = await this.deps.project(request);
    return all.filter((p) => p === pinned);
  }

  /** The project the request creates things in (path prefix, header, or the token's default). */
  project(request: FastifyRequest): Promise<string> {
    return this.deps.project(request);
  }

  /** The `Default` experiment of the request's project; created on first use when `create` is set. */
  async defaultExperiment(request: FastifyRequest, create: boolean): Promise<Experiment> {
    const projectId = await this.project(request);
    const visible = await this.visible(request);
    const found = visible.includes(projectId) ? (await this.deps.tracking.listExperiments([projectId], { nameEquals: DEFAULT_EXPERIMENT_NAME }))[0] : undefined;
    if (found) return found;
    if (!create) throw new AppError('NOT_FOUND', { message: `No experiment with id=${DEFAULT_EXPERIMENT_ID} (the Default experiment is created by the first run logged to it)` });
    await this.deps.authorize(request, 'experiment:Create', { projectId, type: 'experiment', id: '*' });
    try {
      return await this.deps.tracking.createExperiment({ actor: this.deps.actor(request), projectId }, { name: DEFAULT_EXPERIMENT_NAME, tags: { 'attest.mlflowDefault': 'true' } });
    } catch (error) {
      // Two first runs at once: the other request created it.
      if (isAppError(error) && error.kind === 'conflict') return (await this.deps.tracking.listExperiments([projectId], { nameEquals: DEFAULT_EXPERIMENT_NAME }))[0]!;
      throw error;
    }
  }

  /** An experiment by MLflow id ("0" is the project's Default) or name, authorised for `action`. */
  async experiment(request: FastifyRequest, ref: string, action: string, options: { createDefault?: boolean } = {}): Promise<Experiment> {
    const e = ref === DEFAULT_EXPERIMENT_ID ? await this.defaultExperiment(request, options.createDefault ?? false) : await this.deps.tracking.getExperiment(ref, await this.visible(request));
    await this.deps.authorize(request, action, { projectId: e.projectId, type: 'experiment', id: e.experimentId, createdBy: e.createdBy });
    return e;
  }

  /** Experiment ids as the client sent them, "0" replaced by the Default experiment's id (when it exists). */
  async experimentIds(request: FastifyRequest, ids: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const id of ids) {
      if (id !== DEFAULT_EXPERIMENT_ID) out.push(id);
      else {
        const d = await this.defaultExperiment(request, false).catch(() => undefined);
        if (d) out.push(d.experimentId);
      }
    }
    return out;
  }

  /** The run visible to the caller, its experiment, and the write context in its project. */
  async run(request: FastifyRequest, body: RunIdInput, action: string) {
    const id = body.run_id ?? body.run_uuid;
    if (!id) throw new AppError('INVALID_INPUT', { message: 'run_id is required' });
    if (!id.startsWith('tc_')) throw new AppError('NOT_FOUND', { message: `Run with id=${id} not found` });
    const visible = await this.visible(request);
    const component = await this.deps.tracking.getComponent(id, visible);
    await this.deps.authorize(request, action, { projectId: component.projectId, type: 'component', id, createdBy: component.createdBy });
    const trialId = component.trialIds[0];
    const experimentId = trialId ? (await this.deps.tracking.getTrial(trialId, visible)).experimentId : '';
    const ctx: TrackingContext = { actor: this.deps.actor(request), projectId: component.projectId };
    return { component, experimentId, ctx, visible };
  }
}

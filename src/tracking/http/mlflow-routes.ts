/**
 * @module tracking/http/mlflow-routes
 * The MLflow-compatible API: MLflow's REST API 2.0 tracking endpoints (`/api/2.0/mlflow/…`, see
 * mlflow-experiment-routes and mlflow-run-routes), its Model Registry endpoints over Attest's
 * registry (mlflow-registry-routes) and its artifact proxy
 * (`/api/2.0/mlflow-artifacts/…`, mlflow-artifact-routes). A data scientist's existing MLflow code
 * points at Attest and gains authentication, policies, projects, audit and lineage. Errors use
 * MLflow's body `{ error_code, message }`; an endpoint Attest does not serve under these prefixes
 * is MLflow's `ENDPOINT_NOT_FOUND` (404), which the client reports as such.
 *
 * Every route is served twice: at the root, where the project is the `X-Attest-Project` header or
 * the token's default project, and under `/projects/{project}`, so that
 * `MLFLOW_TRACKING_URI=https://attest.example/projects/credit-risk` alone selects the project
 * (the official client keeps the path of its tracking URI, artifact calls included).
 */
import type { FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from '@fastify/type-provider-zod';
import { mlflowArtifactRoutes } from './mlflow-artifact-routes.js';
import { MlflowContext, endpointNotFound, mlflowError } from './mlflow-context.js';
import { mlflowExperimentRoutes } from './mlflow-experiment-routes.js';
import { mlflowRegistryRoutes } from './mlflow-registry-routes.js';
import { mlflowRunRoutes } from './mlflow-run-routes.js';
import type { TrackingRouteDeps } from './route-deps.js';

/** The path prefix that selects a project for every MLflow route. */
export const PROJECT_PREFIX = '/projects/:project';

/** Registers the MLflow-compatible routes; mount behind the server's bearer-token authentication. */
export async function mlflowRoutes(app: FastifyInstance, deps: TrackingRouteDeps): Promise<void> {
  const mc = new MlflowContext(deps);
  for (const root of ['', PROJECT_PREFIX]) {
    for (const [prefix, routes] of [
      [`${root}/api/2.0/mlflow`, (scope: FastifyInstance) => Promise.all([mlflowExperimentRoutes(scope, mc), mlflowRunRoutes(scope, mc), mlflowRegistryRoutes(scope, mc)])],
      [`${root}/api/2.0/mlflow-artifacts`, (scope: FastifyInstance) => mlflowArtifactRoutes(scope, mc)],
    ] as const) {
      await app.register(
        async (scope) => {
          scope.setValidatorCompiler(validatorCompiler);
          scope.setSerializerCompiler(serializerCompiler);
          scope.setErrorHandler((error, _request, reply) => mlflowError(reply, error));
          scope.setNotFoundHandler(endpointNotFound);
          await routes(scope);
        },
        { prefix },
      );
    }
  }
}

/**
 * @module tracking/http
 * The HTTP face of tracking (Attest's routes and the MLflow-compatible ones), mounted by the
 * server. Kept apart from tracking/index so that the CLI and the library load no web framework.
 */
export type { TrackingResource, TrackingRouteDeps } from './route-deps.js';
export { mlflowRoutes } from './mlflow-routes.js';
export { trackingRoutes } from './tracking-routes.js';

/**
 * @module server
 * The HTTP API server.
 */
export type { ServerOptions, TlsOptions } from './build-server.js';
export { buildServer, REDACTED_PATHS } from './build-server.js';
export type { PresignedClaims } from './presigned-url.js';
export { loadServerSecret, SERVER_SECRET_FILE, signPresigned, verifyPresigned } from './presigned-url.js';
export type { RouteInfo } from './route-kit.js';

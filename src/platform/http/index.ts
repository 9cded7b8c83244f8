/**
 * @module platform/http
 * The client of the platform's own HTTP API, shared by the remote CLI and the SDK transports.
 */
export type { ApiClientOptions, ApiRequestInit, HttpMethod } from './api-client.js';
export { ApiClient } from './api-client.js';

/**
 * @module config
 * Configuration schema, environment variables and loading.
 */
export type { ConfigFile, JobsConfig, OidcFileConfig, ResolvedConfig } from './config-schema.js';
export { ConfigFileSchema, ENVIRONMENT } from './config-schema.js';
export { CONFIG_FILE_NAME, checkHomePath, loadConfig, readConfigFile, resolveHome } from './load-config.js';

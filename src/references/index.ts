/**
 * @module references
 * Every reference form users see (`name@version`, `dsv_…`, `art_…`, `sha256:…`), resolved in one place.
 */
export type { ReferenceDeps, ResolvedReference } from './reference-resolver.js';
export { resolveNodeId, resolveReference } from './reference-resolver.js';

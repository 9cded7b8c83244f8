/**
 * @module lineage
 * The typed lineage graph: associations between artifacts, components, trials, experiments, model
 * versions and endpoints, and upstream/downstream queries to any depth on SQLite and PostgreSQL.
 */
export type { Association, AssociationType, LineageDirection, LineageNode, LineageQuery, LineageResult, NodeKind } from './lineage-model.js';
export { ASSOCIATION_TYPES, DEFAULT_LINEAGE_DEPTH, NODE_KINDS, nodeKindOf, parseAssociationType } from './lineage-model.js';
export type { LineageServiceDeps } from './lineage-service.js';
export { LineageService } from './lineage-service.js';
export type { NewAssociation } from './lineage-store.js';
export { nodeProject, recordAssociation, walkLineage } from './lineage-store.js';

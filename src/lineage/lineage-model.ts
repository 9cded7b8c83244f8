/**
 * @module lineage/lineage-model
 * The typed lineage graph (SageMaker ML Lineage Tracking's associations): nodes are artifacts
 * (dataset versions, models, reports), trial components, trials, experiments and, later, model
 * versions and endpoints; edges are typed associations from source to destination.
 */
import { AppError } from '../kernel/index.js';

/** Association types, as SageMaker names them. */
export const ASSOCIATION_TYPES = ['ContributedTo', 'Produced', 'DerivedFrom', 'AssociatedWith', 'SameAs'] as const;
export type AssociationType = (typeof ASSOCIATION_TYPES)[number];

/** What a node id names. Ids carry their kind as a prefix (`art_`, `tc_`, `tr_`, `exp_`). */
export const NODE_KINDS = ['artifact', 'component', 'trial', 'experiment', 'model', 'endpoint'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

const PREFIX_KIND: Readonly<Record<string, NodeKind>> = { art: 'artifact', tc: 'component', tr: 'trial', exp: 'experiment', mp: 'model', ep: 'endpoint' };

/** The kind of a node from its id prefix. */
export function nodeKindOf(id: string): NodeKind {
  const kind = PREFIX_KIND[id.slice(0, id.indexOf('_'))];
  if (!kind) throw new AppError('INVALID_INPUT', { message: `"${id}" is not a lineage node id (expected art_…, tc_…, tr_…, exp_…, mp_… or ep_…)` });
  return kind;
}

export function parseAssociationType(value: string): AssociationType {
  const found = ASSOCIATION_TYPES.find((t) => t.toLowerCase() === value.toLowerCase());
  if (!found) throw new AppError('INVALID_INPUT', { message: `Unknown association type "${value}"; use one of ${ASSOCIATION_TYPES.join(', ')}` });
  return found;
}

/** One typed edge. */
export interface Association {
  id: string;
  projectId: string;
  sourceId: string;
  sourceKind: NodeKind;
  destId: string;
  destKind: NodeKind;
  type: AssociationType;
  createdAt: string;
  createdBy: string;
}

/** A node reached by a lineage query, with a human label. */
export interface LineageNode {
  id: string;
  kind: NodeKind;
  /** Shortest distance from the start node, in edges. */
  depth: number;
  projectId: string;
  /** Name (component, trial, experiment) or `name@version` (named artifact), when there is one. */
  name?: string;
  /** The component type (processing, training, …) for components; the media type for artifacts. */
  type?: string;
  /** The code commit a component ran (its source-control lineage), when recorded. */
  commit?: string;
}

export type LineageDirection = 'upstream' | 'downstream';

export interface LineageQuery {
  /** Projects the caller may read; nodes and edges outside them are never returned. */
  visibleProjects: readonly string[];
  /** Maximum number of edges to follow (default {@link DEFAULT_LINEAGE_DEPTH}). */
  depth?: number;
  /** Keep only nodes of these kinds or component types (e.g. `component`, `training`, `artifact`). */
  types?: readonly string[];
  /** Follow only these association types. */
  associations?: readonly AssociationType[];
  /** Also return the edges among the start node and the nodes found. */
  includeEdges?: boolean;
}

export interface LineageResult {
  start: LineageNode;
  direction: LineageDirection;
  nodes: LineageNode[];
  edges?: Association[];
}

/** "Any depth" is bounded so that cycles (SameAs both ways) terminate. */
export const DEFAULT_LINEAGE_DEPTH = 64;

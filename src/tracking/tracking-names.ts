/**
 * @module tracking/tracking-names
 * The closed vocabularies of tracking. Dependency-free, so that the CLI can name them in its
 * option help without loading the tracking service.
 */
export const COMPONENT_TYPES = ['processing', 'training', 'evaluation', 'transform', 'custom'] as const;
export const SORT_KEYS = ['createdAt', 'name', 'startTime', 'endTime'] as const;

/**
 * @module app/defaults
 * Names the installation starts with. Dependency-free so that the CLI can use them to declare
 * its options without loading the composition root.
 */
export const DEFAULT_PROJECT = 'default';

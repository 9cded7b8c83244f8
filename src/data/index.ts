/**
 * @module data
 * Datasets as typed-array column frames.
 */
export type { CategoricalColumn, Column, ColumnFrame, NumericColumn, NumericDtype } from './frame/column-frame.js';
export { categoricalColumn, findColumn, numericColumn } from './frame/column-frame.js';
export * from './stats/index.js';

/**
 * @module data/stats/frame-profile
 * Profiles of every column of a {@link ColumnFrame}, with the same mergeable shape as the column
 * profilers: profile partitions (chunks of rows, files, workers) independently and merge.
 */
import { AppError } from '../../kernel/index.js';
import type { ColumnFrame } from '../frame/column-frame.js';
import type { ColumnProfile, ColumnProfileState, ColumnShape, ProfileOptions } from './column-profile.js';
import { finalizeColumnProfile, initColumnProfile, mergeColumnProfiles, updateColumnProfile } from './column-profile.js';

export interface FrameProfileState {
  rowCount: number;
  columns: ColumnProfileState[];
}

export interface FrameProfile {
  rowCount: number;
  columns: ColumnProfile[];
}

/** Empty profile states for every column of a schema. */
export function initFrameProfile(schema: readonly ColumnShape[], options: ProfileOptions = {}): FrameProfileState {
  return { rowCount: 0, columns: schema.map((c) => initColumnProfile(c, options)) };
}

/** Adds all rows of `frame` (whose columns must match the state's by name and kind) in place. */
export function updateFrameProfile(state: FrameProfileState, frame: ColumnFrame): FrameProfileState {
  if (frame.columns.length !== state.columns.length) throw new AppError('DATA_SCHEMA_MISMATCH', { message: `Frame has ${frame.columns.length} columns, the profile ${state.columns.length}` });
  frame.columns.forEach((column, i) => {
    const s = state.columns[i]!;
    if (s.name !== column.name) throw new AppError('DATA_SCHEMA_MISMATCH', { message: `Column ${i} is ${column.name}, the profile expects ${s.name}` });
    updateColumnProfile(s, column, 0, frame.rowCount);
  });
  state.rowCount += frame.rowCount;
  return state;
}

/** Merges two partition states of the same frame schema into a new state. */
export function mergeFrameProfiles(a: FrameProfileState, b: FrameProfileState): FrameProfileState {
  if (a.columns.length !== b.columns.length) throw new AppError('DATA_SCHEMA_MISMATCH', { message: 'Cannot merge profiles of frames with different columns' });
  return { rowCount: a.rowCount + b.rowCount, columns: a.columns.map((s, i) => mergeColumnProfiles(s, b.columns[i]!)) };
}

/** Finalises every column's profile. */
export function finalizeFrameProfile(state: FrameProfileState): FrameProfile {
  return { rowCount: state.rowCount, columns: state.columns.map(finalizeColumnProfile) };
}

/** One-pass profile of a whole frame. */
export function profileFrame(frame: ColumnFrame, options: ProfileOptions = {}): FrameProfile {
  return finalizeFrameProfile(updateFrameProfile(initFrameProfile(frame.columns, options), frame));
}

/**
 * @module ml/fairness/bias-inputs
 * Turns a ColumnFrame and the analysis options into Clarify's boolean row indices (facet d,
 * positive label, positive prediction) and group slots, with smclarify `report._report`'s
 * validations and messages.
 */
import type { Column, ColumnFrame } from '../../data/index.js';
import { findColumn } from '../../data/index.js';
import { AppError } from '../../kernel/index.js';
import {
  type ClarifyDataType,
  type ClarifyValue,
  categoricalSelection,
  clarifyDataType,
  clarifySelection,
  continuousSelection,
  formatDataValue,
  type Selection,
} from './clarify-series.js';

function invalid(message: string, details: Record<string, unknown> = {}): never {
  throw new AppError('INVALID_INPUT', { message, details });
}

export function requireColumn(frame: ColumnFrame, name: string, role: string): Column {
  const col = findColumn(frame, name);
  if (col === undefined) invalid(`${role} column ${name} is not present in the dataset`, { column: name });
  return col;
}

/** The facet selections Clarify reports: one for the given values or threshold, or one per value (one-vs-rest). */
export function facetSelections(col: Column, values: readonly ClarifyValue[] | undefined): { type: ClarifyDataType; selections: Selection[] } {
  const given = values !== undefined && values.length > 0 ? values : undefined;
  const type = clarifyDataType(col, given);
  if (type === 'continuous') {
    if (given === undefined) invalid('Threshold values must be provided for continuous features', { column: col.name });
    return { type, selections: [continuousSelection(col, given[0]!)] };
  }
  if (given !== undefined) return { type, selections: [clarifySelection(col, given, type)] };
  // One-vs-rest over the column's values in order of first appearance (pandas `Series.unique`).
  const rows = col.kind === 'numeric' ? col.values.length : col.codes.length;
  const seen = new Map<string, Uint8Array>();
  for (let i = 0; i < rows; i++) {
    const key = formatDataValue(col, i);
    let index = seen.get(key);
    if (index === undefined) {
      index = new Uint8Array(rows);
      seen.set(key, index);
    }
    if (key !== 'nan') index[i] = 1;
  }
  return { type, selections: [...seen].map(([valueOrThreshold, index]) => ({ index, valueOrThreshold })) };
}

/** Positive-label index and Clarify's label_value_or_threshold text. */
export function labelSelection(col: Column, positive: readonly ClarifyValue[]): { type: ClarifyDataType; selection: Selection } {
  if (positive.length === 0) invalid('Positive label values or thresholds are empty for Label column');
  const type = clarifyDataType(col, positive);
  return { type, selection: clarifySelection(col, positive, type) };
}

/**
 * How the predicted column was read: as predicted labels matched against positive values, or as
 * scores cut at a threshold (predicted positive when score > threshold, Clarify's `probability_threshold`).
 */
export type PredictedBasis =
  | { readonly kind: 'labels'; readonly positive: readonly ClarifyValue[]; readonly positiveFrom: 'label' | 'predicted-positive' }
  | { readonly kind: 'scores'; readonly threshold: number; readonly thresholdFrom: 'flag' | 'detected' };

/**
 * Positive-prediction index. Scores are cut at the basis' threshold; predicted labels are matched
 * like the label (smclarify `_positive_predicted_index`): with the label's own positive values the
 * column must have the label's Clarify data type, with `--predicted-positive` values it is read on
 * its own (text predictions next to a numeric label, for instance).
 */
export function predictedSelection(
  predicted: Column,
  label: Column,
  labelType: ClarifyDataType,
  basis: PredictedBasis,
): Uint8Array {
  let index: Uint8Array;
  if (basis.kind === 'scores') {
    if (predicted.kind !== 'numeric') invalid(`Predicted column ${predicted.name} must hold numeric scores when a predicted threshold is given`, { column: predicted.name });
    const threshold = basis.threshold;
    index = Uint8Array.from(predicted.values, (v) => (v > threshold ? 1 : 0));
  } else {
    const positive = basis.positive;
    if (positive.length === 0) invalid('Positive predicted label values are empty');
    const type = clarifyDataType(predicted, positive);
    if (basis.positiveFrom === 'label') {
      if (type !== labelType) invalid('Predicted Label Column series datatype is not the same as Label Column series');
      index = type === 'continuous' ? continuousSelection(predicted, positive[0]!, [label, predicted]).index : categoricalSelection(predicted, positive);
    } else {
      index = type === 'continuous' ? continuousSelection(predicted, positive[0]!).index : categoricalSelection(predicted, positive);
    }
  }
  if (!index.some((v) => v === 1)) {
    invalid('No Label values are present in the predicted Label Column,Positive Predicted Index Series contains all False values');
  }
  return index;
}

/** Group slots in numpy `np.unique` order; missing values get the extra slot `groupCount`. */
export function groupSlots(col: Column): { group: Int32Array; groupCount: number; groupError?: string } {
  if (col.kind === 'numeric') {
    const distinct = [...new Set(col.values)].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    const slot = new Map(distinct.map((v, i) => [v, i]));
    const group = Int32Array.from(col.values, (v) => (Number.isNaN(v) ? distinct.length : slot.get(v)!));
    return { group, groupCount: distinct.length };
  }
  const used = [...new Set(Array.from(col.codes).filter((c) => c >= 0))];
  used.sort((a, b) => (col.dictionary[a]! < col.dictionary[b]! ? -1 : col.dictionary[a]! > col.dictionary[b]! ? 1 : 0));
  const slot = new Map(used.map((c, i) => [c, i]));
  const group = Int32Array.from(col.codes, (c) => (c < 0 ? used.length : slot.get(c)!));
  // numpy cannot sort text mixed with NaN, so Clarify's CDD fails on a text group with missing values.
  const hasMissing = col.codes.some((c) => c < 0);
  return { group, groupCount: used.length, ...(hasMissing ? { groupError: "'<' not supported between instances of 'float' and 'str'" } : {}) };
}

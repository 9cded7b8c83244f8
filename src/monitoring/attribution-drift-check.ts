/**
 * @module monitoring/attribution-drift-check
 * Global feature attributions for the attribution-drift check, from either of the files Attest and
 * Clarify write: a contributions CSV (`attest explain shap`: `g:feature` columns, `g:BIAS`) reduced
 * to mean |SHAP| per feature and output group, or Clarify's analysis.json
 * (`explanations.kernel_shap.<label>.global_shap_values`). Then {@link attributionDrift} per label.
 */
import type { ColumnFrame } from '../data/index.js';
import { AppError } from '../kernel/index.js';
import type { AttributionViolation } from './attribution-drift.js';
import { attributionDrift } from './attribution-drift.js';

/** label (label0, label1, … per output group) → feature → mean |SHAP|. */
export type GlobalAttributions = Record<string, Record<string, number>>;

/** Mean |SHAP| per feature and group of a contributions table. */
export function attributionsFromContributions(frame: ColumnFrame): GlobalAttributions {
  const out: GlobalAttributions = {};
  for (const column of frame.columns) {
    const colon = column.name.indexOf(':');
    const group = colon > 0 ? Number(column.name.slice(0, colon)) : Number.NaN;
    if (!Number.isInteger(group) || column.kind !== 'numeric') {
      throw new AppError('DATA_SCHEMA_MISMATCH', { message: `Column "${column.name}" is not a contribution column (group:feature, as attest explain shap writes)`, details: { column: column.name } });
    }
    const feature = column.name.slice(colon + 1);
    if (feature === 'BIAS') continue;
    let sum = 0;
    let n = 0;
    for (const v of column.values) {
      if (Number.isNaN(v)) continue;
      sum += Math.abs(v);
      n++;
    }
    const label = `label${group}`;
    out[label] = { ...(out[label] ?? {}), [feature]: n === 0 ? 0 : sum / n };
  }
  if (Object.keys(out).length === 0) throw new AppError('DATA_SCHEMA_MISMATCH', { message: 'The contributions file has no feature columns' });
  return out;
}

/** Global SHAP values from Clarify's explainability analysis.json. */
export function attributionsFromClarify(doc: unknown): GlobalAttributions {
  const kernel = (doc as { explanations?: { kernel_shap?: unknown } } | null)?.explanations?.kernel_shap;
  if (typeof kernel !== 'object' || kernel === null) throw new AppError('INVALID_INPUT', { message: 'The JSON file has no explanations.kernel_shap section (Clarify analysis.json)' });
  const out: GlobalAttributions = {};
  for (const [label, entry] of Object.entries(kernel)) {
    const values = (entry as { global_shap_values?: unknown }).global_shap_values;
    if (typeof values !== 'object' || values === null) throw new AppError('INVALID_INPUT', { message: `explanations.kernel_shap.${label} has no global_shap_values` });
    out[label] = Object.fromEntries(Object.entries(values).map(([f, v]) => [f, Number(v)]));
  }
  return out;
}

export interface AttributionDriftResult {
  labels: { label: string; ndcg: number; baseline: Record<string, number>; current: Record<string, number> }[];
  violations: AttributionViolation[];
}

/** nDCG of the current attributions ranked against the baseline's, per label. */
export function attributionDriftCheck(baseline: GlobalAttributions, current: GlobalAttributions, threshold = 0.9): AttributionDriftResult {
  const result: AttributionDriftResult = { labels: [], violations: [] };
  for (const [label, base] of Object.entries(baseline)) {
    const now = current[label];
    if (now === undefined) throw new AppError('DATA_SCHEMA_MISMATCH', { message: `The current attributions have no ${label} (output group) that the baseline has` });
    const r = attributionDrift(base, now, { label, threshold });
    result.labels.push({ label, ndcg: r.ndcg, baseline: base, current: now });
    if (r.violation) result.violations.push(r.violation);
  }
  return result;
}

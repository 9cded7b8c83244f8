/**
 * @module ml/explain/contributions-csv
 * SHAP values as CSV text in XGBoost's `pred_contribs` layout, the layout of
 * test/fixtures/golden/xgboost/<case>/expected_contribs.csv: header `g:feature` for each output
 * group g (0 for single-output models) and each feature, then `g:BIAS`; one line per row.
 * Interaction values use `g:featureA:featureB` over the (features + BIAS)² matrix, row-major.
 * Values are written with 9 significant digits (float32 round-trip precision, as the golden
 * files); names are quoted only when CSV requires it (RFC 4180).
 */
import type { FeatureMatrix, TreeEnsemble } from '../gbdt/index.js';
import type { ShapValues } from './tree-shap.js';
import { treeShap } from './tree-shap.js';
import type { ShapInteractionValues } from './tree-shap-interactions.js';
import { treeShapInteractions } from './tree-shap-interactions.js';

/** Quotes a CSV cell when it holds a comma, quote or line break. */
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A number as written in contribution files: 9 significant digits, shortest form. */
export function formatContribution(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(9))) : 'NaN';
}

/** The header line of a contributions file. */
export function contributionsHeader(featureNames: readonly string[], groups: number): string {
  const cells: string[] = [];
  for (let g = 0; g < groups; g++) {
    for (const f of featureNames) cells.push(csvCell(`${g}:${f}`));
    cells.push(`${g}:BIAS`);
  }
  return cells.join(',');
}

/** Formats computed SHAP values as a contributions file (header, then one line per row). */
export function formatContributionsCsv(shap: ShapValues): string {
  const lines = [contributionsHeader(shap.featureNames, shap.groups)];
  const rowWidth = shap.groups * shap.width;
  for (let r = 0; r < shap.rows; r++) {
    const cells: string[] = new Array(rowWidth);
    for (let k = 0; k < rowWidth; k++) cells[k] = formatContribution(shap.values[r * rowWidth + k]!);
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Formats SHAP interaction values (`--interactions`) as CSV. */
export function formatInteractionsCsv(inter: ShapInteractionValues): string {
  const names = [...inter.featureNames, 'BIAS'];
  const header: string[] = [];
  for (let g = 0; g < inter.groups; g++) for (const a of names) for (const b of names) header.push(csvCell(`${g}:${a}:${b}`));
  const lines = [header.join(',')];
  const rowWidth = inter.groups * inter.width * inter.width;
  for (let r = 0; r < inter.rows; r++) {
    const cells: string[] = new Array(rowWidth);
    for (let k = 0; k < rowWidth; k++) cells[k] = formatContribution(inter.values[r * rowWidth + k]!);
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `attest explain shap`: the contributions CSV of `x` under `model` (`interactions`: the
 * interaction matrix instead).
 */
export function contributionsCsv(model: TreeEnsemble, x: FeatureMatrix, options: { interactions?: boolean } = {}): string {
  return options.interactions ? formatInteractionsCsv(treeShapInteractions(model, x)) : formatContributionsCsv(treeShap(model, x));
}

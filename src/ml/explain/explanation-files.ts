/**
 * @module ml/explain/explanation-files
 * The text outputs of the `attest explain` commands as pure functions (a data frame in, text
 * out), so the CLI only reads and writes files: the report pair (JSON + HTML) of `explain report`, and
 * the JSON or plain-text reasons of `explain reasons`.
 */
import type { ColumnFrame } from '../../data/index.js';
import { labelVector, toFeatureMatrix } from '../../data/index.js';
import type { TreeEnsemble } from '../gbdt/index.js';
import type { ExplanationReport, ExplanationReportOptions } from './explanation-report.js';
import { buildExplanationReport } from './explanation-report.js';
import type { ReasonCodeOptions, RowReasons } from './reason-codes.js';
import { treeReasonCodes } from './reason-codes.js';
import { renderExplanationHtml } from './report-html.js';

export interface ExplanationFiles {
  readonly report: ExplanationReport;
  /** `explanation.json`: the report, pretty-printed, newline-terminated. */
  readonly json: string;
  /** `explanation.html`: the self-contained page. */
  readonly html: string;
}

/**
 * `attest explain report --model M --data CSV --label COL`: the report of `model` on the frame's
 * rows, its features matched by name (label column optional; it enables permutation importance).
 */
export function explanationReportFiles(model: TreeEnsemble, frame: ColumnFrame, label: string | undefined, options: ExplanationReportOptions = {}): ExplanationFiles {
  const x = toFeatureMatrix(frame, model.featureNames);
  const labels = label === undefined ? undefined : labelVector(frame, label);
  const report = buildExplanationReport(model, x, { ...options, ...(labels ? { labels } : {}) });
  return { report, json: `${JSON.stringify(report, null, 2)}\n`, html: renderExplanationHtml(report) };
}

/** `attest explain reasons --model M --input CSV [--top K]`: reason codes of every row. */
export function reasonsForFrame(model: TreeEnsemble, frame: ColumnFrame, options: ReasonCodeOptions = {}): RowReasons[] {
  return treeReasonCodes(model, toFeatureMatrix(frame, model.featureNames), options);
}

/** `--json` output: one JSON document (array of rows, `row` numbered from 1 as in the text), newline-terminated. */
export function formatReasonsJson(rows: readonly RowReasons[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/** Plain-text output: per row (numbered from 1, as in the JSON), its notice and one line per reason. */
export function formatReasonsText(rows: readonly RowReasons[]): string {
  const out: string[] = [];
  for (const row of rows) {
    out.push(`row ${row.row}: score ${row.score.toFixed(4)} (expected ${row.expectedValue.toFixed(4)})`);
    for (const reason of row.reasons) out.push(`  ${reason.rank}. ${reason.sentence}`);
    if (row.reasons.length === 0) out.push(`  ${row.notice}`);
  }
  return `${out.join('\n')}\n`;
}

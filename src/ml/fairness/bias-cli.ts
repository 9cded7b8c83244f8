/**
 * @module ml/fairness/bias-cli
 * The pure part of `attest bias --data CSV --label COL --positive VALUES --facet COL
 * (--sensitive VALUES | --threshold T) [--group COL] [--predicted COL [--predicted-positive VALUES |
 * --predicted-threshold T]] [--features COLS]`:
 * flag strings in, the report out. Reading the CSV and writing `--output` stay in the CLI adapter.
 */
import type { ColumnFrame } from '../../data/index.js';
import { AppError } from '../../kernel/index.js';
import { type BiasAnalysisOptions, type BiasReport, biasReport } from './bias-report.js';
import type { ClarifyValue } from './clarify-series.js';
import { intersectFacets } from './intersectional-facet.js';

/** The flags as the CLI parser hands them over (all text). */
export interface BiasCliFlags {
  readonly label: string;
  readonly positive: string;
  /** One column, or several joined by "," for an intersectional facet. */
  readonly facet: string;
  readonly sensitive?: string;
  readonly threshold?: string;
  readonly group?: string;
  readonly predicted?: string;
  readonly predictedPositive?: string;
  /** `--predicted-threshold`; `--probability-threshold` is its older name. */
  readonly predictedThreshold?: string;
  readonly probabilityThreshold?: string;
  readonly features?: string;
  readonly bootstrap?: string;
  readonly seed?: string;
  readonly minGroupSize?: string;
}

/**
 * Comma-separated values; a value that reads back as the same number becomes that number, as it
 * would in Clarify's JSON analysis config (so "1" matches integer labels and "40" prints as 40).
 */
export function parseClarifyValues(text: string): ClarifyValue[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (s !== '' && String(Number(s)) === s ? Number(s) : s));
}

function numberFlag(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new AppError('INVALID_INPUT', { message: `--${flag} must be a number, got "${text}"` });
  return v;
}

/**
 * Runs `attest bias` on a loaded frame.
 * @example runBiasCommand(frame, { label: 'default', positive: '1', facet: 'SEX', sensitive: '2', predicted: 'predicted_label' })
 */
export function runBiasCommand(frame: ColumnFrame, flags: BiasCliFlags): BiasReport {
  const facetColumns = flags.facet.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  let data = frame;
  let facet = facetColumns[0] ?? '';
  if (facetColumns.length > 1) {
    const joined = intersectFacets(frame, facetColumns.map((column) => ({ column })));
    data = joined.frame;
    facet = joined.column;
  }
  const replicates = numberFlag(flags.bootstrap, 'bootstrap');
  const seed = numberFlag(flags.seed, 'seed');
  const threshold = numberFlag(flags.threshold, 'threshold');
  if (flags.predictedThreshold !== undefined && flags.probabilityThreshold !== undefined) {
    throw new AppError('INVALID_INPUT', { message: '--predicted-threshold and --probability-threshold are the same option; give one' });
  }
  const probabilityThreshold =
    flags.predictedThreshold !== undefined ? numberFlag(flags.predictedThreshold, 'predicted-threshold') : numberFlag(flags.probabilityThreshold, 'probability-threshold');
  const minGroupSize = numberFlag(flags.minGroupSize, 'min-group-size');
  const options: BiasAnalysisOptions = {
    label: flags.label,
    positive: parseClarifyValues(flags.positive),
    facet,
    ...(flags.sensitive !== undefined ? { sensitive: parseClarifyValues(flags.sensitive) } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    ...(flags.group !== undefined ? { group: flags.group } : {}),
    ...(flags.predicted !== undefined ? { predicted: flags.predicted } : {}),
    ...(flags.predictedPositive !== undefined ? { predictedPositive: parseClarifyValues(flags.predictedPositive) } : {}),
    ...(probabilityThreshold !== undefined ? { probabilityThreshold } : {}),
    ...(flags.features !== undefined ? { features: flags.features.split(',').map((s) => s.trim()).filter((s) => s.length > 0) } : {}),
    ...(replicates !== undefined || seed !== undefined
      ? { bootstrap: { ...(replicates !== undefined ? { replicates } : {}), ...(seed !== undefined ? { seed } : {}) } }
      : {}),
    ...(minGroupSize !== undefined ? { minGroupSize } : {}),
  };
  return biasReport(data, options);
}

/** The report as the JSON file `attest bias --output` writes (infinities already strings). */
export function biasReportJson(report: BiasReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * @module monitoring/output-files
 * The files `attest baseline suggest` and `attest monitor check` write, as name → text maps, and
 * the parsing of a baseline directory's two files, so the CLI only reads and writes bytes.
 * JSON is indented with two spaces; NaN (an undefined statistic) is written as null.
 */
import { AppError } from '../kernel/index.js';
import type { Baseline, MonitorCheckResult } from './baseline.js';
import { parseConstraints } from './constraints-format.js';
import { buildReport, renderReportHtml } from './report.js';
import { parseStatistics } from './statistics-format.js';

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** statistics.json and constraints.json of a baseline. */
export function baselineFiles(baseline: Baseline): Record<'statistics.json' | 'constraints.json', string> {
  return { 'statistics.json': json(baseline.statistics), 'constraints.json': json(baseline.constraints) };
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new AppError('INVALID_INPUT', { message: `${name} is not valid JSON`, details: { file: name }, cause });
  }
}

/** Reads a baseline from the texts of its statistics.json and constraints.json. */
export function parseBaselineFiles(files: { statistics: string; constraints: string }): Baseline {
  const statistics = parseStatistics(parseJson(files.statistics, 'statistics.json'));
  const constraints = parseConstraints(parseJson(files.constraints, 'constraints.json'));
  const known = new Set(statistics.features.map((f) => f.name));
  const unknown = constraints.features.filter((f) => !known.has(f.name)).map((f) => f.name);
  if (unknown.length > 0) throw new AppError('INVALID_INPUT', { message: `constraints.json names features missing from statistics.json: ${unknown.join(', ')}`, details: { features: unknown } });
  return { statistics, constraints };
}

/** constraint_violations.json, the window's statistics.json, drift_report.json and report.html. */
export function monitorCheckFiles(baseline: Baseline, result: MonitorCheckResult, meta: { title: string; runAt: string }): Record<string, string> {
  const input = { ...meta, baseline: baseline.statistics, current: result.statistics, violations: result.violations, drift: result.driftReport };
  return {
    'constraint_violations.json': json(result.violations),
    'statistics.json': json(result.statistics),
    'drift_report.json': json(buildReport(input)),
    'report.html': renderReportHtml(input),
  };
}
